"""The daily report (客服中心日报表, seed 001) and its range form, counted in the store.

Every figure is an SQL aggregate over the local day (or days) of the site; nothing loads the
records themselves into Python — a median is read as the middle row of an ordered query. The
report is a list of tables with stable ids (the column ids are the JSON keys); the renderers in
`deskapp.report_formats` turn it into a terminal table, CSV, XLSX, Markdown or JSON.

A report of an empty day is a report full of zeros. Phones in the detail lists are masked unless
the report is asked `unmasked_by` the code and PIN of someone allowed to export them
(domain.roles: the CS supervisor or the director), checked and audited here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain.roles import Action
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.auth import Credentials, authorise
from deskapp.store.engine import Store
from deskapp.store.tables import (
    AuditEvent,
    Call,
    CallState,
    Escalation,
    Feedback,
    FeedbackEvent,
    FoundItem,
    Handover,
    HandoverState,
    KeyCheck,
    KeyLoan,
    Promise,
    ReleaseRequest,
    Renovation,
    RenovationPatrol,
    Staff,
    Unit,
    Vacancy,
    VacancyInspection,
    Visit,
    WorkOrder,
    WorkOrderEvent,
)

Value = str | int | float | None


@dataclass
class Table:
    """One section: `columns` are ids (JSON keys; the UI language labels them), `rows` values."""

    id: str
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass
class Report:
    kind: str  # daily / range
    start: date
    end: date  # inclusive
    site: str
    generated_at: datetime
    masked: bool
    tables: list[Table]

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)


# -- dates -------------------------------------------------------------------------------------------

_WORDS = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1, "前天": 2, "tomorrow": -1, "明天": -1}


def parse_day(text: str, today: date) -> date:
    """A day as a clerk or supervisor types it: 2026-11-24, 2026/11/24, 11-24, today, yesterday,
    今天, 昨天, 前天, -3 (three days ago). Refused: malformed, or after today."""
    word = text.strip().lower()
    if word in _WORDS:
        day = today - timedelta(days=_WORDS[word])
    elif word.startswith("-") and word[1:].isdigit():
        try:
            day = today - timedelta(days=int(word[1:]))
        except (OverflowError, ValueError):
            raise DeskappError("report.bad_date", value=text.strip()) from None
    else:
        from dateutil import parser

        try:
            day = parser.parse(word, default=datetime.combine(today, time()), yearfirst=True).date()
        except (ValueError, OverflowError):
            raise DeskappError("report.bad_date", value=text.strip()) from None
    if day > today:
        raise DeskappError("report.future_date", value=day.isoformat())
    return day


def _window(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `start` to the end of `end`, local days of the site."""
    begin = datetime.combine(start, time(), tzinfo=tz).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return begin, finish


# -- SQL pieces --------------------------------------------------------------------------------------


def _seconds(session: Session, later, earlier):
    """later − earlier in seconds, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def _in(column, window: tuple[datetime, datetime]):
    return and_(column >= window[0], column < window[1])


def _count(session: Session, *where) -> int:
    return int(session.exec(select(func.count()).where(*where)).one() or 0)


def _count_of(session: Session, model, *where) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one() or 0)


def _median(session: Session, expr, *where) -> float | None:
    """The middle value (the lower of the two middles for an even count), read from the store."""
    n = int(session.exec(select(func.count()).where(*where)).one() or 0)
    if not n:
        return None
    return float(session.exec(select(expr).where(*where).order_by(expr).offset((n - 1) // 2).limit(1)).one())


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _round(value, digits: int = 0) -> float | int | None:
    if value is None:
        return None
    return round(float(value)) if digits == 0 else round(float(value), digits)


def mask_phone(phone: str) -> str:
    """138****5678: enough for the clerk to recognise, not to dial."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


# -- the sections ------------------------------------------------------------------------------------


def _visits(session: Session, policy: Policy, w) -> list[Table]:
    wait = _seconds(session, Visit.service_started_at, Visit.arrived_at)
    day = _in(Visit.arrived_at, w)
    purposes = [p for p in session.exec(select(Visit.purpose).where(day).group_by(Visit.purpose).order_by(Visit.purpose)).all()]
    table = Table("visits", ("purpose", "visits", "served", "left_unserved", "wait_median_s", "wait_longest_s", "satisfaction"))
    for purpose in [*purposes, None]:
        where = [day] if purpose is None else [day, Visit.purpose == purpose]
        served = [*where, Visit.service_started_at.is_not(None)]
        row = session.exec(select(func.count(), func.max(wait), func.avg(Visit.satisfaction)).where(*where)).one()
        table.rows.append((
            "total" if purpose is None else (purpose or "unknown"),
            int(row[0] or 0),
            _count(session, *served),
            _count(session, *where, Visit.outcome == "left"),
            _round(_median(session, wait, *served)),
            _round(session.exec(select(func.max(wait)).where(*served)).one()),
            _round(row[2], 2),
        ))
    handoffs = Table("visit_escalations", ("kind", "count"))
    colleague = and_(Escalation.level == "colleague", Escalation.reason == "std2")
    handoffs.rows = [
        ("handed_to_colleague", _count_of(session, Escalation, _in(Escalation.at, w), colleague)),
        ("to_colleague", _count_of(session, Escalation, _in(Escalation.at, w), Escalation.level == "colleague", ~colleague)),
        ("to_supervisor", _count_of(session, Escalation, _in(Escalation.at, w), Escalation.level == "supervisor")),
        ("to_director", _count_of(session, Escalation, _in(Escalation.at, w), Escalation.level == "director")),
    ]
    return [table, handoffs]


def _calls(session: Session, policy: Policy, w) -> Table:
    rang = _in(Call.rang_at, w)
    incoming = [rang, Call.direction == "in"]
    rings = policy.duration("phone.ring_seconds").total_seconds() * int(policy.number("phone.answer_rings"))
    hold_limit = policy.duration("phone.hold_seconds").total_seconds()
    answered = _count_of(session, Call, *incoming, Call.answered_at.is_not(None))
    # Whole seconds: the store's instants make 9 s come out as 8.99999 or 9.00003.
    quick = _count_of(session, Call, *incoming, Call.answered_at.is_not(None),
                      func.round(_seconds(session, Call.answered_at, Call.rang_at)) <= rings)
    callbacks_due = _count_of(session, Promise, Promise.kind == "callback", _in(Promise.due_at, w))
    callbacks_done = _count_of(session, Promise, Promise.kind == "callback", Promise.state == "kept", _in(Promise.closed_at, w))
    return Table("calls", ("metric", "value"), [
        ("in", _count_of(session, Call, *incoming)),
        ("out", _count_of(session, Call, rang, Call.direction == "out")),
        ("answered", answered),
        ("answered_within_rings", quick),
        ("answered_within_rings_pct", _pct(quick, answered)),
        ("held", _count_of(session, Call, rang, Call.holds > 0)),
        ("held_over_limit", _count_of(session, Call, rang, Call.longest_hold_seconds > hold_limit)),
        ("missed", _count_of(session, Call, *incoming, Call.state == CallState.MISSED)),
        ("missed_returned", _count_of(session, Call, *incoming, Call.state == CallState.MISSED, Call.returned_by_call_id.is_not(None))),
        ("callbacks_due", callbacks_due),
        ("callbacks_done", callbacks_done),
    ])


def _repairs(session: Session, policy: Policy, w) -> Table:
    table = Table("repairs", ("area", "new", "done", "closed", "open", "overdue", "arrived", "arrived_on_time",
                              "arrived_on_time_pct", "reviewed", "reviewed_on_time", "reviewed_on_time_pct",
                              "satisfaction", "callbacks", "callbacks_failed", "referred"))
    end = w[1]
    for area in ("household", "public", None):
        where = [] if area is None else [WorkOrder.area == area]
        arrived = _count_of(session, WorkOrder, *where, _in(WorkOrder.arrived_at, w))
        arrived_ok = _count_of(session, WorkOrder, *where, _in(WorkOrder.arrived_at, w), ~WorkOrder.arrived_late)
        reviewed = _count_of(session, WorkOrder, *where, _in(WorkOrder.review_ended_at, w))
        reviewed_ok = _count_of(session, WorkOrder, *where, _in(WorkOrder.review_ended_at, w), ~WorkOrder.review_late)
        open_at_end = [*where, WorkOrder.received_at < end, WorkOrder.state != "referred",
                       or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at >= end)]
        overdue = [*open_at_end, WorkOrder.promised_at < end, or_(WorkOrder.arrived_at.is_(None), WorkOrder.arrived_at >= end)]
        callbacks = (select(func.count()).select_from(WorkOrderEvent).join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
                     .where(*where, _in(WorkOrderEvent.at, w)))
        table.rows.append((
            area or "total",
            _count_of(session, WorkOrder, *where, _in(WorkOrder.received_at, w)),
            _count_of(session, WorkOrder, *where, _in(WorkOrder.done_at, w)),
            _count_of(session, WorkOrder, *where, _in(WorkOrder.closed_at, w)),
            _count_of(session, WorkOrder, *open_at_end),
            _count_of(session, WorkOrder, *overdue),
            arrived, arrived_ok, _pct(arrived_ok, arrived),
            reviewed, reviewed_ok, _pct(reviewed_ok, reviewed),
            _round(session.exec(select(func.avg(WorkOrder.satisfaction)).where(*where, _in(WorkOrder.signed_at, w))).one(), 2),
            int(session.exec(callbacks.where(WorkOrderEvent.action.in_(["callback_ok", "callback_failed"]))).one() or 0),
            int(session.exec(callbacks.where(WorkOrderEvent.action == "callback_failed")).one() or 0),
            _count_of(session, WorkOrder, *where, _in(WorkOrder.received_at, w), WorkOrder.state == "referred"),
        ))
    return table


def _complaints(session: Session, policy: Policy, w) -> list[Table]:
    received = _in(Feedback.received_at, w)
    by = Table("complaints", ("kind", "category", "severity", "received"))
    rows = session.exec(
        select(Feedback.kind, Feedback.category, Feedback.severity, func.count())
        .where(received, Feedback.state != "invalid").group_by(Feedback.kind, Feedback.category, Feedback.severity)
        .order_by(Feedback.kind, Feedback.category, Feedback.severity)
    ).all()
    by.rows = [(k, c or "unclassified", s or "unclassified", int(n)) for k, c, s, n in rows]
    general = policy.duration("feedback.reply_general_hours").total_seconds()
    major = policy.duration("feedback.reply_major_hours").total_seconds()
    limit = case((Feedback.severity == "major", major), else_=general)
    answered = [_in(Feedback.answered_at, w), Feedback.accepted_at.is_not(None)]
    on_time = _count_of(session, Feedback, *answered, _seconds(session, Feedback.answered_at, Feedback.accepted_at) <= limit)
    total = _count_of(session, Feedback, *answered)
    summary = Table("complaints_summary", ("metric", "value"), [
        ("received", _count_of(session, Feedback, received)),
        ("invalid", _count_of(session, Feedback, received, Feedback.state == "invalid")),
        ("major", _count_of(session, Feedback, received, Feedback.severity == "major")),
        ("escalated", _count_of(session, Feedback, _in(Feedback.escalated_at, w))),
        ("answered", total),
        ("answered_on_time", on_time),
        ("answered_late", total - on_time),
        ("closed", _count_of(session, Feedback, _in(Feedback.closed_at, w))),
        ("reopened", _count_of(session, FeedbackEvent, _in(FeedbackEvent.at, w), FeedbackEvent.action == "callback_failed")),
    ])
    return [summary, by]


def _releases(session: Session, policy: Policy, w) -> Table:
    return Table("releases", ("metric", "value"), [
        ("requests", _count_of(session, ReleaseRequest, _in(ReleaseRequest.created_at, w))),
        ("issued", _count_of(session, ReleaseRequest, _in(ReleaseRequest.issued_at, w))),
        ("refused", _count_of(session, ReleaseRequest, _in(ReleaseRequest.created_at, w), ReleaseRequest.outcome == "refused")),
        ("pending_owner", _count_of(session, ReleaseRequest, _in(ReleaseRequest.created_at, w), ReleaseRequest.outcome == "pending")),
        ("void", _count_of(session, ReleaseRequest, _in(ReleaseRequest.voided_at, w))),
        ("checked_by_guard", _count_of(session, ReleaseRequest, _in(ReleaseRequest.checked_at, w))),
        ("director_notified", _count_of(session, ReleaseRequest, _in(ReleaseRequest.created_at, w), ReleaseRequest.director_notified)),
    ])


def _promises(session: Session, policy: Policy, w) -> Table:
    handed = _count_of(session, AuditEvent, _in(AuditEvent.at, w), AuditEvent.action == "ownership.handed_over",
                       AuditEvent.entity == "promise")
    return Table("promises", ("metric", "value"), [
        ("made", _count_of(session, Promise, _in(Promise.created_at, w))),
        ("kept", _count_of(session, Promise, _in(Promise.closed_at, w), Promise.state == "kept")),
        ("broken", _count_of(session, Promise, _in(Promise.closed_at, w), Promise.state == "broken")),
        ("withdrawn", _count_of(session, Promise, _in(Promise.closed_at, w), Promise.state == "cancelled")),
        ("handed_over", handed),
        ("past_due_open_at_end", _count_of(session, Promise, Promise.created_at < w[1], Promise.due_at < w[1],
                                          or_(Promise.closed_at.is_(None), Promise.closed_at >= w[1]))),
        ("handovers_done", _count_of(session, Handover, _in(Handover.completed_at, w), Handover.state == HandoverState.DONE)),
    ])


def _registers(session: Session, w) -> Table:
    """The counter's registers: keys, lost and found, vacant units, renovation supervision."""
    end = w[1]
    loan = [KeyLoan.kind == "loan"]
    out_at_end = [*loan, KeyLoan.lent_at < end, or_(KeyLoan.returned_at.is_(None), KeyLoan.returned_at >= end)]
    return Table("registers", ("metric", "value"), [
        ("keys_lent", _count_of(session, KeyLoan, *loan, _in(KeyLoan.lent_at, w))),
        ("keys_returned", _count_of(session, KeyLoan, *loan, _in(KeyLoan.returned_at, w))),
        ("keys_out_at_end", _count_of(session, KeyLoan, *out_at_end)),
        ("keys_overdue_at_end", _count_of(session, KeyLoan, *out_at_end, KeyLoan.due_at < end)),
        ("keys_checks", _count_of(session, KeyCheck, _in(KeyCheck.at, w))),
        ("found_registered", _count_of(session, FoundItem, _in(FoundItem.registered_at, w))),
        ("found_claimed", _count_of(session, FoundItem, _in(FoundItem.claimed_at, w))),
        ("found_disposed", _count_of(session, FoundItem, _in(FoundItem.disposed_at, w))),
        ("found_held_at_end", _count_of(session, FoundItem, FoundItem.registered_at < end,
                                        or_(FoundItem.claimed_at.is_(None), FoundItem.claimed_at >= end),
                                        or_(FoundItem.disposed_at.is_(None), FoundItem.disposed_at >= end))),
        ("vacancy_applications", _count_of(session, Vacancy, _in(Vacancy.applied_at, w))),
        ("vacancies_confirmed", _count_of(session, Vacancy, _in(Vacancy.decided_at, w), Vacancy.state != "refused")),
        ("vacancies_refused", _count_of(session, Vacancy, _in(Vacancy.decided_at, w), Vacancy.state == "refused")),
        ("vacancy_inspections", _count_of(session, VacancyInspection, _in(VacancyInspection.at, w))),
        ("vacancy_found_lived_in", _count_of(session, VacancyInspection, _in(VacancyInspection.at, w), VacancyInspection.lived_in)),
        ("renovations_opened", _count_of(session, Renovation, _in(Renovation.opened_at, w))),
        ("renovation_patrols", _count_of(session, RenovationPatrol, _in(RenovationPatrol.at, w))),
        ("renovation_violations", _count_of(session, RenovationPatrol, _in(RenovationPatrol.at, w), ~RenovationPatrol.ok)),
        ("deposits_refunded", _count_of(session, Renovation, _in(Renovation.refunded_at, w))),
    ])


def _by_clerk(session: Session, w) -> Table:
    """Per clerk: what they did in the window, each a grouped count."""
    table = Table("by_clerk", ("clerk", "visits_served", "calls_answered", "repairs_taken", "complaints_taken",
                               "slips_issued", "promises_made", "promises_kept", "promises_broken"))
    counts: dict[int, list[int]] = {}

    def add(col: int, rows) -> None:
        for staff_id, n in rows:
            if staff_id is not None:
                counts.setdefault(staff_id, [0] * 8)[col] += int(n)

    add(0, session.exec(select(Visit.served_by_id, func.count()).where(_in(Visit.service_started_at, w)).group_by(Visit.served_by_id)).all())
    add(1, session.exec(select(Call.answered_by_id, func.count()).where(_in(Call.answered_at, w), Call.direction == "in")
                        .group_by(Call.answered_by_id)).all())
    add(2, session.exec(select(WorkOrder.received_by_id, func.count()).where(_in(WorkOrder.received_at, w)).group_by(WorkOrder.received_by_id)).all())
    add(3, session.exec(select(Feedback.received_by_id, func.count()).where(_in(Feedback.received_at, w)).group_by(Feedback.received_by_id)).all())
    add(4, session.exec(select(ReleaseRequest.created_by_id, func.count()).where(_in(ReleaseRequest.issued_at, w)).group_by(ReleaseRequest.created_by_id)).all())
    add(5, session.exec(select(Promise.created_by_id, func.count()).where(_in(Promise.created_at, w)).group_by(Promise.created_by_id)).all())
    for col, state in ((6, "kept"), (7, "broken")):
        add(col, session.exec(select(Promise.owner_id, func.count()).where(_in(Promise.closed_at, w), Promise.state == state)
                              .group_by(Promise.owner_id)).all())
    names = dict(session.exec(select(Staff.id, Staff.name).where(Staff.id.in_(list(counts)))).all()) if counts else {}
    table.rows = [(names.get(staff_id, str(staff_id)), *values) for staff_id, values in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))]
    return table


def _details(session: Session, w, tz: tzinfo, masked: bool) -> list[Table]:
    """Who is waiting on us: promises broken and missed calls not returned (phones masked)."""
    shown = mask_phone if masked else (lambda p: p)
    owner = aliased(Staff)
    broken = session.exec(
        select(Promise.kind, Promise.customer, Promise.phone, Unit.code, Promise.due_at, owner.name)
        .outerjoin(Unit, Unit.id == Promise.unit_id).join(owner, owner.id == Promise.owner_id)
        .where(_in(Promise.closed_at, w), Promise.state == "broken").order_by(Promise.due_at).limit(200)
    ).all()
    missed = session.exec(
        select(Call.number, Unit.code, Call.rang_at)
        .outerjoin(Unit, Unit.id == Call.unit_id)
        .where(_in(Call.rang_at, w), Call.state == CallState.MISSED, Call.returned_by_call_id.is_(None))
        .order_by(Call.rang_at).limit(200)
    ).all()
    local = lambda at: at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else None  # noqa: E731
    return [
        Table("broken_promises", ("kind", "customer", "phone", "unit", "due", "owner"),
              [(k, c, shown(p) if p else "", u or "", local(d), o) for k, c, p, u, d, o in broken]),
        Table("missed_not_returned", ("phone", "unit", "rang"), [(shown(n), u or "", local(r)) for n, u, r in missed]),
    ]


def _summary(tables: dict[str, Table]) -> Table:
    """The figures a supervisor looks at first."""
    visits = tables["visits"].rows[-1]
    calls = dict(tables["calls"].rows)
    repairs = {r[0]: r for r in tables["repairs"].rows}
    complaints = dict(tables["complaints_summary"].rows)
    releases = dict(tables["releases"].rows)
    promises = dict(tables["promises"].rows)
    return Table("summary", ("metric", "value"), [
        ("visits", visits[1]),
        ("visit_wait_median_s", visits[4]),
        ("calls_in", calls["in"]),
        ("answered_within_rings_pct", calls["answered_within_rings_pct"]),
        ("calls_missed", calls["missed"]),
        ("repairs_household_new", repairs["household"][1]),
        ("repairs_public_new", repairs["public"][1]),
        ("repairs_done", repairs["total"][2]),
        ("repairs_open", repairs["total"][4]),
        ("repairs_overdue", repairs["total"][5]),
        ("complaints_received", complaints["received"]),
        ("complaints_answered_late", complaints["answered_late"]),
        ("slips_issued", releases["issued"]),
        ("promises_made", promises["made"]),
        ("promises_kept", promises["kept"]),
        ("promises_broken", promises["broken"]),
        ("handovers_done", promises["handovers_done"]),
        ("keys_overdue_at_end", dict(tables["registers"].rows)["keys_overdue_at_end"]),
    ])


def _tables(session: Session, policy: Policy, w, masked: bool) -> list[Table]:
    tables = [*_visits(session, policy, w), _calls(session, policy, w), _repairs(session, policy, w),
              *_complaints(session, policy, w), _releases(session, policy, w), _promises(session, policy, w),
              _registers(session, w), _by_clerk(session, w), *_details(session, w, policy.timezone, masked)]
    by_id = {t.id: t for t in tables}
    return [_summary(by_id), *tables]


DAY_COLUMNS = ("date", "visits", "calls_in", "calls_missed", "repairs_new", "repairs_done", "complaints", "slips_issued",
               "promises_made", "promises_broken", "handovers")


def _day_row(session: Session, day: date, tz: tzinfo) -> tuple[Value, ...]:
    w = _window(day, day, tz)
    return (
        day.isoformat(),
        _count_of(session, Visit, _in(Visit.arrived_at, w)),
        _count_of(session, Call, _in(Call.rang_at, w), Call.direction == "in"),
        _count_of(session, Call, _in(Call.rang_at, w), Call.direction == "in", Call.state == CallState.MISSED),
        _count_of(session, WorkOrder, _in(WorkOrder.received_at, w)),
        _count_of(session, WorkOrder, _in(WorkOrder.done_at, w)),
        _count_of(session, Feedback, _in(Feedback.received_at, w)),
        _count_of(session, ReleaseRequest, _in(ReleaseRequest.issued_at, w)),
        _count_of(session, Promise, _in(Promise.created_at, w)),
        _count_of(session, Promise, _in(Promise.closed_at, w), Promise.state == "broken"),
        _count_of(session, Handover, _in(Handover.completed_at, w), Handover.state == HandoverState.DONE),
    )


def _site(session: Session) -> str:
    from deskapp.store.tables import Setting

    setting = session.get(Setting, "community.site")
    return setting.value if setting else ""


def _masked(store: Store, clock: Clock, policy: Policy, unmasked_by: Credentials | None, kind: str, start: date, end: date) -> bool:
    """True, unless someone allowed to export personal data gave their code and PIN (audited)."""
    if unmasked_by is None:
        return True
    who = authorise(store, clock, policy, unmasked_by.code, unmasked_by.pin, Action.EXPORT_UNMASKED)
    with store.session() as session:
        audit.record(session, clock, "report.unmasked", actor_id=who.staff_id, entity="staff", entity_id=who.staff_id,
                     report=kind, start=start, end=end)
    return False


def daily(store: Store, clock: Clock, policy: Policy, day: date, *, unmasked_by: Credentials | None = None) -> Report:
    masked = _masked(store, clock, policy, unmasked_by, "daily", day, day)
    w = _window(day, day, policy.timezone)
    with store.read() as session:
        return Report("daily", day, day, _site(session), clock.now(), masked, _tables(session, policy, w, masked))


def span(
    store: Store, clock: Clock, policy: Policy, start: date, end: date, *, unmasked_by: Credentials | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Day by day (the `days` table, first after the summary) and the sections over the whole range."""
    if end < start:
        raise DeskappError("report.range_backwards", start=start.isoformat(), end=end.isoformat())
    masked = _masked(store, clock, policy, unmasked_by, "range", start, end)
    days = (end - start).days + 1
    w = _window(start, end, policy.timezone)
    with store.read() as session:
        table = Table("days", DAY_COLUMNS)
        for n in range(days):
            table.rows.append(_day_row(session, start + timedelta(days=n), policy.timezone))
            if progress:
                progress(n + 1, days + 1)
        totals = tuple(sum(row[i] for row in table.rows) for i in range(1, len(DAY_COLUMNS)))
        table.rows.append(("total", *totals))
        tables = _tables(session, policy, w, masked)
        if progress:
            progress(days + 1, days + 1)
        return Report("range", start, end, _site(session), clock.now(), masked, [tables[0], table, *tables[1:]])
