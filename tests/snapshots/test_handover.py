"""Screenshots of Today (F8) with every kind of open item, and of the shift handover (F7) being
acknowledged, at 80×24 on the fixed clock, in Chinese and English.

Built on the repair snapshots' store (clerk demo / 1234, supervisor super / 5678, four open work
orders), with a complaint, a visitor waiting and money taken for finance added."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskapp.clock import FixedClock
from deskapp.services import feedback, visits
from deskapp.store.tables import FeePayment
from snapshots.test_repair import orders_store, repair_store  # noqa: F401  (fixtures)
from ui.repair_helpers import settle

SIZE = (80, 24)
LANGS = ["zh", "en"]


@pytest.fixture
def desk_store(orders_store, clock, policy):  # noqa: F811
    store = orders_store
    earlier = FixedClock(clock.now() - timedelta(hours=23, minutes=30))
    record = feedback.receive(store, earlier, 1, what="楼上装修噪音晚上十点还在施工", wants="尽快制止", unit_code="1-1-302",
                              customer="高女士", phone="15839835784")
    feedback.judge_valid(store, earlier, 1, record, kind="complaint", category="property_management", severity="general",
                         department="秩序维护部")
    visits.register_arrival(store, FixedClock(clock.now() - timedelta(minutes=4)), 1, unit_code="3-2-1501", surname="任",
                            title="先生", purpose="payment")
    with store.session() as session:
        session.add(FeePayment(unit_id=1, amount_fen=73962, paid_at=clock.now() - timedelta(hours=1), receipt_no="R-0102",
                               taken_by_id=1, holder_id=1))
    return store


def _keys(sign_in, *keys: str, typed: dict[str, str] | None = None):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        for key in keys:
            if key.startswith("type:"):
                pilot.app.screen.query_one("Input").value = key[5:]
                await pilot.press("enter")
            else:
                await pilot.press(key)
            await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_today_with_everything_open(snap_compare, make_app, desk_store, sign_in, lang: str) -> None:
    assert snap_compare(make_app(desk_store, lang), terminal_size=SIZE, run_before=_keys(sign_in, "down"))


@pytest.mark.parametrize("lang", LANGS)
def test_handover_being_acknowledged(snap_compare, make_app, desk_store, sign_in, lang: str) -> None:
    keys = (
        "f7", "n", "type:工程部已知,班长 10:30 前回复", "s", "type:现金 739.62 元、钥匙 12 把已清点",
        "h", *"super", "enter", *"5678", "enter",
        "a", "q", "type:评审结果何时出?", "r", "type:班长说 10:30 前",
    )
    assert snap_compare(make_app(desk_store, lang), terminal_size=SIZE, run_before=_keys(sign_in, *keys))
