"""Move-in (入住) at the counter: the steps of seed 001 chapter 1, ticked off against the unit.

The steps' words are catalogue texts (data/catalogue/move_in.toml, `move_in_<step>`), in the
seed's order. A move-in is complete when every step is ticked; ticks are kept with their time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import func, select

from deskapp.clock import Clock
from deskapp.errors import DeskappError
from deskapp.services import audit
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import MoveIn, Unit

STEPS = (
    "verify", "service_agreement", "management_rules", "owner_file", "bank_debit_fees", "items",
    "inspection_closed", "inspection_strict", "handover_form", "handbook", "checklist",
)


@dataclass(frozen=True)
class MoveInView:
    id: int
    unit: str
    owner: str
    started_at: datetime
    done: dict[str, str]  # step → ISO time
    completed_at: datetime | None

    @property
    def progress(self) -> tuple[int, int]:
        return sum(step in self.done for step in STEPS), len(STEPS)


def start(store: Store, clock: Clock, staff_id: int, *, unit_code: str, owner: str) -> int:
    owner = " ".join(owner.split())
    if not owner:
        raise FieldError("owner", "move_in.owner_required")
    with store.session() as session:
        unit = session.exec(select(Unit).where(Unit.code == unit_code.strip())).first()
        if unit is None:
            raise FieldError("unit", "move_in.unknown_unit", unit=unit_code.strip())
        if session.exec(select(MoveIn).where(MoveIn.unit_id == unit.id, MoveIn.completed_at.is_(None))).first():
            raise FieldError("unit", "move_in.already_open", unit=unit.code)
        record = MoveIn(unit_id=unit.id, owner=owner[:64], started_at=clock.now(), started_by_id=staff_id)
        session.add(record)
        session.flush()
        audit.record(session, clock, "move_in.started", actor_id=staff_id, entity="move_in", entity_id=record.id, unit=unit.code)
        return record.id


def tick(store: Store, clock: Clock, staff_id: int, move_in_id: int, done: list[str]) -> bool:
    """The steps done now (others stay as they were; a tick is never taken back). Returns whether
    the move-in is complete."""
    unknown = [step for step in done if step not in STEPS]
    if unknown:
        raise DeskappError("move_in.unknown_step", step=unknown[0])
    with store.session() as session:
        record = session.get(MoveIn, move_in_id)
        if record is None:
            raise DeskappError("move_in.not_found", id=move_in_id)
        if record.completed_at is not None:
            raise DeskappError("move_in.completed")
        ticks = json.loads(record.done)
        new = [step for step in done if step not in ticks]
        for step in new:
            ticks[step] = clock.now().isoformat()
        record.done = json.dumps(ticks, sort_keys=True)
        if all(step in ticks for step in STEPS):
            record.completed_at = clock.now()
        if new:
            audit.record(session, clock, "move_in.ticked", actor_id=staff_id, entity="move_in", entity_id=record.id, steps=new,
                         complete=record.completed_at is not None)
        return record.completed_at is not None


def _shown(show: str) -> list:
    return [MoveIn.completed_at.is_(None)] if show == "open" else []


def list_move_ins(store: Store, *, show: str = "open", search: str = "", limit: int | None = 200) -> list[MoveInView]:
    """Move-ins, newest first: "open" (not complete) or "all"; `search` matches the unit's code or
    the owner; the newest `limit` of them."""
    query = select(MoveIn, Unit.code).join(Unit, Unit.id == MoveIn.unit_id).where(*_shown(show))
    text = search.strip()
    if text:
        query = query.where(Unit.code.contains(text, autoescape=True) | MoveIn.owner.contains(text, autoescape=True))
    with store.read() as session:
        rows = session.exec(query.order_by(MoveIn.id.desc()).limit(limit)).all()
    return [MoveInView(m.id, code, m.owner, m.started_at, json.loads(m.done), m.completed_at) for m, code in rows]


def count_move_ins(store: Store, *, show: str = "open") -> int:
    """How many move-ins `show` covers, whatever the limit: counted in the store."""
    with store.read() as session:
        return session.exec(select(func.count(MoveIn.id)).where(*_shown(show))).one()
