"""Shift handover (交接班): nothing open is lost when a clerk goes off shift (seed 004, 一票到底).

The outgoing clerk opens a handover: every open item they own is gathered — promises, work
orders, complaints, the visitor they serve, the call they are on, money taken for finance — and
the desk's items (visitors waiting, calls ringing, missed calls not returned) with them. They
write a note per item and one for the shift. The incoming clerk signs in on the same console and
acknowledges item by item, or queries one back; the outgoing clerk answers. Completing moves the
ownership of every owned item to the incoming clerk in one transaction, and is refused while any
item is unacknowledged — or while the outgoing clerk holds anything the handover does not list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain.fees import format_fen
from deskapp.domain.promises import DueStatus, due_status
from deskapp.domain.roles import Action, require
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit, feedback, work_orders
from deskapp.services.auth import SignedIn
from deskapp.store.engine import Store
from deskapp.store.tables import (
    Call,
    CallState,
    FeePayment,
    Handover,
    HandoverItem,
    HandoverState,
    KeyLoan,
    KeyTag,
    Promise,
    PromiseState,
    Staff,
    Unit,
    Visit,
    VisitState,
    WorkOrder,
)
from deskapp.store.tables import Feedback as FeedbackRow

# What a clerk owns and the next clerk takes over; what belongs to the whole desk and is only
# shown (and acknowledged) so that the next clerk knows.
OWNED = ("promise", "work_order", "complaint", "visit", "call", "payment", "key")
DESK = ("waiting", "ringing", "missed", "key_check", "vacancy", "vacancy_expiry", "renovation", "found")

PENDING, QUERIED, ACKNOWLEDGED, CLOSED = "pending", "queried", "acknowledged", "closed"


@dataclass(frozen=True)
class OpenItem:
    """One open thing, as it stands now. `tag`: the promise's kind, the work order's running
    limit, the complaint's most urgent clock; `owner`: the clerk holding it (empty for the desk)."""

    kind: str
    record_id: int
    due_at: datetime | None
    label: str
    who: str
    tag: str = ""
    owner_id: int | None = None
    owner: str = ""
    version: int | None = None  # a promise's, as read: kept or broken from this row passes it (store.versions)

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.record_id


# -- what is open ----------------------------------------------------------------------------------


def _who(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)[:100]


def _units(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(Unit.id, Unit.code).where(Unit.id.in_(ids))).all())


def _held(session: Session, clock: Clock, policy: Policy, staff_id: int | None) -> list[OpenItem]:
    """Everything open that the clerk owns — or, with no clerk, that any clerk owns."""

    def mine(column):
        return column == staff_id if staff_id is not None else column.is_not(None)

    promises = session.exec(select(Promise).where(mine(Promise.owner_id), Promise.state == PromiseState.OPEN)).all()
    visits = session.exec(select(Visit).where(mine(Visit.served_by_id), Visit.state == VisitState.SERVING)).all()
    calls = session.exec(
        select(Call).where(mine(Call.answered_by_id), Call.state.in_([CallState.TALKING, CallState.ON_HOLD]))
    ).all()
    payments = session.exec(select(FeePayment).where(mine(FeePayment.holder_id), FeePayment.handed_at.is_(None))).all()
    units = _units(session, {p.unit_id for p in promises} | {v.unit_id for v in visits} | {c.unit_id for c in calls}
                   | {m.unit_id for m in payments})
    names = dict(session.exec(select(Staff.id, Staff.name)).all())
    items = [OpenItem("promise", p.id, p.due_at, p.text[:200], _who(units.get(p.unit_id), p.customer), p.kind,
                      p.owner_id, names.get(p.owner_id, ""), p.version) for p in promises]
    for o in work_orders.held_by(session, policy, staff_id):
        due, limit = (o.deadline.due_at, str(o.deadline.limit)) if o.deadline else (None, "")
        items.append(OpenItem("work_order", o.id, due, f"{o.no} {o.item}"[:200], _who(o.where, o.customer), limit, o.owner_id, o.owner))
    for f in feedback.held_by(session, clock, policy, staff_id):
        due, clock_name = (f.urgent.due_at, str(f.urgent.clock)) if f.urgent else (None, "")
        items.append(OpenItem("complaint", f.id, due, f"{f.no} {f.what}"[:200], _who(f.unit, f.customer), clock_name, f.owner_id, f.owner))
    items += [OpenItem("visit", v.id, None, v.purpose[:200], _who(units.get(v.unit_id), f"{v.surname}{v.title}"), "",
                       v.served_by_id, names.get(v.served_by_id, "")) for v in visits]
    hold = policy.duration("phone.hold_seconds")
    items += [OpenItem("call", c.id, c.hold_since + hold if c.state == CallState.ON_HOLD and c.hold_since else None, c.number,
                       _who(units.get(c.unit_id)), c.state, c.answered_by_id, names.get(c.answered_by_id, "")) for c in calls]
    items += [OpenItem("payment", m.id, None, f"¥{format_fen(m.amount_fen)} {m.receipt_no}".strip(), _who(units.get(m.unit_id)),
                       "", m.holder_id, names.get(m.holder_id, "")) for m in payments]
    loans = session.exec(
        select(KeyLoan, KeyTag.label, Unit.code).join(KeyTag, KeyTag.id == KeyLoan.key_id).outerjoin(Unit, Unit.id == KeyTag.unit_id)
        .where(mine(KeyLoan.holder_id), KeyLoan.kind == "loan", KeyLoan.returned_at.is_(None))
    ).all()
    items += [OpenItem("key", loan.id, loan.due_at, f"{label} · {loan.borrower} {loan.purpose}".strip()[:200], unit or "",
                       loan.borrower_kind, loan.holder_id, names.get(loan.holder_id, "")) for loan, label, unit in loans]
    return items


def _desk(session: Session, policy: Policy) -> list[OpenItem]:
    """What belongs to the desk, not to one clerk: visitors waiting, calls ringing, missed calls."""
    waiting = session.exec(select(Visit).where(Visit.state == VisitState.WAITING).order_by(Visit.arrived_at)).all()
    ringing = session.exec(select(Call).where(Call.state == CallState.RINGING).order_by(Call.rang_at)).all()
    missed = session.exec(
        select(Call).where(Call.state == CallState.MISSED, Call.returned_by_call_id.is_(None)).order_by(Call.rang_at)
    ).all()
    units = _units(session, {v.unit_id for v in waiting} | {c.unit_id for c in ringing} | {c.unit_id for c in missed})
    handoff = policy.duration("reception.wait_handoff_minutes")
    ring = policy.duration("phone.ring_seconds") * int(policy.number("phone.answer_rings"))
    items = [OpenItem("waiting", v.id, v.arrived_at + handoff, v.purpose, _who(units.get(v.unit_id), f"{v.surname}{v.title}"),
                      "urgent" if v.urgent else "") for v in waiting]
    items += [OpenItem("ringing", c.id, c.rang_at + ring, c.number, _who(units.get(c.unit_id))) for c in ringing]
    items += [OpenItem("missed", c.id, c.rang_at, c.number, _who(units.get(c.unit_id))) for c in missed]
    return items


def _registers_due(store: Store, clock: Clock, policy: Policy) -> list[OpenItem]:
    """The registers' duties falling due within a day: vacant-unit inspections, renovation
    patrols, the periodic key check — the desk's, shown on Today and at the handover."""
    from deskapp.services import keys, lost_found, renovation, vacancy

    soon = clock.now() + timedelta(days=1)
    items = [OpenItem("vacancy", v.id, v.next_inspection, v.owner, v.unit) for v in vacancy.inspections_due(store, clock, policy)]
    items += [OpenItem("vacancy_expiry", v.id, datetime.combine(v.end, datetime.min.time(), tzinfo=policy.timezone), v.owner, v.unit)
              for v in vacancy.expiring(store, clock, policy)]
    items += [OpenItem("renovation", r.id, r.next_due, r.permit_no, r.unit, r.phase) for r in renovation.patrols_due(store, clock, policy)]
    items += [OpenItem("found", f.id, f.dispose_after, f"{f.no} {f.what}", f.kept_where) for f in lost_found.due_for_disposal(store, clock, policy)]
    check = keys.check_due(store, clock, policy)
    if check is not None and check <= soon:
        items.append(OpenItem("key_check", 0, check, "", ""))
    return items


def _by_due(items: list[OpenItem]) -> list[OpenItem]:
    """Due first; items with no time limit (a visitor being served, money held) after them."""
    return sorted(items, key=lambda i: (i.due_at is None, i.due_at or datetime.min, OWNED.index(i.kind) if i.kind in OWNED else 9, i.record_id))


def open_items(store: Store, clock: Clock, policy: Policy, staff_id: int | None) -> list[OpenItem]:
    """What the clerk holds (everyone's, with None) and what is open at the desk, due first."""
    with store.read() as session:
        found = _held(session, clock, policy, staff_id) + _desk(session, policy)
    return _by_due(found + _registers_due(store, clock, policy))


# -- reading handovers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    id: int
    kind: str
    record_id: int
    due_at: datetime | None
    label: str
    who: str
    tag: str
    note: str
    state: str
    question: str
    answer: str
    acknowledged_at: datetime | None

    @property
    def desk(self) -> bool:
        return self.kind in DESK

    def status(self, now: datetime, soon: timedelta) -> DueStatus | None:
        return due_status(self.due_at, now, soon) if self.due_at else None


@dataclass(frozen=True)
class HandoverView:
    id: int
    state: str
    opened_at: datetime
    outgoing_id: int
    outgoing: str
    incoming_id: int | None
    incoming: str
    presented_at: datetime | None
    completed_at: datetime | None
    note: str
    items: tuple[ItemView, ...]

    @property
    def live(self) -> tuple[ItemView, ...]:
        """Items still to hand over (not closed first)."""
        return tuple(i for i in self.items if i.state != CLOSED)

    @property
    def unacknowledged(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.live if i.state != ACKNOWLEDGED)


def _item_view(i: HandoverItem) -> ItemView:
    return ItemView(i.id, i.kind, i.record_id, i.due_at, i.label, i.who, i.tag, i.note, i.state, i.question, i.answer, i.acknowledged_at)


def _load(session: Session, handover_id: int) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None:
        raise DeskappError("handover.not_found", id=handover_id)
    return handover


def _view(session: Session, handover: Handover) -> HandoverView:
    names = dict(session.exec(select(Staff.id, Staff.name).where(Staff.id.in_([handover.outgoing_id, handover.incoming_id or 0]))).all())
    items = session.exec(select(HandoverItem).where(HandoverItem.handover_id == handover.id)).all()
    order = {(i.kind, i.record_id): n for n, i in enumerate(_by_due([OpenItem(i.kind, i.record_id, i.due_at, "", "") for i in items]))}
    items = sorted(items, key=lambda i: order[(i.kind, i.record_id)])
    return HandoverView(
        handover.id, handover.state, handover.opened_at, handover.outgoing_id, names.get(handover.outgoing_id, ""),
        handover.incoming_id, names.get(handover.incoming_id, "") if handover.incoming_id else "",
        handover.presented_at, handover.completed_at, handover.note, tuple(_item_view(i) for i in items),
    )


def get(store: Store, handover_id: int) -> HandoverView:
    with store.read() as session:
        return _view(session, _load(session, handover_id))


def current(store: Store, staff_id: int) -> HandoverView | None:
    """The clerk's handover under way (open or being acknowledged), if any."""
    with store.read() as session:
        handover = session.exec(
            select(Handover).where(Handover.outgoing_id == staff_id, Handover.state.in_([HandoverState.OPEN, HandoverState.PRESENTED]))
            .order_by(Handover.id.desc())
        ).first()
        return _view(session, handover) if handover else None


@dataclass(frozen=True)
class HandoverRow:
    id: int
    state: str
    opened_at: datetime
    completed_at: datetime | None
    outgoing: str
    incoming: str
    items: int
    queried: int


def list_handovers(store: Store, *, limit: int = 50) -> list[HandoverRow]:
    """The newest handovers first, with how many items each carried and how many were queried."""
    out, inc = aliased(Staff), aliased(Staff)
    # Counted for each handover listed (by its index), not grouped over every item ever handed
    # over and joined: 165 ms -> 5 ms on the 5-year store (380 000 items), F7's L key.
    held = (HandoverItem.handover_id == Handover.id, HandoverItem.state != CLOSED)
    items = select(func.count()).where(*held).correlate(Handover).scalar_subquery()
    queried = select(func.count()).where(*held, HandoverItem.question != "").correlate(Handover).scalar_subquery()
    with store.read() as session:
        rows = session.exec(
            select(Handover, out.name, inc.name, items, queried)
            .join(out, out.id == Handover.outgoing_id).outerjoin(inc, inc.id == Handover.incoming_id)
            .order_by(Handover.id.desc()).limit(limit)
        ).all()
    return [HandoverRow(h.id, h.state, h.opened_at, h.completed_at, o, i or "", int(n or 0), int(q or 0)) for h, o, i, n, q in rows]


def history(store: Store, kind: str, record_ids: list[int]) -> dict[int, list[tuple[datetime, str, str]]]:
    """For each record, the completed handovers it went through: (when, from, to)."""
    if not record_ids:
        return {}
    out, inc = aliased(Staff), aliased(Staff)
    with store.read() as session:
        rows = session.exec(
            select(HandoverItem.record_id, Handover.completed_at, out.name, inc.name)
            .join(Handover, Handover.id == HandoverItem.handover_id)
            .join(out, out.id == Handover.outgoing_id).join(inc, inc.id == Handover.incoming_id)
            .where(HandoverItem.kind == kind, HandoverItem.record_id.in_(record_ids), HandoverItem.state == ACKNOWLEDGED,
                   Handover.state == HandoverState.DONE)
            .order_by(Handover.completed_at)
        ).all()
    found: dict[int, list[tuple[datetime, str, str]]] = {}
    for record_id, at, outgoing, incoming in rows:
        found.setdefault(record_id, []).append((at, outgoing, incoming))
    return found


# -- writing one ------------------------------------------------------------------------------------


def _sync(session: Session, clock: Clock, policy: Policy, handover: Handover, store: Store) -> int:
    """Bring the items in line with what is open now: new ones added, ones closed meanwhile
    marked closed (closed first instead of handed over). Returns how many were added."""
    found = _held(session, clock, policy, handover.outgoing_id) + _desk(session, policy) + _registers_due(store, clock, policy)
    now_open = {i.key: i for i in found}
    items = {(i.kind, i.record_id): i for i in session.exec(select(HandoverItem).where(HandoverItem.handover_id == handover.id)).all()}
    added = 0
    for key, item in now_open.items():
        row = items.get(key)
        if row is None:
            session.add(HandoverItem(handover_id=handover.id, kind=item.kind, record_id=item.record_id,
                                     due_at=item.due_at, label=item.label, who=item.who, tag=item.tag))
            added += 1
        elif row.state == CLOSED:  # open again (a failed callback reopens a complaint)
            row.state, row.acknowledged_at = PENDING, None
            row.due_at, row.label, row.who, row.tag = item.due_at, item.label, item.who, item.tag
            added += 1
        else:
            row.due_at, row.label, row.who, row.tag = item.due_at, item.label, item.who, item.tag
    for key, row in items.items():
        if key not in now_open and row.state != CLOSED:
            row.state = CLOSED
    return added


def open_handover(store: Store, clock: Clock, policy: Policy, staff_id: int) -> int:
    """The clerk's handover under way, brought up to date, or a new one with everything they hold."""
    with store.session() as session:
        handover = session.exec(
            select(Handover).where(Handover.outgoing_id == staff_id, Handover.state.in_([HandoverState.OPEN, HandoverState.PRESENTED]))
            .order_by(Handover.id.desc())
        ).first()
        if handover is None:
            handover = Handover(opened_at=clock.now(), outgoing_id=staff_id)
            session.add(handover)
            session.flush()
            audit.record(session, clock, "handover.opened", actor_id=staff_id, entity="handover", entity_id=handover.id)
        _sync(session, clock, policy, handover, store)
        return handover.id


def _item(session: Session, item_id: int) -> tuple[HandoverItem, Handover]:
    item = session.get(HandoverItem, item_id)
    if item is None:
        raise DeskappError("handover.item_not_found", id=item_id)
    return item, _load(session, item.handover_id)


def _still_open(handover: Handover) -> None:
    if handover.state not in (HandoverState.OPEN, HandoverState.PRESENTED):
        raise DeskappError("handover.finished", id=handover.id)


def note_item(store: Store, clock: Clock, staff_id: int, item_id: int, text: str) -> None:
    """The outgoing clerk's note on one item (what was said, what to do next)."""
    with store.session() as session:
        item, handover = _item(session, item_id)
        _still_open(handover)
        if staff_id != handover.outgoing_id:
            raise DeskappError("handover.only_outgoing")
        before, item.note = item.note, text.strip()[:400]
        audit.record(session, clock, "handover.item_noted", actor_id=staff_id, entity="handover", entity_id=handover.id,
                     item=item.id, before=before, after=item.note)


def note_shift(store: Store, clock: Clock, staff_id: int, handover_id: int, text: str) -> None:
    """The note for the whole shift: cash and keys counted, anything unusual."""
    with store.session() as session:
        handover = _load(session, handover_id)
        _still_open(handover)
        if staff_id != handover.outgoing_id:
            raise DeskappError("handover.only_outgoing")
        before, handover.note = handover.note, text.strip()[:4000]
        audit.record(session, clock, "handover.noted", actor_id=staff_id, entity="handover", entity_id=handover.id,
                     before=before, after=handover.note)


def present(store: Store, clock: Clock, policy: Policy, handover_id: int, incoming: SignedIn) -> None:
    """The incoming clerk has signed in with their PIN on this console: the items are theirs to
    acknowledge. The list is brought up to date at this moment. The role that counts is the one
    the store holds for them (domain.roles: who may take over a shift)."""
    with store.session() as session:
        taker = session.get(Staff, incoming.staff_id)
        if taker is None or not taker.active:
            raise DeskappError("handover.incoming_role")
        require(taker.role, Action.TAKE_OVER_SHIFT)
        handover = _load(session, handover_id)
        _still_open(handover)
        if incoming.staff_id == handover.outgoing_id:
            raise DeskappError("handover.same_clerk")
        if handover.incoming_id not in (None, incoming.staff_id):  # another clerk takes over: they acknowledge anew
            for item in session.exec(select(HandoverItem).where(HandoverItem.handover_id == handover.id,
                                                                HandoverItem.state == ACKNOWLEDGED)).all():
                item.state, item.acknowledged_at = PENDING, None
        handover.incoming_id = incoming.staff_id
        handover.presented_at = clock.now()
        handover.state = HandoverState.PRESENTED
        _sync(session, clock, policy, handover, store)
        audit.record(session, clock, "handover.presented", actor_id=incoming.staff_id, entity="handover", entity_id=handover.id,
                     outgoing=handover.outgoing_id)


def _incoming_item(session: Session, item_id: int) -> tuple[HandoverItem, Handover]:
    item, handover = _item(session, item_id)
    if handover.state != HandoverState.PRESENTED:
        raise DeskappError("handover.not_presented")
    if item.state == CLOSED:
        raise DeskappError("handover.item_closed")
    return item, handover


def acknowledge(store: Store, clock: Clock, item_ids: list[int]) -> None:
    """The incoming clerk takes these items on (a queried one only once it is answered)."""
    with store.session() as session:
        for item_id in item_ids:
            item, handover = _incoming_item(session, item_id)
            if item.state == QUERIED:
                raise DeskappError("handover.item_queried", what=item.label[:30])
            if item.state == PENDING:
                item.state, item.acknowledged_at = ACKNOWLEDGED, clock.now()
                audit.record(session, clock, "handover.item_acknowledged", actor_id=handover.incoming_id, entity="handover",
                             entity_id=handover.id, item=item.id, before=PENDING, after=ACKNOWLEDGED)


def query(store: Store, clock: Clock, item_id: int, question: str) -> None:
    """The incoming clerk asks about an item; it cannot be acknowledged until answered."""
    if not question.strip():
        raise DeskappError("handover.question_required")
    with store.session() as session:
        item, handover = _incoming_item(session, item_id)
        before = item.state
        item.state, item.question, item.answer, item.acknowledged_at = QUERIED, question.strip()[:400], "", None
        audit.record(session, clock, "handover.item_queried", actor_id=handover.incoming_id, entity="handover",
                     entity_id=handover.id, item=item.id, before=before, after=QUERIED, question=item.question)


def answer(store: Store, clock: Clock, item_id: int, text: str) -> None:
    """The outgoing clerk answers a query; the item waits for the incoming clerk's acknowledgement."""
    if not text.strip():
        raise DeskappError("handover.answer_required")
    with store.session() as session:
        item, handover = _incoming_item(session, item_id)
        if item.state != QUERIED:
            raise DeskappError("handover.item_not_queried")
        item.state, item.answer = PENDING, text.strip()[:400]
        audit.record(session, clock, "handover.item_answered", actor_id=handover.outgoing_id, entity="handover",
                     entity_id=handover.id, item=item.id, before=QUERIED, after=PENDING, answer=item.answer)


def complete(store: Store, clock: Clock, policy: Policy, handover_id: int) -> HandoverView:
    """Every item acknowledged: ownership moves to the incoming clerk, each change in the audit
    log with the time, both clerks and the notes. Refused — nothing changed — while an item is
    unacknowledged or the outgoing clerk holds something the list does not show yet (then it
    is added, for the incoming clerk to acknowledge)."""
    with store.session() as session:  # first, what is open now joins the list
        handover = _load(session, handover_id)
        if handover.state != HandoverState.PRESENTED:
            raise DeskappError("handover.not_presented")
        added = _sync(session, clock, policy, handover, store)
    if added:
        raise DeskappError("handover.new_items", count=added)
    with store.session() as session:
        handover = _load(session, handover_id)
        if handover.state != HandoverState.PRESENTED:
            raise DeskappError("handover.not_presented")
        if _sync(session, clock, policy, handover, store):  # something arrived in between: try again
            raise DeskappError("handover.new_items", count=1)
        items = session.exec(select(HandoverItem).where(HandoverItem.handover_id == handover.id, HandoverItem.state != CLOSED)).all()
        waiting = [i for i in items if i.state != ACKNOWLEDGED]
        if waiting:
            raise DeskappError("handover.unacknowledged", count=len(waiting))
        now, giver, taker = clock.now(), handover.outgoing_id, handover.incoming_id
        for item in items:
            _transfer(session, item, giver, taker)
            if item.kind in OWNED:
                audit.record(session, clock, "ownership.handed_over", actor_id=taker, entity=item.kind, entity_id=item.record_id,
                             handover=handover.id, before=giver, after=taker, note=item.note, question=item.question,
                             answer=item.answer)
        handover.state, handover.completed_at = HandoverState.DONE, now
        audit.record(session, clock, "handover.completed", actor_id=taker, entity="handover", entity_id=handover.id,
                     outgoing=giver, incoming=taker, items=len(items), note=handover.note)
        session.flush()
        return _view(session, handover)


def _transfer(session: Session, item: HandoverItem, giver: int, taker: int) -> None:
    """The incoming clerk owns the record from now on; desk items stay the desk's."""
    if item.kind == "promise":
        promise = session.get(Promise, item.record_id)
        promise.owner_id = taker
        promise.handovers += 1
    elif item.kind == "work_order":
        session.get(WorkOrder, item.record_id).owner_id = taker
    elif item.kind == "complaint":
        session.get(FeedbackRow, item.record_id).owner_id = taker
    elif item.kind == "visit":
        session.get(Visit, item.record_id).served_by_id = taker
    elif item.kind == "call":
        session.get(Call, item.record_id).answered_by_id = taker
    elif item.kind == "payment":
        session.get(FeePayment, item.record_id).holder_id = taker
    elif item.kind == "key":
        session.get(KeyLoan, item.record_id).holder_id = taker


def signed_in_as(store: Store, staff_id: int) -> SignedIn:
    """The clerk who took over, as signed in: they gave their PIN when the handover was presented."""
    with store.read() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            raise DeskappError("handover.incoming_role")
        return SignedIn(staff.id, staff.code, staff.name, staff.role)


def cancel(store: Store, clock: Clock, handover_id: int, staff_id: int) -> None:
    """The outgoing clerk stays on: the handover is withdrawn, nothing changes hands."""
    with store.session() as session:
        handover = _load(session, handover_id)
        _still_open(handover)
        if staff_id != handover.outgoing_id:
            raise DeskappError("handover.only_outgoing")
        handover.state = HandoverState.CANCELLED
        audit.record(session, clock, "handover.cancelled", actor_id=staff_id, entity="handover", entity_id=handover.id)


def hand_to_finance(store: Store, clock: Clock, staff_id: int, payment_id: int, finance: str) -> None:
    """Money taken for finance is handed to finance: it leaves the clerk's hands (and the handover)."""
    if not finance.strip():
        raise DeskappError("payment.finance_required")
    with store.session() as session:
        payment = session.get(FeePayment, payment_id)
        if payment is None or payment.handed_at is not None or payment.holder_id != staff_id:
            raise DeskappError("payment.not_held", id=payment_id)
        payment.handed_at, payment.handed_to, payment.holder_id = clock.now(), finance.strip()[:64], None
        audit.record(session, clock, "fee.handed_to_finance", actor_id=staff_id, entity="fee_payment", entity_id=payment_id,
                     amount_fen=payment.amount_fen, to=payment.handed_to)
