"""The moves of a record's flow (a call, a work order …), one row each, in order."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from deskapp.clock import Clock
from deskapp.store.engine import Store
from deskapp.store.tables import FlowMove


def record_move(
    store: Store, clock: Clock, kind: str, record_id: int, staff_id: int, scenario: str, step: str, via: str
) -> None:
    """From `step`, by `via` ("next", "option:2", "back" …)."""
    with store.session() as session:
        seq = session.exec(
            select(func.count()).select_from(FlowMove).where(FlowMove.record_kind == kind, FlowMove.record_id == record_id)
        ).one()
        session.add(FlowMove(
            record_kind=kind, record_id=record_id, seq=seq + 1, at=clock.now(), scenario=scenario, step=step,
            via=via, actor_id=staff_id,
        ))


def moves(store: Store, kind: str, record_id: int) -> list[tuple[str, str, str]]:
    """The record's moves in order: (scenario, step, via)."""
    with store.read() as session:
        rows = session.exec(
            select(FlowMove).where(FlowMove.record_kind == kind, FlowMove.record_id == record_id).order_by(FlowMove.seq)
        ).all()
    return [(r.scenario, r.step, r.via) for r in rows]
