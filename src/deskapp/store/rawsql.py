"""Plain SQL on the driver's own connection, for the report: one read transaction, no ORM.

The report counts a few hundred aggregates. Through SQLAlchemy each statement is built and
compiled afresh in a new process, and SQLAlchemy with the tables costs more to import than the
daily report's whole target (FIELD-NOTES; scripts/bench.py). Here the statements are written once,
in the SQL both engines share, and run on the DB-API connection:

- of a `Store` (the console, the tests): its engine's pooled connection, errors told as the store's;
- of a SQLite file alone (`deskapp report` when the store looks ready): the stdlib `sqlite3`,
  read-only, with nothing of SQLAlchemy imported.

Statements use `?` for parameters; on PostgreSQL they become `%s`. Instants go in and come out
as timezone-aware UTC datetimes, as through the tables (store.types.UTCDateTime): SQLite keeps
them as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC, PostgreSQL as timestamps without a zone in UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deskapp.store.engine import Store

_SQLITE_TEXT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


class Reader:
    """Runs statements inside one read transaction on `connection` (a DB-API connection)."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self._connection = connection
        self.dialect = dialect

    # -- what differs between the engines -----------------------------------------------------

    def stamp(self, at: datetime) -> object:
        """An aware instant as the store keeps it."""
        utc = at.astimezone(UTC).replace(tzinfo=None)
        return utc.strftime(_SQLITE_TEXT) if self.dialect == "sqlite" else utc

    @staticmethod
    def instant(value: object) -> datetime | None:
        """A stored instant back as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def seconds(self, later: str, earlier: str) -> str:
        """SQL for later − earlier in seconds (both columns)."""
        if self.dialect == "sqlite":
            return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        return f"extract(epoch from {later} - {earlier})"

    # -- running ------------------------------------------------------------------------------

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def all(self, statement: str, params: Sequence[object] = ()) -> list[tuple]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(self._sql(statement), tuple(params))
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()

    def one(self, statement: str, params: Sequence[object] = ()) -> tuple:
        rows = self.all(statement, params)
        return rows[0] if rows else ()

    def value(self, statement: str, params: Sequence[object] = ()) -> Any:
        row = self.one(statement, params)
        return row[0] if row else None


@contextmanager
def reading(store: Store) -> Iterator[Reader]:
    """One read transaction on the store's engine; driver errors become the store's messages."""
    from deskapp.store.engine import _as_deskapp_errors
    from deskapp.store.faults import store_error, where

    engine = store.engine
    with _as_deskapp_errors(engine):
        connection = engine.raw_connection()
    try:
        dialect = engine.dialect.name
        try:
            reader = Reader(connection, dialect)
            # Every count sees the same moment: the engine's SQLite connections run in
            # autocommit (we issue BEGIN ourselves); PostgreSQL takes one snapshot.
            if dialect == "sqlite":
                reader.all("BEGIN")
            else:
                reader.all("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield reader
        except Exception as e:
            error = store_error(e, where(engine.url)) if _is_driver_error(e) else None
            if error is None:
                raise
            raise error from e
        finally:
            with suppress(Exception):  # a closed or broken connection: the pool drops it
                connection.rollback()
    finally:
        connection.close()


def _is_driver_error(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):
        return True
    module = type(error).__module__
    return module.startswith("psycopg")


@contextmanager
def reading_file(path: Path) -> Iterator[Reader]:
    """One read transaction on a SQLite file, read-only, with the stdlib alone. Errors are left
    as sqlite3 errors: the caller falls back to the full command line, which names them."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5, isolation_level=None)
    try:
        connection.execute("BEGIN")
        yield Reader(connection, "sqlite")
    finally:
        connection.close()
