"""The daily report (客服中心日报表, seed 001) and its range form, counted in the store.

Every figure is an SQL aggregate over the local day (or days) of the site; nothing loads the
records themselves into Python — a median is read as the middle row of an ordered query. Each
section is a few grouped counts by one time column (each indexed), in plain SQL on the driver's
connection (`store.rawsql`): a report in a new process imports no SQLAlchemy when the store is a
plain SQLite file. The report is a list of tables with stable ids (the column ids are the JSON
keys); the renderers in `deskapp.report_formats` turn it into a terminal table, CSV, XLSX,
Markdown or JSON.

A report of an empty day is a report full of zeros. Phones in the detail lists are masked unless
the report is asked `unmasked_by` the code and PIN of someone allowed to export them
(domain.roles: the CS supervisor or the director), checked and audited here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from deskapp.errors import DeskappError
from deskapp.store.rawsql import Reader

if TYPE_CHECKING:
    from deskapp.clock import Clock
    from deskapp.policy import Policy
    from deskapp.services.auth import Credentials
    from deskapp.store.engine import Store

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

Window = tuple[datetime, datetime]


class _Counts:
    """The reader with the window's bounds as the store keeps them."""

    def __init__(self, reader: Reader, w: Window) -> None:
        self.r = reader
        self.start, self.end = reader.stamp(w[0]), reader.stamp(w[1])

    def within(self, column: str) -> str:
        """`column` in the window: two parameters, start and end."""
        return f"{column} >= ? AND {column} < ?"

    @property
    def bounds(self) -> tuple[object, object]:
        return self.start, self.end

    def count(self, table: str, column: str, *where: str) -> int:
        """Rows of `table` with `column` in the window that meet every `where`. The conditions are
        counted, not filtered on, so that the window's index is the one the engine reads: given
        `state = 'broken'` as a filter, SQLite read promises by their state index (all of them)."""
        figure = _when(" AND ".join(where)) if where else "count(*)"
        return _int(self.r.value(f"SELECT {figure} FROM {table} WHERE {self.within(column)}", self.bounds))


def _int(value) -> int:
    return int(value or 0)


def _when(condition: str) -> str:
    """SQL: how many rows meet `condition` (0, never NULL, when none do)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _only(condition: str) -> str:
    """SQL: a filter no index can serve, so that the engine reads rows by the window's index (SQLite
    otherwise picks an index on a state: every broken promise ever, to keep one day's)."""
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END) = 1"


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


def _visits(c: _Counts, policy: Policy) -> list[Table]:
    r = c.r
    wait = r.seconds("service_started_at", "arrived_at")
    day = c.within("arrived_at")
    left = _when("outcome = 'left'")
    figures = (f"count(*), count(service_started_at), {left}, "
               f"max(CASE WHEN service_started_at IS NOT NULL THEN {wait} END), avg(satisfaction)")
    by_purpose = r.all(f"SELECT purpose, {figures} FROM visit WHERE {day} GROUP BY purpose ORDER BY purpose", c.bounds)
    total = r.one(f"SELECT {figures} FROM visit WHERE {day}", c.bounds)

    def median(where: str, params: tuple) -> float | None:
        served = f"{day} AND service_started_at IS NOT NULL{where}"
        n = _int(r.value(f"SELECT count(*) FROM visit WHERE {served}", (*c.bounds, *params)))
        if not n:
            return None
        return float(r.value(f"SELECT {wait} FROM visit WHERE {served} ORDER BY {wait} LIMIT 1 OFFSET ?",
                             (*c.bounds, *params, (n - 1) // 2)))

    table = Table("visits", ("purpose", "visits", "served", "left_unserved", "wait_median_s", "wait_longest_s", "satisfaction"))
    for purpose, *row in [*by_purpose, (None, *total)]:
        where, params = ("", ()) if purpose is None else (" AND purpose = ?", (purpose,))
        visits, served, left, longest, satisfaction = row
        table.rows.append((
            "total" if purpose is None else (purpose or "unknown"),
            _int(visits), _int(served), _int(left),
            _round(median(where, params)), _round(longest), _round(satisfaction, 2),
        ))
    colleague = "level = 'colleague' AND reason = 'std2'"
    levels = ", ".join(_when(condition) for condition in (
        colleague, f"level = 'colleague' AND NOT ({colleague})", "level = 'supervisor'", "level = 'director'"))
    handed, to_colleague, to_supervisor, to_director = r.one(f"SELECT {levels} FROM escalation WHERE {c.within('at')}", c.bounds)
    handoffs = Table("visit_escalations", ("kind", "count"), [
        ("handed_to_colleague", _int(handed)),
        ("to_colleague", _int(to_colleague)),
        ("to_supervisor", _int(to_supervisor)),
        ("to_director", _int(to_director)),
    ])
    return [table, handoffs]


def _closed_promises(c: _Counts) -> dict[tuple[str, str, int], int]:
    """Promises closed in the window: (state, kind, owner) → how many. Calls, promises and the
    by-clerk table all read their closings from this one count."""
    rows = c.r.all(f"SELECT state, kind, owner_id, count(*) FROM promise WHERE {c.within('closed_at')} "
                   "GROUP BY state, kind, owner_id", c.bounds)
    return {(state, kind, owner): _int(n) for state, kind, owner, n in rows}


def _calls(c: _Counts, policy: Policy, closed: dict) -> Table:
    r = c.r
    rings = policy.duration("phone.ring_seconds").total_seconds() * int(policy.number("phone.answer_rings"))
    hold_limit = policy.duration("phone.hold_seconds").total_seconds()
    # Whole seconds: the store's instants make 9 s come out as 8.99999 or 9.00003.
    quick = f"answered_at IS NOT NULL AND round({r.seconds('answered_at', 'rang_at')}) <= ?"
    rows = r.all(
        f"SELECT direction, state, count(*), count(answered_at), {_when(quick)}, {_when('holds > 0')}, "
        f"{_when('longest_hold_seconds > ?')}, {_when('returned_by_call_id IS NOT NULL')} "
        f"FROM call WHERE {c.within('rang_at')} GROUP BY direction, state",
        (rings, hold_limit, *c.bounds),
    )

    def total(column: int, direction: str | None = None, state: str | None = None) -> int:
        return sum(_int(row[column]) for row in rows
                   if (direction is None or row[0] == direction) and (state is None or row[1] == state))

    answered, within = total(3, "in"), total(4, "in")
    callbacks_due = c.count("promise", "due_at", "kind = 'callback'")
    callbacks_done = sum(n for (state, kind, _), n in closed.items() if state == "kept" and kind == "callback")
    return Table("calls", ("metric", "value"), [
        ("in", total(2, "in")),
        ("out", total(2, "out")),
        ("answered", answered),
        ("answered_within_rings", within),
        ("answered_within_rings_pct", _pct(within, answered)),
        ("held", total(5)),
        ("held_over_limit", total(6)),
        ("missed", total(2, "in", "missed")),
        ("missed_returned", total(7, "in", "missed")),
        ("callbacks_due", callbacks_due),
        ("callbacks_done", callbacks_done),
    ])


def _by_area(c: _Counts, figures: str, where: str, params: tuple = ()) -> dict[str, tuple]:
    """Work orders: area → the figures, over the rows `where` says."""
    return {area: tuple(rest) for area, *rest in c.r.all(f"SELECT area, {figures} FROM work_order WHERE {where} GROUP BY area", params)}


def _repairs(c: _Counts, policy: Policy) -> Table:
    table = Table("repairs", ("area", "new", "done", "closed", "open", "overdue", "arrived", "arrived_on_time",
                              "arrived_on_time_pct", "reviewed", "reviewed_on_time", "reviewed_on_time_pct",
                              "satisfaction", "callbacks", "callbacks_failed", "referred"))
    end = c.end
    referred = _when("state = 'referred'")
    received = _by_area(c, f"count(*), {referred}", c.within("received_at"), c.bounds)
    done = _by_area(c, "count(*)", c.within("done_at"), c.bounds)
    closed = _by_area(c, "count(*)", c.within("closed_at"), c.bounds)
    arrived = _by_area(c, f"count(*), {_when('NOT arrived_late')}", c.within("arrived_at"), c.bounds)
    reviewed = _by_area(c, f"count(*), {_when('NOT review_late')}", c.within("review_ended_at"), c.bounds)
    signed = _by_area(c, "sum(satisfaction), count(satisfaction)", c.within("signed_at"), c.bounds)
    # Open at the day's end: not closed yet, or closed after it — two ranges of the closed_at
    # index (an OR of the two reads every order), the rest counted, not filtered on.
    open_then = "received_at < ? AND state != 'referred'"
    figures = f"{_when(open_then)}, {_when(f'{open_then} AND promised_at < ? AND (arrived_at IS NULL OR arrived_at >= ?)')}"
    still_open = [
        _by_area(c, figures, still, (end, end, end, end, *params))
        for still, params in (("closed_at IS NULL", ()), ("closed_at >= ?", (end,)))
    ]
    callbacks = {
        (area, action): _int(n) for area, action, n in c.r.all(
            "SELECT work_order.area, work_order_event.action, count(*) FROM work_order_event "
            "JOIN work_order ON work_order.id = work_order_event.order_id "
            f"WHERE {c.within('work_order_event.at')} AND work_order_event.action IN ('callback_ok', 'callback_failed') "
            "GROUP BY work_order.area, work_order_event.action", c.bounds)
    }
    for area in ("household", "public", None):
        def get(figures: dict, column: int = 0, area: str | None = area) -> int:
            if area is not None:
                return _int(figures.get(area, (0,) * (column + 1))[column])
            return sum(_int(row[column]) for row in figures.values())

        n_arrived, n_arrived_ok = get(arrived), get(arrived, 1)
        n_reviewed, n_reviewed_ok = get(reviewed, 0), get(reviewed, 1)
        rated, ratings = get(signed, 1), sum(_int(row[0]) for a, row in signed.items() if area in (None, a))
        table.rows.append((
            area or "total",
            get(received),
            get(done),
            get(closed),
            sum(get(part) for part in still_open),
            sum(get(part, 1) for part in still_open),
            n_arrived, n_arrived_ok, _pct(n_arrived_ok, n_arrived),
            n_reviewed, n_reviewed_ok, _pct(n_reviewed_ok, n_reviewed),
            _round(ratings / rated, 2) if rated else None,
            sum(n for (a, _), n in callbacks.items() if area in (None, a)),
            sum(n for (a, action), n in callbacks.items() if area in (None, a) and action == "callback_failed"),
            get(received, 1),
        ))
    return table


def _complaints(c: _Counts, policy: Policy) -> list[Table]:
    r = c.r
    received = c.within("received_at")
    by = Table("complaints", ("kind", "category", "severity", "received"))
    rows = r.all(
        f"SELECT kind, category, severity, count(*) FROM feedback WHERE {received} AND state != 'invalid' "
        "GROUP BY kind, category, severity ORDER BY kind, category, severity", c.bounds)
    by.rows = [(k, cat or "unclassified", sev or "unclassified", _int(n)) for k, cat, sev, n in rows]
    general = policy.duration("feedback.reply_general_hours").total_seconds()
    major = policy.duration("feedback.reply_major_hours").total_seconds()
    on_time_sql = f"{r.seconds('answered_at', 'accepted_at')} <= CASE WHEN severity = 'major' THEN ? ELSE ? END"
    total, on_time = (_int(v) for v in r.one(
        f"SELECT count(*), {_when(on_time_sql)} FROM feedback WHERE {c.within('answered_at')} AND accepted_at IS NOT NULL",
        (major, general, *c.bounds)))
    invalid_or_major = ", ".join(_when(condition) for condition in ("state = 'invalid'", "severity = 'major'"))
    n_received, invalid, n_major = (_int(v) for v in r.one(
        f"SELECT count(*), {invalid_or_major} FROM feedback WHERE {received}", c.bounds))
    summary = Table("complaints_summary", ("metric", "value"), [
        ("received", n_received),
        ("invalid", invalid),
        ("major", n_major),
        ("escalated", c.count("feedback", "escalated_at")),
        ("answered", total),
        ("answered_on_time", on_time),
        ("answered_late", total - on_time),
        ("closed", c.count("feedback", "closed_at")),
        ("reopened", c.count("feedback_event", "at", "action = 'callback_failed'")),
    ])
    return [summary, by]


def _releases(c: _Counts) -> Table:
    figures = ", ".join(_when(condition) for condition in ("outcome = 'refused'", "outcome = 'pending'", "director_notified"))
    requests, refused, pending, notified = (_int(v) for v in c.r.one(
        f"SELECT count(*), {figures} FROM release_request WHERE {c.within('created_at')}", c.bounds))
    return Table("releases", ("metric", "value"), [
        ("requests", requests),
        ("issued", c.count("release_request", "issued_at")),
        ("refused", refused),
        ("pending_owner", pending),
        ("void", c.count("release_request", "voided_at")),
        ("checked_by_guard", c.count("release_request", "checked_at")),
        ("director_notified", notified),
    ])


def _promises(c: _Counts, closed: dict) -> Table:
    end = c.end
    # By the (action, at) index: a day has a thousand events or more, one action a few.
    handed = _int(c.r.value(f"SELECT count(*) FROM audit_event WHERE action = 'ownership.handed_over' AND {c.within('at')} "
                            "AND entity = 'promise'", c.bounds))
    # Past due and open at the end: not closed yet, or closed after it — two index ranges.
    past_due = sum(
        _int(c.r.value(f"SELECT {_when('created_at < ? AND due_at < ?')} FROM promise WHERE {still}", (end, end, *params)))
        for still, params in (("closed_at IS NULL", ()), ("closed_at >= ?", (end,)))
    )
    closings = lambda state: sum(n for (s, _, _), n in closed.items() if s == state)
    return Table("promises", ("metric", "value"), [
        ("made", c.count("promise", "created_at")),
        ("kept", closings("kept")),
        ("broken", closings("broken")),
        ("withdrawn", closings("cancelled")),
        ("handed_over", handed),
        ("past_due_open_at_end", past_due),
        ("handovers_done", c.count("handover", "completed_at", "state = 'done'")),
    ])


def _registers(c: _Counts) -> Table:
    """The counter's registers: keys, lost and found, vacant units, renovation supervision."""
    r, end = c.r, c.end
    # Out at the end: not returned yet, or returned after it (two ranges of the returned_at index).
    out_then = "kind = 'loan' AND lent_at < ?"
    figures = f"{_when(out_then)}, {_when(f'{out_then} AND due_at < ?')}"
    out = [r.one(f"SELECT {figures} FROM key_loan WHERE {still}", (end, end, end, *params))
           for still, params in (("returned_at IS NULL", ()), ("returned_at >= ?", (end,)))]
    held = _int(r.value(
        "SELECT count(*) FROM found_item WHERE registered_at < ? AND (claimed_at IS NULL OR claimed_at >= ?) "
        "AND (disposed_at IS NULL OR disposed_at >= ?)", (end, end, end)))
    return Table("registers", ("metric", "value"), [
        ("keys_lent", c.count("key_loan", "lent_at", "kind = 'loan'")),
        ("keys_returned", c.count("key_loan", "returned_at", "kind = 'loan'")),
        ("keys_out_at_end", sum(_int(row[0]) for row in out)),
        ("keys_overdue_at_end", sum(_int(row[1]) for row in out)),
        ("keys_checks", c.count("key_check", "at")),
        ("found_registered", c.count("found_item", "registered_at")),
        ("found_claimed", c.count("found_item", "claimed_at")),
        ("found_disposed", c.count("found_item", "disposed_at")),
        ("found_held_at_end", held),
        ("vacancy_applications", c.count("vacancy", "applied_at")),
        ("vacancies_confirmed", c.count("vacancy", "decided_at", "state != 'refused'")),
        ("vacancies_refused", c.count("vacancy", "decided_at", "state = 'refused'")),
        ("vacancy_inspections", c.count("vacancy_inspection", "at")),
        ("vacancy_found_lived_in", c.count("vacancy_inspection", "at", "lived_in")),
        ("renovations_opened", c.count("renovation", "opened_at")),
        ("renovation_patrols", c.count("renovation_patrol", "at")),
        ("renovation_violations", c.count("renovation_patrol", "at", "NOT ok")),
        ("deposits_refunded", c.count("renovation", "refunded_at")),
    ])


def _by_clerk(c: _Counts, closed: dict) -> Table:
    """Per clerk: what they did in the window, each a grouped count."""
    table = Table("by_clerk", ("clerk", "visits_served", "calls_answered", "repairs_taken", "complaints_taken",
                               "slips_issued", "promises_made", "promises_kept", "promises_broken"))
    counts: dict[int, list[int]] = {}

    def add(col: int, rows) -> None:
        for staff_id, n in rows:
            if staff_id is not None and _int(n):
                counts.setdefault(staff_id, [0] * 8)[col] += _int(n)

    def grouped(who: str, table_name: str, column: str, where: str = "") -> list[tuple]:
        # Grouped by `who + 0`, not `who`: SQLite would read the whole table in the order of the
        # index on `who` to save a sort, instead of the window's rows by the time index.
        figure = _when(where) if where else "count(*)"
        return c.r.all(f"SELECT {who} + 0, {figure} FROM {table_name} WHERE {c.within(column)} GROUP BY {who} + 0", c.bounds)

    add(0, grouped("served_by_id", "visit", "service_started_at"))
    add(1, grouped("answered_by_id", "call", "answered_at", "direction = 'in'"))
    add(2, grouped("received_by_id", "work_order", "received_at"))
    add(3, grouped("received_by_id", "feedback", "received_at"))
    add(4, grouped("created_by_id", "release_request", "issued_at"))
    add(5, grouped("created_by_id", "promise", "created_at"))
    for col, state in ((6, "kept"), (7, "broken")):
        add(col, [(owner, n) for (s, _, owner), n in closed.items() if s == state])
    names: dict[int, str] = {}
    if counts:
        marks = ", ".join("?" for _ in counts)
        names = dict(c.r.all(f"SELECT id, name FROM staff WHERE id IN ({marks})", tuple(counts)))
    table.rows = [(names.get(staff_id, str(staff_id)), *values) for staff_id, values in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))]
    return table


def _details(c: _Counts, tz: tzinfo, masked: bool) -> list[Table]:
    """Who is waiting on us: promises broken and missed calls not returned (phones masked)."""
    shown = mask_phone if masked else (lambda p: p)
    broken_only = _only("promise.state = 'broken'")
    missed_only = _only("call.state = 'missed' AND call.returned_by_call_id IS NULL")
    broken = c.r.all(
        "SELECT promise.kind, promise.customer, promise.phone, unit.code, promise.due_at, staff.name FROM promise "
        "LEFT OUTER JOIN unit ON unit.id = promise.unit_id JOIN staff ON staff.id = promise.owner_id "
        # Sorted by an expression of the due time (which is never NULL), so that SQLite reads the
        # window's promises by closed_at and sorts them, not every promise in due_at order.
        f"WHERE {c.within('promise.closed_at')} AND {broken_only} "
        "ORDER BY coalesce(promise.due_at, promise.closed_at), promise.id LIMIT 200", c.bounds)
    missed = c.r.all(
        "SELECT call.number, unit.code, call.rang_at FROM call LEFT OUTER JOIN unit ON unit.id = call.unit_id "
        f"WHERE {c.within('call.rang_at')} AND {missed_only} "
        "ORDER BY call.rang_at, call.id LIMIT 200", c.bounds)

    def local(at) -> str | None:
        instant = c.r.instant(at)
        return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M") if instant else None

    return [
        Table("broken_promises", ("kind", "customer", "phone", "unit", "due", "owner"),
              [(k, who, shown(p) if p else "", u or "", local(d), o) for k, who, p, u, d, o in broken]),
        Table("missed_not_returned", ("phone", "unit", "rang"), [(shown(n), u or "", local(rang)) for n, u, rang in missed]),
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


def _tables(c: _Counts, policy: Policy, masked: bool) -> list[Table]:
    closed = _closed_promises(c)
    tables = [*_visits(c, policy), _calls(c, policy, closed), _repairs(c, policy), *_complaints(c, policy),
              _releases(c), _promises(c, closed), _registers(c), _by_clerk(c, closed),
              *_details(c, policy.timezone, masked)]
    by_id = {t.id: t for t in tables}
    return [_summary(by_id), *tables]


DAY_COLUMNS = ("date", "visits", "calls_in", "calls_missed", "repairs_new", "repairs_done", "complaints", "slips_issued",
               "promises_made", "promises_broken", "handovers")


def _day_row(reader: Reader, day: date, tz: tzinfo) -> tuple[Value, ...]:
    c = _Counts(reader, _window(day, day, tz))
    missed = _when("state = 'missed'")
    calls_in, missed = (_int(v) for v in reader.one(
        f"SELECT count(*), {missed} FROM call WHERE {c.within('rang_at')} AND direction = 'in'", c.bounds))
    return (
        day.isoformat(),
        c.count("visit", "arrived_at"),
        calls_in,
        missed,
        c.count("work_order", "received_at"),
        c.count("work_order", "done_at"),
        c.count("feedback", "received_at"),
        c.count("release_request", "issued_at"),
        c.count("promise", "created_at"),
        c.count("promise", "closed_at", "state = 'broken'"),
        c.count("handover", "completed_at", "state = 'done'"),
    )


def _site(reader: Reader) -> str:
    value = reader.value("SELECT value FROM setting WHERE key = ?", ("community.site",))
    return value or ""


def _masked(store: Store, clock: Clock, policy: Policy, unmasked_by: Credentials | None, kind: str, start: date, end: date) -> bool:
    """True, unless someone allowed to export personal data gave their code and PIN (audited)."""
    if unmasked_by is None:
        return True
    from deskapp.domain.roles import Action
    from deskapp.services import audit
    from deskapp.services.auth import authorise

    who = authorise(store, clock, policy, unmasked_by.code, unmasked_by.pin, Action.EXPORT_UNMASKED)
    with store.session() as session:
        audit.record(session, clock, "report.unmasked", actor_id=who.staff_id, entity="staff", entity_id=who.staff_id,
                     report=kind, start=start, end=end)
    return False


@contextmanager
def _reading(store: Store | Path) -> Iterator[Reader]:
    """A store, or (the light `deskapp report`) a SQLite file read with the stdlib alone."""
    from deskapp.store import rawsql

    if isinstance(store, Path):
        with rawsql.reading_file(store) as reader:
            yield reader
    else:
        with rawsql.reading(store) as reader:
            yield reader


def daily(store: Store | Path, clock: Clock, policy: Policy, day: date, *, unmasked_by: Credentials | None = None) -> Report:
    """One day's report. `store` may be a SQLite file only when nobody asks for it unmasked."""
    masked = _masked(store, clock, policy, unmasked_by, "daily", day, day)  # type: ignore[arg-type]
    w = _window(day, day, policy.timezone)
    with _reading(store) as reader:
        return Report("daily", day, day, _site(reader), clock.now(), masked, _tables(_Counts(reader, w), policy, masked))


def span(
    store: Store | Path, clock: Clock, policy: Policy, start: date, end: date, *, unmasked_by: Credentials | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Day by day (the `days` table, first after the summary) and the sections over the whole range."""
    if end < start:
        raise DeskappError("report.range_backwards", start=start.isoformat(), end=end.isoformat())
    masked = _masked(store, clock, policy, unmasked_by, "range", start, end)  # type: ignore[arg-type]
    days = (end - start).days + 1
    w = _window(start, end, policy.timezone)
    with _reading(store) as reader:
        table = Table("days", DAY_COLUMNS)
        for n in range(days):
            table.rows.append(_day_row(reader, start + timedelta(days=n), policy.timezone))
            if progress:
                progress(n + 1, days + 1)
        totals = tuple(sum(row[i] for row in table.rows) for i in range(1, len(DAY_COLUMNS)))
        table.rows.append(("total", *totals))
        tables = _tables(_Counts(reader, w), policy, masked)
        if progress:
            progress(days + 1, days + 1)
        return Report("range", start, end, _site(reader), clock.now(), masked, [tables[0], table, *tables[1:]])
