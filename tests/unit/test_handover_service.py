"""The shift-handover service (services/handover.py, 交接班) on the demo community, on the fixed
clock, against the real SQLite store: what is gathered (every kind a clerk owns, and the desk's
items), who may write what, the acknowledgement with queries and answers, items closed first or
appearing late, the transfer of ownership with its audit lines, the lists, and the document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.roles import Action
from deskapp.errors import DeskappError
from deskapp.i18n import Translator
from deskapp.policy import Policy, load_policy
from deskapp.screens.handover_text import document_lines, kind_label
from deskapp.services import (
    auth,
    calls,
    feedback,
    promises,
    visit_actions,
    visits,
    work_orders,
)
from deskapp.services import handover as ho
from deskapp.services.auth import SignedIn
from deskapp.store.engine import Store
from deskapp.store.tables import (
    AuditEvent,
    Call,
    FeePayment,
    Handover,
    HandoverItem,
    Promise,
    PromiseState,
    Staff,
    Visit,
    WorkOrder,
)
from deskapp.store.tables import Feedback as FeedbackRow

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the clock fixture's time, local
CLERK, COLLEAGUE, THIRD, SUPERVISOR = 1, 2, 3, 4  # demo: 陈小雨, 林晓婷, 吴嘉欣, 黄丽娟
CLERK_NAME, COLLEAGUE_NAME, THIRD_NAME, SUPERVISOR_NAME = "陈小雨", "林晓婷", "吴嘉欣", "黄丽娟"
PINS = {"demo": "1234", "c02": "2468", "c03": "1357", "super": "5678", "dir": "8642", "eng": "3690", "g01": "2580"}
OWNER_PHONE_1_1_201 = "15839835784"  # 高梅, owner of 1-1-201 in the demo people


# -- helpers ------------------------------------------------------------------------------------------


def _sign_in(store: Store, clock: FixedClock, code: str) -> SignedIn:
    """The code and PIN typed in the incoming clerk's dialog, checked as it checks them."""
    return auth.authorise(store, clock, load_policy(), code, PINS[code], Action.TAKE_OVER_SHIFT)


def _open_promises(store: Store, staff_id: int) -> list[int]:
    with store.read() as session:
        return list(session.exec(
            select(Promise.id).where(Promise.owner_id == staff_id, Promise.state == PromiseState.OPEN).order_by(Promise.id)
        ).all())


def _by_key(items) -> dict[tuple[str, int], object]:
    return {(i.kind, i.record_id): i for i in items}


def _payment_id(store: Store, receipt_no: str) -> int:
    with store.read() as session:
        return session.exec(select(FeePayment.id).where(FeePayment.receipt_no == receipt_no)).one()


def _staff_id(store: Store, code: str) -> int:
    with store.read() as session:
        return session.exec(select(Staff.id).where(Staff.code == code)).one()


def _audit(store: Store, action: str) -> list[AuditEvent]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def _handover_row(store: Store, handover_id: int) -> dict:
    with store.read() as session:
        return session.get(Handover, handover_id).model_dump()


def _item_rows(store: Store, handover_id: int) -> dict[tuple[str, int], dict]:
    with store.read() as session:
        rows = session.exec(select(HandoverItem).where(HandoverItem.handover_id == handover_id)).all()
        return {(r.kind, r.record_id): r.model_dump() for r in rows}


@dataclass(frozen=True)
class Held:
    """One of every kind of open item, made through the services for one clerk."""

    received_order: int
    dispatched_order: int
    arrival_promise: int
    complaint: int
    served_visit: int
    payment: int
    held_call: int
    talking_call: int
    waiting_visit: int
    ringing_call: int
    missed_call: int


def _hold_one_of_each(store: Store, clock: FixedClock, policy: Policy, staff: int = CLERK, tag: str = "1") -> Held:
    received = work_orders.open_order(
        store, clock, staff, area="household", unit_code="1-1-201", item="厨房水龙头漏水", category="plumbing",
        customer="王先生", phone="13800000001",
    )
    dispatched = work_orders.open_order(
        store, clock, staff, area="household", unit_code="1-1-202", item="卫生间地漏堵塞", category="plumbing",
        customer="刘先生", phone="13800000002",
    )
    work_orders.dispatch(store, clock, policy, staff, dispatched, NOW + timedelta(hours=1), "11点前师傅上门")
    with store.read() as session:
        arrival = session.exec(select(Promise.id).where(Promise.source_kind == "work_order", Promise.source_id == dispatched)).one()
    complaint = feedback.receive(store, clock, staff, what="电梯噪音太大", wants="尽快检修", unit_code="2-1-1601", customer="刘先生")
    feedback.judge_valid(store, clock, staff, complaint, kind="complaint", category="property_management", severity="general",
                         department="工程部")
    served = visits.register_arrival(store, clock, staff, unit_code="1-1-201", surname="高", title="女士", purpose="缴费")
    visits.start_service(store, clock, served, staff, "fee_payment")
    visit_actions.take_payment(store, clock, served, staff, {"amount": "312.50", "receipt_no": f"SJ-000{tag}"})
    payment = _payment_id(store, f"SJ-000{tag}")
    held = calls.ring(store, clock, OWNER_PHONE_1_1_201)
    calls.answer(store, clock, held, staff)
    calls.hold(store, clock, held, staff)
    talking = calls.ring(store, clock, f"1390000000{tag}")
    calls.answer(store, clock, talking, staff)
    clock.advance(minutes=1)
    waiting = visits.register_arrival(store, clock, staff, unit_code="", surname="李", title="小姐", purpose="咨询装修")
    ringing = calls.ring(store, clock, f"1370000000{tag}")
    missed = calls.ring(store, clock, f"1360000000{tag}", at=NOW - timedelta(minutes=20))
    calls.mark_missed(store, clock, missed, staff)
    return Held(received, dispatched, arrival, complaint, served, payment, held, talking, waiting, ringing, missed)


def _presented(store: Store, clock: FixedClock, policy: Policy, incoming: str = "c02") -> int:
    handover_id = ho.open_handover(store, clock, policy, CLERK)
    ho.present(store, clock, policy, handover_id, _sign_in(store, clock, incoming))
    return handover_id


def _acknowledge_all(store: Store, clock: FixedClock, handover_id: int) -> None:
    ho.acknowledge(store, clock, [i.id for i in ho.get(store, handover_id).live])


def _error(call) -> DeskappError:
    with pytest.raises(DeskappError) as refused:
        call()
    return refused.value


# -- what is open ---------------------------------------------------------------------------------------


def test_the_demo_clerk_holds_the_six_demo_promises(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    demo = _open_promises(demo_store, CLERK)
    assert len(demo) == 6
    items = ho.open_items(demo_store, clock, policy, CLERK)
    assert [(i.kind, i.record_id) for i in items] == [("promise", p) for p in sorted(
        demo, key=lambda p: _promise(demo_store, p).due_at)]
    with demo_store.read() as session:
        for item in items:
            promise = session.get(Promise, item.record_id)
            assert item.due_at == promise.due_at
            assert item.label == promise.text
            assert promise.customer in item.who
    assert ho.open_items(demo_store, clock, policy, COLLEAGUE) == []


def _promise(store: Store, promise_id: int) -> Promise:
    with store.read() as session:
        return session.get(Promise, promise_id)


def test_open_items_gather_every_kind_the_clerk_holds_and_the_desk(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    demo = _open_promises(demo_store, CLERK)
    assert held.arrival_promise in demo and len(demo) == 7

    items = ho.open_items(demo_store, clock, policy, CLERK)
    found = _by_key(items)
    expected = {("promise", p) for p in demo} | {
        ("work_order", held.received_order), ("work_order", held.dispatched_order), ("complaint", held.complaint),
        ("visit", held.served_visit), ("payment", held.payment), ("call", held.held_call), ("call", held.talking_call),
        ("waiting", held.waiting_visit), ("ringing", held.ringing_call), ("missed", held.missed_call),
    }
    assert set(found) == expected
    assert len(items) == len(expected)  # nothing twice

    # promises: due when promised; the dispatch's arrival promise at the appointment + 15 minutes
    arrival = found[("promise", held.arrival_promise)]
    assert arrival.due_at == NOW + timedelta(hours=1, minutes=15)
    assert arrival.label == "11点前师傅上门" and arrival.who == "1-1-202 刘先生"
    assert arrival.tag == "repair_arrival"
    for promise_id in demo:
        assert found[("promise", promise_id)].tag == _promise(demo_store, promise_id).kind

    # work orders: no limit while received; the arrival limit once dispatched
    received = found[("work_order", held.received_order)]
    assert received.due_at is None
    assert received.label == f"WX{held.received_order:06d} 厨房水龙头漏水"
    assert received.who == "1-1-201 王先生"
    dispatched = found[("work_order", held.dispatched_order)]
    assert dispatched.due_at == NOW + timedelta(hours=1, minutes=15)
    assert dispatched.label == f"WX{held.dispatched_order:06d} 卫生间地漏堵塞"
    assert (received.tag, dispatched.tag) == ("", "arrival")

    # the complaint: its most urgent clock (report up within 2 hours of acceptance)
    complaint = found[("complaint", held.complaint)]
    assert complaint.due_at == NOW + policy.duration("feedback.handler_escalate_hours") == NOW + timedelta(hours=2)
    assert complaint.label == f"TS{held.complaint:06d} 电梯噪音太大"
    assert complaint.who == "2-1-1601 刘先生"
    assert complaint.tag == "escalation"

    # the visitor being served, the money taken for finance: no limit
    visit = found[("visit", held.served_visit)]
    assert (visit.due_at, visit.label, visit.who) == (None, "缴费", "1-1-201 高女士")
    payment = found[("payment", held.payment)]
    assert (payment.due_at, payment.label, payment.who) == (None, "¥312.50 SJ-0001", "1-1-201")

    # calls: on hold is due back on the line within 7 seconds; talking has no limit
    held_call = found[("call", held.held_call)]
    assert held_call.due_at == NOW + timedelta(seconds=7) == NOW + policy.duration("phone.hold_seconds")
    assert (held_call.label, held_call.who) == (OWNER_PHONE_1_1_201, "1-1-201")
    talking = found[("call", held.talking_call)]
    assert (talking.due_at, talking.label, talking.who) == (None, "13900000001", "")
    assert (held_call.tag, talking.tag) == ("on_hold", "talking")

    # the desk: a visitor waiting is handed off after 3 minutes, a ringing call answered within
    # 3 rings of 3 seconds, a missed call owed since it rang
    arrived = NOW + timedelta(minutes=1)
    waiting = found[("waiting", held.waiting_visit)]
    assert waiting.due_at == arrived + policy.duration("reception.wait_handoff_minutes") == arrived + timedelta(minutes=3)
    assert (waiting.label, waiting.who) == ("咨询装修", "李小姐")
    ringing = found[("ringing", held.ringing_call)]
    assert ringing.due_at == arrived + timedelta(seconds=9)
    assert ringing.label == "13700000001"
    missed = found[("missed", held.missed_call)]
    assert missed.due_at == NOW - timedelta(minutes=20)
    assert missed.label == "13600000001"

    # who holds what: the clerk, by name; the desk's items nobody
    for key, item in found.items():
        if key[0] in ho.OWNED:
            assert (item.owner_id, item.owner) == (CLERK, CLERK_NAME), key
        else:
            assert (item.owner_id, item.owner, item.tag) == (None, "", ""), key


def test_an_urgent_visitor_waiting_is_tagged(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    calm = visits.register_arrival(demo_store, clock, CLERK, unit_code="", surname="钱", title="先生", purpose="问路")
    urgent = visits.register_arrival(demo_store, clock, CLERK, unit_code="", surname="孙", title="女士", purpose="漏水", urgent=True)
    found = _by_key(ho.open_items(demo_store, clock, policy, CLERK))
    assert (found[("waiting", calm)].tag, found[("waiting", urgent)].tag) == ("", "urgent")
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    assert _by_key(ho.get(demo_store, handover_id).items)[("waiting", urgent)].tag == "urgent"


def test_with_no_clerk_open_items_are_everyones(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Today's view: what any clerk holds, each with its holder, and the desk once."""
    mine = _hold_one_of_each(demo_store, clock, policy)
    theirs = _hold_one_of_each(demo_store, clock, policy, staff=COLLEAGUE, tag="2")
    everyone = ho.open_items(demo_store, clock, policy, None)
    found = _by_key(everyone)
    assert len(found) == len(everyone)
    clerk_items = {i.key for i in ho.open_items(demo_store, clock, policy, CLERK)}
    colleague_items = {i.key for i in ho.open_items(demo_store, clock, policy, COLLEAGUE)}
    assert set(found) == clerk_items | colleague_items
    assert found[("payment", mine.payment)].owner == CLERK_NAME
    assert found[("payment", theirs.payment)].owner == COLLEAGUE_NAME
    assert found[("work_order", theirs.received_order)].owner_id == COLLEAGUE
    assert found[("complaint", mine.complaint)].owner_id == CLERK
    assert found[("call", theirs.talking_call)].owner == COLLEAGUE_NAME
    assert found[("visit", mine.served_visit)].owner == CLERK_NAME
    assert sum(i.kind == "waiting" for i in everyone) == 2
    assert [i.due_at for i in everyone if i.due_at] == sorted(i.due_at for i in everyone if i.due_at)


def test_open_items_come_due_first_then_the_untimed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    items = ho.open_items(demo_store, clock, policy, CLERK)
    timed = [i for i in items if i.due_at is not None]
    untimed = [i for i in items if i.due_at is None]
    assert items == timed + untimed
    assert [i.due_at for i in timed] == sorted(i.due_at for i in timed)
    # the untimed in the order of what is held: work order, visit, call, payment
    assert [i.key for i in untimed] == [
        ("work_order", held.received_order), ("visit", held.served_visit), ("call", held.talking_call), ("payment", held.payment),
    ]
    assert items[0].kind == "promise" and items[0].due_at == NOW - timedelta(minutes=90)  # the overdue invoice delivery


def test_items_of_another_clerk_are_not_gathered(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The colleague's promises, orders, complaints, visitor, calls and money are theirs; the desk's
    items are shown to both."""
    theirs = _hold_one_of_each(demo_store, clock, policy, staff=COLLEAGUE, tag="2")
    made = promises.make(demo_store, clock, policy, COLLEAGUE, "callback", "回电告知维修时间", customer="周先生")

    mine = _by_key(ho.open_items(demo_store, clock, policy, CLERK))
    owned = {k for k in mine if k[0] in ho.OWNED}
    assert owned == {("promise", p) for p in _open_promises(demo_store, CLERK)}
    assert ("promise", made) not in mine
    for key in (("work_order", theirs.received_order), ("work_order", theirs.dispatched_order),
                ("complaint", theirs.complaint), ("visit", theirs.served_visit), ("payment", theirs.payment),
                ("call", theirs.held_call), ("call", theirs.talking_call), ("promise", theirs.arrival_promise)):
        assert key not in mine, key
    desk = {k for k in mine if k[0] in ho.DESK}
    assert desk == {("waiting", theirs.waiting_visit), ("ringing", theirs.ringing_call), ("missed", theirs.missed_call)}

    colleague = _by_key(ho.open_items(demo_store, clock, policy, COLLEAGUE))
    assert ("promise", made) in colleague and ("call", theirs.talking_call) in colleague
    assert not any(k[0] == "promise" and k[1] in _open_promises(demo_store, CLERK) for k in colleague)


def test_opening_a_handover_stores_every_item_pending(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    _hold_one_of_each(demo_store, clock, policy)
    expected = {i.key: i for i in ho.open_items(demo_store, clock, policy, CLERK)}
    assert ho.current(demo_store, CLERK) is None

    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    view = ho.get(demo_store, handover_id)
    assert (view.state, view.opened_at, view.outgoing_id, view.outgoing) == ("open", clock.now(), CLERK, CLERK_NAME)
    assert (view.incoming_id, view.incoming, view.presented_at, view.completed_at, view.note) == (None, "", None, None, "")
    assert {i.kind for i in view.items} == {"promise", "work_order", "complaint", "visit", "payment", "call",
                                             "waiting", "ringing", "missed"}
    assert {(i.kind, i.record_id) for i in view.items} == set(expected)
    for item in view.items:
        source = expected[(item.kind, item.record_id)]
        assert (item.due_at, item.label, item.who, item.tag) == (source.due_at, source.label, source.who, source.tag)
        assert (item.state, item.note, item.question, item.answer, item.acknowledged_at) == ("pending", "", "", "", None)
        assert item.desk == (item.kind in ("waiting", "ringing", "missed"))
    assert [(i.kind, i.record_id) for i in view.items] == list(expected)  # the same order: due first
    assert len(view.live) == len(view.unacknowledged) == len(expected)

    assert ho.current(demo_store, CLERK).id == handover_id
    assert ho.current(demo_store, COLLEAGUE) is None
    (opened,) = _audit(demo_store, "handover.opened")
    assert (opened.actor_id, opened.entity, opened.entity_id) == (CLERK, "handover", handover_id)

    # opening again is the same handover, brought up to date, not a second one
    clock.advance(minutes=5)
    assert ho.open_handover(demo_store, clock, policy, CLERK) == handover_id
    assert len(ho.get(demo_store, handover_id).items) == len(expected)
    assert ho.get(demo_store, handover_id).opened_at == NOW + timedelta(minutes=1)
    assert len(_audit(demo_store, "handover.opened")) == 1


# -- notes --------------------------------------------------------------------------------------------


def test_notes_are_written_by_the_outgoing_clerk_only(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    first = ho.get(demo_store, handover_id).items[0]

    ho.note_item(demo_store, clock, CLERK, first.id, "  已电话告知业主,财务下午3点回来  ")
    ho.note_shift(demo_store, clock, CLERK, handover_id, "  现金 312.50 元已点清;钥匙 12 把  ")
    view = ho.get(demo_store, handover_id)
    assert view.items[0].note == "已电话告知业主,财务下午3点回来"
    assert view.note == "现金 312.50 元已点清;钥匙 12 把"

    for staff in (COLLEAGUE, SUPERVISOR):
        assert _error(lambda s=staff: ho.note_item(demo_store, clock, s, first.id, "改写")).key == "handover.only_outgoing"
        assert _error(lambda s=staff: ho.note_shift(demo_store, clock, s, handover_id, "改写")).key == "handover.only_outgoing"
    view = ho.get(demo_store, handover_id)
    assert view.items[0].note == "已电话告知业主,财务下午3点回来"
    assert view.note == "现金 312.50 元已点清;钥匙 12 把"

    # notes are cut to their columns
    ho.note_item(demo_store, clock, CLERK, first.id, "长" * 500)
    ho.note_shift(demo_store, clock, CLERK, handover_id, "长" * 5000)
    view = ho.get(demo_store, handover_id)
    assert view.items[0].note == "长" * 400 and view.note == "长" * 4000

    assert _error(lambda: ho.note_item(demo_store, clock, CLERK, 987654, "x")).key == "handover.item_not_found"
    assert _error(lambda: ho.note_shift(demo_store, clock, CLERK, 987654, "x")).key == "handover.not_found"


def test_the_outgoing_clerk_may_still_note_once_presented(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    item = ho.get(demo_store, handover_id).items[0]
    ho.note_item(demo_store, clock, CLERK, item.id, "补充:业主下午在家")
    assert ho.get(demo_store, handover_id).items[0].note == "补充:业主下午在家"
    assert _error(lambda: ho.note_item(demo_store, clock, COLLEAGUE, item.id, "x")).key == "handover.only_outgoing"


# -- presenting to the incoming clerk -------------------------------------------------------------------


def test_presenting_to_the_next_clerk(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    kept = _open_promises(demo_store, CLERK)[-1]
    clock.advance(minutes=10)
    made = promises.make(demo_store, clock, policy, CLERK, "message", "转告物业经理:车位问题")
    promises.close(demo_store, clock, CLERK, kept, PromiseState.KEPT)
    incoming = _sign_in(demo_store, clock, "c02")
    assert (incoming.staff_id, incoming.role) == (COLLEAGUE, "clerk")
    ho.present(demo_store, clock, policy, handover_id, incoming)
    items = _by_key(ho.get(demo_store, handover_id).items)  # brought up to date as presented
    assert items[("promise", made)].state == "pending" and items[("promise", kept)].state == "closed"

    view = ho.get(demo_store, handover_id)
    assert (view.state, view.incoming_id, view.incoming, view.presented_at) == ("presented", COLLEAGUE, COLLEAGUE_NAME, clock.now())
    assert ho.current(demo_store, CLERK).id == handover_id  # still under way
    (presented,) = _audit(demo_store, "handover.presented")
    assert (presented.actor_id, presented.entity_id) == (COLLEAGUE, handover_id)
    assert json.loads(presented.detail) == {"outgoing": CLERK}


def test_the_supervisor_may_take_over(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy, incoming="super")
    view = ho.get(demo_store, handover_id)
    assert (view.state, view.incoming_id, view.incoming) == ("presented", SUPERVISOR, SUPERVISOR_NAME)


@pytest.mark.parametrize("code", ["eng", "g01", "dir"])
def test_presenting_to_someone_not_on_the_counter_is_refused(code: str, demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    before = _handover_row(demo_store, handover_id)
    refused = _error(lambda: _sign_in(demo_store, clock, code))  # at the dialog: their right PIN, the wrong role
    assert (refused.field, refused.key) == ("code", "roles.take_over_shift")
    someone = ho.signed_in_as(demo_store, _staff_id(demo_store, code))  # a caller that skips the dialog
    assert someone.role in ("engineering", "guard", "director")
    assert _error(lambda: ho.present(demo_store, clock, policy, handover_id, someone)).key == "roles.take_over_shift"
    posing = SignedIn(someone.staff_id, someone.code, someone.name, "clerk")  # the store's role counts, not the caller's
    assert _error(lambda: ho.present(demo_store, clock, policy, handover_id, posing)).key == "roles.take_over_shift"
    assert _handover_row(demo_store, handover_id) == before
    assert ho.get(demo_store, handover_id).state == "open"
    assert _audit(demo_store, "handover.presented") == []


def test_presenting_to_the_outgoing_clerk_is_refused(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    before = _handover_row(demo_store, handover_id)
    me = _sign_in(demo_store, clock, "demo")
    assert _error(lambda: ho.present(demo_store, clock, policy, handover_id, me)).key == "handover.same_clerk"
    assert _handover_row(demo_store, handover_id) == before
    assert _audit(demo_store, "handover.presented") == []


def test_the_incoming_clerk_cannot_act_before_being_presented(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    item = ho.get(demo_store, handover_id).items[0]
    assert _error(lambda: ho.acknowledge(demo_store, clock, [item.id])).key == "handover.not_presented"
    assert _error(lambda: ho.query(demo_store, clock, item.id, "什么时候到期?")).key == "handover.not_presented"
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.not_presented"
    assert ho.get(demo_store, handover_id).items[0].state == "pending"
    assert _error(lambda: ho.complete(demo_store, clock, policy, 987654)).key == "handover.not_found"
    assert _error(lambda: ho.acknowledge(demo_store, clock, [987654])).key == "handover.item_not_found"


# -- acknowledging, querying, answering ---------------------------------------------------------------------


def test_complete_is_refused_while_an_item_is_unacknowledged(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    handover_id = _presented(demo_store, clock, policy)
    live = ho.get(demo_store, handover_id).live
    left = next(i for i in live if i.kind == "work_order")
    ho.acknowledge(demo_store, clock, [i.id for i in live if i.id != left.id])

    refused = _error(lambda: ho.complete(demo_store, clock, policy, handover_id))
    assert (refused.key, refused.params) == ("handover.unacknowledged", {"count": 1})

    view = ho.get(demo_store, handover_id)
    assert view.state == "presented" and view.completed_at is None
    assert [i.id for i in view.unacknowledged] == [left.id]
    assert sorted(_open_promises(demo_store, CLERK)) == sorted(p for k, p in _by_key(live) if k == "promise")
    with demo_store.read() as session:
        assert session.get(WorkOrder, held.received_order).owner_id == CLERK
        assert session.get(WorkOrder, held.dispatched_order).owner_id == CLERK
        assert session.get(FeedbackRow, held.complaint).owner_id == CLERK
        assert session.get(Visit, held.served_visit).served_by_id == CLERK
        assert session.get(Call, held.talking_call).answered_by_id == CLERK
        assert session.get(Call, held.held_call).answered_by_id == CLERK
        assert session.get(FeePayment, held.payment).holder_id == CLERK
        assert all(p.handovers == 0 for p in session.exec(select(Promise)).all())
    assert _audit(demo_store, "ownership.handed_over") == []
    assert _audit(demo_store, "handover.completed") == []

    ho.acknowledge(demo_store, clock, [left.id])
    assert ho.complete(demo_store, clock, policy, handover_id).state == "done"


def test_a_queried_item_waits_for_the_answer(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    item = ho.get(demo_store, handover_id).items[0]
    others = [i.id for i in ho.get(demo_store, handover_id).items[1:]]

    assert _error(lambda: ho.query(demo_store, clock, item.id, "   ")).key == "handover.question_required"
    assert ho.get(demo_store, handover_id).items[0].state == "pending"
    assert _error(lambda: ho.answer(demo_store, clock, item.id, "没有人问")).key == "handover.item_not_queried"

    ho.query(demo_store, clock, item.id, "  发票开好了吗?  ")
    queried = ho.get(demo_store, handover_id).items[0]
    assert (queried.state, queried.question, queried.answer, queried.acknowledged_at) == ("queried", "发票开好了吗?", "", None)
    assert item.id in [i.id for i in ho.get(demo_store, handover_id).unacknowledged]

    refused = _error(lambda: ho.acknowledge(demo_store, clock, [item.id]))
    assert refused.key == "handover.item_queried" and refused.params == {"what": item.label[:30]}
    assert ho.get(demo_store, handover_id).items[0].state == "queried"

    ho.acknowledge(demo_store, clock, others)
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.unacknowledged"

    assert _error(lambda: ho.answer(demo_store, clock, item.id, "  ")).key == "handover.answer_required"
    ho.answer(demo_store, clock, item.id, "  已开好,在抽屉里  ")
    answered = ho.get(demo_store, handover_id).items[0]
    assert (answered.state, answered.question, answered.answer) == ("pending", "发票开好了吗?", "已开好,在抽屉里")
    assert _error(lambda: ho.answer(demo_store, clock, item.id, "再答一次")).key == "handover.item_not_queried"

    clock.advance(minutes=3)
    ho.acknowledge(demo_store, clock, [item.id])
    done = ho.get(demo_store, handover_id).items[0]
    assert (done.state, done.acknowledged_at) == ("acknowledged", clock.now())
    assert (done.question, done.answer) == ("发票开好了吗?", "已开好,在抽屉里")
    assert ho.get(demo_store, handover_id).unacknowledged == ()
    assert ho.complete(demo_store, clock, policy, handover_id).state == "done"


def test_querying_an_acknowledged_item_takes_the_acknowledgement_back(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, handover_id)
    item = ho.get(demo_store, handover_id).items[2]
    ho.query(demo_store, clock, item.id, "客户电话是多少?")
    again = next(i for i in ho.get(demo_store, handover_id).items if i.id == item.id)
    assert (again.state, again.acknowledged_at) == ("queried", None)
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).params == {"count": 1}


def test_acknowledging_is_all_or_nothing(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A batch with a queried item in it is refused whole: the items before it stay pending."""
    handover_id = _presented(demo_store, clock, policy)
    first, second, third = ho.get(demo_store, handover_id).items[:3]
    ho.query(demo_store, clock, third.id, "这个是谁负责?")
    assert _error(lambda: ho.acknowledge(demo_store, clock, [first.id, second.id, third.id])).key == "handover.item_queried"
    states = {i.id: i.state for i in ho.get(demo_store, handover_id).items}
    assert (states[first.id], states[second.id], states[third.id]) == ("pending", "pending", "queried")


def test_acknowledging_twice_keeps_the_first_time(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    item = ho.get(demo_store, handover_id).items[0]
    ho.acknowledge(demo_store, clock, [item.id])
    first_time = clock.now()
    clock.advance(minutes=2)
    ho.acknowledge(demo_store, clock, [item.id])
    assert ho.get(demo_store, handover_id).items[0].acknowledged_at == first_time


# -- items closed first, items arriving late ------------------------------------------------------------------


def test_items_closed_first_are_marked_closed_and_not_handed_over(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    kept = _open_promises(demo_store, CLERK)[0]
    assert all(i.state == "pending" for i in ho.get(demo_store, handover_id).items)

    promises.close(demo_store, clock, CLERK, kept, PromiseState.KEPT)
    ho.hand_to_finance(demo_store, clock, CLERK, held.payment, "  财务 刘慧敏  ")
    with demo_store.read() as session:
        money = session.get(FeePayment, held.payment)
        assert (money.handed_at, money.handed_to, money.holder_id) == (clock.now(), "财务 刘慧敏", None)
    (handed,) = _audit(demo_store, "fee.handed_to_finance")
    assert json.loads(handed.detail) == {"amount_fen": 31250, "to": "财务 刘慧敏"}
    assert _error(lambda: ho.hand_to_finance(demo_store, clock, CLERK, held.payment, "财务")).key == "payment.not_held"

    assert ho.open_handover(demo_store, clock, policy, CLERK) == handover_id
    items = _by_key(ho.get(demo_store, handover_id).items)
    assert items[("promise", kept)].state == "closed"
    assert items[("payment", held.payment)].state == "closed"
    assert sum(i.state == "closed" for i in items.values()) == 2
    view = ho.get(demo_store, handover_id)
    assert ("promise", kept) not in _by_key(view.live)
    assert len(view.live) == len(view.items) - 2

    ho.present(demo_store, clock, policy, handover_id, _sign_in(demo_store, clock, "c02"))
    closed = items[("promise", kept)]
    assert _error(lambda: ho.acknowledge(demo_store, clock, [closed.id])).key == "handover.item_closed"
    assert _error(lambda: ho.query(demo_store, clock, closed.id, "为什么关了?")).key == "handover.item_closed"
    _acknowledge_all(demo_store, clock, handover_id)
    done = ho.complete(demo_store, clock, policy, handover_id)

    assert _by_key(done.items)[("promise", kept)].state == "closed"
    with demo_store.read() as session:
        promise = session.get(Promise, kept)
        assert (promise.owner_id, promise.handovers, promise.state) == (CLERK, 0, PromiseState.KEPT)
        assert session.get(FeePayment, held.payment).holder_id is None
    moved = {(e.entity, e.entity_id) for e in _audit(demo_store, "ownership.handed_over")}
    assert ("promise", kept) not in moved and ("payment", held.payment) not in moved
    assert ho.history(demo_store, "promise", [kept]) == {}


def test_a_new_item_after_presenting_is_added_and_must_be_acknowledged(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, handover_id)
    before = len(ho.get(demo_store, handover_id).items)

    clock.advance(minutes=5)
    made = promises.make(demo_store, clock, policy, CLERK, "callback", "回电告知维修时间", customer="周先生", phone="13811112222")
    refused = _error(lambda: ho.complete(demo_store, clock, policy, handover_id))
    assert (refused.key, refused.params) == ("handover.new_items", {"count": 1})

    view = ho.get(demo_store, handover_id)
    assert view.state == "presented" and len(view.items) == before + 1
    added = _by_key(view.items)[("promise", made)]
    assert (added.state, added.label, added.who) == ("pending", "回电告知维修时间", "周先生")
    assert added.due_at == clock.now() + timedelta(hours=24)
    assert [i.id for i in view.unacknowledged] == [added.id]
    assert _promise(demo_store, made).owner_id == CLERK
    assert _audit(demo_store, "ownership.handed_over") == []

    # refused again (unacknowledged, not new) until it is acknowledged
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.unacknowledged"
    ho.acknowledge(demo_store, clock, [added.id])
    done = ho.complete(demo_store, clock, policy, handover_id)
    assert done.state == "done"
    promise = _promise(demo_store, made)
    assert (promise.owner_id, promise.handovers) == (COLLEAGUE, 1)


def test_a_new_desk_item_after_presenting_is_added_too(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, handover_id)
    visitor = visits.register_arrival(demo_store, clock, COLLEAGUE, unit_code="3-1-1802", surname="方", title="女士", purpose="取发票")
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.new_items"
    added = _by_key(ho.get(demo_store, handover_id).items)[("waiting", visitor)]
    assert (added.state, added.who, added.due_at) == ("pending", "3-1-1802 方女士", clock.now() + timedelta(minutes=3))


def test_an_item_closed_and_open_again_must_be_acknowledged_again(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A held call taken up by a colleague leaves the clerk's list; held again and taken back by the
    clerk it is the clerk's again: pending, not the old acknowledgement."""
    call = calls.ring(demo_store, clock, "13900000009")
    calls.answer(demo_store, clock, call, CLERK)
    calls.hold(demo_store, clock, call, CLERK)
    handover_id = _presented(demo_store, clock, policy, incoming="c03")
    _acknowledge_all(demo_store, clock, handover_id)
    assert _by_key(ho.get(demo_store, handover_id).items)[("call", call)].state == "acknowledged"

    calls.resume(demo_store, clock, call, COLLEAGUE)  # a colleague picks the held line up
    assert ho.open_handover(demo_store, clock, policy, CLERK) == handover_id
    assert _by_key(ho.get(demo_store, handover_id).items)[("call", call)].state == "closed"

    calls.hold(demo_store, clock, call, COLLEAGUE)
    calls.resume(demo_store, clock, call, CLERK)  # and hands it back
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.new_items"
    again = _by_key(ho.get(demo_store, handover_id).items)[("call", call)]
    assert (again.state, again.acknowledged_at) == ("pending", None)
    ho.acknowledge(demo_store, clock, [again.id])
    ho.complete(demo_store, clock, policy, handover_id)
    with demo_store.read() as session:
        assert session.get(Call, call).answered_by_id == THIRD


def test_an_item_open_again_is_brought_up_to_date(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """_sync "brings the items in line with what is open now": an item closed and open again must
    show the record as it is now, not as it was when it closed (here: on hold then, talking now)."""
    call = calls.ring(demo_store, clock, "13900000007")
    calls.answer(demo_store, clock, call, CLERK)
    calls.hold(demo_store, clock, call, CLERK)  # on hold: due back within 7 seconds
    handover_id = _presented(demo_store, clock, policy, incoming="c03")
    assert _by_key(ho.get(demo_store, handover_id).items)[("call", call)].tag == "on_hold"

    calls.resume(demo_store, clock, call, COLLEAGUE)
    ho.open_handover(demo_store, clock, policy, CLERK)  # closed: the colleague has the line
    clock.advance(minutes=2)
    calls.hold(demo_store, clock, call, COLLEAGUE)
    calls.resume(demo_store, clock, call, CLERK)  # back with the clerk, talking: no time limit
    now_open = _by_key(ho.open_items(demo_store, clock, policy, CLERK))[("call", call)]
    assert (now_open.due_at, now_open.tag) == (None, "talking")

    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.new_items"
    again = _by_key(ho.get(demo_store, handover_id).items)[("call", call)]
    assert again.state == "pending"
    assert (again.due_at, again.tag) == (now_open.due_at, now_open.tag)


def test_the_labels_follow_the_record_until_the_handover(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A call put on hold after the handover opened: the item's due time is brought up to date."""
    call = calls.ring(demo_store, clock, "13900000008")
    calls.answer(demo_store, clock, call, CLERK)
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    item = _by_key(ho.get(demo_store, handover_id).items)[("call", call)]
    assert (item.due_at, item.tag) == (None, "talking")
    clock.advance(minutes=1)
    calls.hold(demo_store, clock, call, CLERK)
    ho.open_handover(demo_store, clock, policy, CLERK)
    item = _by_key(ho.get(demo_store, handover_id).items)[("call", call)]
    assert (item.due_at, item.tag) == (clock.now() + timedelta(seconds=7), "on_hold")


# -- completing -------------------------------------------------------------------------------------------------


def test_completing_hands_everything_owned_to_the_incoming_clerk(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    ho.note_shift(demo_store, clock, CLERK, handover_id, "现金 312.50 元已点清")
    view = ho.get(demo_store, handover_id)
    noted = _by_key(view.items)[("work_order", held.received_order)]
    ho.note_item(demo_store, clock, CLERK, noted.id, "业主下午在家")
    clock.advance(minutes=10)
    ho.present(demo_store, clock, policy, handover_id, _sign_in(demo_store, clock, "c02"))
    asked = _by_key(ho.get(demo_store, handover_id).items)[("complaint", held.complaint)]
    ho.query(demo_store, clock, asked.id, "工程部谁在处理?")
    ho.answer(demo_store, clock, asked.id, "张工")
    _acknowledge_all(demo_store, clock, handover_id)
    clock.advance(minutes=2)
    owned_promises = _open_promises(demo_store, CLERK)
    assert len(owned_promises) == 7

    with demo_store.read() as session:
        desk_before = (
            session.get(Visit, held.waiting_visit).model_dump(), session.get(Call, held.ringing_call).model_dump(),
            session.get(Call, held.missed_call).model_dump(),
        )

    done = ho.complete(demo_store, clock, policy, handover_id)
    assert (done.state, done.completed_at, done.incoming, done.outgoing) == ("done", clock.now(), COLLEAGUE_NAME, CLERK_NAME)
    assert all(i.state == "acknowledged" for i in done.items)
    assert done.unacknowledged == ()
    row = _handover_row(demo_store, handover_id)
    assert (row["state"], row["completed_at"], row["incoming_id"]) == ("done", clock.now(), COLLEAGUE)

    with demo_store.read() as session:
        for promise_id in owned_promises:
            promise = session.get(Promise, promise_id)
            assert (promise.owner_id, promise.handovers, promise.created_by_id) == (COLLEAGUE, 1, CLERK), promise_id
        assert session.get(WorkOrder, held.received_order).owner_id == COLLEAGUE
        assert session.get(WorkOrder, held.received_order).received_by_id == CLERK  # who took it stays
        assert session.get(WorkOrder, held.dispatched_order).owner_id == COLLEAGUE
        assert session.get(FeedbackRow, held.complaint).owner_id == COLLEAGUE
        assert session.get(FeedbackRow, held.complaint).received_by_id == CLERK
        assert session.get(Visit, held.served_visit).served_by_id == COLLEAGUE
        assert session.get(Call, held.talking_call).answered_by_id == COLLEAGUE
        assert session.get(Call, held.held_call).answered_by_id == COLLEAGUE
        payment = session.get(FeePayment, held.payment)
        assert (payment.holder_id, payment.taken_by_id, payment.handed_at) == (COLLEAGUE, CLERK, None)
        desk_after = (
            session.get(Visit, held.waiting_visit).model_dump(), session.get(Call, held.ringing_call).model_dump(),
            session.get(Call, held.missed_call).model_dump(),
        )
    assert desk_after == desk_before  # the desk's items stay the desk's

    # the clerk holds nothing now; the colleague holds it all
    assert {i.kind for i in ho.open_items(demo_store, clock, policy, CLERK)} == {"waiting", "ringing", "missed"}
    theirs = {i.key for i in ho.open_items(demo_store, clock, policy, COLLEAGUE)}
    assert {("work_order", held.received_order), ("complaint", held.complaint), ("payment", held.payment),
            ("visit", held.served_visit), ("call", held.talking_call)} <= theirs
    assert {("promise", p) for p in owned_promises} <= theirs

    # the audit: one line per owned item, with both clerks, the notes, the query
    moved = _audit(demo_store, "ownership.handed_over")
    owned_items = [i for i in done.items if i.kind in ho.OWNED]
    assert len(moved) == len(owned_items) == 7 + 2 + 1 + 1 + 2 + 1
    assert {(e.entity, e.entity_id) for e in moved} == {(i.kind, i.record_id) for i in owned_items}
    for event in moved:
        detail = json.loads(event.detail)
        assert (event.actor_id, event.at) == (COLLEAGUE, clock.now())
        assert (detail["before"], detail["after"], detail["handover"]) == (CLERK, COLLEAGUE, handover_id)
        assert "note" in detail
    by_record = {(e.entity, e.entity_id): json.loads(e.detail) for e in moved}
    assert by_record[("work_order", held.received_order)]["note"] == "业主下午在家"
    assert by_record[("complaint", held.complaint)]["question"] == "工程部谁在处理?"
    assert by_record[("complaint", held.complaint)]["answer"] == "张工"
    assert not any(e.entity in ho.DESK for e in moved)

    (completed,) = _audit(demo_store, "handover.completed")
    assert (completed.actor_id, completed.entity, completed.entity_id, completed.at) == (COLLEAGUE, "handover", handover_id, clock.now())
    assert json.loads(completed.detail) == {
        "outgoing": CLERK, "incoming": COLLEAGUE, "items": len(done.live), "note": "现金 312.50 元已点清",
    }

    assert ho.current(demo_store, CLERK) is None
    assert ho.current(demo_store, COLLEAGUE) is None


def test_a_finished_handover_cannot_be_changed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, handover_id)
    ho.complete(demo_store, clock, policy, handover_id)
    item = ho.get(demo_store, handover_id).items[0]
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.not_presented"
    assert _error(lambda: ho.note_item(demo_store, clock, CLERK, item.id, "x")).key == "handover.finished"
    assert _error(lambda: ho.note_shift(demo_store, clock, CLERK, handover_id, "x")).key == "handover.finished"
    assert _error(lambda: ho.cancel(demo_store, clock, handover_id, CLERK)).key == "handover.finished"
    assert _error(lambda: ho.present(demo_store, clock, policy, handover_id, _sign_in(demo_store, clock, "c03"))).key == "handover.finished"
    assert _error(lambda: ho.acknowledge(demo_store, clock, [item.id])).key == "handover.not_presented"
    assert ho.get(demo_store, handover_id).incoming_id == COLLEAGUE
    assert [_promise(demo_store, p).handovers for p in _open_promises(demo_store, COLLEAGUE)] == [1] * 6

    # the clerk's next handover is a new one, with nothing of theirs left to hand over
    next_id = ho.open_handover(demo_store, clock, policy, CLERK)
    assert next_id != handover_id
    assert ho.get(demo_store, next_id).items == ()


def test_a_chain_of_handovers_counts_and_records_each(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    first = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, first)
    ho.complete(demo_store, clock, policy, first)
    first_at = clock.now()
    ids = _open_promises(demo_store, COLLEAGUE)
    assert len(ids) == 6

    clock.advance(hours=8)
    second = ho.open_handover(demo_store, clock, policy, COLLEAGUE)
    assert second != first
    ho.present(demo_store, clock, policy, second, _sign_in(demo_store, clock, "c03"))
    _acknowledge_all(demo_store, clock, second)
    ho.complete(demo_store, clock, policy, second)

    with demo_store.read() as session:
        assert {(session.get(Promise, p).owner_id, session.get(Promise, p).handovers) for p in ids} == {(THIRD, 2)}
    found = ho.history(demo_store, "promise", ids)
    assert set(found) == set(ids)
    for promise_id in ids:
        assert found[promise_id] == [(first_at, CLERK_NAME, COLLEAGUE_NAME), (clock.now(), COLLEAGUE_NAME, THIRD_NAME)]


# -- lists, history, withdrawing ------------------------------------------------------------------------------


def test_the_list_counts_items_and_queries(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    assert ho.list_handovers(demo_store) == []
    first = _presented(demo_store, clock, policy)
    items = ho.get(demo_store, first).items
    ho.query(demo_store, clock, items[0].id, "发票呢?")
    ho.answer(demo_store, clock, items[0].id, "在抽屉里")
    ho.query(demo_store, clock, items[1].id, "回访打过了吗?")
    ho.answer(demo_store, clock, items[1].id, "还没有")
    _acknowledge_all(demo_store, clock, first)
    ho.complete(demo_store, clock, policy, first)
    completed_at = clock.now()

    clock.advance(minutes=30)
    visitor = visits.register_arrival(demo_store, clock, COLLEAGUE, unit_code="", surname="赵", title="先生", purpose="问路")
    second = ho.open_handover(demo_store, clock, policy, COLLEAGUE)  # opened, not presented
    promises.close(demo_store, clock, COLLEAGUE, _open_promises(demo_store, COLLEAGUE)[0], PromiseState.KEPT)
    ho.open_handover(demo_store, clock, policy, COLLEAGUE)  # one item closed first

    rows = ho.list_handovers(demo_store)
    assert [r.id for r in rows] == [second, first]
    newest, oldest = rows
    assert (oldest.state, oldest.outgoing, oldest.incoming, oldest.items, oldest.queried) == ("done", CLERK_NAME, COLLEAGUE_NAME, 6, 2)
    assert (oldest.opened_at, oldest.completed_at) == (NOW, completed_at)
    assert (newest.state, newest.outgoing, newest.incoming, newest.completed_at) == ("open", COLLEAGUE_NAME, "", None)
    assert (newest.items, newest.queried) == (6, 0)  # 5 promises left and the visitor waiting; the kept one not counted
    assert ("waiting", visitor) in _by_key(ho.get(demo_store, second).live)
    assert [r.id for r in ho.list_handovers(demo_store, limit=1)] == [second]


def test_history_names_the_clerks_of_completed_handovers_only(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    ids = _open_promises(demo_store, CLERK)
    cancelled = _presented(demo_store, clock, policy, incoming="c03")
    ho.cancel(demo_store, clock, cancelled, CLERK)
    assert ho.history(demo_store, "promise", ids) == {}

    clock.advance(minutes=15)
    done = _presented(demo_store, clock, policy)
    assert done != cancelled
    _acknowledge_all(demo_store, clock, done)
    ho.complete(demo_store, clock, policy, done)

    found = ho.history(demo_store, "promise", ids)
    assert found == {p: [(clock.now(), CLERK_NAME, COLLEAGUE_NAME)] for p in ids}
    assert ho.history(demo_store, "promise", []) == {}
    assert ho.history(demo_store, "work_order", ids) == {}  # the kind counts, not just the id
    assert ho.history(demo_store, "promise", [987654]) == {}


def test_cancelling_withdraws_and_nothing_changes_hands(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    held = _hold_one_of_each(demo_store, clock, policy)
    handover_id = _presented(demo_store, clock, policy)
    _acknowledge_all(demo_store, clock, handover_id)
    clock.advance(minutes=1)
    ho.cancel(demo_store, clock, handover_id, CLERK)

    view = ho.get(demo_store, handover_id)
    assert (view.state, view.completed_at) == ("cancelled", None)  # withdrawn, not completed
    assert ho.current(demo_store, CLERK) is None
    (cancelled,) = _audit(demo_store, "handover.cancelled")
    assert (cancelled.actor_id, cancelled.entity_id) == (CLERK, handover_id)
    assert _error(lambda: ho.complete(demo_store, clock, policy, handover_id)).key == "handover.not_presented"
    assert _audit(demo_store, "ownership.handed_over") == []
    assert len(_open_promises(demo_store, CLERK)) == 7 and _open_promises(demo_store, COLLEAGUE) == []
    with demo_store.read() as session:
        assert all(p.handovers == 0 for p in session.exec(select(Promise)).all())
        assert session.get(WorkOrder, held.received_order).owner_id == CLERK
        assert session.get(FeedbackRow, held.complaint).owner_id == CLERK
        assert session.get(Visit, held.served_visit).served_by_id == CLERK
        assert session.get(Call, held.talking_call).answered_by_id == CLERK
        assert session.get(FeePayment, held.payment).holder_id == CLERK
    assert [r.state for r in ho.list_handovers(demo_store)] == ["cancelled"]

    # a fresh handover afterwards starts from scratch
    again = ho.open_handover(demo_store, clock, policy, CLERK)
    assert again != handover_id
    assert all(i.state == "pending" for i in ho.get(demo_store, again).items)


def test_signed_in_as_gives_back_the_incoming_clerk(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    assert ho.signed_in_as(demo_store, COLLEAGUE) == _sign_in(demo_store, clock, "c02")
    assert _error(lambda: ho.signed_in_as(demo_store, 987654)).key == "handover.incoming_role"


# -- the document -------------------------------------------------------------------------------------------------


def _documented(store: Store, clock: FixedClock, policy: Policy) -> tuple[ho.HandoverView, Held, int]:
    held = _hold_one_of_each(store, clock, policy)
    handover_id = ho.open_handover(store, clock, policy, CLERK)
    ho.note_shift(store, clock, CLERK, handover_id, "现金已点清,钥匙 12 把")
    kept = _open_promises(store, CLERK)[0]
    promises.close(store, clock, CLERK, kept, PromiseState.KEPT)
    ho.present(store, clock, policy, handover_id, _sign_in(store, clock, "c02"))
    item = _by_key(ho.get(store, handover_id).items)[("work_order", held.received_order)]
    ho.note_item(store, clock, CLERK, item.id, "业主下午在家")
    ho.query(store, clock, item.id, "师傅约好了吗?")
    ho.answer(store, clock, item.id, "还没约,请下午联系")
    _acknowledge_all(store, clock, handover_id)
    return ho.complete(store, clock, policy, handover_id), held, kept


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_document_names_both_clerks_every_item_and_the_query(
    lang: str, demo_store: Store, clock: FixedClock, policy: Policy,
) -> None:
    view, _, kept = _documented(demo_store, clock, policy)
    t = Translator(lang)
    lines = document_lines(view, policy.timezone, t)
    text = "\n".join(lines)

    assert lines[0] == t("handover.doc.title", id=view.id) != "handover.doc.title"
    assert CLERK_NAME in lines[1] and COLLEAGUE_NAME in lines[1]
    assert "现金已点清,钥匙 12 把" in text
    for item in view.items:
        assert item.label in text, item.label
    assert "业主下午在家" in text
    assert "师傅约好了吗?" in text and "还没约,请下午联系" in text
    assert t("handover.kind.payment") in text and t("handover.kind.missed") in text
    assert t("handover.doc.items", count=len(view.live)) in lines
    assert t("handover.doc.closed", count=1) in lines
    closed_label = _promise(demo_store, kept).text
    assert text.index(closed_label) > text.index(t("handover.doc.closed", count=1))  # listed among the closed
    assert t("handover.state.done") in text
    local = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local in lines[2] and local.endswith("10:01")
    assert not any("handover.doc." in line or "handover.kind." in line for line in lines)  # every key translated
    for item in view.items:  # each item's kind as Today says it: the promise's kind, the order's limit …
        label = kind_label(item.kind, item.tag, t)
        assert f"[{label}]" in text
        assert not label.startswith(("promise.", "today.", "complaints.", "handover.")), label
    assert f"[{t('promise.repair_arrival')}]" in text and f"[{t('complaints.clock.escalation')}]" in text


def test_the_document_of_an_open_handover_says_none_for_the_missing(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    view = ho.get(demo_store, handover_id)
    lines = document_lines(view, policy.timezone, Translator("zh"))
    assert lines[1] == "交班:陈小雨    接班:(无)"
    assert lines[4] == "交班说明:(无)"
    assert "交接事项(6 项)" in lines
    assert not any("交接前已办结" in line for line in lines)
    en = document_lines(view, policy.timezone, Translator("en"))
    assert en[1] == "Handed over by: 陈小雨    Taken over by: (none)"
    assert "Items handed over (6)" in en
    # each promise is one numbered line with its customer, then its due time
    first = view.items[0]
    assert first.tag == "invoice_delivery"
    assert lines[lines.index("交接事项(6 项)") + 1] == f"1. [发票送达] {first.who} {first.label}"
    assert lines[lines.index("交接事项(6 项)") + 2] == "   期限:" + first.due_at.astimezone(policy.timezone).strftime("%Y-%m-%d %H:%M")


def test_only_the_outgoing_clerk_withdraws(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    with pytest.raises(DeskappError) as refused:
        ho.cancel(demo_store, clock, handover_id, 2)
    assert refused.value.key == "handover.only_outgoing"
    assert ho.get(demo_store, handover_id).state == "open"


def test_another_clerk_presenting_must_acknowledge_anew(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    handover_id = ho.open_handover(demo_store, clock, policy, CLERK)
    ho.present(demo_store, clock, policy, handover_id, _sign_in(demo_store, clock, "c02"))
    items = ho.get(demo_store, handover_id).live
    ho.acknowledge(demo_store, clock, [i.id for i in items])
    ho.present(demo_store, clock, policy, handover_id, _sign_in(demo_store, clock, "c03"))
    view = ho.get(demo_store, handover_id)
    assert view.incoming == "吴嘉欣"
    assert {i.state for i in view.live} == {"pending"}
    with pytest.raises(DeskappError) as refused:
        ho.complete(demo_store, clock, policy, handover_id)
    assert refused.value.key == "handover.unacknowledged"


def test_money_goes_to_finance_only_from_its_holder_and_to_a_named_person(demo_store: Store, clock: FixedClock) -> None:
    from deskapp.store.tables import FeePayment

    with demo_store.session() as session:
        payment = FeePayment(unit_id=1, amount_fen=31250, paid_at=clock.now(), receipt_no="R-9", taken_by_id=CLERK, holder_id=CLERK)
        session.add(payment)
        session.flush()
        payment_id = payment.id
    for staff, finance, key in ((CLERK, "  ", "payment.finance_required"), (2, "刘慧敏", "payment.not_held")):
        with pytest.raises(DeskappError) as refused:
            ho.hand_to_finance(demo_store, clock, staff, payment_id, finance)
        assert refused.value.key == key
    ho.hand_to_finance(demo_store, clock, CLERK, payment_id, "刘慧敏")
    with demo_store.read() as session:
        held = session.get(FeePayment, payment_id)
        assert (held.holder_id, held.handed_to, held.handed_at) == (None, "刘慧敏", clock.now())
