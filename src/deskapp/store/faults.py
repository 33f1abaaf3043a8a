"""A database driver's error told as one of deskapp's store messages, so no clerk sees a traceback.

SQLite names its failures (`sqlite_errorname`, Python ≥ 3.11), PostgreSQL gives an SQLSTATE. What
a counter can meet — a full disk, a read-only store, a damaged file, a busy store — each gets its
own message; any other operational failure is "cannot open the database" with the driver's first
line. Anything else (a constraint, a bad statement) is a bug and is not dressed up here.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from deskapp.errors import DeskappError

SQLITE = {  # by prefix, so extended codes (SQLITE_READONLY_DBMOVED, SQLITE_CORRUPT_INDEX …) count too
    "SQLITE_FULL": "store.full",
    "SQLITE_IOERR_SHMSIZE": "store.full",  # opening on a full disk: the -shm file cannot grow
    "SQLITE_READONLY": "store.read_only",
    "SQLITE_CORRUPT": "store.corrupt",
    "SQLITE_NOTADB": "store.corrupt",
    "SQLITE_BUSY": "store.busy",
    "SQLITE_LOCKED": "store.busy",
}
POSTGRES = {"53100": "store.full", "25006": "store.read_only", "XX001": "store.corrupt", "XX002": "store.corrupt",
            "55P03": "store.busy"}

NO_ROOM = 1 << 20  # bytes free below which an I/O error on a SQLite store is told as a full disk


def where(url: URL | str) -> str:
    """The store as a person names it: the file of a SQLite store, else the URL without password."""
    try:
        url = make_url(url)
    except ArgumentError:
        return str(url)
    if url.get_backend_name() == "sqlite":
        return url.database or ""
    return url.render_as_string(hide_password=True)


def _no_room_beside(file: str) -> bool:
    try:
        return shutil.disk_usage(Path(file).expanduser().resolve().parent).free < NO_ROOM
    except (OSError, ValueError):
        return False


def reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return (str(orig).splitlines() or [type(orig).__name__])[0]


def store_error(error: BaseException, place: str) -> DeskappError | None:
    """The message for a driver's error on the store at `place`; None when it is not the store's fault."""
    orig = error.orig if isinstance(error, DBAPIError) else error
    name = getattr(orig, "sqlite_errorname", "") or ""
    key = next((k for prefix, k in SQLITE.items() if name.startswith(prefix)), None)
    if key is None and name.startswith("SQLITE_IOERR") and _no_room_beside(place):
        key = "store.full"  # a write the disk refused: SQLite says only "disk I/O error"
    key = key or POSTGRES.get(getattr(orig, "sqlstate", None) or "")
    if key is None and (isinstance(error, OperationalError) or isinstance(orig, sqlite3.OperationalError)):
        key = "store.unreachable"
    if key is None:
        return None
    return DeskappError(key, where=place, reason=reason(error))
