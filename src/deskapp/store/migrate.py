"""Schema migrations with alembic, run from code: `deskapp init` and the app's start-up check."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from deskapp.errors import DeskappError
from deskapp.store.faults import reason, store_error, where

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as e:
        raise _told(e, engine) from None


def _told(error: DBAPIError, engine: Engine) -> DeskappError:
    return store_error(error, where(engine.url)) or DeskappError("store.unreachable", reason=reason(error))


def schema_state(engine: Engine) -> str:
    """One of: empty, current, behind, newer."""
    current = current_revision(engine)
    if current is None:
        return "empty"
    script = ScriptDirectory(str(MIGRATIONS))
    if current == head_revision():
        return "current"
    try:
        script.get_revision(current)
    except Exception:
        return "newer"
    return "behind"


def upgrade(engine: Engine) -> str:
    """Bring the store to the latest schema; safe to run again. Returns the revision reached."""
    if schema_state(engine) == "newer":
        raise DeskappError("store.newer_schema", revision=current_revision(engine) or "")
    try:
        command.upgrade(_config(engine), "head")
    except DBAPIError as e:
        raise _told(e, engine) from None
    return head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to run on a store that is missing, behind or ahead of this deskapp."""
    state = schema_state(engine)
    if state == "empty":
        raise DeskappError("store.not_initialised")
    if state == "behind":
        raise DeskappError("store.behind")
    if state == "newer":
        raise DeskappError("store.newer_schema", revision=current_revision(engine) or "")
