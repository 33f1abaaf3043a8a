"""The append-only audit log: who did what and when, hash-chained so tampering shows.

Each event's ``hash`` is sha256 over its predecessor's hash and its own fields (``event_hash``);
``deskapp audit verify`` recomputes the chain. No row id goes into the hash, so a bulk writer
can compute the chain before inserting.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlmodel import Session

from deskapp.clock import Clock
from deskapp.store.tables import AuditEvent

GENESIS = ""  # the prev_hash of the first event in a store


def event_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str,
) -> str:
    """sha256 (hex) of an event chained to ``prev_hash``: a JSON array, compact, UTF-8.

    ``at`` must be timezone-aware; it is taken to UTC with microseconds, as the store keeps it."""
    if at.tzinfo is None:
        raise ValueError("event_hash needs a timezone-aware time")
    instant = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [prev_hash, instant, actor_id, action, entity or "", entity_id, detail]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


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
