"""Screenshots of the registers (F9) at 80×24 on the fixed clock, in Chinese and English: the keys
with one lent to a worker and overdue and a worn label; the renovations with a patrol due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskapp.clock import FixedClock
from deskapp.services import keys, renovation
from ui.repair_helpers import settle

SIZE = (80, 24)
LANGS = ["zh", "en"]


@pytest.fixture
def register_store(demo_store, clock, policy):
    morning = FixedClock(clock.now() - timedelta(hours=3))  # 07:00
    today = clock.now().astimezone(policy.timezone).date()
    lent = keys.add_key(demo_store, morning, 1, label="1-1-201-A", unit_code="1-1-201", what="入户门 2 把")
    keys.add_key(demo_store, morning, 1, label="1-2-601-A", unit_code="1-2-601", what="入户门 1 把")
    worn = keys.add_key(demo_store, morning, 1, label="1-1-1202-A", unit_code="1-1-1202", what="入户门 2 把、信箱 1 把")
    keys.record_check(demo_store, morning, 1, missing=[], worn=["1-1-1202-A"])
    keys.lend(demo_store, morning, policy, 1, lent, borrower_kind="worker", borrower="李师傅", company="安居装修",
              purpose="更换水管", today=today)
    assert worn
    opened = FixedClock(clock.now() - timedelta(days=2))
    works = renovation.open_renovation(demo_store, opened, 1, unit_code="1-1-1002", permit_no="ZX-2026-031", owner="吴平",
                                       company="安居装修", workers=3, deposit_fen=200000)
    renovation.patrol(demo_store, FixedClock(clock.now() - timedelta(days=1, hours=2)), 1, works, ok=True)
    return demo_store


def _registers(sign_in, *keys_: str, late_hours: int = 0):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", *keys_)
        await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_keys_with_one_lent_and_a_worn_label(snap_compare, make_app, register_store, sign_in, clock, lang: str) -> None:
    clock.advance(hours=9)  # 19:00: the worker's key is overdue
    assert snap_compare(make_app(register_store, lang), terminal_size=SIZE, run_before=_registers(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_renovations_with_a_patrol_due(snap_compare, make_app, register_store, sign_in, lang: str) -> None:
    assert snap_compare(make_app(register_store, lang), terminal_size=SIZE, run_before=_registers(sign_in, "3"))
