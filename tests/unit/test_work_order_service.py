"""The repair work-order services (services/work_orders.py) on the demo community, on the fixed
clock: the lifecycle with its events and arrival promises, the time limits, what a clerk may not
type (nothing saved), the append-only event log, and the list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.work_orders import Limit, TransitionRefused
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import work_orders as svc
from deskapp.services.visits import FieldError
from deskapp.services.work_orders import PartIn
from deskapp.store.engine import Store
from deskapp.store.tables import (
    AuditEvent,
    Promise,
    PromiseState,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPart,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the clock fixture's time, local
CLERK, COLLEAGUE, SUPERVISOR, ENGINEER = 1, 2, 4, 6  # demo: 陈小雨, 林晓婷, 黄丽娟, 王建华
CLERK_NAME, COLLEAGUE_NAME, ENGINEER_NAME = "陈小雨", "林晓婷", "王建华"
UNIT = "1-1-201"  # building 1
UNIT_B2 = "2-1-201"  # building 2
MIN = timedelta(minutes=1)

# -- helpers ------------------------------------------------------------------------------------------


def _household(store: Store, clock: FixedClock, unit: str = UNIT, staff: int = CLERK, **kw: object) -> int:
    return svc.open_order(
        store, clock, staff, area="household", unit_code=unit, item="厨房水龙头漏水", category="plumbing",
        customer="王先生", phone="13800000001", **kw,
    )


def _public(store: Store, clock: FixedClock, staff: int = CLERK) -> int:
    return svc.open_order(store, clock, staff, area="public", place="3栋 1单元 大堂", item="大堂灯不亮", category="electrical")


def _counts(store: Store) -> dict[str, int]:
    """Rows of every table a work-order call may write."""
    with store.read() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (WorkOrder, WorkOrderEvent, WorkOrderPart, Promise, AuditEvent)
        }


def _row(store: Store, order_id: int) -> dict:
    with store.read() as session:
        return session.get(WorkOrder, order_id).model_dump()


def _promises(store: Store, order_id: int) -> list[Promise]:
    with store.read() as session:
        return list(session.exec(
            select(Promise).where(Promise.source_kind == "work_order", Promise.source_id == order_id).order_by(Promise.id)
        ).all())


def _dispatched(store: Store, clock: FixedClock, policy: Policy, appointment: datetime | None = None, **kw: object) -> int:
    order = _household(store, clock, **kw)
    svc.dispatch(store, clock, policy, CLERK, order, appointment or clock.now(), "师傅15分钟内到")
    return order


def _on_site(store: Store, clock: FixedClock, policy: Policy, **kw: object) -> int:
    order = _dispatched(store, clock, policy, **kw)
    svc.arrive(store, clock, ENGINEER, order, clock.now())
    return order


def _done(store: Store, clock: FixedClock, policy: Policy, order: int | None = None) -> int:
    order = order or _on_site(store, clock, policy)
    svc.finish(store, clock, ENGINEER, order, [], 0, "")
    return order


def _signed(store: Store, clock: FixedClock, policy: Policy) -> int:
    order = _done(store, clock, policy)
    assert svc.sign(store, clock, CLERK, order, "王先生", 5) == "signed"
    return order


# -- the whole life ------------------------------------------------------------------------------------


def test_a_household_repair_from_intake_to_closed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """received → dispatched → on site → review → on site → done → signed → closed: each step an
    event in order (who, from, to), the arrival promise kept, the money on the order."""
    order = _household(demo_store, clock)
    assert _row(demo_store, order)["state"] == "received"

    appointment = NOW + timedelta(hours=1)
    svc.dispatch(demo_store, clock, policy, CLERK, order, appointment, "11点前师傅上门")
    (promise,) = _promises(demo_store, order)
    assert (promise.kind, promise.state, promise.owner_id) == ("repair_arrival", PromiseState.OPEN, CLERK)
    assert promise.due_at == appointment + timedelta(minutes=15)
    assert promise.text == "11点前师傅上门"
    assert promise.customer == "王先生" and promise.phone == "13800000001"
    view = svc.get(demo_store, policy, order).order
    assert view.deadline.limit is Limit.ARRIVAL and view.deadline.due_at == appointment + timedelta(minutes=15)

    clock.advance(minutes=70)  # 11:10, before 11:15
    assert svc.arrive(demo_store, clock, ENGINEER, order, clock.now()) is False
    (promise,) = _promises(demo_store, order)
    assert promise.state == PromiseState.KEPT
    assert promise.closed_at == clock.now()

    svc.start_review(demo_store, clock, ENGINEER, order, note="需更换阀芯")
    clock.advance(minutes=20)
    assert svc.end_review(demo_store, clock, policy, ENGINEER, order) is False
    clock.advance(minutes=30)
    parts = [PartIn("阀芯", "DN15", 100, 2500), PartIn("PPR 管", "20mm", 250, 3000)]
    assert svc.finish(demo_store, clock, ENGINEER, order, parts, 2000, " R-0001 ") == 2500 + 7500 + 2000
    assert svc.sign(demo_store, clock, CLERK, order, "  王  先生 ", 4) == "signed"
    signed_at = clock.now()
    clock.advance(hours=3)
    assert svc.callback(demo_store, clock, COLLEAGUE, order, True, "满意") == "closed"

    detail = svc.get(demo_store, policy, order)
    view = detail.order
    assert view.state == "closed" and view.closed_at == clock.now()
    assert view.no == f"WX{order:06d}"
    assert (view.unit, view.building, view.where) == (UNIT, "1", UNIT)
    assert view.received_by == CLERK_NAME and view.received_by_id == CLERK
    assert view.appointment_at == appointment
    assert view.arrived_at == NOW + timedelta(minutes=70) and view.arrived_late is False
    assert view.review_late is False
    assert (view.labour_fen, view.total_fen, view.receipt_no) == (2000, 12000, "R-0001")
    assert (view.signed_by, view.satisfaction, view.signed_at) == ("王 先生", 4, signed_at)
    assert view.callback_result == "满意" and view.callback_at == clock.now()
    assert view.deadline is None
    assert (view.reschedules, view.reopened, view.escalations) == (0, 0, 0)
    assert [(p.name, p.spec, p.quantity_centi, p.unit_price_fen, p.cost_fen) for p in detail.parts] == [
        ("阀芯", "DN15", 100, 2500, 2500), ("PPR 管", "20mm", 250, 3000, 7500),
    ]

    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in detail.events]
    assert steps == [
        ("receive", "", "received", CLERK_NAME),
        ("dispatch", "received", "dispatched", CLERK_NAME),
        ("arrive", "dispatched", "on_site", ENGINEER_NAME),
        ("review", "on_site", "review", ENGINEER_NAME),
        ("resume", "review", "on_site", ENGINEER_NAME),
        ("finish", "on_site", "done", ENGINEER_NAME),
        ("sign", "done", "signed", CLERK_NAME),
        ("callback_ok", "signed", "closed", COLLEAGUE_NAME),
    ]
    times = [e.at for e in detail.events]
    assert times == sorted(times) and times[0] == NOW and times[-1] == clock.now()
    assert detail.events[2].detail["late"] is False
    assert detail.events[3].detail["note"] == "需更换阀芯"
    assert detail.events[5].detail == {"parts": 2, "labour": 2000, "total": 12000, "receipt": "R-0001"}
    assert detail.events[6].detail == {"signed_by": "王 先生", "satisfaction": 4}

    with demo_store.read() as session:
        seqs = session.exec(select(WorkOrderEvent.seq).where(WorkOrderEvent.order_id == order).order_by(WorkOrderEvent.id)).all()
        audited = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "work_order", AuditEvent.entity_id == order)
                               .order_by(AuditEvent.id)).all()
    assert seqs == list(range(1, 9))
    assert [a for a in audited if a.startswith("work_order.")] == [
        "work_order.receive", "work_order.dispatch", "work_order.arrive", "work_order.review",
        "work_order.resume", "work_order.finish", "work_order.sign", "work_order.callback_ok",
    ]
    assert "promise.made" in audited


def test_the_order_keeps_what_was_taken_at_the_counter(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Intake: the item's spaces collapsed, the channel and the source kept, the first event."""
    order = svc.open_order(
        demo_store, clock, COLLEAGUE, area="household", unit_code=" 1-1-201 ", item="  卫生间  地漏\n堵塞 ",
        channel="phone", source_kind="call", source_id=7, customer="李女士", phone="13900000002",
    )
    with demo_store.read() as session:
        row = session.get(WorkOrder, order)
    assert row.item == "卫生间 地漏 堵塞"
    assert (row.channel, row.source_kind, row.source_id) == ("phone", "call", 7)
    assert (row.state, row.received_at, row.received_by_id) == ("received", clock.now(), COLLEAGUE)
    (event,) = svc.get(demo_store, policy, order).events
    assert (event.action, event.to_state, event.actor, event.detail) == (
        "receive", "received", COLLEAGUE_NAME, {"area": "household", "channel": "phone"},
    )
    assert svc.get(demo_store, policy, order).order.deadline is None


def test_arriving_late_breaks_the_promise(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """按照维修预约时间……在15分钟内到达现场: a minute past the promise is late, and the promise broken."""
    order = _dispatched(demo_store, clock, policy, NOW + timedelta(minutes=30))
    clock.advance(minutes=46)  # promised 10:45
    assert svc.arrive(demo_store, clock, ENGINEER, order, clock.now()) is True
    view = svc.get(demo_store, policy, order).order
    assert view.arrived_late is True and view.state == "on_site"
    (promise,) = _promises(demo_store, order)
    assert promise.state == PromiseState.BROKEN == "broken"
    assert svc.get(demo_store, policy, order).events[-1].detail["late"] is True
    with demo_store.read() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "promise.broken",
                                                     AuditEvent.entity_id == promise.id)).first() is not None


def test_arriving_on_the_dot_is_on_time(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _dispatched(demo_store, clock, policy, NOW + timedelta(minutes=30))
    clock.advance(minutes=50)
    # the repairman was there at 10:45 exactly, recorded five minutes later
    assert svc.arrive(demo_store, clock, ENGINEER, order, NOW + timedelta(minutes=45)) is False
    assert _promises(demo_store, order)[0].state == PromiseState.KEPT


def test_a_just_past_appointment_is_promised_from_now(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """An appointment up to 5 minutes ago is accepted; the arrival is then promised from now."""
    order = _household(demo_store, clock)
    svc.dispatch(demo_store, clock, policy, CLERK, order, NOW - timedelta(minutes=4), "马上到")
    view = svc.get(demo_store, policy, order).order
    assert view.appointment_at == NOW - timedelta(minutes=4)
    assert view.promised_at == NOW + timedelta(minutes=15)
    assert _promises(demo_store, order)[0].due_at == NOW + timedelta(minutes=15)


def test_a_review_over_thirty_minutes_is_late(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """评审至返回现场维修不能超过30分钟: exactly 30 is in time, 31 is late — and late stays late."""
    order = _on_site(demo_store, clock, policy)
    svc.start_review(demo_store, clock, ENGINEER, order)
    view = svc.get(demo_store, policy, order).order
    assert view.deadline.limit is Limit.REVIEW and view.deadline.due_at == NOW + timedelta(minutes=30)
    clock.advance(minutes=30)
    assert svc.end_review(demo_store, clock, policy, ENGINEER, order) is False
    assert svc.get(demo_store, policy, order).order.review_late is False

    svc.start_review(demo_store, clock, ENGINEER, order)
    clock.advance(minutes=31)
    assert svc.get(demo_store, policy, order).order.overdue(clock.now())
    assert svc.end_review(demo_store, clock, policy, ENGINEER, order) is True
    assert svc.get(demo_store, policy, order).order.review_late is True
    assert svc.get(demo_store, policy, order).events[-1].detail["late"] is True

    svc.start_review(demo_store, clock, ENGINEER, order)
    clock.advance(minutes=5)
    assert svc.end_review(demo_store, clock, policy, ENGINEER, order) is False
    assert svc.get(demo_store, policy, order).order.review_late is True  # one late review marks the order


def test_a_public_repair_closes_when_signed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The area's customer-service officer signs and the order closes: no callback is owed."""
    order = _public(demo_store, clock)
    svc.dispatch(demo_store, clock, policy, CLERK, order, NOW, "15分钟内到")
    svc.arrive(demo_store, clock, ENGINEER, order, NOW)
    svc.finish(demo_store, clock, ENGINEER, order, [], 0, "")
    assert svc.sign(demo_store, clock, CLERK, order, "客服主管", 5) == "closed"
    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.closed_at, view.deadline) == ("closed", clock.now(), None)
    assert (view.unit, view.building, view.where) == ("", "", "3栋 1单元 大堂")
    assert svc.get(demo_store, policy, order).events[-1].to_state == "closed"
    with pytest.raises(TransitionRefused):
        svc.callback(demo_store, clock, CLERK, order, True, "")


def test_a_signed_household_repair_owes_a_callback(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _signed(demo_store, clock, policy)
    view = svc.get(demo_store, policy, order).order
    assert view.deadline.limit is Limit.CALLBACK
    assert view.deadline.due_at == clock.now() + timedelta(hours=24)
    assert view.closed_at is None


def test_a_failed_callback_reopens_the_order(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The owner is not satisfied: received again, the round's times cleared, dispatched anew."""
    order = _dispatched(demo_store, clock, policy, NOW + timedelta(minutes=10))
    clock.advance(minutes=40)  # late: promised 10:25
    svc.arrive(demo_store, clock, ENGINEER, order, clock.now())
    _done(demo_store, clock, policy, order)
    svc.sign(demo_store, clock, CLERK, order, "王先生", 2)
    clock.advance(hours=2)
    assert svc.callback(demo_store, clock, CLERK, order, False, "  还在 漏水 ") == "received"

    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.reopened, view.callback_result) == ("received", 1, "还在 漏水")
    assert view.closed_at is None and view.deadline is None
    for stage in ("appointment_at", "promised_at", "dispatched_at", "arrived_at", "review_started_at", "done_at", "signed_at"):
        assert getattr(view, stage) is None, stage
    assert view.arrived_late is False
    last = svc.get(demo_store, policy, order).events[-1]
    assert (last.action, last.from_state, last.to_state, last.detail) == (
        "callback_failed", "signed", "received", {"result": "还在 漏水"},
    )

    again = clock.now() + timedelta(hours=1)
    svc.dispatch(demo_store, clock, policy, COLLEAGUE, order, again, "第二次一定准时上门")
    view = svc.get(demo_store, policy, order).order
    assert view.state == "dispatched" and view.promised_at == again + timedelta(minutes=15)
    promises = _promises(demo_store, order)
    assert [(p.state, p.owner_id) for p in promises] == [(PromiseState.BROKEN, CLERK), (PromiseState.OPEN, COLLEAGUE)]
    assert promises[1].due_at == again + timedelta(minutes=15)
    clock.advance(minutes=50)
    assert svc.arrive(demo_store, clock, ENGINEER, order, clock.now()) is False
    assert _promises(demo_store, order)[1].state == PromiseState.KEPT


def test_rescheduling_before_the_promise_cancels_it(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A new appointment agreed in time: the old promise cancelled, a repair_reschedule promise due
    at the new appointment + 15 minutes, the previous appointment in the event."""
    first = NOW + timedelta(hours=2)
    order = _dispatched(demo_store, clock, policy, first)
    clock.advance(minutes=30)
    new = NOW + timedelta(hours=5)
    svc.reschedule(demo_store, clock, policy, CLERK, order, new, "缺配件", "下午3点一定上门")

    old, fresh = _promises(demo_store, order)
    assert (old.kind, old.state, old.closed_at) == ("repair_arrival", PromiseState.CANCELLED, clock.now())
    assert (fresh.kind, fresh.state, fresh.due_at, fresh.text) == (
        "repair_reschedule", PromiseState.OPEN, new + timedelta(minutes=15), "下午3点一定上门",
    )
    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.appointment_at, view.promised_at, view.reschedules) == (
        "dispatched", new, new + timedelta(minutes=15), 1,
    )
    assert view.dispatched_at == NOW  # the first dispatch stays
    event = svc.get(demo_store, policy, order).events[-1]
    assert (event.action, event.from_state, event.to_state) == ("reschedule", "dispatched", "dispatched")
    assert event.detail["reason"] == "缺配件"
    assert datetime.fromisoformat(event.detail["previous"]) == first
    assert datetime.fromisoformat(event.detail["appointment"]) == new

    clock.advance(hours=4, minutes=40)  # 15:10: after the new appointment, within its 15 minutes
    assert new < clock.now() < new + timedelta(minutes=15)
    assert svc.arrive(demo_store, clock, ENGINEER, order, clock.now()) is False
    assert _promises(demo_store, order)[1].state == PromiseState.KEPT


def test_rescheduling_an_overdue_promise_breaks_it(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _dispatched(demo_store, clock, policy, NOW)  # promised 10:15
    clock.advance(minutes=20)
    svc.reschedule(demo_store, clock, policy, CLERK, order, clock.now() + timedelta(hours=1), "师傅堵车", "11点半前到")
    old, fresh = _promises(demo_store, order)
    assert old.state == PromiseState.BROKEN
    assert (fresh.kind, fresh.state, fresh.due_at) == (
        "repair_reschedule", PromiseState.OPEN, clock.now() + timedelta(hours=1, minutes=15),
    )


def test_rescheduling_from_site_sends_the_order_back_to_dispatched(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Parts to fetch after a review: a new visit; the arrival and the review start are cleared."""
    order = _on_site(demo_store, clock, policy)
    svc.start_review(demo_store, clock, ENGINEER, order)
    clock.advance(minutes=10)
    svc.reschedule(demo_store, clock, policy, CLERK, order, NOW + timedelta(days=1), "需订购配件", "明早10点15前到")
    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.arrived_at, view.review_started_at, view.reschedules) == ("dispatched", None, None, 1)
    assert view.deadline.limit is Limit.ARRIVAL
    assert [p.state for p in _promises(demo_store, order)] == [PromiseState.KEPT, PromiseState.OPEN]


def test_a_referral_closes_the_request(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Outside engineering's capability: the specialist's number given, ended as referred."""
    gas = svc.referrals(demo_store, "燃气")[0]
    order = _household(demo_store, clock)
    svc.refer(demo_store, clock, CLERK, order, gas.id)
    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.closed_at) == ("referred", clock.now())
    assert view.referral == (gas.name, gas.phone, gas.trade_zh) == ("湾区燃气客户服务中心", "0755-83416218", "燃气管道及燃气具")
    event = svc.get(demo_store, policy, order).events[-1]
    assert (event.action, event.from_state, event.to_state) == ("refer", "received", "referred")
    assert event.detail == {"referral": gas.name, "phone": gas.phone}
    assert _promises(demo_store, order) == []
    with pytest.raises(TransitionRefused):
        svc.dispatch(demo_store, clock, policy, CLERK, order, NOW, "")


def test_escalating_records_an_event_and_keeps_the_state(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _dispatched(demo_store, clock, policy)
    svc.escalate(demo_store, clock, CLERK, order, SUPERVISOR, "supervisor", "  客户 很着急 ")
    svc.escalate(demo_store, clock, CLERK, order, 5, "director", "主管不在")
    view = svc.get(demo_store, policy, order).order
    assert (view.state, view.escalations) == ("dispatched", 2)
    events = svc.get(demo_store, policy, order).events
    assert [(e.action, e.from_state, e.to_state) for e in events[-2:]] == [("escalate", "dispatched", "dispatched")] * 2
    assert events[-2].detail == {"to_id": SUPERVISOR, "level": "supervisor", "reason": "客户 很着急"}
    assert _promises(demo_store, order)[0].state == PromiseState.OPEN  # the promise is untouched


def test_closed_orders_cannot_be_escalated(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _household(demo_store, clock)
    svc.refer(demo_store, clock, CLERK, order, svc.referrals(demo_store)[0].id)
    before = _counts(demo_store)
    with pytest.raises(TransitionRefused):
        svc.escalate(demo_store, clock, CLERK, order, SUPERVISOR, "supervisor", "投诉")
    assert _counts(demo_store) == before


# -- refused input: a FieldError at the right field, nothing saved ---------------------------------------


def _open_with(**kw: object):
    def call(store: Store, clock: FixedClock, policy: Policy, order: int) -> None:
        args = {"area": "household", "item": "水龙头漏水", "unit_code": UNIT} | kw
        svc.open_order(store, clock, CLERK, **args)
    return call


REFUSED_INPUT = {
    "unknown unit": ("unit", "received", _open_with(unit_code="9-9-999")),
    "household without unit": ("unit", "received", _open_with(unit_code="  ")),
    "public without place": ("place", "received", _open_with(area="public", unit_code="", place="  ")),
    "empty item": ("item", "received", _open_with(item=" \n ")),
    "unknown area": ("area", "received", _open_with(area="garden")),
    "dispatch in the past": ("time", "received", lambda s, c, p, o: svc.dispatch(s, c, p, CLERK, o, NOW - timedelta(minutes=6), "x")),
    "unknown referral": ("referral", "received", lambda s, c, p, o: svc.refer(s, c, CLERK, o, 99_999)),
    "escalate without reason": ("reason", "received", lambda s, c, p, o: svc.escalate(s, c, CLERK, o, SUPERVISOR, "supervisor", " ")),
    "escalate to nobody": ("to", "received", lambda s, c, p, o: svc.escalate(s, c, CLERK, o, 99_999, "supervisor", "急")),
    "arrival before dispatch": ("at", "dispatched", lambda s, c, p, o: svc.arrive(s, c, ENGINEER, o, NOW - timedelta(minutes=2))),
    "arrival in the future": ("at", "dispatched", lambda s, c, p, o: svc.arrive(s, c, ENGINEER, o, NOW + timedelta(minutes=2))),
    "reschedule into the past": ("new_time", "dispatched", lambda s, c, p, o: svc.reschedule(s, c, p, CLERK, o, NOW - timedelta(hours=1), "改约", "x")),
    "reschedule without reason": ("reason", "dispatched", lambda s, c, p, o: svc.reschedule(s, c, p, CLERK, o, NOW + timedelta(hours=1), "  ", "x")),
    "zero quantity": ("part0", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [PartIn("阀芯", "", 0, 100)], 0, "R1")),
    "negative quantity": ("part1", "on_site", lambda s, c, p, o: svc.finish(
        s, c, ENGINEER, o, [PartIn("阀芯", "", 100, 100), PartIn("管", "", -50, 100)], 0, "R1")),
    "negative price": ("part0", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [PartIn("阀芯", "", 100, -1)], 0, "R1")),
    "part without name": ("part0", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [PartIn(" ", "", 100, 100)], 0, "R1")),
    "negative labour": ("labour", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [], -100, "R1")),
    "charge without receipt": ("receipt", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [PartIn("阀芯", "", 100, 100)], 0, "  ")),
    "labour without receipt": ("receipt", "on_site", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [], 3000, "")),
    "satisfaction 0": ("satisfaction", "done", lambda s, c, p, o: svc.sign(s, c, CLERK, o, "王先生", 0)),
    "satisfaction 6": ("satisfaction", "done", lambda s, c, p, o: svc.sign(s, c, CLERK, o, "王先生", 6)),
    "sign without signer": ("signed_by", "done", lambda s, c, p, o: svc.sign(s, c, CLERK, o, "   ", 5)),
    "failed callback without reason": ("result", "signed", lambda s, c, p, o: svc.callback(s, c, CLERK, o, False, " ")),
}


def _order_in(state: str, store: Store, clock: FixedClock, policy: Policy) -> int:
    make = {
        "received": lambda: _household(store, clock),
        "dispatched": lambda: _dispatched(store, clock, policy),
        "on_site": lambda: _on_site(store, clock, policy),
        "done": lambda: _done(store, clock, policy),
        "signed": lambda: _signed(store, clock, policy),
    }[state]
    order = make()
    assert _row(store, order)["state"] == state
    return order


@pytest.mark.parametrize("case", list(REFUSED_INPUT))
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    case: str, demo_store: Store, clock: FixedClock, policy: Policy,
) -> None:
    field, state, call = REFUSED_INPUT[case]
    order = _order_in(state, demo_store, clock, policy)
    before, row_before = _counts(demo_store), _row(demo_store, order)
    promises_before = [(p.id, p.state) for p in _promises(demo_store, order)]

    with pytest.raises(FieldError) as refused:
        call(demo_store, clock, policy, order)

    assert refused.value.field == field
    assert refused.value.key.startswith("work_order.")
    assert _counts(demo_store) == before
    assert _row(demo_store, order) == row_before
    assert [(p.id, p.state) for p in _promises(demo_store, order)] == promises_before


def test_boundary_input_is_accepted(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The edges of the refusals above: a free repair needs no receipt, satisfaction 1 and 5 are
    fine, an arrival a few seconds before the dispatch was recorded is not 'before dispatch'."""
    order = _dispatched(demo_store, clock, policy)
    svc.arrive(demo_store, clock, ENGINEER, order, NOW - timedelta(seconds=30))
    assert svc.finish(demo_store, clock, ENGINEER, order, [PartIn("胶带", "", 100, 0)], 0, "") == 0
    assert svc.sign(demo_store, clock, CLERK, order, "王先生", 1) == "signed"
    other = _done(demo_store, clock, policy)
    assert svc.sign(demo_store, clock, CLERK, other, "王先生", 5) == "signed"
    assert svc.callback(demo_store, clock, CLERK, other, True, "") == "closed"


@pytest.mark.parametrize(
    ("state", "call"),
    [
        ("received", lambda s, c, p, o: svc.arrive(s, c, ENGINEER, o, NOW)),
        ("received", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [], 0, "")),
        ("received", lambda s, c, p, o: svc.reschedule(s, c, p, CLERK, o, NOW + timedelta(hours=1), "改约", "x")),
        ("dispatched", lambda s, c, p, o: svc.dispatch(s, c, p, CLERK, o, NOW + timedelta(hours=1), "x")),
        ("dispatched", lambda s, c, p, o: svc.refer(s, c, CLERK, o, 1)),
        ("on_site", lambda s, c, p, o: svc.end_review(s, c, p, ENGINEER, o)),
        ("on_site", lambda s, c, p, o: svc.sign(s, c, CLERK, o, "王先生", 5)),
        ("done", lambda s, c, p, o: svc.finish(s, c, ENGINEER, o, [PartIn("阀芯", "", 100, 100)], 0, "R2")),
        ("done", lambda s, c, p, o: svc.start_review(s, c, ENGINEER, o)),
        ("signed", lambda s, c, p, o: svc.sign(s, c, CLERK, o, "王先生", 5)),
        ("done", lambda s, c, p, o: svc.callback(s, c, CLERK, o, True, "")),
    ],
)
def test_a_refused_transition_writes_nothing(state: str, call, demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _order_in(state, demo_store, clock, policy)
    before, row_before = _counts(demo_store), _row(demo_store, order)
    with pytest.raises(TransitionRefused) as refused:
        call(demo_store, clock, policy, order)
    assert refused.value.state == state
    assert _counts(demo_store) == before
    assert _row(demo_store, order) == row_before


def test_an_unknown_order_is_not_found(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    before = _counts(demo_store)
    with pytest.raises(DeskappError) as missing:
        svc.get(demo_store, policy, 4242)
    assert missing.value.key == "work_order.not_found" and missing.value.params == {"no": "WX004242"}
    with pytest.raises(DeskappError) as missing:
        svc.dispatch(demo_store, clock, policy, CLERK, 4242, NOW, "x")
    assert missing.value.key == "work_order.not_found"
    assert _counts(demo_store) == before



def test_a_change_is_all_or_nothing(demo_store: Store, clock: FixedClock, policy: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dispatch writes the state, the event, the audit line and the promise in one transaction: when
    the promise cannot be made, the state and the event are not left behind."""
    order = _household(demo_store, clock)
    before, row_before = _counts(demo_store), _row(demo_store, order)

    def fail(*args: object, **kw: object) -> None:
        raise RuntimeError("the promise could not be written")

    monkeypatch.setattr(svc, "_make_arrival_promise", fail)
    with pytest.raises(RuntimeError):
        svc.dispatch(demo_store, clock, policy, CLERK, order, NOW + timedelta(hours=1), "x")
    assert _counts(demo_store) == before
    assert _row(demo_store, order) == row_before
    assert [e.action for e in svc.get(demo_store, policy, order).events] == ["receive"]

# -- the event log is append-only ----------------------------------------------------------------------


def test_work_order_events_cannot_be_changed_or_removed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    order = _dispatched(demo_store, clock, policy)
    with demo_store.read() as session:
        before = [e.model_dump() for e in session.exec(select(WorkOrderEvent).order_by(WorkOrderEvent.id)).all()]
    assert len(before) == 2

    for statement in (
        "UPDATE work_order_event SET to_state = 'closed'",
        f"UPDATE work_order_event SET actor_id = {SUPERVISOR} WHERE order_id = {order}",
        "DELETE FROM work_order_event",
        f"DELETE FROM work_order_event WHERE order_id = {order} AND seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), demo_store.engine.begin() as connection:
            connection.execute(text(statement))

    with demo_store.read() as session:
        after = [e.model_dump() for e in session.exec(select(WorkOrderEvent).order_by(WorkOrderEvent.id)).all()]
    assert after == before


# -- the list ---------------------------------------------------------------------------------------------


def test_the_list_filters_and_puts_overdue_first(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    waiting = _household(demo_store, clock)  # received by the clerk, building 1, no limit
    late = _dispatched(demo_store, clock, policy, NOW, unit=UNIT_B2)  # promised 10:15, overdue at 10:30
    later = _household(demo_store, clock, unit="1-1-202", staff=COLLEAGUE)
    svc.dispatch(demo_store, clock, policy, COLLEAGUE, later, NOW + timedelta(hours=2), "12点前到")  # due 12:15
    public = _public(demo_store, clock, staff=COLLEAGUE)  # received, no building
    referred = _household(demo_store, clock, staff=COLLEAGUE)
    svc.refer(demo_store, clock, COLLEAGUE, referred, 1)
    clock.advance(minutes=30)

    def ids(**kw: object) -> list[int]:
        return [v.id for v in svc.list_orders(demo_store, clock, policy, **kw)]

    assert ids(show="open") == [late, later, public, waiting]  # limits first, soonest first; then newest
    assert ids() == ids(show="open")
    assert ids(show="all") == [late, later, referred, public, waiting]
    assert ids(show="overdue") == [late]
    assert ids(show="mine", staff_id=CLERK) == [late, waiting]
    assert ids(show="mine", staff_id=COLLEAGUE) == [later, public]
    assert ids(show="open", building="1") == [later, waiting]
    assert ids(show="all", building="1") == [later, referred, waiting]
    assert ids(show="open", building="2") == [late]
    assert ids(show="open", building="6") == []
    assert len(ids(show="all", limit=2)) == 2

    first = svc.list_orders(demo_store, clock, policy)[0]
    assert first.overdue(clock.now()) and first.deadline.limit is Limit.ARRIVAL
    assert not any(v.overdue(clock.now()) for v in svc.list_orders(demo_store, clock, policy)[1:])


def test_overdue_orders_come_before_later_limits_of_any_kind(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """An overdue callback (signed yesterday) comes before a review still in time."""
    signed = _signed(demo_store, clock, policy)  # callback due tomorrow 10:00
    clock.advance(hours=24, minutes=10)
    reviewing = _on_site(demo_store, clock, policy)
    svc.start_review(demo_store, clock, ENGINEER, reviewing)
    rows = svc.list_orders(demo_store, clock, policy, show="open")
    assert [v.id for v in rows] == [signed, reviewing]
    assert rows[0].overdue(clock.now()) and not rows[1].overdue(clock.now())
    assert [v.id for v in svc.list_orders(demo_store, clock, policy, show="overdue")] == [signed]


def test_due_orders_are_reviews_and_callbacks_not_arrivals(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Arrivals are on Today as promises; the work-order reminders are reviews and callbacks."""
    dispatched = _dispatched(demo_store, clock, policy)
    reviewing = _on_site(demo_store, clock, policy)
    svc.start_review(demo_store, clock, ENGINEER, reviewing)  # due 10:30
    signed = _signed(demo_store, clock, policy)  # due tomorrow 10:00
    _household(demo_store, clock)  # received: no limit
    public = _public(demo_store, clock)
    svc.dispatch(demo_store, clock, policy, CLERK, public, NOW, "x")
    svc.arrive(demo_store, clock, ENGINEER, public, NOW)
    svc.finish(demo_store, clock, ENGINEER, public, [], 0, "")
    svc.sign(demo_store, clock, CLERK, public, "客服主管", 5)  # closed: nothing owed

    due = svc.due_orders(demo_store, clock, policy)
    assert [(v.id, v.deadline.limit) for v in due] == [(reviewing, Limit.REVIEW), (signed, Limit.CALLBACK)]
    assert dispatched not in [v.id for v in due]
    assert dispatched in [v.id for v in svc.list_orders(demo_store, clock, policy, show="open")]

    svc.callback(demo_store, clock, CLERK, signed, True, "满意")
    assert [v.id for v in svc.due_orders(demo_store, clock, policy)] == [reviewing]


# -- numbers and the reference lists ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "order_id"),
    [("WX000123", 123), ("wx000123", 123), (" WX42 ", 42), ("#7", 7), ("WX#7", 7), ("15", 15),
     ("", None), ("WX", None), ("WX12a", None), ("-3", None), ("1-1-201", None), ("12.5", None)],
)
def test_order_numbers_read_back(typed: str, order_id: int | None) -> None:
    assert svc.parse_number(typed) == order_id


def test_order_numbers_print_with_six_digits() -> None:
    assert svc.number(123) == "WX000123"
    assert svc.number(1) == "WX000001"
    assert svc.number(1234567) == "WX1234567"
    for n in (1, 99, 123456):
        assert svc.parse_number(svc.number(n)) == n


def test_categories_follow_the_price_list_with_other_last(demo_store: Store) -> None:
    assert svc.categories(demo_store) == ["plumbing", "electrical", "doors_windows", "building", "other"]


def test_the_price_list_and_a_price_by_code(demo_store: Store) -> None:
    everything = svc.price_list(demo_store)
    assert len(everything) == 39
    plumbing = svc.price_list(demo_store, "plumbing")
    assert len(plumbing) == 12 and {p.category for p in plumbing} == {"plumbing"}
    assert [p.code for p in plumbing][:3] == ["PL01", "PL02", "PL03"]
    assert svc.price_list(demo_store, "nonsense") == []
    tap = svc.price(demo_store, " pl01 ")
    assert tap is not None and (tap.code, tap.item_zh) == ("PL01", "更换水龙头")
    assert svc.price(demo_store, "ZZ99") is None


def test_the_referral_directory_searches_trade_name_and_note(demo_store: Store) -> None:
    assert len(svc.referrals(demo_store)) == 12 == len(svc.referrals(demo_store, "   "))
    assert [r.name for r in svc.referrals(demo_store, "燃气")] == ["湾区燃气客户服务中心"]
    assert [r.trade_en for r in svc.referrals(demo_store, "Broadband")] == ["Broadband"]
    assert [r.name for r in svc.referrals(demo_store, "公安备案")] == ["安信开锁服务部（公安备案）"]
    assert svc.referrals(demo_store, "不存在的行当") == []


def test_the_event_detail_is_json(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Details are stored as JSON text (the audit trail reads them back outside the app)."""
    order = _dispatched(demo_store, clock, policy, NOW + timedelta(hours=1))
    with demo_store.read() as session:
        raw = session.exec(select(WorkOrderEvent.detail).where(WorkOrderEvent.order_id == order, WorkOrderEvent.seq == 2)).one()
    detail = json.loads(raw)
    assert set(detail) == {"appointment", "promised"}
    assert datetime.fromisoformat(detail["promised"]) == NOW + timedelta(hours=1, minutes=15)


def test_a_reopened_order_adds_the_second_rounds_charges(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Parts of both rounds stay on the order, and the total charged is theirs together; the
    first round's sign-off does not stay on the reopened order."""
    order = _on_site(demo_store, clock, policy)
    svc.finish(demo_store, clock, ENGINEER, order, [PartIn("阀芯", "", 100, 2500)], 1000, "R1")
    svc.sign(demo_store, clock, CLERK, order, "王先生", 2)
    svc.callback(demo_store, clock, CLERK, order, False, "还在漏")
    view = svc.get(demo_store, policy, order).order
    assert (view.signed_by, view.satisfaction) == ("", None)
    svc.dispatch(demo_store, clock, policy, CLERK, order, clock.now(), "再次上门")
    svc.arrive(demo_store, clock, ENGINEER, order, clock.now())
    svc.finish(demo_store, clock, ENGINEER, order, [PartIn("管", "", 100, 500)], 0, "R2")
    detail = svc.get(demo_store, policy, order)
    assert [p.cost_fen for p in detail.parts] == [2500, 500]
    assert (detail.order.total_fen, detail.order.labour_fen, detail.order.receipt_no) == (4000, 1000, "R2")


def test_an_old_overdue_order_is_listed_however_many_newer_ones(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The limit cuts only the whole history: every open order counts, the overdue one first."""
    old = _dispatched(demo_store, clock, policy)
    newer = [_household(demo_store, clock) for _ in range(3)]
    clock.advance(minutes=30)
    listed = svc.list_orders(demo_store, clock, policy, show="open", limit=2)
    assert listed[0].id == old and {v.id for v in listed} == {old, *newer}
    assert [v.id for v in svc.list_orders(demo_store, clock, policy, show="all", limit=2)] == [newer[-1], newer[-2]]
