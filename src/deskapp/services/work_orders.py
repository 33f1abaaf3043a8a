"""Repair work orders (维修单): intake, dispatch with an arrival promise, the order's life, the list.

Every change runs in one transaction: the order's new state, its event (who, when, from, to,
details), the audit line and the promise it makes or keeps — all or nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain import work_orders as wo
from deskapp.domain.work_orders import Action, Area, Deadline, State
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.visits import FieldError
from deskapp.store import versions
from deskapp.store.engine import Store
from deskapp.store.tables import (
    Building, Person, Promise, PromiseState, Referral, RepairPrice, Setting, Staff, Unit, WorkOrder, WorkOrderEvent, WorkOrderPart,
)

RECORD = "work_order"
ARRIVAL_PROMISES = ("repair_arrival", "repair_reschedule")
OTHER_CATEGORY = "other"
MAX_SATISFACTION = 5


def number(order_id: int) -> str:
    """The order's number as printed and said: WX000123 (维修)."""
    return f"WX{order_id:06d}"


def parse_number(text: str) -> int | None:
    text = text.strip().upper().removeprefix("WX").lstrip("#")
    digits = text.lstrip("0") or "0"
    return int(digits) if text.isdecimal() and len(digits) <= 18 else None  # no order has more; int() refuses 4300+


@dataclass(frozen=True)
class Limits:
    """The policy's limits a work order runs against."""

    arrival: timedelta
    review: timedelta
    callback: timedelta

    @classmethod
    def of(cls, policy: Policy) -> Limits:
        return cls(
            policy.duration("repair.arrival_minutes"), policy.duration("repair.review_minutes"),
            policy.duration("repair.callback_hours"),
        )


@dataclass(frozen=True)
class OrderView:
    id: int
    state: str
    area: str
    unit: str
    building: str
    place: str
    category: str
    item: str
    customer: str
    phone: str
    channel: str
    received_at: datetime
    received_by_id: int
    received_by: str
    owner_id: int
    owner: str  # the front desk's owner until closed (一票到底): received_by until a handover
    appointment_at: datetime | None
    promised_at: datetime | None
    dispatched_at: datetime | None
    arrived_at: datetime | None
    arrived_late: bool
    review_started_at: datetime | None
    review_late: bool
    done_at: datetime | None
    labour_fen: int
    total_fen: int
    receipt_no: str
    signed_at: datetime | None
    signed_by: str
    satisfaction: int | None
    callback_at: datetime | None
    callback_result: str
    closed_at: datetime | None
    referral: tuple[str, str, str] | None  # (name, phone, trade in Chinese)
    reschedules: int
    reopened: int
    escalations: int
    deadline: Deadline | None
    version: int = 1  # as read: a stage acted on from this view passes it (store.versions)

    @property
    def no(self) -> str:
        return number(self.id)

    @property
    def where(self) -> str:
        return self.unit or self.place

    def overdue(self, now: datetime) -> bool:
        return self.deadline is not None and self.deadline.overdue(now)


@dataclass(frozen=True)
class PartView:
    name: str
    spec: str
    quantity_centi: int
    unit_price_fen: int
    cost_fen: int


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    detail: dict


@dataclass(frozen=True)
class OrderDetail:
    order: OrderView
    parts: list[PartView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)


@dataclass(frozen=True)
class PartIn:
    name: str
    spec: str
    quantity_centi: int
    unit_price_fen: int


# -- reading -------------------------------------------------------------------------------------


def _view(
    order: WorkOrder, unit: str | None, building: str | None, clerk: str, owner: str | None, referral: Referral | None, limits: Limits,
) -> OrderView:
    return OrderView(
        id=order.id, state=order.state, area=order.area, unit=unit or "", building=building or "", place=order.place,
        category=order.category, item=order.item, customer=order.customer, phone=order.phone, channel=order.channel,
        received_at=order.received_at, received_by_id=order.received_by_id, received_by=clerk,
        owner_id=order.owner_id or order.received_by_id, owner=owner or clerk,
        appointment_at=order.appointment_at, promised_at=order.promised_at, dispatched_at=order.dispatched_at,
        arrived_at=order.arrived_at, arrived_late=order.arrived_late, review_started_at=order.review_started_at,
        review_late=order.review_late, done_at=order.done_at, labour_fen=order.labour_fen, total_fen=order.total_fen,
        receipt_no=order.receipt_no, signed_at=order.signed_at, signed_by=order.signed_by,
        satisfaction=order.satisfaction, callback_at=order.callback_at, callback_result=order.callback_result,
        closed_at=order.closed_at,
        referral=(referral.name, referral.phone, referral.trade_zh) if referral else None,
        reschedules=order.reschedules, reopened=order.reopened, escalations=order.escalations,
        deadline=wo.deadline(
            order.state, promised_at=order.promised_at, review_started_at=order.review_started_at,
            signed_at=order.signed_at, review_limit=limits.review, callback_limit=limits.callback,
        ),
        version=order.version,
    )


_Owner = aliased(Staff)


def _query():
    return (
        select(WorkOrder, Unit.code, Building.code, Staff.name, _Owner.name, Referral)
        .join(Staff, Staff.id == WorkOrder.received_by_id)
        .outerjoin(_Owner, _Owner.id == WorkOrder.owner_id)
        .outerjoin(Unit, Unit.id == WorkOrder.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .outerjoin(Referral, Referral.id == WorkOrder.referral_id)
    )


FILTERS = ("open", "mine", "overdue", "all")


def list_orders(
    store: Store, clock: Clock, policy: Policy, *, show: str = "open", staff_id: int | None = None,
    building: str = "", limit: int = 300,
) -> list[OrderView]:
    """The work-order list: `show` one of FILTERS, optionally one building's orders. Orders with
    a running limit come first, the soonest due first; then the newest."""
    limits = Limits.of(policy)
    query = _query()
    if show in ("open", "mine", "overdue"):
        query = query.where(WorkOrder.state.in_([s.value for s in wo.OPEN]))
    if show == "mine":
        query = query.where(WorkOrder.owner_id == staff_id)
    if building:
        query = query.where(Building.code == building)
    # Open orders are few and all of them count (an old overdue one must come first): only the
    # whole history is cut to the newest `limit`.
    query = query.order_by(WorkOrder.id.desc()).limit(limit if show == "all" else None)
    with store.read() as session:
        rows = session.exec(query).all()
    views = [_view(*row, limits) for row in rows]
    now = clock.now()
    if show == "overdue":
        views = [v for v in views if v.overdue(now)][:limit]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(views, key=lambda v: (v.deadline is None, v.deadline.due_at if v.deadline else far, -v.id))


def held_by(session: Session, policy: Policy, staff_id: int | None) -> list[OrderView]:
    """Open orders the clerk owns at the front desk (一票到底), for a shift handover (everyone's
    with no clerk: Today)."""
    owner = WorkOrder.owner_id == staff_id if staff_id is not None else WorkOrder.owner_id.is_not(None)
    rows = session.exec(_query().where(owner, WorkOrder.state.in_([s.value for s in wo.OPEN]))).all()
    limits = Limits.of(policy)
    return [_view(*row, limits) for row in rows]


def due_orders(store: Store, clock: Clock, policy: Policy) -> list[OrderView]:
    """Open orders running against a limit that is not an arrival promise (those are on Today as
    promises): reviews and callbacks."""
    return [v for v in list_orders(store, clock, policy, show="open", limit=10_000)
            if v.deadline is not None and v.deadline.limit is not wo.Limit.ARRIVAL]


def get(store: Store, policy: Policy, order_id: int) -> OrderDetail:
    limits = Limits.of(policy)
    with store.read() as session:
        row = session.exec(_query().where(WorkOrder.id == order_id)).first()
        if row is None:
            raise DeskappError("work_order.not_found", no=number(order_id))
        parts = session.exec(select(WorkOrderPart).where(WorkOrderPart.order_id == order_id).order_by(WorkOrderPart.id)).all()
        events = session.exec(
            select(WorkOrderEvent, Staff.name).join(Staff, Staff.id == WorkOrderEvent.actor_id)
            .where(WorkOrderEvent.order_id == order_id).order_by(WorkOrderEvent.seq)
        ).all()
    return OrderDetail(
        _view(*row, limits),
        [PartView(p.name, p.spec, p.quantity_centi, p.unit_price_fen, p.cost_fen) for p in parts],
        [EventView(e.at, name, e.action, e.from_state, e.to_state, json.loads(e.detail)) for e, name in events],
    )


def site_name(store: Store) -> str:
    """The 管理处 as said on the phone (the community's settings), or empty."""
    with store.read() as session:
        setting = session.get(Setting, "community.site")
    return setting.value if setting else ""


def community_name(store: Store) -> str:
    """The estate's name, said for the seed's XXX in "中海物业XXX管理处" / "XXX客服中心"."""
    with store.read() as session:
        setting = session.get(Setting, "community.name")
    return setting.value if setting else ""


def buildings(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.exec(select(Building.code).order_by(Building.id)).all())


def categories(store: Store) -> list[str]:
    """The price list's categories, in its order, and `other` last."""
    with store.read() as session:
        found = session.exec(select(RepairPrice.category, func.min(RepairPrice.id)).group_by(RepairPrice.category).order_by(func.min(RepairPrice.id))).all()
    names = [c for c, _ in found if c != OTHER_CATEGORY]
    return [*names, OTHER_CATEGORY]


def price_list(store: Store, category: str = "") -> list[RepairPrice]:
    with store.read() as session:
        query = select(RepairPrice).order_by(RepairPrice.id)
        if category:
            query = query.where(RepairPrice.category == category)
        return list(session.exec(query).all())


def price(store: Store, code: str) -> RepairPrice | None:
    with store.read() as session:
        return session.exec(select(RepairPrice).where(func.upper(RepairPrice.code) == code.strip().upper())).first()


def referrals(store: Store, words: str = "") -> list[Referral]:
    """The specialist directory, or the entries whose trade, name or note has `words`."""
    with store.read() as session:
        query = select(Referral).order_by(Referral.id)
        if words.strip():
            like = f"%{words.strip()}%"
            query = query.where(or_(
                Referral.trade_zh.like(like), Referral.trade_en.like(like), Referral.name.like(like), Referral.note_zh.like(like),
            ))
        return list(session.exec(query).all())


# -- changing --------------------------------------------------------------------------------------


def _load(session: Session, order_id: int, version: int | None = None) -> WorkOrder:
    """The order to change; refused as changed when the clerk acts on an older `version` of it."""
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise DeskappError("work_order.not_found", no=number(order_id))
    versions.check(session, order, version)
    return order


def _event(session: Session, clock: Clock, order: WorkOrder, staff_id: int, action: Action, to: State, **detail: object) -> None:
    seq = session.exec(select(func.count()).select_from(WorkOrderEvent).where(WorkOrderEvent.order_id == order.id)).one()
    session.add(WorkOrderEvent(
        order_id=order.id, seq=seq + 1, at=clock.now(), actor_id=staff_id, action=action.value, from_state=order.state,
        to_state=to.value, detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    ))
    audit.record(session, clock, f"work_order.{action.value}", actor_id=staff_id, entity=RECORD, entity_id=order.id,
                 before=order.state, after=to.value, **detail)
    order.state = to.value


def _move(order: WorkOrder, action: Action) -> State:
    return wo.target(order.state, action, order.area)


def open_order(
    store: Store, clock: Clock, staff_id: int, *, area: str, item: str, unit_code: str = "", place: str = "",
    category: str = "", customer: str = "", phone: str = "", channel: str = "counter", source_kind: str = "",
    source_id: int | None = None,
) -> int:
    """A repair request taken (received). A household repair needs a known unit; a public-area one
    a place. Returns the order's id."""
    if area not in (Area.HOUSEHOLD, Area.PUBLIC):
        raise FieldError("area", "work_order.bad_area")
    item = " ".join(item.split())
    if not item:
        raise FieldError("item", "work_order.item_required")
    place = " ".join(place.split())
    with store.session() as session:
        unit_id = None
        if unit_code.strip():
            unit = session.exec(select(Unit).where(Unit.code == unit_code.strip())).first()
            if unit is None:
                raise FieldError("unit", "work_order.unknown_unit", unit=unit_code.strip())
            unit_id = unit.id
            if not customer and not phone:  # who to call back: the unit's owner on record
                owner = session.exec(select(Person).where(
                    Person.unit_id == unit.id, Person.kind == "owner", Person.active == True,  # noqa: E712
                ).order_by(Person.id)).first()
                if owner is not None:
                    title = {"M": "先生", "F": "女士"}.get(owner.gender, "")
                    customer, phone = (f"{owner.name[0]}{title}" if title else owner.name), owner.phone
        if area == Area.HOUSEHOLD and unit_id is None:
            raise FieldError("unit", "work_order.unit_required")
        if area == Area.PUBLIC and not place:
            raise FieldError("place", "work_order.place_required")
        order = WorkOrder(
            received_at=clock.now(), received_by_id=staff_id, owner_id=staff_id, channel=channel,
            source_kind=source_kind, source_id=source_id, area=area, unit_id=unit_id, place=place, category=category, item=item[:200],
            customer=customer[:64], phone=phone[:32], state=State.RECEIVED,
        )
        session.add(order)
        session.flush()
        seq = 1
        session.add(WorkOrderEvent(
            order_id=order.id, seq=seq, at=clock.now(), actor_id=staff_id, action="receive", from_state="",
            to_state=State.RECEIVED, detail=json.dumps({"channel": channel, "area": area}, sort_keys=True),
        ))
        audit.record(session, clock, "work_order.receive", actor_id=staff_id, entity=RECORD, entity_id=order.id)
        return order.id


def _check_appointment(appointment: datetime, now: datetime, slot: str) -> None:
    if appointment < now - timedelta(minutes=5):
        raise FieldError(slot, "work_order.appointment_past")


def _make_arrival_promise(session: Session, clock: Clock, order: WorkOrder, staff_id: int, kind: str, text: str) -> None:
    session.add(Promise(
        kind=kind, text=text[:400], customer=order.customer, phone=order.phone, unit_id=order.unit_id,
        owner_id=staff_id, created_by_id=staff_id, created_at=clock.now(), due_at=order.promised_at,
        source_kind=RECORD, source_id=order.id,
    ))
    audit.record(session, clock, "promise.made", actor_id=staff_id, entity=RECORD, entity_id=order.id, kind=kind)


def _open_arrival_promises(session: Session, order: WorkOrder) -> list[Promise]:
    return list(session.exec(select(Promise).where(
        Promise.source_kind == RECORD, Promise.source_id == order.id, Promise.kind.in_(ARRIVAL_PROMISES),
        Promise.state == PromiseState.OPEN,
    )).all())


def dispatch(
    store: Store, clock: Clock, policy: Policy, staff_id: int, order_id: int, appointment: datetime, promise_text: str,
    *, version: int | None = None,
) -> None:
    """Within engineering's capability: dispatched with the arrival promised within the policy's
    minutes of the appointment (the promise goes to Today, owned by the clerk)."""
    now = clock.now()
    _check_appointment(appointment, now, "time")
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.DISPATCH)
        order.appointment_at = appointment
        order.promised_at = wo.promised_arrival(max(appointment, now), Limits.of(policy).arrival)
        order.dispatched_at = now
        _event(session, clock, order, staff_id, Action.DISPATCH, to, appointment=appointment, promised=order.promised_at)
        _make_arrival_promise(session, clock, order, staff_id, "repair_arrival", promise_text)


def refer(store: Store, clock: Clock, staff_id: int, order_id: int, referral_id: int, *, version: int | None = None) -> None:
    """Outside engineering's capability: the specialist's number given, the request closed as referred."""
    with store.session() as session:
        order = _load(session, order_id, version)
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise FieldError("referral", "work_order.unknown_referral")
        to = _move(order, Action.REFER)
        order.referral_id = referral.id
        order.closed_at = clock.now()
        _event(session, clock, order, staff_id, Action.REFER, to, referral=referral.name, phone=referral.phone)


def arrive(store: Store, clock: Clock, staff_id: int, order_id: int, at: datetime, *, version: int | None = None) -> bool:
    """The repairman is on site at `at`. Keeps the arrival promise, or records it broken when late.
    Returns whether the arrival was late."""
    now = clock.now()
    if at > now + timedelta(minutes=1):
        raise FieldError("at", "work_order.in_future")
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.ARRIVE)
        if order.dispatched_at is not None and at < order.dispatched_at - timedelta(seconds=59):
            raise FieldError("at", "work_order.arrival_before_dispatch")
        order.arrived_at = at
        order.arrived_late = wo.late(at, order.promised_at)
        for promise in _open_arrival_promises(session, order):
            promise.state = PromiseState.BROKEN if order.arrived_late else PromiseState.KEPT
            promise.closed_at = now
            audit.record(session, clock, f"promise.{promise.state}", actor_id=staff_id, entity="promise", entity_id=promise.id)
        _event(session, clock, order, staff_id, Action.ARRIVE, to, at=at, late=order.arrived_late)
        return order.arrived_late


def start_review(store: Store, clock: Clock, staff_id: int, order_id: int, note: str = "", *, version: int | None = None) -> None:
    """The repairman reports to the team leader: back on site within the review limit."""
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.REVIEW)
        order.review_started_at = clock.now()
        order.review_ended_at = None
        _event(session, clock, order, staff_id, Action.REVIEW, to, note=note[:200])


def end_review(
    store: Store, clock: Clock, policy: Policy, staff_id: int, order_id: int, note: str = "", *, version: int | None = None,
) -> bool:
    """Back on site after the review. Returns whether the review took longer than the limit."""
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.RESUME)
        now = clock.now()
        order.review_ended_at = now
        late = now > order.review_started_at + Limits.of(policy).review
        order.review_late = order.review_late or late
        _event(session, clock, order, staff_id, Action.RESUME, to, late=late, note=note[:200])
        return late


def finish(
    store: Store, clock: Clock, staff_id: int, order_id: int, parts: list[PartIn], labour_fen: int, receipt_no: str,
    *, version: int | None = None,
) -> int:
    """Repaired: the parts and materials used, the labour, the total charged and its receipt.
    Returns the total in fen."""
    for n, part in enumerate(parts):
        if not part.name.strip():
            raise FieldError(f"part{n}", "work_order.part_name")
        if part.quantity_centi <= 0:
            raise FieldError(f"part{n}", "work_order.part_quantity")
        if part.unit_price_fen < 0:
            raise FieldError(f"part{n}", "work_order.part_price")
    if labour_fen < 0:
        raise FieldError("labour", "work_order.labour")
    total = wo.total_fen([(p.quantity_centi, p.unit_price_fen) for p in parts], labour_fen)
    receipt_no = receipt_no.strip()
    if total > 0 and not receipt_no:
        raise FieldError("receipt", "work_order.receipt_required")
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.FINISH)
        for part in parts:
            session.add(WorkOrderPart(
                order_id=order.id, name=part.name.strip()[:64], spec=part.spec.strip()[:64],
                quantity_centi=part.quantity_centi, unit_price_fen=part.unit_price_fen,
                cost_fen=wo.part_cost_fen(part.quantity_centi, part.unit_price_fen),
            ))
        # A reopened order's second repair adds to what was charged before: the parts of every
        # round stay on the order, and so does their money.
        order.labour_fen += labour_fen
        order.total_fen += total
        order.receipt_no = receipt_no[:32] or order.receipt_no
        order.done_at = clock.now()
        _event(session, clock, order, staff_id, Action.FINISH, to, parts=len(parts), labour=labour_fen, total=total, receipt=receipt_no)
        return total


def sign(
    store: Store, clock: Clock, staff_id: int, order_id: int, signed_by: str, satisfaction: int, *, version: int | None = None,
) -> str:
    """Signed off with a satisfaction rating: by the owner (then a callback is owed) or, for a
    public-area repair, by the area's customer-service officer (then it closes). Returns the new state."""
    signed_by = " ".join(signed_by.split())
    if not signed_by:
        raise FieldError("signed_by", "work_order.signer_required")
    if not 1 <= satisfaction <= MAX_SATISFACTION:
        raise FieldError("satisfaction", "work_order.bad_satisfaction")
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.SIGN)
        order.signed_at, order.signed_by, order.satisfaction = clock.now(), signed_by[:64], satisfaction
        if to is State.CLOSED:
            order.closed_at = clock.now()
        _event(session, clock, order, staff_id, Action.SIGN, to, signed_by=signed_by, satisfaction=satisfaction)
        return to.value


def callback(store: Store, clock: Clock, staff_id: int, order_id: int, ok: bool, result: str, *, version: int | None = None) -> str:
    """回访: the owner is satisfied (closed), or not (reopened, to be dispatched again). Returns the new state."""
    result = " ".join(result.split())
    if not ok and not result:
        raise FieldError("result", "work_order.callback_reason")
    action = Action.CALLBACK_OK if ok else Action.CALLBACK_FAILED
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, action)
        order.callback_at, order.callback_result = clock.now(), result[:200]
        if ok:
            order.closed_at = clock.now()
        else:
            order.reopened += 1
            for stage in ("appointment_at", "promised_at", "dispatched_at", "arrived_at", "review_started_at",
                          "review_ended_at", "done_at", "signed_at"):
                setattr(order, stage, None)  # the new round's times; the old ones stay in the events
            order.arrived_late = order.review_late = False
            order.signed_by, order.satisfaction = "", None
        _event(session, clock, order, staff_id, action, to, result=result)
        return to.value


def reschedule(
    store: Store, clock: Clock, policy: Policy, staff_id: int, order_id: int, appointment: datetime, reason: str,
    promise_text: str, *, version: int | None = None,
) -> None:
    """The visit cannot be made on time: a new appointment, agreed on the phone, and a new promise
    (第二次一定按照约定时间准时上门服务). The old promise is cancelled, or broken if already overdue."""
    reason = " ".join(reason.split())
    if not reason:
        raise FieldError("reason", "work_order.reason_required")
    now = clock.now()
    _check_appointment(appointment, now, "new_time")
    with store.session() as session:
        order = _load(session, order_id, version)
        to = _move(order, Action.RESCHEDULE)
        for promise in _open_arrival_promises(session, order):
            promise.state = PromiseState.BROKEN if now > promise.due_at else PromiseState.CANCELLED
            promise.closed_at = now
            audit.record(session, clock, f"promise.{promise.state}", actor_id=staff_id, entity="promise", entity_id=promise.id)
        previous = order.appointment_at
        order.appointment_at = appointment
        order.promised_at = wo.promised_arrival(max(appointment, now), Limits.of(policy).arrival)
        order.dispatched_at = order.dispatched_at or now
        order.arrived_at = None
        order.review_started_at = None
        order.reschedules += 1
        _event(session, clock, order, staff_id, Action.RESCHEDULE, to, previous=previous, appointment=appointment, reason=reason)
        _make_arrival_promise(session, clock, order, staff_id, "repair_reschedule", promise_text)


def escalate(
    store: Store, clock: Clock, staff_id: int, order_id: int, to_id: int, level: str, reason: str, *, version: int | None = None,
) -> None:
    """服务上移 on an order: who it went to, when and why. The state does not change."""
    reason = " ".join(reason.split())
    if not reason:
        raise FieldError("reason", "work_order.reason_required")
    with store.session() as session:
        order = _load(session, order_id, version)
        if session.get(Staff, to_id) is None:
            raise FieldError("to", "work_order.unknown_staff")
        to = _move(order, Action.ESCALATE)
        order.escalations += 1
        _event(session, clock, order, staff_id, Action.ESCALATE, to, to_id=to_id, level=level, reason=reason[:200])
