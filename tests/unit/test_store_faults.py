"""A broken store is a DeskappError with its own message, and a failed save saves nothing.

A full disk (SQLite's max_page_count on the connection), a store made read-only while open, pages
damaged mid-file, a file of random bytes, a read-only PostgreSQL database; a driver error that is
a bug (a constraint) stays what it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import event, func, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from breakage import damage, read_only_file
from conftest import NOW
from deskapp.errors import DeskappError
from deskapp.i18n import Translator
from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.faults import store_error
from deskapp.store.tables import AuditEvent, Staff

pytestmark = pytest.mark.sqlite_only


def _events(store: Store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _refused(store: Store, detail: str = "x") -> DeskappError:
    with pytest.raises(DeskappError) as refused:
        with store.session() as session:
            session.add(AuditEvent(at=NOW, action="test.save", detail=detail))
    return refused.value


def test_a_full_disk_saves_nothing_and_says_so(store: Store, db_url: str) -> None:
    before = _events(store)

    @event.listens_for(store.engine, "connect")
    def no_more_pages(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()  # the next connections are the limited ones
    error = _refused(store, detail="说明" * 20_000)  # needs new (overflow) pages
    assert error.key == "store.full"
    path = db_url.removeprefix("sqlite:///")
    assert Translator("en").error(error) == (
        f"The disk holding the database is full: nothing was saved. Free some space, then try again ({path})")
    assert Translator("zh").error(error).startswith("数据库所在磁盘已满,本次未保存任何内容")
    assert _events(store) == before


def test_a_store_made_read_only_while_open_refuses_saves_and_still_reads(store: Store, db_url: str) -> None:
    path = Path(db_url.removeprefix("sqlite:///"))
    with store.session() as session:
        session.add(AuditEvent(at=NOW, action="test.before"))
    with read_only_file(path):
        store.engine.dispose()  # a new connection meets the file as it is now
        error = _refused(store)
        assert error.key == "store.read_only"
        assert Translator("en").error(error).startswith("The database is read-only: nothing can be saved.")
        assert _events(store) == 1
        store.engine.dispose()


def test_a_read_only_store_is_named_when_opened(store: Store, db_url: str) -> None:
    path = Path(db_url.removeprefix("sqlite:///"))
    store.dispose()
    with read_only_file(path):
        with pytest.raises(DeskappError) as refused:
            Store(db_url)
    assert (refused.value.key, refused.value.params) == ("store.read_only", {"where": str(path)})


def test_pages_damaged_mid_file_are_told_as_damage(demo_store: Store) -> None:
    path = Path(demo_store.url.removeprefix("sqlite:///"))
    demo_store.dispose()
    damage(path, "staff")
    store = Store(demo_store.url)
    migrate.require_current(store.engine)  # the schema's own pages are sound
    with pytest.raises(DeskappError) as refused:
        with store.read() as session:
            session.exec(select(Staff)).all()
    assert refused.value.key == "store.corrupt"
    assert Translator("en").error(refused.value) == (
        f"The database is damaged (database disk image is malformed): restore the latest backup with deskapp restore ({path})")
    store.dispose()


def test_a_file_of_random_bytes_is_told_as_damage(tmp_path: Path) -> None:
    path = tmp_path / "deskapp.db"
    path.write_bytes(os.urandom(64 * 1024))
    store = Store(f"sqlite:///{path}")
    with pytest.raises(DeskappError) as refused:
        migrate.require_current(store.engine)
    assert (refused.value.key, refused.value.params["reason"]) == ("store.corrupt", "file is not a database")
    assert "已损坏" in Translator("zh").error(refused.value)


@pytest.mark.parametrize(
    ("orig", "key"),
    [(psycopg.errors.DiskFull("could not extend file"), "store.full"),
     (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), "store.read_only"),
     (psycopg.errors.DataCorrupted("invalid page in block 7"), "store.corrupt")],
    ids=["disk_full", "read_only", "corrupted"],
)
def test_postgres_failures_get_the_same_messages(orig: Exception, key: str) -> None:
    told = store_error(OperationalError("INSERT …", {}, orig), "postgresql+psycopg://deskapp:***@db/deskapp")
    assert told is not None and told.key == key
    assert told.params["where"] == "postgresql+psycopg://deskapp:***@db/deskapp"


def test_a_constraint_is_a_bug_not_a_broken_store(store: Store) -> None:
    with pytest.raises(IntegrityError):
        with store.session() as session:
            session.execute(text("INSERT INTO staff (id) VALUES (NULL)"))


def test_a_read_only_postgres_database_refuses_saves(pg_server, pg_migrated_template: str) -> None:
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_migrated_template)
    with pg_server.admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    store = Store(url)
    try:
        error = _refused(store)
        assert error.key == "store.read_only"
        assert error.params["where"] == f"{pg_server.base.set(database=name).render_as_string(hide_password=True)}"
        assert _events(store) == 0
    finally:
        store.dispose()
        pg_server.drop(name)
