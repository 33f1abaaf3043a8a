"""Optimistic versions: a record changed by another counter is refused, never overwritten.

The records two clerks can change carry a `version` (tables.VERSIONED) that every ORM UPDATE
checks and raises. Two ways a clerk can lose a race, both told as "changed by X at T — reload",
X and T from the record's latest audit event:

- the screen acted on a record it read earlier (a detail pane, a row of a queue): the service
  passes the version the screen showed to `check`, which refuses if the record has moved on;
- two transactions read the same row and both write it (possible on PostgreSQL when a read comes
  before another's commit): the second UPDATE matches no row, SQLAlchemy raises StaleDataError,
  and `Store.session` turns it into the same message with `stale_record`.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlmodel import col, select

from deskapp.errors import DeskappError
from deskapp.store.tables import AuditEvent, HandoverItem, Staff

AUDIT_ENTITY = {"release_request": "release", "key_tag": "key", "handover_item": "handover"}
"""The audit log's name for a table's records where it is not the table's name."""

SEEN = "deskapp.versions_seen"  # session.info: {(table, id): version} of the rows a flush updates


def check(session: Session, record: object, version: int | None) -> None:
    """Refuse to act on `record` when the clerk saw it at `version` and it has changed since.
    `None`: the caller holds no earlier view (a flow acting on the record it is running)."""
    if version is not None and record.version != version:
        raise changed(session, record.__table__.name, record.id)


def changed(session: Session, table: str, record_id: int) -> DeskappError:
    """The message for a record changed under the clerk: who changed it last and when."""
    entity, entity_id = AUDIT_ENTITY.get(table, table), record_id
    if table == "handover_item":  # an item's changes are the handover's events
        entity_id = session.get(HandoverItem, record_id).handover_id
    latest = session.execute(
        select(AuditEvent.at, Staff.name).outerjoin(Staff, col(Staff.id) == AuditEvent.actor_id)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    if latest is None:
        return DeskappError("store.changed_unknown")
    at, who = latest
    if not who:
        return DeskappError("store.changed_by_system", time=at)
    return DeskappError("store.changed", who=who, time=at)


def remember_versions(session: Session, _context, _instances) -> None:
    """before_flush: note the version each dirty versioned row had, to name the one a failed
    UPDATE was about (StaleDataError says only the table)."""
    seen = session.info.setdefault(SEEN, {})
    for obj in session.dirty:
        mapper = inspect(obj).mapper
        if mapper.version_id_col is not None and obj.id is not None:
            seen[(mapper.local_table.name, obj.id)] = inspect(obj).committed_state.get("version", obj.version)


def stale_record(reader: Session, seen: dict[tuple[str, int], int], message: str) -> tuple[str, int] | None:
    """The row of `seen` (from a failed flush) that another writer has changed since."""
    from deskapp.store import tables

    by_table = {t.__table__.name: t for t in vars(tables).values() if hasattr(t, "__table__")}
    for (table, record_id), version in seen.items():
        if f"'{table}'" not in message:
            continue
        now = reader.get(by_table[table], record_id)
        if now is None or now.version != version:
            return table, record_id
    return None
