"""Backing up and restoring the store (`deskapp backup PATH`, `deskapp restore PATH`).

SQLite. A backup is SQLite's online backup API in one step: one read transaction, so the copy is
the store as of one instant while the other counters keep writing (WAL: a reader never blocks a
writer). The copy is written beside its target under a temporary name, turned into a single file
(journal_mode DELETE), checked (integrity_check, the schema revision) and only then renamed to
its name: a backup that failed half-way never looks like a backup.

A restore checks the backup the same way in a staging copy beside the store, refuses one from a
newer deskapp, migrates an older one, records who restored it from which file (audit), and then
swaps it in with one rename, so at every moment the store is the old one or the new one, whole.
Before that it locks the store against every other console (switching it out of WAL needs the only
connection), keeps it as `<name>.before-restore-<time>` and leaves no -wal/-shm of the old store
for the new one to pick up.

PostgreSQL. pg_dump and pg_restore do this properly; the commands are printed, nothing is run.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from deskapp.clock import Clock
from deskapp.errors import DeskappError
from deskapp.store import migrate
from deskapp.store.faults import store_error

LOCK_TIMEOUT_S = 2.0  # how long a restore waits for the other consoles' connections to go
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Snapshot:
    """A store file as checked: its size, schema revision and rows per table."""

    path: Path
    size: int
    revision: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Restored:
    store: Snapshot
    source: Path
    kept: Path | None  # the store as it was before, None when there was none
    migrated_from: str | None  # the backup's revision when it was older than this deskapp


def sqlite_file(url: str) -> Path | None:
    """The store's file for a SQLite URL, None for a server database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise DeskappError("store.memory_sqlite", url=url)
    return Path(parsed.database).expanduser().resolve()


def operator() -> str:
    """Who runs the command, as the audit log keeps it: the login and the machine."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


# --- backup -----------------------------------------------------------------------------------


def backup(url: str, target: Path, *, force: bool = False) -> Snapshot:
    """Copy the SQLite store at `url` to `target`, consistent while others write; checked."""
    live = _existing_store(url)
    target = target.expanduser().resolve()
    if target == live:
        raise DeskappError("backup.same_file", path=str(target))
    if not target.parent.is_dir():
        raise DeskappError("backup.no_folder", path=str(target.parent))
    if target.exists() and not force:
        raise DeskappError("backup.exists", path=str(target))
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with _opened(live, read_only=False) as source:  # read-write: the last to close folds the WAL in
            _first_read(source, live)
            with _writing(partial), closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)  # all pages in one step: one read transaction, one instant
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        snapshot = _checked(partial, damaged="backup.store_damaged", where=live)
        _sync(partial)
        os.replace(partial, target)
        _sync(target.parent)
    finally:
        _remove(partial)
    return Snapshot(target, target.stat().st_size, snapshot.revision, snapshot.counts)


# --- restore ----------------------------------------------------------------------------------


def restore(url: str, source: Path, clock: Clock, *, by: str) -> Restored:
    """Put the backup `source` in place of the SQLite store at `url`; the old one is kept beside."""
    from deskapp.services import audit
    from deskapp.store.engine import Store

    live = sqlite_file(url)
    assert live is not None, "restore is for SQLite stores; PostgreSQL has pg_restore"
    source = source.expanduser().resolve()
    if not source.is_file():
        raise DeskappError("backup.missing", path=str(source))
    if source == live:
        raise DeskappError("backup.same_file", path=str(source))
    if not live.parent.is_dir():
        raise DeskappError("store.no_folder", path=str(live.parent))
    staging = live.with_name(f".{live.name}.restoring-{os.getpid()}")
    try:
        try:
            with _opened(source, read_only=True) as backup_file, _writing(staging), closing(sqlite3.connect(staging)) as copy:
                _first_read(backup_file, source, damaged="backup.damaged")
                backup_file.backup(copy)
        except sqlite3.DatabaseError as e:
            if _is_damage(e):
                raise DeskappError("backup.damaged", path=str(source), problem=str(e)) from None
            raise _told(e, source) from None
        checked = _checked(staging, damaged="backup.damaged", where=source)
        staged = Store(f"sqlite:///{staging}")
        try:
            state = migrate.schema_state(staged.engine)
            if state == "newer":
                raise DeskappError("backup.newer", path=str(source), revision=checked.revision)
            migrated_from = checked.revision if state == "behind" else None
            if migrated_from:
                migrate.upgrade(staged.engine)
            with staged.session() as session:
                audit.record(session, clock, "store.restored", entity="store", source=str(source), by=by,
                             backup_revision=checked.revision)
        finally:
            staged.dispose()
        with closing(sqlite3.connect(staging, isolation_level=None)) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")  # the staged WAL folded in: one file to rename
        _sync(staging)
        kept = _swap(live, staging, clock)
    finally:
        for suffix in ("", *SIDE_FILES):
            _remove(staging.with_name(staging.name + suffix))
    store = _checked(live, damaged="backup.damaged", where=source)
    return Restored(store, source, kept, migrated_from)


def _swap(live: Path, staging: Path, clock: Clock) -> Path | None:
    """Keep the store as it is, then rename the staged one over it: one step, never half a store."""
    if not live.exists():
        os.replace(staging, live)
        _sync(live.parent)
        return None
    kept = _kept_name(live, clock)
    with _only_connection(live) as locked:
        _keep(live, kept)
        if not locked:  # too damaged to lock: its side files go with the kept copy
            for suffix in SIDE_FILES:
                side = live.with_name(live.name + suffix)
                if side.exists():
                    os.replace(side, kept.with_name(kept.name + suffix))
        os.replace(staging, live)
        _sync(live.parent)
    return kept


def _keep(live: Path, kept: Path) -> None:
    """A second name for the store file as it is. A hard link opens nothing: opening and closing
    the file here would drop this process's POSIX locks on it, the restore's lock included."""
    try:
        os.link(live, kept)
    except OSError:  # a file system without hard links
        shutil.copyfile(live, kept)
        _sync(kept)


@contextmanager
def _only_connection(live: Path) -> Iterator[bool]:
    """Hold the store so no other console reads or writes it; refuse while another has it open.

    Leaving WAL needs the only connection to the file, so it tells whether another console is
    open; an exclusive lock then keeps late comers waiting until the swap is done. A store too
    damaged to lock is not locked (no console can be using it): yields False."""
    connection = sqlite3.connect(live, timeout=LOCK_TIMEOUT_S, isolation_level=None)
    try:
        try:
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.DatabaseError as e:
            if _is_damage(e):
                yield False
                return
            if getattr(e, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise DeskappError("backup.store_in_use", where=str(live)) from None
            raise _told(e, live) from None
        if mode != "delete":
            raise DeskappError("backup.store_in_use", where=str(live))
        yield True
        connection.execute("ROLLBACK")  # nothing was changed through it
    finally:
        connection.close()


def _kept_name(live: Path, clock: Clock) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = live.with_name(f"{live.name}.before-restore-{stamp}-{n}")
    return kept


# --- checks and helpers -----------------------------------------------------------------------


def check(path: Path) -> Snapshot:
    """A store or backup file as checked: integrity, revision, rows per table (read only)."""
    return _checked(path.expanduser().resolve(), damaged="backup.damaged", where=path)


def _checked(path: Path, *, damaged: str, where: Path) -> Snapshot:
    try:
        with _opened(path, read_only=True) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:  # the first problem, on one line
                first = [line for row in problems for line in row.splitlines() if line and not line.startswith("***")]
                raise DeskappError(damaged, path=str(where), problem=(first or problems)[0])
            tables = [row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            if "alembic_version" not in tables:
                raise DeskappError("backup.not_deskapp", path=str(where))
            revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                      for name in tables if name != "alembic_version"}
    except sqlite3.DatabaseError as e:
        raise DeskappError(damaged, path=str(where), problem=str(e)) from None
    if revision is None:
        raise DeskappError("backup.not_deskapp", path=str(where))
    return Snapshot(path, path.stat().st_size, revision[0], counts)


def _existing_store(url: str) -> Path:
    live = sqlite_file(url)
    assert live is not None, "backup is for SQLite stores; PostgreSQL has pg_dump"
    if not live.is_file():
        raise DeskappError("store.not_initialised")
    return live


@contextmanager
def _opened(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection; mode=ro never creates the file nor writes to it."""
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=5, isolation_level=None)
    except sqlite3.Error as e:
        raise _told(e, path) from None
    try:
        yield connection
    finally:
        connection.close()


def _first_read(connection: sqlite3.Connection, path: Path, damaged: str = "") -> None:
    """Read the schema now, so an unreadable file is told as such before anything is written."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        if damaged and _is_damage(e):
            raise DeskappError(damaged, path=str(path), problem=str(e)) from None
        raise _told(e, path) from None


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Writing a new file: a full disk or a read-only folder is named with the file."""
    try:
        yield
    except sqlite3.Error as e:
        name = getattr(e, "sqlite_errorname", "")
        if name.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")):
            raise DeskappError("backup.cannot_write", path=str(path), reason=str(e)) from None
        raise


def _is_damage(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _told(error: sqlite3.Error, path: Path) -> DeskappError:
    return store_error(error, str(path)) or DeskappError("store.unreachable", reason=str(error))


def _sync(path: Path) -> None:
    """Make a file's bytes (or a folder's new names) durable before relying on them."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_commands(url: str, path: Path, *, restoring: bool) -> list[str]:
    """The commands a site runs for a PostgreSQL store (the password comes from PGPASSWORD or ~/.pgpass)."""
    parsed = make_url(url)
    libpq = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database,
                       parsed.query).render_as_string(hide_password=False)
    if not restoring:
        return [f'pg_dump --format=custom --file "{path}" "{libpq}"']
    return [f'pg_restore --clean --if-exists --no-owner --single-transaction --dbname "{libpq}" "{path}"',
            f'deskapp --db "{parsed.render_as_string(hide_password=True)}" init']
