"""Screenshots of the release screen (F5) at 80×24 in zh and en, on the fixed clock: the slips of
the day (valid, used, void, refused), the owner call for a tenant, and the guard's check of a
used slip.

The store is built here (one unit with its owner and tenant, one owner-only unit two months
behind), not the demo community, so a change to data/demo/ does not move these pictures. After a
deliberate change: `.venv/bin/pytest tests/snapshots/test_release.py --snapshot-update`, then read
the SVGs.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from ui.repair_helpers import settle

from deskapp.clock import FixedClock
from deskapp.services import releases as R
from deskapp.services.auth import hash_pin
from deskapp.store.tables import Building, FeeCharge, Person, Role, Setting, Staff, Unit

SIZE = (80, 24)
LANGS = ["zh", "en"]
TODAY = date(2026, 11, 24)
ID = "44030519900101123X"
DRIVER = "440306198506152013"


@pytest.fixture
def release_store(store):
    """The clerk (demo / 1234) and the supervisor (super / 5678); 3-2-1501 with owner 任荣华 and
    tenant 李娜, fees paid; 1-1-302 with owner 高梅, two months unpaid."""
    with store.session() as session:
        session.add(Setting(key="community.site", value="海悦花园管理处"))
        session.add(Setting(key="community.name", value="海悦花园"))
        session.add(Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash=hash_pin("1234")))
        session.add(Staff(code="super", name="王建国", role=Role.SUPERVISOR, pin_hash=hash_pin("5678")))
        session.add(Building(code="3", name="3栋", name_en="Building 3", floors=18, entrances=2))
        session.add(Building(code="1", name="1栋", name_en="Building 1", floors=6, entrances=2))
        session.flush()
        session.add(Unit(code="3-2-1501", building_id=1, entrance="2", floor=15, room="1501", area_m2=88.05, monthly_fee_fen=24654))
        session.add(Unit(code="1-1-302", building_id=2, entrance="1", floor=3, room="302", area_m2=102.4, monthly_fee_fen=28672))
        session.flush()
        session.add(Person(unit_id=1, kind="owner", name="任荣华", gender="M", phone="15948680648"))
        session.add(Person(unit_id=1, kind="tenant", name="李娜", gender="F", phone="13612345678"))
        session.add(Person(unit_id=2, kind="owner", name="高梅", gender="F", phone="15839835784"))
        for month in (9, 10):
            session.add(FeeCharge(unit_id=2, period=date(2026, month, 1), due_on=date(2026, month, 28), amount_fen=28672))
    return store


def _earlier(clock, minutes: int) -> FixedClock:
    return FixedClock(clock.now() - timedelta(minutes=minutes))


def _slip(store, clock, policy, unit: str, kind: str = "owner", goods: str = "沙发1、纸箱10") -> int:
    person = next(p for p in R.residents(store, unit)[1] if p.kind == kind)
    request = R.start(store, clock, 1, unit_code=unit, kind=kind, person_id=person.id, today=TODAY)
    R.record_arrears(store, clock, policy, 1, request, TODAY)
    R.record_id(store, clock, 1, request, "resident_id", ID, TODAY)
    R.record_goods(store, clock, 1, request, goods=goods, plate="粤B12345", driver="张师傅", driver_id=DRIVER, today=TODAY)
    R.record_signature(store, clock, 1, request)
    if kind == "tenant":
        R.record_owner_answer(store, clock, policy, 1, request, "agrees")
    R.issue(store, clock, policy, 1, request, TODAY)
    return request


@pytest.fixture
def day_store(release_store, clock, policy):
    """Slip 1 (owner 1-1-302, in arrears) used at the gate; slip 2 (the tenant) valid; slip 3
    voided; and a tenant's request left pending (the owner unreachable)."""
    store = release_store
    _slip(store, _earlier(clock, 90), policy, "1-1-302", goods="冰箱1台")
    R.verify(store, _earlier(clock, 80), 1, "门岗李")
    _slip(store, _earlier(clock, 60), policy, "3-2-1501", "tenant", goods="沙发1、书柜2、纸箱10")
    _slip(store, _earlier(clock, 40), policy, "3-2-1501", goods="洗衣机1")
    R.void(store, _earlier(clock, 35), policy, 3, "super", "5678", "车辆信息填错")
    person = next(p for p in R.residents(store, "3-2-1501")[1] if p.kind == "tenant")
    pending = R.start(store, _earlier(clock, 10), 1, unit_code="3-2-1501", kind="tenant", person_id=person.id, today=TODAY)
    R.record_id(store, clock, 1, pending, "resident_id", ID, TODAY)
    R.record_goods(store, clock, 1, pending, goods="电视1", plate="粤B12345", driver="张师傅", driver_id=DRIVER, today=TODAY)
    R.record_owner_answer(store, _earlier(clock, 5), policy, 1, pending, "unreachable", "再次联系业主任先生")
    return store


def _on_release(sign_in, *keys: str):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f5")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_the_days_slips(snap_compare, make_app, day_store, sign_in, lang: str) -> None:
    """Newest first: the pending tenant request, slip 3 void, slip 2 valid, slip 1 used; the
    highlighted (pending) request in full below."""
    assert snap_compare(make_app(day_store, lang), terminal_size=SIZE, run_before=_on_release(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_owner_call_for_a_tenant(snap_compare, make_app, release_store, sign_in, lang: str) -> None:
    """Ctrl+N, 3-2-1501, the tenant, the ID, the stamp, fees clear, the goods, then the call to the
    owner with the tenant's goods in the script and the slip so far below."""
    keys = (
        "ctrl+n", *"3-2-1501", "enter", "down", "enter", "enter", *ID, "enter", "enter", "enter",
        *"沙发1,书柜2", "enter", *"粤B12345", "enter", *"张师傅", "enter", *DRIVER, "enter", "enter",
    )
    assert snap_compare(make_app(release_store, lang), terminal_size=SIZE, run_before=_on_release(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_guard_checks_a_used_slip(snap_compare, make_app, day_store, sign_in, lang: str) -> None:
    """G, slip 1, the guard's name: already used at the gate, said loudly, with when and by whom."""
    keys = ("g", "1", "enter", *"门岗王", "enter")
    assert snap_compare(make_app(day_store, lang), terminal_size=SIZE, run_before=_on_release(sign_in, *keys))
