"""The append-only audit log: who did what and when."""

from __future__ import annotations

import json

from sqlmodel import Session

from deskapp.clock import Clock
from deskapp.store.tables import AuditEvent


def record(
    session: Session,
    clock: Clock,
    action: str,
    *,
    actor_id: int | None = None,
    entity: str = "",
    entity_id: int | None = None,
    **detail: object,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(event)
    return event
