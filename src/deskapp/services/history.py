"""Years of counter activity for a store: the history generator (`deskapp init --demo --history
DAYS`, scripts/history.py).

Day by day it plays the office the console records — visitors at the counter, calls to the hotline,
repairs with their events, complaints, release slips, promises, shift handovers, keys lent, found
items, vacant units and renovations — with the rhythm of a real counter: opening hours, a morning
and a late-afternoon peak, quiet Sundays, busy days around the fee deadline. Each record's whole
life is planned when it starts (from the same rules the services apply), and whatever would happen
after the end of the history (midnight before the clock's today) has not happened yet: recent
records stay open, some overdue, as in a real office.

Rows go to the store in bulk (SQLAlchemy Core `insert(table), [rows]`), a chunk per transaction,
in time order, so ids rise with time as they do when the console writes them one by one; the audit
log is chained with `audit.event_hash` from the store's last event. The same seed on the same
store and day gives the same rows. Run it on a store nobody is using: the ids are taken from the
store once, at the start.
"""

from __future__ import annotations

import hashlib
import json
import random
import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from pydantic_core import PydanticUndefined
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from deskapp.clock import Clock
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.store.engine import Store
from deskapp.store.tables import Setting, SlipCounter, Staff, Unit
from deskapp.store.types import UTCDateTime

HISTORY_MARK = "history_loaded_at"
DEFAULT_SEED = 20261124
FLUSH_ROWS = 100_000  # rows held before a chunk is written (one transaction)

# Parents before children: the order chunks are inserted in.
TABLES = (
    "building", "unit", "person", "staff", "fee_charge", "fee_payment", "promise", "visit", "escalation",
    "flow_move", "call", "work_order", "work_order_part", "work_order_event", "release_request", "feedback",
    "feedback_event", "notice", "handover", "handover_item", "key_tag", "key_loan", "key_check", "vacancy",
    "vacancy_inspection", "renovation", "renovation_patrol", "found_item", "move_in", "audit_event",
)
# Records whose lives the flows play on the row itself: planned with every column.
RECORDS = frozenset({"visit", "call", "work_order", "feedback", "release_request", "promise", "renovation", "vacancy",
                     "key_loan", "found_item", "move_in"})
_REQUIRED = object()
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)  # as services.audit.record writes it


_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _event_hash(prev_hash: str, at: datetime, actor_id: int | None, action: str, entity: str, entity_id: int | None,
                detail: str) -> str:
    """audit.event_hash with its encoder made once (it is called for every event written)."""
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    instant = f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}.{at.microsecond:06d}Z"
    encoded = _HASH_JSON.encode([prev_hash, instant, actor_id, action, entity or "", entity_id, detail])
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _same_hash() -> Callable | None:
    """The quicker hash, only if it gives audit.event_hash's every bit on a few events."""
    samples = [("", datetime(2026, 11, 24, 2, 0, 0, 5, tzinfo=UTC), 3, "visit.arrived", "visit", 12, '{"a": "王"}'),
               ("ab" * 32, datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone(timedelta(hours=8))), None, "call.rang", "",
                None, "{}")]
    return _event_hash if all(_event_hash(*s) == audit.event_hash(*s) for s in samples) else None


_EVENT_HASH = _same_hash()


def json_text(value: object) -> str:
    """JSON as the services write a detail or a record's values (sorted keys, Chinese as it is)."""
    return _JSON.encode(value)


def _defaults(name: str) -> dict[str, object]:
    """Every column of the table with its default (the model's, else None when nullable): bulk
    rows need one shape."""
    model = next(m for m in SQLModel.__subclasses__() if getattr(m, "__tablename__", None) == name)
    row: dict[str, object] = {}
    for column in SQLModel.metadata.tables[name].columns:
        if column.primary_key:
            continue
        declared = model.model_fields.get(column.name)
        if column.default is not None and getattr(column.default, "is_scalar", False):
            row[column.name] = column.default.arg
        elif declared is not None and declared.default is not PydanticUndefined and declared.default is not None:
            row[column.name] = str(declared.default) if isinstance(declared.default, str) else declared.default
        else:
            row[column.name] = None if column.nullable else _REQUIRED
    return row


@dataclass
class HistoryResult:
    status: str  # "loaded", or "already" when the store holds a history
    first_day: date | None = None
    last_day: date | None = None
    rows: dict[str, int] = field(default_factory=dict)  # rows written, by table
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class Writer:
    """Holds rows until their day is over, then gives them ids in time order and writes them in
    chunks. A value that is a row (a dict) becomes that row's id when written; the audit log's
    detail may be a function, called when its day is written (a handover's item count)."""

    def __init__(self, store: Store, origin: datetime, cutoff: datetime, next_ids: dict[str, int]) -> None:
        self.store = store
        self.origin = origin  # the first day's local midnight, in UTC
        self.cutoff = cutoff
        self.next_ids = next_ids
        self.defaults = {name: _defaults(name) for name in TABLES}
        self.buckets: dict[int, list] = {}
        self.buffers: dict[str, list[dict]] = {name: [] for name in TABLES}
        self.held = 0
        self.seq = 0
        self.written: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.updates: list[tuple[str, dict, str, object]] = []

    def add(self, table: str, at: datetime, fields: dict[str, object], order: int = 0) -> dict:
        """A row that comes to be at `at` (before the cutoff); returns it, to be referred to."""
        if at >= self.cutoff:
            raise ValueError(f"{table} at {at} is after the end of the history")
        if table in RECORDS:  # their flows read and change them as they go
            for key, value in self.defaults[table].items():
                fields.setdefault(key, value)
        self.seq += 1
        self.buckets.setdefault((at - self.origin).days, []).append((at, order, self.seq, table, fields))
        return fields

    def audit(self, at: datetime, actor: int | None, action: str, entity: str = "", record: dict | int | None = None,
              detail: dict | Callable[[], dict] | None = None, order: int = 0) -> None:
        self.add("audit_event", at, {"at": at, "actor_id": actor, "action": action, "entity": entity,
                                     "entity_id": record, "detail": detail or {}}, order)

    def later(self, table: str, row: dict | int, column: str, value: object) -> None:
        """An UPDATE once both rows are written (a missed call returned by a later call)."""
        self.updates.append((table, row, column, value))

    def emit(self, last_day: int) -> None:
        """Every row of the days up to `last_day` goes to the buffers, ids given in time order."""
        for day in sorted(d for d in self.buckets if d <= last_day):
            entries = self.buckets.pop(day)
            entries.sort()  # by time, then order, then when planned (unique): rows themselves never compared
            for _at, _order, _seq, table, row in entries:
                self._emit(table, row)
        if self.held >= FLUSH_ROWS:
            self.flush()

    def _emit(self, table: str, row: dict) -> None:
        """The row gets its id (rows that refer to it read it there) and goes to its buffer; the
        defaults and the ids of the rows it refers to are filled in as it is written."""
        row["id"] = self.next_ids[table]
        self.next_ids[table] += 1
        if table == "audit_event":
            detail = row["detail"]
            if callable(detail):
                detail = detail()
            row["detail"] = _JSON.encode({k: (v["id"] if v.__class__ is dict else v) for k, v in detail.items()}) if detail else "{}"
            if row["entity_id"].__class__ is dict:
                row["entity_id"] = row["entity_id"]["id"]
        elif table == "handover_item" and callable(row["label"]):
            row["label"] = row["label"]()[:200]
        self.buffers[table].append(row)
        self.held += 1

    def flush(self) -> None:
        """The rows held go to the store as one chunk (one transaction)."""
        if not self.held:
            return
        chunk, self.buffers = self.buffers, {name: [] for name in TABLES}
        self.held = 0
        self._write(chunk)

    def _write(self, chunk: dict[str, list[dict]]) -> None:
        """One transaction; the audit events chained from the store's last one. SQLite commits with
        synchronous=NORMAL here (WAL: no corruption; a power cut could lose the last chunks, and
        the store stays marked as holding an unfinished history)."""
        with self.store.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # outside a transaction: the driver's connection runs in autocommit mode
                driver = connection.connection.driver_connection
                driver.execute("PRAGMA synchronous = NORMAL")
            try:
                with connection.begin():
                    self._chain(connection, chunk["audit_event"])
                    for name in TABLES:
                        if chunk[name]:
                            bulk_insert(connection, name, chunk[name])
                            self.written[name] += len(chunk[name])
            finally:
                if sqlite:
                    driver.execute("PRAGMA synchronous = FULL")

    @staticmethod
    def _chain(connection: Connection, events: list[dict]) -> None:
        if not events:
            return
        prev = audit.last_hash(Session(bind=connection))
        chain = _EVENT_HASH or audit.event_hash
        for event in events:
            event["prev_hash"] = prev
            prev = event["hash"] = chain(prev, event["at"], event["actor_id"], event["action"], event["entity"],
                                         event["entity_id"], event["detail"])

    def finish(self) -> None:
        self.emit(max(self.buckets, default=0))
        self.flush()
        if self.updates:
            with self.store.engine.begin() as connection:
                for table, row, column, value in self.updates:
                    target = value["id"] if value.__class__ is dict else value
                    key = row["id"] if row.__class__ is dict else row
                    t = SQLModel.metadata.tables[table]
                    connection.execute(update(t).where(t.c.id == key).values({column: target}))


_INSERTS: dict[tuple[str, str], tuple] = {}
_SAMPLES = (datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC), datetime(2026, 1, 1, 8, 0, tzinfo=UTC),
            datetime(2026, 11, 24, 10, 0, 0, 5, tzinfo=timezone(timedelta(hours=8))))


def bulk_insert(connection: Connection, name: str, rows: list[dict]) -> None:
    """Core's `insert(table)`, compiled once per dialect, for rows that may leave out columns
    with a default and may refer to other rows (a dict: its id). Each row is converted by its
    columns' own bind processors (UTCDateTime and the dialect's) and the lot handed to the
    driver's executemany: what `connection.execute(insert(table), rows)` writes, several times faster."""
    key = (connection.dialect.name, name)
    found = _INSERTS.get(key)
    if found is None:
        found = _INSERTS[key] = _compile(connection.dialect, SQLModel.metadata.tables[name])
    sql, convert = found
    connection.exec_driver_sql(sql, [convert(row) for row in rows])


def _compile(dialect, table) -> tuple[str, Callable[[dict], object]]:
    """The insert's SQL, and a function made for the table that turns a row into its parameters
    (one expression per column: no loop per value)."""
    compiled = insert(table).compile(dialect=dialect)
    names = list(compiled.positiontup) if compiled.positional else [c.name for c in table.columns]
    defaults = _defaults(table.name)
    namespace: dict[str, object] = {}
    parts = []
    for n, column in enumerate(names):
        if column == "id" or defaults[column] is _REQUIRED:
            value = f"r[{column!r}]"
        else:
            namespace[f"d{n}"] = defaults[column]
            value = f"r.get({column!r}, d{n})"
        if column.endswith("_id"):  # a row referred to: its id
            value = f"(v['id'] if (v := {value}).__class__ is dict else v)"
        processor = _processor(table.c[column].type, dialect)
        if processor is not None:
            namespace[f"p{n}"] = processor
            value = f"p{n}({value})"
        parts.append(f"{column!r}: {value}" if not compiled.positional else value)
    body = f"({', '.join(parts)},)" if compiled.positional else f"{{{', '.join(parts)}}}"
    exec(f"def convert(r):\n    return {body}\n", namespace)  # noqa: S102  (code made from the table's own columns)
    return str(compiled), namespace["convert"]  # type: ignore[return-value]


def _processor(type_, dialect):
    """The column's bind processor; for an instant on SQLite a quicker one, used only when it
    writes exactly what the official one does."""
    official = type_.dialect_impl(dialect).bind_processor(dialect)
    quicker = isinstance(type_, UTCDateTime) and dialect.name == "sqlite" and official is not None
    if quicker and all(_sqlite_instant(v) == official(v) for v in _SAMPLES):
        return _sqlite_instant
    return official


def _sqlite_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store: times must be timezone-aware")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")


def _next_ids(connection: Connection) -> dict[str, int]:
    ids = {}
    for name in TABLES:
        t = SQLModel.metadata.tables[name]
        ids[name] = int(connection.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) + 1
    return ids


def _bump_sequences(store: Store) -> None:
    """PostgreSQL hands out ids from sequences, which rows with ids given do not move."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.begin() as connection:
        for name in TABLES:
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{name}\"), 1))"
            ))


def generate(
    store: Store, clock: Clock, policy: Policy, *, days: int, seed: int = DEFAULT_SEED, units: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HistoryResult:
    """`days` days of history ending yesterday (the clock's local today), for an estate grown to
    `units` units when it has fewer (the demo community's style). Once per store."""
    from deskapp.services import history_estate, history_texts
    from deskapp.services.history_office import Office

    if days < 1:
        raise DeskappError("history.bad_days", days=days)
    started = timer.perf_counter()
    tz = policy.timezone
    today = clock.now().astimezone(tz).date()
    first = today - timedelta(days=days)
    with store.session() as session:
        mark = session.get(Setting, HISTORY_MARK)
        if mark is not None:
            if not mark.value:
                raise DeskappError("history.unfinished")
            return HistoryResult("already")
        have = int(session.exec(select(func.count()).select_from(Unit)).one()[0])
        roles = set(session.exec(select(Staff.role).where(Staff.active).distinct()).scalars())
        if not have or not {"clerk", "supervisor"} <= roles:
            raise DeskappError("history.needs_community")
        session.add(Setting(key=HISTORY_MARK, value=""))  # "": begun; the time once it is all written
    rng = random.Random(seed)
    texts = history_texts.load()
    added: dict[str, int] = {}
    if units is not None and units > have:
        added = history_estate.extend(store, rng, units, first, today, int(policy.number("site.fee_due_day")))
    origin = datetime.combine(first, time(), tz).astimezone(UTC)
    cutoff = datetime.combine(today, time(), tz).astimezone(UTC)
    with store.engine.connect() as connection:
        next_ids = _next_ids(connection)
    writer = Writer(store, origin, cutoff, next_ids)
    office = Office.open(store, policy, writer, rng, texts, first, days)
    for n in range(days):
        office.play_day(n)
        writer.emit(n - 1)  # a day's rows are final once the next day is planned
        if progress:
            progress(n + 1, days)
    office.finish()
    writer.finish()
    _bump_sequences(store)
    _finish_marks(store, clock, office, first, days, seed)
    rows = {name: added.get(name, 0) + writer.written.get(name, 0) for name in TABLES}
    rows = {name: n for name, n in rows.items() if n}
    return HistoryResult("loaded", first, today - timedelta(days=1), rows, timer.perf_counter() - started)


def _finish_marks(store: Store, clock: Clock, office, first: date, days: int, seed: int) -> None:
    with store.session() as session:
        if office.last_slip:
            counter = session.get(SlipCounter, "release")
            if counter is None:
                session.add(SlipCounter(name="release", last_no=office.last_slip))
            else:
                counter.last_no = max(counter.last_no, office.last_slip)
        session.get(Setting, HISTORY_MARK).value = clock.now().isoformat()
        audit.record(session, clock, "init.history", first=first.isoformat(), days=days, seed=seed)
