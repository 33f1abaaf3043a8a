"""Vacant units (空置房管理作业指导书): the owner's application, the CS supervisor's decision, the
monthly inspections with the meter readings, and the vacant months for the fee account.

5.1 unsold units and vacant units are inspected every month (inspect_days) and after storms, the
water and power meters read each time; 5.2.1 the owner applies with their ID, giving the period
and the reason; 5.2.2 the clerk tells them what vacancy means (notice_given); 5.2.3 the CS
supervisor (客服中心主任) signs; 5.2.5 fees at fee_percent while vacant; 5.2.6 more than
water_tonnes_month or power_kwh_month used in a month counts as lived in; 5.2.8 the period must
cover min_months.

States: applied → confirmed or refused; confirmed → occupied (an inspection found it lived in)
or ended; applied → ended (the owner withdrew). A vacancy's `end` is the day it stops counting
for fees: a fee month counts as vacant when its first day lies in [start, end). When it is found
lived in, or ended early, `end` is brought forward to that day (the applied end stays in the audit
log).

Only masked ID numbers are kept (as for release slips).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from deskapp.clock import Clock
from deskapp.domain.registers import RefusedRule, lived_in, vacancy_period_ok
from deskapp.domain.roles import Action
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.auth import authorise
from deskapp.services.identity import masked_id, one_line
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import Staff, Unit, Vacancy, VacancyInspection

RECORD = "vacancy"
INSPECTION = "vacancy_inspection"

APPLIED, CONFIRMED, REFUSED, OCCUPIED, ENDED = "applied", "confirmed", "refused", "occupied", "ended"
OPEN = (APPLIED, CONFIRMED)
SHOWS = ("open", "all")
MONTH_DAYS = 30
"""A meter reading more than this many days after the previous one is pro-rated to a month."""


@dataclass(frozen=True)
class VacancyView:
    id: int
    unit: str
    owner: str
    start: date
    end: date
    reason: str
    state: str
    applied_at: datetime
    decided_by: str  # the supervisor's name, or ""
    refused_reason: str
    last_inspection: datetime | None
    next_inspection: datetime | None  # only for a confirmed vacancy
    expires_in_days: int  # from today (the site's local date); negative once past


@dataclass(frozen=True)
class InspectionResult:
    id: int
    lived_in: bool
    water_used: float | None  # since the unit's previous reading; None for the first
    power_used: float | None
    vacancy_id: int | None  # the confirmed vacancy it was inspected for, if any


# -- reading ---------------------------------------------------------------------------------------


def _unit(session: Session, unit_code: str) -> Unit:
    code = unit_code.strip()
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise FieldError("unit", "vacancy.unknown_unit", unit=code or "—")
    return unit


def _views(session: Session, clock: Clock, policy: Policy, where: list, limit: int | None = None) -> list[VacancyView]:
    decider = aliased(Staff)
    rows = session.exec(
        select(Vacancy, Unit.code, decider.name)
        .join(Unit, Unit.id == Vacancy.unit_id)
        .join(decider, decider.id == Vacancy.decided_by_id, isouter=True)
        .where(*where)
        .order_by(Vacancy.id.desc())
        .limit(limit)
    ).all()
    ids = [v.id for v, _, _ in rows]
    last = dict(session.exec(
        select(VacancyInspection.vacancy_id, func.max(VacancyInspection.at))
        .where(VacancyInspection.vacancy_id.in_(ids)).group_by(VacancyInspection.vacancy_id)
    ).all()) if ids else {}
    tz = policy.timezone
    today = clock.now().astimezone(tz).date()
    every = policy.duration("vacancy.inspect_days")
    views = []
    for vacancy, code, decided_by in rows:
        latest = last.get(vacancy.id)
        following = None
        if vacancy.state == CONFIRMED:
            since = latest or datetime.combine(vacancy.start, time(), tzinfo=tz)
            following = since + every
        views.append(VacancyView(
            vacancy.id, code, vacancy.owner, vacancy.start, vacancy.end, vacancy.reason, vacancy.state,
            vacancy.applied_at, decided_by or "", vacancy.refused_reason, latest, following, (vacancy.end - today).days,
        ))
    return views


def _shown(show: str) -> list:
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    return [Vacancy.state.in_(OPEN)] if show == "open" else []


def list_vacancies(store: Store, clock: Clock, policy: Policy, *, show: str = "open", search: str = "",
                   limit: int | None = None) -> list[VacancyView]:
    """The applications and vacancies, newest first: "open" (applied or confirmed) or "all";
    `search` matches the unit's code or the owner; the newest `limit` of them."""
    where = _shown(show)
    text = search.strip()
    if text:
        where.append(Unit.code.contains(text, autoescape=True) | Vacancy.owner.contains(text, autoescape=True))
    with store.read() as session:
        return _views(session, clock, policy, where, limit)


def count_vacancies(store: Store, *, show: str = "open") -> int:
    """How many `list_vacancies` lists with no search and no limit: counted in the store."""
    with store.read() as session:
        return session.exec(select(func.count(Vacancy.id)).where(*_shown(show))).one()


def get(store: Store, clock: Clock, policy: Policy, vacancy_id: int) -> VacancyView:
    with store.read() as session:
        found = _views(session, clock, policy, [Vacancy.id == vacancy_id])
    if not found:
        raise DeskappError("vacancy.not_found", id=vacancy_id)
    return found[0]


def inspections_due(store: Store, clock: Clock, policy: Policy) -> list[VacancyView]:
    """Confirmed vacancies whose monthly inspection falls due within a day (or is past), due first.
    The store picks them: the last inspection (or the start's midnight) at least inspect_days
    before that moment."""
    soon = clock.now() + timedelta(days=1)
    since = soon - policy.duration("vacancy.inspect_days")
    last = (select(func.max(VacancyInspection.at)).where(VacancyInspection.vacancy_id == Vacancy.id)
            .correlate(Vacancy).scalar_subquery())
    due = Vacancy.state == CONFIRMED, (
        (last.is_not(None) & (last <= since)) | (last.is_(None) & (Vacancy.start <= since.astimezone(policy.timezone).date()))
    )
    with store.read() as session:
        views = _views(session, clock, policy, list(due))
    due_views = [v for v in views if v.next_inspection is not None and v.next_inspection <= soon]
    return sorted(due_views, key=lambda v: (v.next_inspection, v.id))


def expiring(store: Store, clock: Clock, policy: Policy) -> list[VacancyView]:
    """Confirmed vacancies ending within vacancy.expiry_notice_days (or past their end), newest
    first: to remind the owner (Today, the handover)."""
    today = clock.now().astimezone(policy.timezone).date()
    last = today + timedelta(days=int(policy.number("vacancy.expiry_notice_days")))
    with store.read() as session:
        return _views(session, clock, policy, [Vacancy.state == CONFIRMED, Vacancy.end <= last])


def _unsold_uninspected(clock: Clock, policy: Policy):
    since = clock.now() - policy.duration("vacancy.inspect_days")
    recent = select(VacancyInspection.unit_id).where(VacancyInspection.at >= since)
    return Unit.vacant, Unit.id.not_in(recent)


def unsold_uninspected(store: Store, clock: Clock, policy: Policy) -> list[str]:
    """Units not yet sold (or empty since hand-over: `Unit.vacant`) with no inspection within the
    policy's period — 5.1.1 "客户服务员每月一次对空置房屋进行检查". Their codes, in order."""
    with store.read() as session:
        return list(session.exec(select(Unit.code).where(*_unsold_uninspected(clock, policy)).order_by(Unit.code)).all())


def count_unsold_uninspected(store: Store, clock: Clock, policy: Policy) -> tuple[int, str]:
    """How many `unsold_uninspected` lists, and the first of them ("" for none): counted in the store."""
    where = _unsold_uninspected(clock, policy)
    with store.read() as session:
        count = session.exec(select(func.count(Unit.id)).where(*where)).one()
        first = session.exec(select(Unit.code).where(*where).order_by(Unit.code).limit(1)).first() if count else None
    return count, first or ""


def vacant_periods(session: Session, unit_id: int) -> list[tuple[date, date]]:
    """The unit's vacant periods for the fee account, (start, end) with `end` excluded: confirmed
    vacancies, and those found lived in or ended after confirmation (their `end` brought forward to
    that day). Applications not (yet) confirmed and refused ones count for nothing."""
    rows = session.exec(
        select(Vacancy.start, Vacancy.end).where(
            Vacancy.unit_id == unit_id, Vacancy.state.in_((CONFIRMED, OCCUPIED, ENDED)), Vacancy.decided_at.is_not(None),
        ).order_by(Vacancy.start)
    ).all()
    return [(start, end) for start, end in rows if end > start]


def _previous(session: Session, unit_id: int, column) -> tuple[float, datetime] | None:
    """The unit's latest meter reading in `column`, with its time."""
    row = session.exec(
        select(column, VacancyInspection.at).where(VacancyInspection.unit_id == unit_id, column.is_not(None))
        .order_by(VacancyInspection.at.desc(), VacancyInspection.id.desc())
    ).first()
    return (row[0], row[1]) if row else None


# -- changing ---------------------------------------------------------------------------------------


def _load(session: Session, vacancy_id: int) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise DeskappError("vacancy.not_found", id=vacancy_id)
    return vacancy


def apply(
    store: Store, clock: Clock, policy: Policy, staff_id: int, *, unit_code: str, owner: str, id_type: str, id_no: str,
    start: date, end: date, reason: str, notice_given: bool, today: date,
) -> int:
    """An owner's application (5.2.1): the unit, the owner with their ID (only the masked number is
    kept), the period (at least vacancy.min_months, not starting before today) and the reason; the
    clerk has told them what vacancy means (5.2.2). Refused at the field, nothing saved, when any
    of it is missing or wrong, or when it overlaps another application or vacancy of the unit."""
    owner = one_line(owner)
    reason = one_line(reason)
    with store.session() as session:
        unit = _unit(session, unit_code)
        if not owner:
            raise FieldError("owner", "vacancy.owner_required")
        masked = masked_id(id_type, id_no, today)
        try:
            vacancy_period_ok(start, end, int(policy.number("vacancy.min_months")))
        except RefusedRule as e:
            raise FieldError(e.field, e.key, **e.params) from None
        if start < today:
            raise FieldError("start", "vacancy.start_past")
        if not reason:
            raise FieldError("reason", "vacancy.reason_required")
        if not notice_given:
            raise FieldError("notice", "vacancy.notice_required")
        other = session.exec(
            select(Vacancy).where(Vacancy.unit_id == unit.id, Vacancy.state.in_(OPEN), Vacancy.start < end, Vacancy.end > start)
        ).first()
        if other is not None:
            raise FieldError("start", "vacancy.overlaps", start=other.start.isoformat(), end=other.end.isoformat())
        vacancy = Vacancy(
            unit_id=unit.id, owner=owner[:64], id_type=id_type, id_masked=masked, start=start, end=end,
            reason=reason[:200], notice_given=True, state=APPLIED, applied_at=clock.now(), applied_by_id=staff_id,
        )
        session.add(vacancy)
        session.flush()
        audit.record(session, clock, "vacancy.applied", actor_id=staff_id, entity=RECORD, entity_id=vacancy.id,
                     unit=unit.code, start=start, end=end, id_type=id_type)
        return vacancy.id


def _applied(session: Session, vacancy_id: int) -> Vacancy:
    vacancy = _load(session, vacancy_id)
    if vacancy.state != APPLIED:
        raise DeskappError("vacancy.not_applied", state=vacancy.state)
    return vacancy


def confirm(store: Store, clock: Clock, policy: Policy, vacancy_id: int, supervisor_code: str, pin: str) -> None:
    """The CS supervisor (or the director: domain.roles) signs the application (5.2.3) with their
    code and PIN."""
    who = authorise(store, clock, policy, supervisor_code, pin, Action.DECIDE_VACANCY)
    with store.session() as session:
        vacancy = _applied(session, vacancy_id)
        vacancy.state, vacancy.decided_at, vacancy.decided_by_id = CONFIRMED, clock.now(), who.staff_id
        audit.record(session, clock, "vacancy.confirmed", actor_id=who.staff_id, entity=RECORD, entity_id=vacancy_id)


def refuse(store: Store, clock: Clock, policy: Policy, vacancy_id: int, supervisor_code: str, pin: str, reason: str) -> None:
    """The CS supervisor (or the director: domain.roles) refuses the application, giving a reason."""
    reason = one_line(reason)
    if not reason:
        raise FieldError("reason", "vacancy.refusal_reason_required")
    who = authorise(store, clock, policy, supervisor_code, pin, Action.DECIDE_VACANCY)
    with store.session() as session:
        vacancy = _applied(session, vacancy_id)
        vacancy.state, vacancy.decided_at, vacancy.decided_by_id = REFUSED, clock.now(), who.staff_id
        vacancy.refused_reason = reason[:200]
        audit.record(session, clock, "vacancy.refused", actor_id=who.staff_id, entity=RECORD, entity_id=vacancy_id,
                     reason=reason)


def _reading(value: float, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, "vacancy.bad_reading")
    try:
        reading = float(value)
    except OverflowError:  # an int beyond any float: no meter reads that
        raise FieldError(field, "vacancy.bad_reading") from None
    if not math.isfinite(reading) or reading < 0:
        raise FieldError(field, "vacancy.bad_reading")
    return reading


def _used(session: Session, unit_id: int, column, reading: float, field: str, now: datetime) -> tuple[float | None, float | None]:
    """(use since the previous reading, that use over a month) — None, None for the first reading."""
    previous = _previous(session, unit_id, column)
    if previous is None:
        return None, None
    value, at = previous
    if reading < value:
        raise FieldError(field, "vacancy.reading_below", previous=f"{value:g}")
    used = round(reading - value, 3)
    days = (now - at).total_seconds() / 86400
    return used, (used * MONTH_DAYS / days if days > MONTH_DAYS else used)


def inspect(
    store: Store, clock: Clock, policy: Policy, staff_id: int, unit_code: str, *, water_reading: float,
    power_reading: float, facilities_ok: bool = True, clean_ok: bool = True, cracks_or_leaks: bool = False,
    after_storm: bool = False, note: str = "",
) -> InspectionResult:
    """An inspection of a vacant or unsold unit (5.1, 5.3) with the meters read. The use is the
    reading less the unit's previous one (none for the first; a reading below it is refused); over
    a month — use over more than MONTH_DAYS days is pro-rated — more than the limits counts as lived
    in (5.2.6), and the unit's confirmed vacancy becomes "occupied" from today."""
    now = clock.now()
    today = now.astimezone(policy.timezone).date()
    with store.session() as session:
        unit = _unit(session, unit_code)
        water = _reading(water_reading, "water_reading")
        power = _reading(power_reading, "power_reading")
        water_used, water_month = _used(session, unit.id, VacancyInspection.water_reading, water, "water_reading", now)
        power_used, power_month = _used(session, unit.id, VacancyInspection.power_reading, power, "power_reading", now)
        found = lived_in(water_month or 0.0, power_month or 0.0, float(policy.number("vacancy.water_tonnes_month")),
                         float(policy.number("vacancy.power_kwh_month")))
        vacancy = session.exec(
            select(Vacancy).where(Vacancy.unit_id == unit.id, Vacancy.state == CONFIRMED, Vacancy.start <= today)
            .order_by(Vacancy.start.desc())
        ).first()
        row = VacancyInspection(
            unit_id=unit.id, vacancy_id=vacancy.id if vacancy else None, at=now, by_id=staff_id, after_storm=after_storm,
            facilities_ok=facilities_ok, clean_ok=clean_ok, cracks_or_leaks=cracks_or_leaks, water_reading=water,
            power_reading=power, water_used=water_used, power_used=power_used, lived_in=found, note=note.strip()[:400],
        )
        session.add(row)
        session.flush()
        audit.record(session, clock, "vacancy.inspected", actor_id=staff_id, entity=INSPECTION, entity_id=row.id,
                     unit=unit.code, vacancy=row.vacancy_id, water_used=water_used, power_used=power_used, lived_in=found,
                     after_storm=after_storm)
        if found and vacancy is not None:
            applied_end = vacancy.end
            vacancy.state = OCCUPIED
            vacancy.end = max(vacancy.start, min(vacancy.end, today))
            audit.record(session, clock, "vacancy.occupied", actor_id=staff_id, entity=RECORD, entity_id=vacancy.id,
                         inspection=row.id, applied_end=applied_end, end=vacancy.end)
        return InspectionResult(row.id, found, water_used, power_used, row.vacancy_id)


def end_vacancy(store: Store, clock: Clock, staff_id: int, vacancy_id: int, *, today: date | None = None) -> None:
    """The vacancy ends (the owner moves in, or withdraws the application): state "ended". Ended
    before its end, it counts for fees until `today` (the site's local date; the clock's UTC date
    when not given)."""
    today = today or clock.now().date()
    with store.session() as session:
        vacancy = _load(session, vacancy_id)
        if vacancy.state not in (APPLIED, CONFIRMED, OCCUPIED):
            raise DeskappError("vacancy.not_open", state=vacancy.state)
        applied_end, previous = vacancy.end, vacancy.state
        vacancy.state = ENDED
        if previous == CONFIRMED:
            vacancy.end = max(vacancy.start, min(vacancy.end, today))
        audit.record(session, clock, "vacancy.ended", actor_id=staff_id, entity=RECORD, entity_id=vacancy_id,
                     previous=previous, applied_end=applied_end, end=vacancy.end)
