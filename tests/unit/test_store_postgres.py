"""The same migrations on PostgreSQL, when one is at hand.

Set DESKAPP_TEST_POSTGRES_URL (e.g. postgresql+psycopg://deskapp:secret@localhost/deskapp) and
install a driver (`pip install 'psycopg[binary]'`). Each test works in a schema of its own,
created and dropped here, so the database's other contents are never touched.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, select

import deskapp.store.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from deskapp.services import audit
from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent

URL = os.environ.get("DESKAPP_TEST_POSTGRES_URL", "")

pytestmark = pytest.mark.skipif(not URL, reason="DESKAPP_TEST_POSTGRES_URL is not set")


@pytest.fixture
def pg_store() -> Iterator[Store]:
    schema = f"deskapp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in URL else "?"
    store = Store(f"{URL}{separator}options={quote(f'-csearch_path={schema}')}")
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_from_empty_twice_and_matching_the_models(pg_store: Store) -> None:
    assert migrate.schema_state(pg_store.engine) == "empty"
    assert migrate.upgrade(pg_store.engine) == migrate.head_revision()
    assert migrate.upgrade(pg_store.engine) == migrate.head_revision()
    assert migrate.schema_state(pg_store.engine) == "current"
    assert set(inspect(pg_store.engine).get_table_names()) == set(SQLModel.metadata.tables) | {"alembic_version"}
    with pg_store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_audit_log_is_append_only(pg_store: Store, clock) -> None:
    migrate.upgrade(pg_store.engine)
    with pg_store.session() as session:
        audit.record(session, clock, "test.event")
    for statement in ("UPDATE audit_event SET action = 'changed'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with pg_store.engine.begin() as connection:
                connection.execute(text(statement))
    with pg_store.session() as session:
        event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.at) == ("test.event", clock.now())
