"""The quick look before the console paints: only a SQLite store surely ready says yes."""

from __future__ import annotations

import sqlite3

import pytest

from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.preflight import looks_ready, sqlite_path


@pytest.mark.sqlite_only
def test_a_store_at_this_schema_is_ready(store: Store, db_url: str) -> None:
    assert looks_ready(db_url)


@pytest.mark.sqlite_only
def test_a_store_behind_or_ahead_is_checked_properly(store: Store, db_url: str) -> None:
    with sqlite3.connect(sqlite_path(db_url)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    assert not looks_ready(db_url)


def test_a_missing_an_empty_and_a_non_database_file_are_checked_properly(tmp_path) -> None:
    assert not looks_ready(f"sqlite:///{tmp_path / 'none.db'}")
    (tmp_path / "empty.db").write_bytes(b"")
    assert not looks_ready(f"sqlite:///{tmp_path / 'empty.db'}")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert not looks_ready(f"sqlite:///{tmp_path / 'junk.db'}")
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.dispose()
    assert not looks_ready(f"sqlite:///{tmp_path / 'fresh.db'}")  # a file, no schema


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@h/db", "sqlite://", "sqlite:///:memory:", "sqlite:///x.db?mode=ro"])
def test_other_engines_and_unusual_urls_are_checked_properly(url: str) -> None:
    assert sqlite_path(url) is None and not looks_ready(url)


def test_the_head_is_the_migrations_head() -> None:
    from deskapp.store.revisions import head_revision

    assert head_revision() == migrate.head_revision() != ""
