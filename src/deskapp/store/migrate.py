"""Schema migrations with alembic, run from code: `deskapp init` and the app's start-up check.

The start-up check (`require_current`) does not import alembic (an eighth of a second): it reads
the revisions from the migration files and the store's `alembic_version` row itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from deskapp.errors import DeskappError
from deskapp.store.faults import reason, store_error, where
from deskapp.store.revisions import MIGRATIONS, head_revision, revisions

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS", "head_revision", "revisions", "current_revision", "schema_state", "upgrade", "require_current"]


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().first()
    except DBAPIError as e:
        raise _told(e, engine) from None


def _told(error: DBAPIError, engine: Engine) -> DeskappError:
    return store_error(error, where(engine.url)) or DeskappError("store.unreachable", reason=reason(error))


def schema_state(engine: Engine) -> str:
    """One of: empty, current, behind, newer."""
    current = current_revision(engine)
    if current is None:
        return "empty"
    if current == head_revision():
        return "current"
    return "behind" if current in revisions() else "newer"


def upgrade(engine: Engine) -> str:
    """Bring the store to the latest schema; safe to run again. Returns the revision reached."""
    if schema_state(engine) == "newer":
        raise DeskappError("store.newer_schema", revision=current_revision(engine) or "")
    from alembic import command

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
