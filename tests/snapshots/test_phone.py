"""Screenshots of the phone screen (F3) at 80×24 in zh and en, on the fixed clock: a busy queue,
a call in progress with the screen pop, and the log-call dialog refusing a number.

The store is built here (two clerks, one unit with its owner and tenant), not the demo community,
so a change to data/demo/ does not move these pictures. The queue's timers are drawn from the
fixed clock, which does not move, so the 1 s tick redraws the same text. After a deliberate
change: `.venv/bin/pytest tests/snapshots/test_phone.py --snapshot-update`, then read the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from ui.phone_helpers import settle

from deskapp.clock import FixedClock
from deskapp.services import calls, promises
from deskapp.services.auth import hash_pin
from deskapp.store.tables import Building, Person, Role, Staff, Unit

SIZE = (80, 24)
LANGS = ["zh", "en"]

OWNER_PHONE = "15948680648"
TENANT_PHONE = "13612345678"


@pytest.fixture
def hotline_store(store):
    """The clerk (demo / 1234), a colleague at another console, and unit 3-2-1501 with its
    owner 任荣华 and tenant 李娜."""
    with store.session() as session:
        session.add(Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash=hash_pin("1234")))
        session.add(Staff(code="c02", name="林晓婷", role=Role.CLERK, pin_hash=hash_pin("2468")))
        building = Building(code="3", name="3栋", name_en="Building 3", floors=18, entrances=2)
        session.add(building)
        session.flush()
        unit = Unit(code="3-2-1501", building_id=building.id, entrance="2", floor=15, room="1501",
                    area_m2=88.05, monthly_fee_fen=24654)
        session.add(unit)
        session.flush()
        session.add(Person(unit_id=unit.id, kind="owner", name="任荣华", gender="M", phone=OWNER_PHONE))
        session.add(Person(unit_id=unit.id, kind="tenant", name="李娜", gender="F", phone=TENANT_PHONE))
    return store


def _ids(store) -> tuple[int, int, int]:
    """(clerk, colleague, unit)."""
    with store.session() as session:
        staff = dict(session.exec(select(Staff.code, Staff.id)).all())
        unit = session.exec(select(Unit.id)).one()
    return staff["demo"], staff["c02"], unit


def _at(clock, seconds: float) -> FixedClock:
    """Another clock, `seconds` before the app's: what happened earlier, leaving the app's clock still."""
    return FixedClock(clock.now() - timedelta(seconds=seconds))


@pytest.fixture
def busy_store(hotline_store, clock, policy):
    """Three calls ringing (one past three rings), one on hold at the colleague's console, and two
    calls owed: a missed call (overdue) and a callback promised for this afternoon."""
    store = hotline_store
    clerk, colleague, unit = _ids(store)
    held = calls.ring(store, _at(clock, 70), "0755-86001234")
    calls.answer(store, _at(clock, 66), held, colleague)
    calls.hold(store, _at(clock, 5), held, colleague)
    calls.ring(store, clock, OWNER_PHONE, at=clock.now() - timedelta(seconds=12))  # past 3 rings × 3 s
    calls.ring(store, clock, "13900000000", at=clock.now() - timedelta(seconds=5))
    calls.ring(store, clock, TENANT_PHONE, at=clock.now() - timedelta(seconds=1))
    missed = calls.ring(store, clock, "13712345678", at=clock.now() - timedelta(minutes=25))
    calls.mark_missed(store, _at(clock, 25 * 60 - 20), missed, clerk)
    promises.make(
        store, clock, policy, colleague, "callback", "回电告知维修师傅到达时间", customer="任先生",
        phone=OWNER_PHONE, unit_id=unit, due_at=clock.now() + timedelta(hours=4, minutes=30),
    )
    return store


@pytest.fixture
def ringing_owner_store(hotline_store, clock, policy):
    """The owner's call ringing, and one promise open for the unit (the tenant's leak)."""
    store = hotline_store
    clerk, _colleague, unit = _ids(store)
    promises.make(
        store, clock, policy, clerk, "repair_arrival", "工程部15分钟内上门查看卫生间漏水", customer="李女士",
        phone=TENANT_PHONE, unit_id=unit, due_at=clock.now() + timedelta(minutes=10),
    )
    calls.ring(store, clock, OWNER_PHONE)
    return store


def _on_phone(sign_in, *keys: str):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_busy_queue(snap_compare, make_app, busy_store, sign_in, lang: str) -> None:
    """Held (the colleague's), three ringing in order — 12 s, 5 s, 1 s — then the missed call
    (overdue) and the callback due at 14:30; nobody talking here, so the idle hint below."""
    assert snap_compare(make_app(busy_store, lang), terminal_size=SIZE, run_before=_on_phone(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_call_at_repair_repeat_with_screen_pop(snap_compare, make_app, ringing_owner_store, sign_in, lang: str) -> None:
    """F3 answers the owner; greeting, surname and title, unit (pre-filled), 1 repair, the item
    typed: the request repeated back, the pop showing the unit, both residents and the promise."""
    keys = ("f3", "enter", "enter", "enter", "enter", "1", *"厨房水龙头漏水", "enter")
    assert snap_compare(make_app(ringing_owner_store, lang), terminal_size=SIZE, run_before=_on_phone(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_log_call_refuses_a_bad_number(snap_compare, make_app, hotline_store, sign_in, lang: str) -> None:
    """Ctrl+N, "12", Enter: the number refused under the field, the dialog still open."""
    keys = ("ctrl+n", "1", "2", "enter")
    assert snap_compare(make_app(hotline_store, lang), terminal_size=SIZE, run_before=_on_phone(sign_in, *keys))
