"""Screenshots of the console at 80×24 on the fixed clock: sign-in, and Today empty and with promises.

The store here is built by the test (two staff, chosen promises), not the demo community, so a
change to data/demo/ does not move these pictures. After a deliberate change to a screen:
`.venv/bin/pytest tests/snapshots --snapshot-update`, then look at the SVGs before committing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqlmodel import select

from deskapp.services.auth import hash_pin
from deskapp.store.tables import Building, Promise, Role, Staff, Unit

SIZE = (80, 24)
LANGS = ["zh", "en"]


@pytest.fixture
def staffed_store(store):
    """An empty store with a clerk (demo / 1234) and a supervisor (super / 5678)."""
    with store.session() as session:
        session.add(Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash=hash_pin("1234")))
        session.add(Staff(code="super", name="王建国", role=Role.SUPERVISOR, pin_hash=hash_pin("5678")))
    return store


@pytest.fixture
def promised_store(staffed_store, clock):
    """Three open promises on the fixed clock: one overdue, one due within the hour, one tomorrow."""
    now = clock.now()
    with staffed_store.session() as session:
        clerk = session.exec(select(Staff).where(Staff.code == "demo")).one()
        building = Building(code="3", name="3栋", name_en="Building 3", floors=18, entrances=2)
        session.add(building)
        session.flush()
        unit = Unit(code="3-2-1501", building_id=building.id, entrance="2", floor=15, room="1501",
                    area_m2=98.5, monthly_fee_fen=27580)
        session.add(unit)
        session.flush()
        for kind, text, customer, unit_id, due in [
            ("invoice_delivery", "财务回来后把发票送到业主家", "李先生", unit.id, timedelta(minutes=-40)),
            ("callback", "回电告知维修师傅到达时间", "张女士", None, timedelta(minutes=35)),
            ("director_message", "转达主任:业主要求更换楼道灯", "赵先生", None, timedelta(hours=22)),
        ]:
            session.add(Promise(
                kind=kind, text=text, customer=customer, phone="13800000000", unit_id=unit_id,
                owner_id=clerk.id, created_by_id=clerk.id, created_at=now - timedelta(hours=2),
                due_at=now + due,
            ))
    return staffed_store


def _signed_in(sign_in, code: str = "demo", pin: str = "1234"):
    async def run_before(pilot) -> None:
        await sign_in(pilot, code, pin)

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in(snap_compare, make_app, staffed_store, lang: str) -> None:
    assert snap_compare(make_app(staffed_store, lang), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_wrong_pin(snap_compare, make_app, staffed_store, sign_in, lang: str) -> None:
    assert snap_compare(make_app(staffed_store, lang), terminal_size=SIZE, run_before=_signed_in(sign_in, pin="9999"))


@pytest.mark.parametrize("lang", LANGS)
def test_today_empty(snap_compare, make_app, staffed_store, sign_in, lang: str) -> None:
    assert snap_compare(make_app(staffed_store, lang), terminal_size=SIZE, run_before=_signed_in(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_today_with_promises(snap_compare, make_app, promised_store, sign_in, lang: str) -> None:
    assert snap_compare(make_app(promised_store, lang), terminal_size=SIZE, run_before=_signed_in(sign_in))
