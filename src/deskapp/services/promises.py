"""Reading and keeping promises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from deskapp.clock import Clock
from deskapp.domain.promises import DueStatus, due_status
from deskapp.policy import Policy
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
        PromiseView(p.id, p.kind, p.text, p.customer, unit or "", owner, p.due_at, due_status(p.due_at, now, soon))
        for p, owner, unit in rows
    ]
