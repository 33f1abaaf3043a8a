"""Renovation supervision (第二章 装修管理流程): a renovation opened when its permit is issued, its
phases and the patrols they call for, the completion check (初验), the re-check (复验) and the
deposit refunded after it.

The flow (一、装修流程): 7 fees paid and the permit issued; 8 work starts, patrolled; 9 the
completion check once the work has ended; 10 the re-check passed, the deposit is refunded. The
patrols follow the work (二、装修监管): plumbing and electrics daily, carpentry and painting every
three days, tiling and flooring daily, installation on the spot (policy renovation_patrol.*).

States: active → completed (初验 passed; a failed check leaves it active for the work to be put
right) → rechecked (复验 passed) → refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, or_
from sqlmodel import Session, func, select

from deskapp.clock import Clock
from deskapp.domain.registers import PatrolPlan, Phase
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.identity import one_line
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import Renovation, RenovationPatrol, Unit

RECORD = "renovation"
PATROL = "renovation_patrol"

ACTIVE, COMPLETED, RECHECKED, REFUNDED = "active", "completed", "rechecked", "refunded"
SHOWS = ("active", "all")
ALL_LIMIT = 200  # the renovations "all" shows, newest first


@dataclass(frozen=True)
class RenovationView:
    id: int
    unit: str
    permit_no: str
    owner: str
    company: str
    workers: int
    deposit_fen: int
    phase: str  # domain.registers.Phase
    phase_since: datetime
    state: str  # active / completed / rechecked / refunded
    last_patrol: datetime | None
    next_due: datetime | None  # only while active
    overdue: bool
    violations: int  # patrols that found a violation
    completion_ok: bool | None  # 初验
    recheck_ok: bool | None  # 复验
    refunded_at: datetime | None


def plan(policy: Policy) -> PatrolPlan:
    """Days between patrols by phase, from policy renovation_patrol.*."""
    return PatrolPlan({
        Phase.PLUMBING: int(policy.number("renovation_patrol.plumbing_days")),
        Phase.CARPENTRY: int(policy.number("renovation_patrol.carpentry_days")),
        Phase.TILING: int(policy.number("renovation_patrol.tiling_days")),
        Phase.INSTALLATION: int(policy.number("renovation_patrol.installation_days")),
    })


# -- reading ---------------------------------------------------------------------------------------


def _views(session: Session, clock: Clock, policy: Policy, where: list, limit: int | None = None) -> list[RenovationView]:
    rows = session.exec(
        select(Renovation, Unit.code).join(Unit, Unit.id == Renovation.unit_id).where(*where)
        .order_by(Renovation.id.desc()).limit(limit)
    ).all()
    ids = [r.id for r, _ in rows]
    last, violations = {}, {}
    if ids:
        last = dict(session.exec(
            select(RenovationPatrol.renovation_id, func.max(RenovationPatrol.at))
            .where(RenovationPatrol.renovation_id.in_(ids)).group_by(RenovationPatrol.renovation_id)
        ).all())
        violations = dict(session.exec(
            select(RenovationPatrol.renovation_id, func.count())
            .where(RenovationPatrol.renovation_id.in_(ids), RenovationPatrol.ok.is_(False))
            .group_by(RenovationPatrol.renovation_id)
        ).all())
    patrols = plan(policy)
    now = clock.now()
    views = []
    for renovation, code in rows:
        latest = last.get(renovation.id)
        due = patrols.next_due(Phase(renovation.phase), renovation.phase_since, latest) if renovation.state == ACTIVE else None
        views.append(RenovationView(
            renovation.id, code, renovation.permit_no, renovation.owner, renovation.company, renovation.workers,
            renovation.deposit_fen, renovation.phase, renovation.phase_since, renovation.state, latest, due,
            due is not None and due < now, violations.get(renovation.id, 0), renovation.completion_ok,
            renovation.recheck_ok, renovation.refunded_at,
        ))
    return views


def _shown(show: str) -> list:
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    return [Renovation.state.in_((ACTIVE, COMPLETED))] if show == "active" else []


def list_renovations(store: Store, clock: Clock, policy: Policy, *, show: str = "active", search: str = "",
                     limit: int | None = None) -> list[RenovationView]:
    """Renovations, newest first: "active" (under way, or completed awaiting the re-check) or "all"
    (the newest ALL_LIMIT unless `limit` says otherwise); `search` matches the unit's code, the
    permit, the owner or the company; the newest `limit` of them."""
    where = _shown(show)
    text = search.strip()
    if text:
        where.append(Unit.code.contains(text, autoescape=True) | Renovation.permit_no.contains(text, autoescape=True)
                     | Renovation.owner.contains(text, autoescape=True) | Renovation.company.contains(text, autoescape=True))
    if limit is None and show == "all":
        limit = ALL_LIMIT  # "all" is years of records: the newest screenful or so, never the whole table
    with store.read() as session:
        return _views(session, clock, policy, where, limit=limit)


def count_renovations(store: Store, *, show: str = "active") -> int:
    """How many renovations `show` covers, whatever the limit: counted in the store."""
    with store.read() as session:
        return session.exec(select(func.count(Renovation.id)).where(*_shown(show))).one()


def _patrol_due(policy: Policy, by: datetime, strict: bool = False):
    """The active renovations whose next patrol (PatrolPlan.next_due) falls at `by` or before
    (before, with `strict`): the plan as a condition for the store, to pick them without reading
    every renovation."""
    last = (select(func.max(RenovationPatrol.at)).where(RenovationPatrol.renovation_id == Renovation.id)
            .correlate(Renovation).scalar_subquery())

    def upto(column, moment):
        return column < moment if strict else column <= moment

    phases = []
    for phase, days in plan(policy).days.items():
        if days == 0:  # on the spot: due at the phase's start, until patrolled in it
            phases.append((Renovation.phase == phase) & upto(Renovation.phase_since, by)
                          & (last.is_(None) | (last < Renovation.phase_since)))
        else:  # `days` after the later of the phase's start and the last patrol
            since = by - timedelta(days=days)
            phases.append((Renovation.phase == phase) & upto(Renovation.phase_since, since) & (last.is_(None) | upto(last, since)))
    return (Renovation.state == ACTIVE) & (or_(*phases) if phases else false())


def count_overdue(store: Store, clock: Clock, policy: Policy) -> int:
    """How many active renovations have a patrol overdue (RenovationView.overdue): counted in the store."""
    with store.read() as session:
        return session.exec(select(func.count(Renovation.id)).where(_patrol_due(policy, clock.now(), strict=True))).one()


def get(store: Store, clock: Clock, policy: Policy, renovation_id: int) -> RenovationView:
    with store.read() as session:
        found = _views(session, clock, policy, [Renovation.id == renovation_id])
    if not found:
        raise DeskappError("renovation.not_found", id=renovation_id)
    return found[0]


def patrols_due(store: Store, clock: Clock, policy: Policy) -> list[RenovationView]:
    """Active renovations with a patrol due within a day (or past), due first: the store picks them."""
    soon = clock.now() + timedelta(days=1)
    with store.read() as session:
        views = _views(session, clock, policy, [_patrol_due(policy, soon)])
    due_views = [v for v in views if v.next_due is not None and v.next_due <= soon]
    return sorted(due_views, key=lambda v: (v.next_due, v.id))


# -- changing ---------------------------------------------------------------------------------------


def _load(session: Session, renovation_id: int) -> Renovation:
    renovation = session.get(Renovation, renovation_id)
    if renovation is None:
        raise DeskappError("renovation.not_found", id=renovation_id)
    return renovation


def _active(session: Session, renovation_id: int) -> Renovation:
    renovation = _load(session, renovation_id)
    if renovation.state != ACTIVE:
        raise DeskappError("renovation.not_active", state=renovation.state)
    return renovation


def open_renovation(
    store: Store, clock: Clock, staff_id: int, *, unit_code: str, permit_no: str = "", owner: str = "",
    company: str = "", workers: int = 0, deposit_fen: int = 0, source_kind: str = "", source_id: int | None = None,
) -> int:
    """A renovation under supervision, from the permit issued at the counter: plumbing first,
    from now. A unit has one renovation under way at a time."""
    code = unit_code.strip()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise FieldError("workers", "renovation.bad_count")
    if isinstance(deposit_fen, bool) or not isinstance(deposit_fen, int) or deposit_fen < 0:
        raise FieldError("deposit", "renovation.bad_deposit")
    now = clock.now()
    with store.session() as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            raise FieldError("unit", "renovation.unknown_unit", unit=code or "—")
        if session.exec(select(Renovation.id).where(Renovation.unit_id == unit.id, Renovation.state == ACTIVE)).first():
            raise FieldError("unit", "renovation.already_open", unit=code)
        renovation = Renovation(
            unit_id=unit.id, permit_no=one_line(permit_no)[:32], owner=one_line(owner)[:64],
            company=one_line(company)[:64], workers=workers, deposit_fen=deposit_fen, source_kind=source_kind[:16],
            source_id=source_id, opened_at=now, opened_by_id=staff_id, phase=Phase.PLUMBING, phase_since=now,
            state=ACTIVE,
        )
        session.add(renovation)
        session.flush()
        audit.record(session, clock, "renovation.opened", actor_id=staff_id, entity=RECORD, entity_id=renovation.id,
                     unit=code, permit=renovation.permit_no, workers=workers, deposit_fen=deposit_fen)
        return renovation.id


def set_phase(store: Store, clock: Clock, staff_id: int, renovation_id: int, phase: str) -> None:
    """The work moves to `phase` (a domain.registers.Phase value; "finished": the work has ended
    and awaits the completion check), from now. The same phase again changes nothing."""
    try:
        new = Phase(phase)
    except ValueError:
        raise FieldError("phase", "renovation.bad_phase") from None
    with store.session() as session:
        renovation = _active(session, renovation_id)
        if renovation.phase == new:
            return
        before = renovation.phase
        renovation.phase, renovation.phase_since = new, clock.now()
        audit.record(session, clock, "renovation.phase", actor_id=staff_id, entity=RECORD, entity_id=renovation_id,
                     before=before, after=new)


def patrol(store: Store, clock: Clock, staff_id: int, renovation_id: int, *, ok: bool, violation: str = "") -> int:
    """A patrol of the work in its current phase; one that found something wrong says what."""
    violation = one_line(violation)
    if not ok and not violation:
        raise FieldError("violation", "renovation.violation_required")
    with store.session() as session:
        renovation = _active(session, renovation_id)
        row = RenovationPatrol(renovation_id=renovation_id, at=clock.now(), by_id=staff_id, phase=renovation.phase, ok=ok,
                               violation="" if ok else violation[:400])
        session.add(row)
        session.flush()
        audit.record(session, clock, "renovation.patrolled", actor_id=staff_id, entity=PATROL, entity_id=row.id,
                     renovation=renovation_id, phase=renovation.phase, ok=ok)
        return row.id


def complete(store: Store, clock: Clock, staff_id: int, renovation_id: int, *, ok: bool, note: str = "") -> None:
    """The completion check (初验) once the work has ended (phase "finished"): passed, the
    renovation awaits the re-check; failed, it stays active until the work is put right and
    checked again (the note, kept in the audit log, says what is wrong)."""
    with store.session() as session:
        renovation = _active(session, renovation_id)
        if renovation.phase != Phase.FINISHED:
            raise DeskappError("renovation.not_finished")
        renovation.completed_at, renovation.completion_ok = clock.now(), ok
        if ok:
            renovation.state = COMPLETED
        audit.record(session, clock, "renovation.completion_check", actor_id=staff_id, entity=RECORD,
                     entity_id=renovation_id, ok=ok, note=one_line(note)[:400])


def recheck(store: Store, clock: Clock, staff_id: int, renovation_id: int, *, ok: bool) -> None:
    """The re-check (复验) after a passed completion check; passed, the deposit may be refunded."""
    with store.session() as session:
        renovation = _load(session, renovation_id)
        if renovation.state != COMPLETED:
            raise DeskappError("renovation.not_completed", state=renovation.state)
        renovation.rechecked_at, renovation.recheck_ok = clock.now(), ok
        if ok:
            renovation.state = RECHECKED
        audit.record(session, clock, "renovation.recheck", actor_id=staff_id, entity=RECORD, entity_id=renovation_id, ok=ok)


def refund_deposit(store: Store, clock: Clock, staff_id: int, renovation_id: int) -> None:
    """The deposit refunded (复验合格,退还保证金): only after a passed re-check."""
    with store.session() as session:
        renovation = _load(session, renovation_id)
        if renovation.state == REFUNDED:
            raise DeskappError("renovation.already_refunded")
        if renovation.state != RECHECKED or not renovation.recheck_ok:
            raise DeskappError("renovation.not_rechecked")
        renovation.refunded_at, renovation.state = clock.now(), REFUNDED
        audit.record(session, clock, "renovation.refunded", actor_id=staff_id, entity=RECORD, entity_id=renovation_id,
                     deposit_fen=renovation.deposit_fen)
