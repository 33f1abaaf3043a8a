"""Reading and keeping promises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from deskapp.clock import Clock
from deskapp.domain.promises import DueStatus, due_status
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.store import versions
from deskapp.store.engine import Store
from deskapp.store.tables import Promise, PromiseState, Staff, Unit


@dataclass(frozen=True)
class PromiseView:
    id: int
    kind: str
    text: str
    customer: str
    unit: str
    owner: str
    due_at: datetime
    status: DueStatus
    version: int = 1  # as read: kept or broken from this view passes it (store.versions)


def open_promises(store: Store, clock: Clock, policy: Policy) -> list[PromiseView]:
    """Every open promise, overdue first, then by due time."""
    now = clock.now()
    soon = policy.duration("handover.promise_due_soon_minutes")
    with store.read() as session:
        rows = session.exec(
            select(Promise, Staff.name, Unit.code)
            .join(Staff, Staff.id == Promise.owner_id)
            .outerjoin(Unit, Unit.id == Promise.unit_id)
            .where(Promise.state == PromiseState.OPEN)
            .order_by(Promise.due_at)
        ).all()
    return [
        PromiseView(p.id, p.kind, p.text, p.customer, unit or "", owner, p.due_at, due_status(p.due_at, now, soon), p.version)
        for p, owner, unit in rows
    ]


def source_of(store: Store, promise_id: int) -> tuple[str, int | None]:
    """The record a promise belongs to: ("work_order", 12), ("visit", 3) … or ("", None)."""
    with store.read() as session:
        promise = session.get(Promise, promise_id)
        return (promise.source_kind, promise.source_id) if promise else ("", None)


def make(
    store: Store, clock: Clock, policy: Policy, staff_id: int, kind: str, text: str, *,
    customer: str = "", phone: str = "", unit_id: int | None = None, due_at: datetime | None = None,
    source_kind: str = "", source_id: int | None = None,
) -> int:
    """A promise made to a customer: owned by the clerk, due when said or by the policy's limit."""
    now = clock.now()
    with store.session() as session:
        promise = Promise(
            kind=kind, text=text, customer=customer, phone=phone, unit_id=unit_id, owner_id=staff_id,
            created_by_id=staff_id, created_at=now, due_at=due_at or now + policy.duration(PROMISE_DUE[kind]),
            source_kind=source_kind, source_id=source_id,
        )
        session.add(promise)
        session.flush()
        audit.record(session, clock, "promise.made", actor_id=staff_id, entity="promise", entity_id=promise.id, kind=kind)
        return promise.id


def close(
    store: Store, clock: Clock, staff_id: int, promise_id: int, state: str, *, version: int | None = None,
) -> None:
    """An open promise is kept (兑现) or recorded as broken (失约); either way it leaves Today.
    `version`: as the clerk saw it; refused as changed if another counter has touched it since."""
    if state not in (PromiseState.KEPT, PromiseState.BROKEN):
        raise DeskappError("promise.bad_state", state=state)
    with store.session() as session:
        promise = session.get(Promise, promise_id)
        if promise is not None:
            versions.check(session, promise, version)
        if promise is None or promise.state != PromiseState.OPEN:
            raise DeskappError("promise.not_open", id=promise_id)
        before, promise.state = promise.state, state
        promise.closed_at = clock.now()
        audit.record(session, clock, f"promise.{state}", actor_id=staff_id, entity="promise", entity_id=promise_id,
                     before=before, after=state)


def withdraw(store: Store, clock: Clock, staff_id: int, kind: str, source_kind: str, source_id: int) -> int | None:
    """The clerk went back over the step that made a promise: the record's latest open promise of
    that kind is cancelled (going on again makes it anew). Returns its id, or None."""
    with store.session() as session:
        promise = session.exec(
            select(Promise).where(
                Promise.kind == kind, Promise.source_kind == source_kind, Promise.source_id == source_id,
                Promise.state == PromiseState.OPEN,
            ).order_by(Promise.id.desc())
        ).first()
        if promise is None:
            return None
        promise.state = PromiseState.CANCELLED
        promise.closed_at = clock.now()
        audit.record(session, clock, "promise.withdrawn", actor_id=staff_id, entity="promise", entity_id=promise.id, kind=kind)
        return promise.id


# How long each kind of promise may take, from the policy, when the clerk names no time.
PROMISE_DUE = {
    "invoice_delivery": "payment.invoice_delivery_hours",
    "renovation_approval": "renovation.approval_notice_hours",
    "director_message": "director.message_hours",
    "repair_arrival": "repair.arrival_minutes",
    "repair_reschedule": "repair.arrival_minutes",
    "complaint_reply": "feedback.reply_general_hours",
    "callback": "phone.callback_hours",
    "referral_number": "phone.callback_hours",
    "message": "phone.callback_hours",
    "arrears_follow_up": "release.arrears_follow_up_hours",
}
