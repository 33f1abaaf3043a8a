"""The append-only audit log: who did what and when, hash-chained so tampering shows.

Each event's ``hash`` is sha256 over its predecessor's hash and its own fields (``event_hash``,
no row id), and events chain in id order. Writers append one at a time: on SQLite every writing
transaction holds the database's write lock from BEGIN IMMEDIATE; on PostgreSQL ``record`` takes a
transaction-scoped advisory lock before it reads the last hash, so two counters never chain from
the same predecessor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import inspect as state_of
from sqlalchemy import text
from sqlmodel import Session, col, select

from deskapp.clock import Clock
from deskapp.domain.audit_chain import GENESIS, ChainCheck, Link, check_chain, event_hash
from deskapp.errors import DeskappError
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, ReleaseRequest, Staff

__all__ = ["GENESIS", "event_hash", "history", "last_hash", "record", "verify"]

CHAIN_LOCK = 0x6465736B61756469  # "deskaudi": pg_advisory_xact_lock's key for appending to the chain
_TAIL = "deskapp.audit_tail"  # session.info: (the transaction, the last event it appended)
BATCH = 2000  # events read at a time by verify


def last_hash(session: Session) -> str:
    """The hash the next event chains from, with the right to append held until the transaction ends.

    For writers that insert chained events in bulk (compute each hash with ``event_hash``). Events
    inserted that way are not seen by a later ``record`` in the same session: write them last."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    with session.no_autoflush:
        found = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return found if found is not None else GENESIS


def _chain_from(session: Session) -> str:
    """The previous event of this transaction if it is still there, else the store's last one."""
    transaction = session.get_transaction()
    kept = session.info.get(_TAIL)
    if kept is not None and kept[0] is transaction and transaction is not None and transaction.is_active:
        event = kept[1]
        state = state_of(event)
        if state.pending or state.persistent:  # not rolled back with a savepoint
            return event.hash
    return last_hash(session)


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
    """Append an event; where a value changes, give ``before=`` and ``after=`` in the detail."""
    at = clock.now()
    encoded = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    prev = _chain_from(session)
    event = AuditEvent(
        at=at, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, detail=encoded,
        prev_hash=prev, hash=event_hash(prev, at, actor_id, action, entity, entity_id, encoded),
    )
    session.add(event)
    session.info[_TAIL] = (session.get_transaction(), event)
    return event


def _links(session: Session) -> Iterator[Link]:
    """Every event in id order, a batch at a time (keyset pages: memory stays flat)."""
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > after).order_by(col(AuditEvent.id)).limit(BATCH)
        ).all()
        for e in rows:
            yield Link(e.id, e.at, e.actor_id, e.action, e.entity, e.entity_id, e.detail, e.prev_hash, e.hash)
        if len(rows) < BATCH:
            return
        after = rows[-1].id
        session.expunge_all()


def verify(store: Store) -> ChainCheck:
    """Recompute the whole chain in one read transaction; the first break, if any."""
    with store.read() as session:
        return check_chain(_links(session))


@dataclass(frozen=True)
class Entry:
    """One line of a record's history."""

    id: int
    at: datetime
    who: str  # the staff member's name; "" for the system (a telephone ringing, a guard's check)
    action: str
    detail: dict[str, object]


KINDS_BY_NUMBER = {"slip": "release"}
"""Kinds named by a number people see rather than the row id: a release slip by its slip number."""
PREFIXES = {"work_order": "WX", "feedback": "TS", "found_item": "SW"}
"""Printed numbers taken as they are said: work_order:WX000012 is work_order:12."""


def parse_record(text_: str) -> tuple[str, str]:
    """'work_order:12' → ('work_order', '12'); the number is checked by ``history``."""
    kind, sep, ident = text_.strip().partition(":")
    if not sep or not kind.strip() or not ident.strip():
        raise DeskappError("audit.bad_record", record=text_)
    return kind.strip().lower(), ident.strip()


def history(store: Store, kind: str, ident: str) -> list[Entry]:
    """A record's events, oldest first. ``slip`` takes the slip number and shows its release."""
    number = ident.upper().lstrip("#").removeprefix(PREFIXES.get(kind, "#"))
    if not number.isascii() or not number.isdecimal():
        raise DeskappError("audit.bad_record", record=f"{kind}:{ident}")
    if len(number.lstrip("0")) > 18:  # beyond any row id (and int() refuses 4300 digits)
        raise DeskappError("audit.no_history", record=f"{kind}:{ident}")
    with store.read() as session:
        entity, entity_id = kind, int(number)
        if kind in KINDS_BY_NUMBER:
            entity = KINDS_BY_NUMBER[kind]
            found = session.exec(select(ReleaseRequest.id).where(ReleaseRequest.slip_no == entity_id)).first()
            if found is None:
                raise DeskappError("audit.no_history", record=f"{kind}:{ident}")
            entity_id = found
        rows = session.exec(
            select(AuditEvent, Staff.name)
            .join(Staff, col(Staff.id) == AuditEvent.actor_id, isouter=True)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(col(AuditEvent.id))
        ).all()
    if not rows:
        raise DeskappError("audit.no_history", record=f"{kind}:{ident}")
    return [Entry(e.id, e.at, name or "", e.action, _detail(e.detail)) for e, name in rows]


def _detail(encoded: str) -> dict[str, object]:
    try:
        value = json.loads(encoded)
    except ValueError:
        return {"": encoded}
    return value if isinstance(value, dict) else {"": value}
