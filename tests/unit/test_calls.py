"""The hotline service (services/calls.py) on a store built here, on the fixed clock: numbers,
the caller found by phone, the state rules of a call with their message keys, hold time, the
calls owed, the screen pop, and the fingerprint the consoles poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from deskapp.errors import DeskappError
from deskapp.i18n import Translator
from deskapp.services import calls, promises
from deskapp.services.visits import FieldError
from deskapp.store.tables import (
    AuditEvent,
    Building,
    Call,
    Person,
    Promise,
    Role,
    Staff,
    Unit,
)

OWNER_PHONE = "15948680648"
TENANT_PHONE = "13612345678"
LANDLINE = "0755-86001234"
FORMER_TENANT_PHONE = "13700000000"
STRANGER = "13900000000"


@dataclass(frozen=True)
class Hotline:
    clerk: int
    colleague: int
    unit: int  # 3-2-1501: owner 任荣华 and tenant 李娜
    other_unit: int  # 1-1-101: owner 赵静 on a landline; a former tenant, no longer active
    owner: int
    tenant: int
    landline_owner: int


@pytest.fixture
def hotline(store) -> Hotline:
    """Two clerks and two units with their residents; nothing has rung yet."""
    with store.session() as session:
        clerk = Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash="-")
        colleague = Staff(code="c02", name="林晓婷", role=Role.CLERK, pin_hash="-")
        building = Building(code="3", name="3栋", floors=18, entrances=2)
        session.add_all([clerk, colleague, building])
        session.flush()
        unit = Unit(code="3-2-1501", building_id=building.id, entrance="2", floor=15, room="1501",
                    area_m2=88.05, monthly_fee_fen=24654)
        other = Unit(code="1-1-101", building_id=building.id, entrance="1", floor=1, room="101",
                     area_m2=70.0, monthly_fee_fen=19600)
        session.add_all([unit, other])
        session.flush()
        # The tenant is listed first so that "owner before tenant" is the query's doing, not the ids'.
        tenant = Person(unit_id=unit.id, kind="tenant", name="李娜", gender="F", phone=TENANT_PHONE)
        owner = Person(unit_id=unit.id, kind="owner", name="任荣华", gender="M", phone=OWNER_PHONE)
        landline_owner = Person(unit_id=other.id, kind="owner", name="赵静", gender="F", phone=LANDLINE)
        former = Person(unit_id=other.id, kind="tenant", name="周杰", gender="M", phone=FORMER_TENANT_PHONE, active=False)
        session.add_all([tenant, owner, landline_owner, former])
        session.flush()
        return Hotline(clerk.id, colleague.id, unit.id, other.id, owner.id, tenant.id, landline_owner.id)


def stored(store, call_id: int) -> Call:
    with store.session() as session:
        return session.get(Call, call_id)


def promise_state(store, promise_id: int) -> Promise:
    with store.session() as session:
        return session.get(Promise, promise_id)


def refused(key: str):
    """pytest.raises for a DeskappError with this message key."""
    return pytest.raises(DeskappError, match=rf"^{key}\b")


def a_promise(store, clock, policy, hotline: Hotline, kind: str = "callback", *, phone: str = STRANGER,
              unit_id: int | None = None, due: timedelta = timedelta(hours=2), customer: str = "王先生") -> int:
    return promises.make(
        store, clock, policy, hotline.clerk, kind, f"{kind} {customer}", customer=customer, phone=phone,
        unit_id=unit_id, due_at=clock.now() + due,
    )


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("13812345678", "13812345678"),
    ("  138 1234 5678 ", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0086 138 1234 5678", "13812345678"),
    ("0755-8623 8866", "0755-86238866"),  # a landline keeps its dash
    ("(0755)86238866", "075586238866"),
    ("+1 415 555 0100", "+14155550100"),  # a foreign number keeps its +
    ("110", "110"),  # three digits: the shortest
    ("1" * 20, "1" * 20),  # twenty: the longest
])
def test_a_number_is_kept_as_digits(typed: str, kept: str) -> None:
    assert calls.normalise_number(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", "abc", "12", "1-2", "+86", "1" * 21, "138 1234 567a", "138/1234/5678"])
def test_a_bad_number_is_refused_at_the_number_field(typed: str) -> None:
    with pytest.raises(FieldError) as caught:
        calls.normalise_number(typed)
    assert (caught.value.field, caught.value.key, caught.value.params) == ("number", "call.bad_number", {"number": typed.strip()})
    assert Translator("zh").error(caught.value) == f"来电号码无效:{typed.strip()}"


# -- ring: the caller found by phone ---------------------------------------------------------


def test_ring_finds_the_owner_by_phone(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, "+86 159 4868 0648")
    call = stored(store, call_id)
    assert (call.number, call.unit_id, call.person_id) == (OWNER_PHONE, hotline.unit, hotline.owner)
    assert (call.state, call.direction, call.rang_at, call.answered_by_id) == ("ringing", "in", clock.now(), None)
    view = calls.get(store, call_id)
    assert (view.unit, view.caller, view.caller_kind, view.caller_title) == ("3-2-1501", "任荣华", "owner", "先生")
    with store.session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "call", AuditEvent.entity_id == call_id)).one()
    assert event.action == "call.rang"


def test_ring_finds_the_tenant_by_phone(store, clock, hotline) -> None:
    view = calls.get(store, calls.ring(store, clock, TENANT_PHONE))
    assert (view.unit, view.caller, view.caller_kind, view.caller_title) == ("3-2-1501", "李娜", "tenant", "女士")


def test_ring_finds_a_landline_with_its_dash(store, clock, hotline) -> None:
    call = stored(store, calls.ring(store, clock, "0755-8600 1234"))
    assert (call.unit_id, call.person_id) == (hotline.other_unit, hotline.landline_owner)


def test_the_owner_comes_first_when_owner_and_tenant_share_a_number(store, clock, hotline) -> None:
    with store.session() as session:
        session.get(Person, hotline.tenant).phone = OWNER_PHONE
    assert stored(store, calls.ring(store, clock, OWNER_PHONE)).person_id == hotline.owner


def test_ring_ignores_a_person_no_longer_active(store, clock, hotline) -> None:
    call = stored(store, calls.ring(store, clock, FORMER_TENANT_PHONE))
    assert (call.unit_id, call.person_id) == (None, None)


def test_an_unknown_number_may_ring(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, STRANGER, at=clock.now() - timedelta(seconds=4))
    call = stored(store, call_id)
    assert (call.number, call.unit_id, call.person_id, call.rang_at) == (STRANGER, None, None, clock.now() - timedelta(seconds=4))
    view = calls.get(store, call_id)
    assert (view.unit, view.caller, view.caller_kind, view.caller_title) == ("", "", "", "")


def test_a_bad_number_does_not_ring(store, clock, hotline) -> None:
    with pytest.raises(FieldError):
        calls.ring(store, clock, "abc")
    assert calls.open_calls(store) == []


def test_open_calls_in_the_order_they_rang(store, clock, hotline) -> None:
    later = calls.ring(store, clock, STRANGER)
    earlier = calls.ring(store, clock, OWNER_PHONE, at=clock.now() - timedelta(seconds=5))
    done = calls.ring(store, clock, TENANT_PHONE, at=clock.now() - timedelta(seconds=9))
    calls.mark_missed(store, clock, done, hotline.clerk)
    assert [c.id for c in calls.open_calls(store)] == [earlier, later]


# -- answer, hold, resume, end: the state rules ----------------------------------------------


def test_a_call_answered_held_resumed_and_ended(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    clock.advance(seconds=4)
    calls.answer(store, clock, call_id, hotline.clerk)
    call = stored(store, call_id)
    assert (call.state, call.answered_at, call.answered_by_id) == ("talking", clock.now(), hotline.clerk)
    calls.hold(store, clock, call_id, hotline.clerk)
    call = stored(store, call_id)
    assert (call.state, call.hold_since, call.holds) == ("on_hold", clock.now(), 1)
    clock.advance(seconds=6)
    calls.resume(store, clock, call_id, hotline.clerk)
    call = stored(store, call_id)
    assert (call.state, call.hold_since, call.held_seconds) == ("talking", None, 6)
    clock.advance(minutes=2)
    calls.end(store, clock, call_id, hotline.clerk, "inquiry")
    call = stored(store, call_id)
    assert (call.state, call.ended_at, call.outcome) == ("ended", clock.now(), "inquiry")
    assert calls.open_calls(store) == []
    with store.session() as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity == "call", AuditEvent.entity_id == call_id).order_by(AuditEvent.id)
        ).all()
    assert actions == ["call.rang", "call.answered", "call.held", "call.resumed", "call.ended"]


def test_answering_a_call_that_is_not_ringing_is_refused(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    calls.answer(store, clock, call_id, hotline.colleague)
    with refused("call.not_ringing"):
        calls.answer(store, clock, call_id, hotline.clerk)
    missed = calls.ring(store, clock, STRANGER)
    calls.mark_missed(store, clock, missed, hotline.clerk)
    with refused("call.not_ringing"):
        calls.answer(store, clock, missed, hotline.clerk)
    assert stored(store, call_id).answered_by_id == hotline.colleague


def test_never_two_calls_at_once(store, clock, hotline) -> None:
    first = calls.ring(store, clock, OWNER_PHONE)
    second = calls.ring(store, clock, TENANT_PHONE)
    calls.answer(store, clock, first, hotline.clerk)
    with refused("call.one_at_a_time"):
        calls.answer(store, clock, second, hotline.clerk)
    calls.answer(store, clock, second, hotline.colleague)  # the colleague's line is free
    calls.hold(store, clock, first, hotline.clerk)
    third = calls.ring(store, clock, STRANGER)
    calls.answer(store, clock, third, hotline.clerk)  # holding the first frees the line
    with refused("call.one_at_a_time"):
        calls.resume(store, clock, first, hotline.clerk)
    assert stored(store, first).state == "on_hold"


@pytest.mark.parametrize(("change", "state", "key"), [
    ("hold", "ringing", "call.not_talking"),
    ("hold", "on_hold", "call.not_talking"),
    ("resume", "ringing", "call.not_on_hold"),
    ("resume", "talking", "call.not_on_hold"),
    ("end", "ringing", "call.not_talking"),
    ("end", "ended", "call.not_talking"),
    ("end", "missed", "call.not_talking"),
    ("mark_missed", "talking", "call.not_ringing"),
    ("mark_missed", "missed", "call.not_ringing"),
])
def test_a_change_from_the_wrong_state_is_refused(store, clock, hotline, change: str, state: str, key: str) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    to_state = {
        "ringing": [],
        "talking": [calls.answer],
        "on_hold": [calls.answer, calls.hold],
        "ended": [calls.answer, lambda *a: calls.end(*a, "done")],
        "missed": [calls.mark_missed],
    }[state]
    for step in to_state:
        step(store, clock, call_id, hotline.clerk)
    before = stored(store, call_id)
    with refused(key) as caught:
        getattr(calls, change)(*(store, clock, call_id, hotline.clerk), *(("done",) if change == "end" else ()))
    assert caught.value.params == {"id": call_id}
    assert stored(store, call_id) == before  # nothing written
    for lang in ("zh", "en"):
        assert not Translator(lang).error(caught.value).startswith("error.")  # the key has words in both


def test_an_unknown_call_is_not_found(store, clock, hotline) -> None:
    for change in (calls.answer, calls.hold, calls.resume, calls.mark_missed):
        with refused("call.not_found"):
            change(store, clock, 999, hotline.clerk)
    with refused("call.not_found"):
        calls.end(store, clock, 999, hotline.clerk, "done")
    with refused("call.not_found"):
        calls.get(store, 999)
    assert Translator("zh").error(DeskappError("call.not_found", id=999)) == "找不到这通电话(999)"


def test_a_colleague_resuming_a_held_call_takes_it_over(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    calls.answer(store, clock, call_id, hotline.clerk)
    calls.hold(store, clock, call_id, hotline.clerk)
    calls.resume(store, clock, call_id, hotline.colleague)
    assert calls.get(store, call_id).answered_by == "林晓婷"


def test_held_seconds_are_summed_over_two_holds(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    calls.answer(store, clock, call_id, hotline.clerk)
    clock.advance(seconds=10)
    calls.hold(store, clock, call_id, hotline.clerk)
    clock.advance(seconds=5)
    calls.resume(store, clock, call_id, hotline.clerk)
    clock.advance(seconds=20)  # talking: not held time
    calls.hold(store, clock, call_id, hotline.clerk)
    clock.advance(seconds=3)
    calls.resume(store, clock, call_id, hotline.clerk)
    call = stored(store, call_id)
    assert (call.holds, call.held_seconds, call.hold_since) == (2, 8, None)


def test_ending_a_held_call_counts_the_last_hold(store, clock, hotline) -> None:
    call_id = calls.ring(store, clock, OWNER_PHONE)
    calls.answer(store, clock, call_id, hotline.clerk)
    calls.hold(store, clock, call_id, hotline.clerk)
    clock.advance(seconds=9)
    calls.end(store, clock, call_id, hotline.clerk, "dropped")
    call = stored(store, call_id)
    assert (call.state, call.outcome, call.holds, call.held_seconds, call.hold_since) == ("ended", "dropped", 1, 9, None)


# -- callbacks owed ----------------------------------------------------------------------------


def test_callbacks_owed_mix_missed_calls_and_promises_by_due_time(store, clock, policy, hotline) -> None:
    now = clock.now()
    missed_early = calls.ring(store, clock, OWNER_PHONE, at=now - timedelta(minutes=30))
    missed_late = calls.ring(store, clock, STRANGER, at=now - timedelta(minutes=5))
    for call_id in (missed_early, missed_late):
        calls.mark_missed(store, clock, call_id, hotline.clerk)
    calls.ring(store, clock, TENANT_PHONE)  # still ringing: not owed
    overdue = a_promise(store, clock, policy, hotline, phone=LANDLINE, unit_id=hotline.other_unit, due=timedelta(minutes=-10), customer="赵女士")
    later = a_promise(store, clock, policy, hotline, due=timedelta(hours=2))
    a_promise(store, clock, policy, hotline, "message", due=timedelta(minutes=-20))  # not a callback
    kept = a_promise(store, clock, policy, hotline, due=timedelta(minutes=-40))
    with store.session() as session:
        session.get(Promise, kept).state = "kept"

    owed = calls.callbacks_owed(store)
    assert [(o.missed_call_id, o.promise_id) for o in owed] == [
        (missed_early, None), (None, overdue), (missed_late, None), (None, later),
    ]
    assert [o.due_at for o in owed] == [
        now - timedelta(minutes=30), now - timedelta(minutes=10), now - timedelta(minutes=5), now + timedelta(hours=2),
    ]
    assert (owed[0].number, owed[0].who, owed[0].unit) == (OWNER_PHONE, "任荣华", "3-2-1501")
    assert (owed[1].number, owed[1].who, owed[1].unit, owed[1].text) == (LANDLINE, "赵女士", "1-1-101", "callback 赵女士")
    assert (owed[2].number, owed[2].who, owed[2].unit) == (STRANGER, "", "")


def test_a_returned_missed_call_drops_out(store, clock, hotline) -> None:
    missed = calls.ring(store, clock, OWNER_PHONE, at=clock.now() - timedelta(minutes=3))
    calls.mark_missed(store, clock, missed, hotline.clerk)
    (owed,) = calls.callbacks_owed(store)
    back = calls.start_callback(store, clock, hotline.clerk, owed)
    call = stored(store, back)
    assert (call.direction, call.state, call.number, call.answered_by_id) == ("out", "talking", OWNER_PHONE, hotline.clerk)
    assert (call.unit_id, call.person_id, call.promise_id) == (hotline.unit, hotline.owner, None)
    assert stored(store, missed).returned_by_call_id == back
    assert calls.callbacks_owed(store) == []


def test_a_callback_call_keeps_its_promise_when_it_ends(store, clock, policy, hotline) -> None:
    promise_id = a_promise(store, clock, policy, hotline, phone=TENANT_PHONE, unit_id=hotline.unit, customer="李女士")
    other = a_promise(store, clock, policy, hotline, due=timedelta(hours=3))
    owed = next(o for o in calls.callbacks_owed(store) if o.promise_id == promise_id)
    call_id = calls.start_callback(store, clock, hotline.clerk, owed)
    assert stored(store, call_id).promise_id == promise_id
    assert promise_state(store, promise_id).state == "open"  # kept only when the call is over
    clock.advance(minutes=3)
    calls.end(store, clock, call_id, hotline.clerk, "done")
    kept = promise_state(store, promise_id)
    assert (kept.state, kept.closed_at) == ("kept", clock.now())
    assert promise_state(store, other).state == "open"
    assert [o.promise_id for o in calls.callbacks_owed(store)] == [other]


def test_a_callback_is_not_started_while_talking(store, clock, policy, hotline) -> None:
    calls.answer(store, clock, calls.ring(store, clock, OWNER_PHONE), hotline.clerk)
    a_promise(store, clock, policy, hotline)
    (owed,) = calls.callbacks_owed(store)
    with refused("call.one_at_a_time"):
        calls.start_callback(store, clock, hotline.clerk, owed)


# -- screen pop ------------------------------------------------------------------------------


def test_screen_pop_for_a_known_number(store, clock, policy, hotline) -> None:
    by_unit = a_promise(store, clock, policy, hotline, "repair_arrival", phone=TENANT_PHONE, unit_id=hotline.unit, due=timedelta(minutes=15))
    by_phone = a_promise(store, clock, policy, hotline, phone=OWNER_PHONE, due=timedelta(minutes=-5))
    a_promise(store, clock, policy, hotline, phone=LANDLINE, unit_id=hotline.other_unit)  # another unit
    done = a_promise(store, clock, policy, hotline, phone=OWNER_PHONE, unit_id=hotline.unit)
    with store.session() as session:
        session.get(Promise, done).state = "kept"
    with store.session() as session:  # a former resident of the unit is not shown
        session.add(Person(unit_id=hotline.unit, kind="tenant", name="钱多多", phone="13500000000", active=False))

    pop = calls.screen_pop(store, OWNER_PHONE)
    assert pop.unit == "3-2-1501"
    assert pop.people == (("owner", "任荣华", OWNER_PHONE), ("tenant", "李娜", TENANT_PHONE))
    assert [(p.kind, p.owner) for p in pop.promises] == [("callback", "陈小雨"), ("repair_arrival", "陈小雨")]
    assert [p.due_at for p in pop.promises] == [
        promise_state(store, by_phone).due_at, promise_state(store, by_unit).due_at,
    ]
    assert calls.screen_pop(store, TENANT_PHONE).people == pop.people  # the tenant's number pops the same unit


def test_screen_pop_shows_the_callers_open_work_orders_and_complaints(store, clock, policy, hotline) -> None:
    """一票到底: on the phone, the clerk sees what is still open for the caller's unit, not what is closed."""
    from deskapp.services import feedback, work_orders
    from deskapp.store.tables import Referral

    order = work_orders.open_order(store, clock, hotline.clerk, area="household", item="厨房水龙头漏水", unit_code="3-2-1501")
    done = work_orders.open_order(store, clock, hotline.clerk, area="household", item="燃气灶漏气", unit_code="3-2-1501")
    with store.session() as session:
        specialist = Referral(trade_zh="燃气", trade_en="Gas", name="燃气公司", phone="0755-83416218")
        session.add(specialist)
        session.flush()
        specialist_id = specialist.id
    work_orders.refer(store, clock, hotline.clerk, done, specialist_id)  # referred: no longer open
    work_orders.open_order(store, clock, hotline.clerk, area="household", item="别家的事", unit_code="1-1-101")
    complaint = feedback.receive(store, clock, hotline.clerk, what="楼上噪音", unit_code="3-2-1501")
    invalid = feedback.receive(store, clock, hotline.clerk, what="无理要求", unit_code="3-2-1501")
    feedback.judge_invalid(store, clock, hotline.clerk, invalid, "不属于物业服务范围")
    pop = calls.screen_pop(store, OWNER_PHONE)
    assert [(i, state, item) for i, state, item in pop.orders] == [(order, "received", "厨房水龙头漏水")]
    assert [(i, state) for i, state, _what in pop.complaints] == [(complaint, "received")]


def test_screen_pop_for_an_unknown_number(store, clock, policy, hotline) -> None:
    assert calls.screen_pop(store, STRANGER) is None
    assert calls.screen_pop(store, FORMER_TENANT_PHONE) is None
    a_promise(store, clock, policy, hotline, phone=STRANGER, customer="孙先生")
    pop = calls.screen_pop(store, STRANGER)
    assert (pop.unit, pop.people) == ("", ())
    assert [(p.kind, p.text) for p in pop.promises] == [("callback", "callback 孙先生")]


# -- fingerprint -----------------------------------------------------------------------------


def test_the_fingerprint_changes_with_every_move_of_a_call(store, clock, policy, hotline) -> None:
    seen = [calls.fingerprint(store)]

    def changed() -> None:
        latest = calls.fingerprint(store)
        assert latest not in seen
        assert calls.fingerprint(store) == latest  # and stays put while nothing happens
        seen.append(latest)

    call_id = calls.ring(store, clock, OWNER_PHONE)
    changed()
    calls.answer(store, clock, call_id, hotline.clerk)
    changed()
    calls.hold(store, clock, call_id, hotline.clerk)
    changed()
    calls.resume(store, clock, call_id, hotline.clerk)
    changed()
    calls.end(store, clock, call_id, hotline.clerk, "done")
    changed()
    missed = calls.ring(store, clock, STRANGER)
    changed()
    calls.mark_missed(store, clock, missed, hotline.clerk)
    changed()
    a_promise(store, clock, policy, hotline)
    changed()


def test_a_callback_nobody_answered_leaves_its_promise_owed(demo_store, clock, policy) -> None:
    from deskapp.services import promises
    from deskapp.services.calls import CallbackView

    promise_id = promises.make(demo_store, clock, policy, 1, "callback", "回电", phone="13900000000")
    owed = CallbackView(promise_id, None, "13900000000", "", "", clock.now(), "回电")
    call_id = calls.start_callback(demo_store, clock, 1, owed)
    calls.end(demo_store, clock, call_id, 1, "dropped")
    assert any(o.promise_id == promise_id for o in calls.callbacks_owed(demo_store))
    second = calls.start_callback(demo_store, clock, 1, owed)
    calls.end(demo_store, clock, second, 1, "inquiry")
    assert all(o.promise_id != promise_id for o in calls.callbacks_owed(demo_store))
