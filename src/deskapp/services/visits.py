"""Walk-in visits (来访): arrival, service, each step taken, escalation, farewell.

Every change is its own transaction, written when it happens: a crash loses nothing the clerk
confirmed, and the queue and each visit's place in its flow come back after a restart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from deskapp.clock import Clock
from deskapp.domain.visits import Level
from deskapp.errors import DeskappError, FieldError  # FieldError: imported from here by many services
from deskapp.services import audit, flows
from deskapp.services.lookup import unit_by_code
from deskapp.store import versions
from deskapp.store.engine import Store
from deskapp.store.tables import Escalation, Staff, Unit, Visit, VisitState

RECORD = "visit"  # the record kind of a visit's flow moves
TITLES = ("先生", "女士", "小姐")
MAX_SURNAME = 32


@dataclass(frozen=True)
class VisitView:
    id: int
    arrived_at: datetime
    unit: str
    surname: str
    title: str
    purpose: str
    urgent: bool
    state: str
    served_by_id: int | None
    served_by: str
    service_started_at: datetime | None
    scenario: str
    values: dict[str, object] = field(default_factory=dict)
    escalations: int = 0
    version: int = 1  # as read: choosing this visitor from the queue passes it (store.versions)

    @property
    def who(self) -> str:
        return f"{self.surname}{self.title}" if self.surname else ""

    def called(self, t) -> str:
        """The visitor as the UI language addresses them: 王先生, Mr Wang."""
        if not self.surname:
            return self.unit
        return t(f"visitor.{self.title}", surname=self.surname) if self.title else self.surname


@dataclass(frozen=True)
class StaffOnDuty:
    id: int
    code: str
    name: str
    role: str


def register_arrival(
    store: Store, clock: Clock, clerk_id: int, *, unit_code: str, surname: str, title: str = "",
    purpose: str = "", urgent: bool = False,
) -> int:
    """A visitor arrives: unit code (empty for a non-resident), surname, optional purpose."""
    surname = surname.strip()
    if not surname:
        raise FieldError("surname", "visit.surname_required")
    if len(surname) > MAX_SURNAME:
        raise FieldError("surname", "visit.surname_too_long", max=MAX_SURNAME)
    if title and title not in TITLES:
        raise FieldError("title", "visit.bad_title")
    unit_id = None
    if unit_code.strip():
        match = unit_by_code(store, unit_code)
        if match is None:
            raise FieldError("unit", "visit.unknown_unit", unit=unit_code.strip())
        unit_id = match.unit_id
    values = {"surname": surname, "title": title, "unit": unit_code.strip()}
    with store.session() as session:
        visit = Visit(
            arrived_at=clock.now(), unit_id=unit_id, surname=surname, title=title, purpose=purpose,
            urgent=urgent, registered_by_id=clerk_id, slot_values=json.dumps(values, ensure_ascii=False),
        )
        session.add(visit)
        session.flush()
        audit.record(session, clock, "visit.arrived", actor_id=clerk_id, entity="visit", entity_id=visit.id)
        return visit.id


def open_visits(store: Store) -> list[VisitView]:
    """Everyone waiting or being served, in order of arrival."""
    with store.read() as session:
        rows = session.exec(
            select(Visit, Unit.code, Staff.name)
            .outerjoin(Unit, Unit.id == Visit.unit_id)
            .outerjoin(Staff, Staff.id == Visit.served_by_id)
            .where(Visit.state.in_([VisitState.WAITING, VisitState.SERVING]))
            .order_by(Visit.arrived_at, Visit.id)
        ).all()
        counts = dict(session.exec(
            select(Escalation.visit_id, func.count()).where(Escalation.visit_id.in_([v.id for v, _, _ in rows]))
            .group_by(Escalation.visit_id)
        ).all())
    return [_view(v, unit, served, counts.get(v.id, 0)) for v, unit, served in rows]


def _view(v: Visit, unit: str | None, served_by: str | None, escalations: int) -> VisitView:
    return VisitView(
        v.id, v.arrived_at, unit or "", v.surname, v.title, v.purpose, v.urgent, v.state,
        v.served_by_id, served_by or "", v.service_started_at, v.scenario, json.loads(v.slot_values), escalations,
        v.version,
    )


def _visit(session, visit_id: int, version: int | None = None) -> Visit:
    """The visit; refused as changed when the clerk chose it from a queue showing an older `version`."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise DeskappError("visit.not_found", id=visit_id)
    versions.check(session, visit, version)
    return visit


def start_service(
    store: Store, clock: Clock, visit_id: int, staff_id: int, scenario: str, *, version: int | None = None,
) -> None:
    """Serve the visitor. `version`: the one the queue showed when the clerk chose a waiting visitor,
    so two counters choosing the same one at once cannot both serve them."""
    with store.session() as session:
        visit = _visit(session, visit_id, version)
        if visit.state not in (VisitState.WAITING, VisitState.SERVING):
            raise DeskappError("visit.closed", id=visit_id)
        visit.state = VisitState.SERVING
        visit.served_by_id = staff_id
        visit.service_started_at = visit.service_started_at or clock.now()
        visit.scenario = visit.scenario or scenario
        audit.record(session, clock, "visit.served", actor_id=staff_id, entity="visit", entity_id=visit_id)


def record_move(store: Store, clock: Clock, visit_id: int, staff_id: int, scenario: str, step: str, via: str) -> None:
    """One move in the visit's flow: from `step`, by `via` ("next", "option:2", "back" …)."""
    flows.record_move(store, clock, RECORD, visit_id, staff_id, scenario, step, via)


def moves(store: Store, visit_id: int) -> list[tuple[str, str, str]]:
    """The visit's recorded moves in order: (scenario, step, via)."""
    return flows.moves(store, RECORD, visit_id)


def set_values(store: Store, visit_id: int, **values: object) -> dict[str, object]:
    with store.session() as session:
        visit = _visit(session, visit_id)
        merged = {**json.loads(visit.slot_values), **values}
        visit.slot_values = json.dumps(merged, ensure_ascii=False)
        if "purpose" in values:
            visit.purpose = str(values["purpose"])
        return merged


def set_urgent(
    store: Store, clock: Clock, visit_id: int, staff_id: int, urgent: bool, *, version: int | None = None,
) -> None:
    with store.session() as session:
        visit = _visit(session, visit_id, version)
        before, visit.urgent = visit.urgent, urgent
        audit.record(session, clock, "visit.urgent", actor_id=staff_id, entity="visit", entity_id=visit_id, before=before, after=urgent)


def escalate(
    store: Store, clock: Clock, visit_id: int, from_id: int, to_id: int, level: Level, reason: str = "", *,
    version: int | None = None,
) -> None:
    """服务上移: the visit passes to `to_id`, who serves it from now on."""
    with store.session() as session:
        visit = _visit(session, visit_id, version)
        if visit.state not in (VisitState.WAITING, VisitState.SERVING):
            raise DeskappError("visit.closed", id=visit_id)
        if session.get(Staff, to_id) is None:
            raise FieldError("to", "visit.unknown_staff")
        session.add(Escalation(visit_id=visit_id, at=clock.now(), level=level, from_id=from_id, to_id=to_id, reason=reason.strip()))
        visit.served_by_id = to_id
        if visit.state == VisitState.WAITING:
            visit.state = VisitState.SERVING
            visit.service_started_at = clock.now()
        audit.record(session, clock, "visit.escalated", actor_id=from_id, entity="visit", entity_id=visit_id, level=level, to=to_id)


def escalations(store: Store, visit_id: int) -> list[Escalation]:
    with store.read() as session:
        return list(session.exec(select(Escalation).where(Escalation.visit_id == visit_id).order_by(Escalation.at, Escalation.id)).all())


def finish(store: Store, clock: Clock, visit_id: int, staff_id: int, outcome: str, satisfaction: int | None = None) -> None:
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise FieldError("satisfaction", "visit.bad_satisfaction")
    with store.session() as session:
        visit = _visit(session, visit_id)
        visit.state = VisitState.DONE
        visit.ended_at = clock.now()
        visit.outcome = outcome
        visit.satisfaction = satisfaction
        audit.record(session, clock, "visit.done", actor_id=staff_id, entity="visit", entity_id=visit_id, outcome=outcome)


def staff_on_duty(store: Store, roles: tuple[str, ...], exclude: int | None = None) -> list[StaffOnDuty]:
    with store.read() as session:
        rows = session.exec(
            select(Staff).where(Staff.active, Staff.present, Staff.role.in_(roles)).order_by(Staff.role, Staff.code)
        ).all()
    return [StaffOnDuty(s.id, s.code, s.name, s.role) for s in rows if s.id != exclude]


def presence(store: Store) -> list[tuple[StaffOnDuty, bool]]:
    """Every active colleague and whether they are in now (the facts *_present read this)."""
    with store.read() as session:
        rows = session.exec(select(Staff).where(Staff.active).order_by(Staff.role, Staff.code)).all()
    return [(StaffOnDuty(s.id, s.code, s.name, s.role), s.present) for s in rows]


def set_presence(store: Store, clock: Clock, actor_id: int, present_ids: set[int]) -> None:
    with store.session() as session:
        for staff in session.exec(select(Staff).where(Staff.active)).all():
            now_present = staff.id in present_ids
            if staff.present != now_present:
                staff.present = now_present
                audit.record(session, clock, "staff.presence", actor_id=actor_id, entity="staff", entity_id=staff.id, present=now_present)


def mark_left(store: Store, clock: Clock, visit_id: int, staff_id: int, *, version: int | None = None) -> None:
    """The visitor gave up waiting and left before being served."""
    with store.session() as session:
        visit = _visit(session, visit_id, version)
        if visit.state != VisitState.WAITING:
            raise DeskappError("visit.closed", id=visit_id)
        visit.state = VisitState.LEFT
        visit.ended_at = clock.now()
        visit.outcome = "left"
        audit.record(session, clock, "visit.left", actor_id=staff_id, entity="visit", entity_id=visit_id)
