"""A quick look at a SQLite store before the console paints (stdlib only: no SQLAlchemy).

When the file is there, writable, a database at this deskapp's schema, the console may paint its
sign-in screen first and open the store behind it. Anything else, and the console opens the
store the slow way before painting, so the clerk gets the store's own one-line message.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from deskapp.store.revisions import head_revision

_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")


def sqlite_path(url: str) -> Path | None:
    """The file of a plain SQLite URL, else None (another engine, options, in memory)."""
    for prefix in _SQLITE_PREFIXES:
        if url.startswith(prefix):
            rest = url[len(prefix):]
            if not rest or "?" in rest or rest == ":memory:":
                return None
            return Path(rest).expanduser()
    return None


def looks_ready(url: str) -> bool:
    """True when the store is surely usable at once (SQLite only); False means: check properly."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return False
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK)):
        return False
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return row is not None and row[0] == head_revision()
