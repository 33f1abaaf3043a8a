"""The one place that makes engines and sessions.

SQLite (the default store) runs with WAL, foreign keys, a busy timeout and synchronous=FULL,
and every writing transaction starts with BEGIN IMMEDIATE: a read that later writes would
otherwise get "database is locked" at once when another counter writes (FIELD-NOTES, SQLite).
When the busy timeout runs out all the same (a writer starved by others), BEGIN IMMEDIATE is
tried again a few times: nothing of the transaction has run yet, so that is always safe.

On PostgreSQL every writing transaction first takes one transaction-scoped advisory lock, so
writers run one at a time there too: a read-modify-write inside a service never interleaves with
another counter's, and since every writer takes that lock before any row lock, two writers can
never deadlock (the audit chain's own lock always comes second). Reading sessions take no lock.

Records two clerks can change carry a version (store.versions): a write that lost a race is
told as "changed by X at T — reload".
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from deskapp.errors import DeskappError
from deskapp.store.faults import store_error, where

BUSY_TIMEOUT_MS = 5000
BEGIN_ATTEMPTS = 4  # BEGIN IMMEDIATE tries, each waiting up to the busy timeout
READ_ONLY = "deskapp_read_only"
WRITER_LOCK = 0x6465736B77726974  # "deskwrit": pg_advisory_xact_lock's key for writing transactions


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # Reads take no write lock, so counters reading at once never wait on each other.
    if connection.get_execution_options().get(READ_ONLY, False):
        connection.exec_driver_sql("BEGIN")
        return
    raw = connection.connection.dbapi_connection
    for _ in range(BEGIN_ATTEMPTS - 1):
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorname", "") != "SQLITE_BUSY":
                break  # told by the last attempt, through SQLAlchemy, as the store's message
            time.sleep(random.uniform(0.005, 0.05))  # others waiting too: do not wake in step with them
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgresql_begin(connection) -> None:
    if not connection.get_execution_options().get(READ_ONLY, False):
        # Waiting is bounded as on SQLite: a counter stuck mid-transaction makes the others say
        # "busy" (lock_not_available, store.busy) instead of hanging.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS * BEGIN_ATTEMPTS}")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def make_engine(url: str) -> Engine:
    """An engine for a SQLAlchemy URL; bad URLs become a DeskappError with the URL named."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DeskappError("store.bad_url", url=url) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise DeskappError("store.memory_sqlite", url=url)
        file = Path(database).expanduser().resolve()
        if not file.parent.is_dir():
            raise DeskappError("store.no_folder", path=str(file.parent))
        _require_writable(file)
    try:
        engine = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ImportError):
        raise DeskappError("store.bad_url", url=url) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgresql_begin)
    return engine


def _require_writable(file: Path) -> None:
    """A counter writes: a read-only file or folder (WAL needs its -wal and -shm beside the file) is
    named at once. access() answers for root too: an immutable file or a read-only mount says no."""
    for path in (file, file.parent):
        if path.exists() and not os.access(path, os.W_OK):
            raise DeskappError("store.read_only", where=str(path))


@contextmanager
def _as_deskapp_errors(engine: Engine) -> Iterator[None]:
    try:
        yield
    except DBAPIError as e:
        error = store_error(e, where(engine.url))
        if error is None:
            raise
        raise error from e


class Store:
    """Owns the engine; hands out sessions, each one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._reader = self.engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that may write: committed on success, rolled back on any error.

        On SQLite it starts with BEGIN IMMEDIATE, taking the write lock at once (on PostgreSQL
        the writers' advisory lock). A database that cannot be reached or stays locked, and a
        versioned record another counter changed first, become a DeskappError the screen can show."""
        from deskapp.store import versions

        with _as_deskapp_errors(self.engine), Session(self.engine, expire_on_commit=False) as session:
            event.listen(session, "before_flush", versions.remember_versions)
            try:
                with session.begin():
                    yield session
            except StaleDataError as e:
                raise self._changed(session.info.get(versions.SEEN, {}), str(e)) from e

    def _changed(self, seen: dict[tuple[str, int], int], message: str) -> DeskappError:
        from deskapp.store import versions

        with self.read() as reader:
            found = versions.stale_record(reader, seen, message)
            return versions.changed(reader, *found) if found else DeskappError("store.changed_unknown")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: a plain BEGIN, no write lock."""
        with _as_deskapp_errors(self.engine), Session(self._reader, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()
