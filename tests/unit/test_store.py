"""The store on a real SQLite file: migrations, connection settings, the append-only audit log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import SQLModel, select

import deskapp.store.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from deskapp.errors import DeskappError
from deskapp.services import audit
from deskapp.store import migrate
from deskapp.store.engine import BUSY_TIMEOUT_MS, Store, make_engine
from deskapp.store.tables import AuditEvent, Building, Setting, Unit

CORE_TABLES = {
    "audit_event", "building", "fee_charge", "fee_payment", "person", "promise", "referral",
    "repair_price", "setting", "staff", "unit",
}


def _alembic(engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory(str(migrate.MIGRATIONS))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _stamp(store: Store, revision: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_upgrade_from_empty_to_current(db_url: str) -> None:
    store = Store(db_url)
    assert migrate.schema_state(store.engine) == "empty"
    assert migrate.current_revision(store.engine) is None

    reached = migrate.upgrade(store.engine)

    assert reached == migrate.head_revision() != ""
    assert migrate.current_revision(store.engine) == reached
    assert migrate.schema_state(store.engine) == "current"
    tables = set(inspect(store.engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert CORE_TABLES <= tables
    migrate.require_current(store.engine)  # does not raise
    store.dispose()


def test_each_revision_upgrades_the_one_before(db_url: str) -> None:
    store = Store(db_url)
    revisions = _revisions()
    assert revisions[0] == "0001" and revisions[-1] == migrate.head_revision()
    for revision in revisions:
        command.upgrade(_alembic(store.engine), revision)
        assert migrate.current_revision(store.engine) == revision
        expected = "current" if revision == revisions[-1] else "behind"
        assert migrate.schema_state(store.engine) == expected
    store.dispose()


def test_a_store_behind_is_refused_until_upgraded(db_url: str) -> None:
    store = Store(db_url)
    if len(_revisions()) < 2:
        pytest.skip("only one revision so far")
    command.upgrade(_alembic(store.engine), _revisions()[0])
    with pytest.raises(DeskappError) as refused:
        migrate.require_current(store.engine)
    assert refused.value.key == "store.behind"
    assert migrate.upgrade(store.engine) == migrate.head_revision()
    migrate.require_current(store.engine)
    store.dispose()


def test_migrations_go_down_to_empty_and_up_again(store: Store) -> None:
    command.downgrade(_alembic(store.engine), "base")
    assert set(inspect(store.engine).get_table_names()) == {"alembic_version"}
    assert migrate.schema_state(store.engine) == "empty"
    assert migrate.upgrade(store.engine) == migrate.head_revision()


@pytest.mark.sqlite_only
def test_upgrade_twice_is_a_no_op(store: Store) -> None:
    with store.session() as session:
        session.add(Setting(key="kept", value="across upgrades"))
    schema_before = _schema(store)

    assert migrate.upgrade(store.engine) == migrate.head_revision()

    assert _schema(store) == schema_before
    assert migrate.schema_state(store.engine) == "current"
    with store.session() as session:
        assert session.get(Setting, "kept").value == "across upgrades"


def _schema(store: Store) -> list[tuple]:
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY name")).all()


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "the tables and the migrations differ: add a migration"


@pytest.mark.sqlite_only
def test_every_connection_gets_the_settings(store: Store) -> None:
    # Two DBAPI connections held at once, so the pool cannot hand out the same one twice.
    first, second = store.engine.raw_connection(), store.engine.raw_connection()
    try:
        assert first.dbapi_connection is not second.dbapi_connection
        for connection in (first, second):
            cursor = connection.cursor()
            pragma = lambda name: cursor.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == BUSY_TIMEOUT_MS > 0
            assert pragma("synchronous") == 2  # FULL
            cursor.close()
    finally:
        first.close()
        second.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError):
        with store.session() as session:
            session.add(Unit(code="9-1-101", building_id=999, entrance="1", floor=1, room="101",
                             area_m2=80.0, monthly_fee_fen=20000))


@pytest.mark.sqlite_only
def test_a_session_takes_the_write_lock_at_once(store: Store, db_url: str) -> None:
    """BEGIN IMMEDIATE: a read that later writes cannot lose the race to another counter."""
    path = db_url.removeprefix("sqlite:///")
    with store.session() as session:
        session.exec(select(Setting)).all()  # only a read so far
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_failed_session_is_rolled_back(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.session() as session:
            session.add(Setting(key="half", value="done"))
            session.flush()
            raise RuntimeError("the clerk's work failed")
    with store.session() as session:
        assert session.get(Setting, "half") is None


def test_the_audit_log_is_append_only(store: Store, clock) -> None:
    with store.session() as session:
        audit.record(session, clock, "test.event", entity="unit", entity_id=7, note="说明")
    with store.session() as session:
        event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.entity, event.entity_id) == ("test.event", "unit", 7)
    assert event.at == clock.now()
    assert '"note": "说明"' in event.detail

    for statement in ("UPDATE audit_event SET action = 'changed'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as connection:
                connection.execute(text(statement))
    with store.session() as session:
        assert session.exec(select(AuditEvent.action)).all() == ["test.event"]


def test_a_store_of_a_newer_schema_is_refused(store: Store) -> None:
    _stamp(store, "9999_from_the_future")

    assert migrate.schema_state(store.engine) == "newer"
    with pytest.raises(DeskappError) as refused:
        migrate.require_current(store.engine)
    assert refused.value.key == "store.newer_schema"
    assert refused.value.params == {"revision": "9999_from_the_future"}
    with pytest.raises(DeskappError) as refused:
        migrate.upgrade(store.engine)
    assert refused.value.key == "store.newer_schema"
    assert migrate.current_revision(store.engine) == "9999_from_the_future"  # left alone


def test_an_empty_store_is_not_opened(db_url: str) -> None:
    store = Store(db_url)
    with pytest.raises(DeskappError) as refused:
        migrate.require_current(store.engine)
    assert refused.value.key == "store.not_initialised"
    store.dispose()


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StatementError) as refused:
        with store.session() as session:
            session.add(AuditEvent(at=datetime(2026, 11, 24, 10, 0), action="naive"))
    assert isinstance(refused.value.orig, ValueError)
    assert "naive" in str(refused.value.orig)


def test_times_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 11, 24, 10, 0, tzinfo=beijing)
    with store.session() as session:
        session.add(AuditEvent(at=at, action="aware"))
    with store.session() as session:
        stored = session.exec(select(AuditEvent)).one().at
    assert stored == at
    assert stored.tzinfo == UTC and stored.hour == 2


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("not a url", "store.bad_url"),
        ("nosuchdialect://host/db", "store.bad_url"),
        ("sqlite://", "store.memory_sqlite"),
        ("sqlite:///:memory:", "store.memory_sqlite"),
    ],
)
def test_unusable_urls_are_refused(url: str, key: str) -> None:
    with pytest.raises(DeskappError) as refused:
        make_engine(url)
    assert refused.value.key == key


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DeskappError) as refused:
        make_engine(f"sqlite:///{tmp_path / 'nowhere' / 'deskapp.db'}")
    assert refused.value.key == "store.no_folder"
    assert refused.value.params == {"path": str(tmp_path / "nowhere")}
    assert not (tmp_path / "nowhere").exists()


def test_buildings_and_units_round_trip(store: Store) -> None:
    with store.session() as session:
        building = Building(code="3", name="3栋", name_en="Building 3", floors=18, entrances=2)
        session.add(building)
        session.flush()
        session.add(Unit(code="3-2-1501", building_id=building.id, entrance="2", floor=15, room="1501",
                         area_m2=98.5, monthly_fee_fen=27580))
    with store.session() as session:
        unit = session.exec(select(Unit).where(Unit.code == "3-2-1501")).one()
    assert (unit.floor, unit.monthly_fee_fen, unit.vacant) == (15, 27580, False)


def test_a_read_session_does_not_wait_for_a_writer(store: Store) -> None:
    """Reads begin with a plain BEGIN: a counter reading never queues behind one writing."""
    import time

    with store.session() as writer:
        writer.add(Setting(key="k", value="v"))
        writer.flush()
        started = time.perf_counter()
        with store.read() as reader:
            assert reader.exec(text("SELECT count(*) FROM setting")).one()[0] == 0  # not yet committed
        assert time.perf_counter() - started < BUSY_TIMEOUT_MS / 1000 / 2
    with store.read() as reader:
        assert reader.exec(text("SELECT count(*) FROM setting")).one()[0] == 1


def test_visit_moves_are_carried_from_visit_step_into_flow_move_and_back(db_url: str) -> None:
    """Migration 0004 keeps every recorded move of a visit, in order, both ways."""
    from alembic import command

    store = Store(db_url)
    config = migrate._config(store.engine)
    command.upgrade(config, "0003")
    with store.engine.begin() as c:
        c.execute(text("INSERT INTO staff (id, code, name, role, phone, pin_hash, active, present) "
                       "VALUES (1, 'demo', '陈', 'clerk', '', 'x', TRUE, TRUE)"))
        c.execute(text("INSERT INTO visit (id, arrived_at, surname, title, phone, purpose, urgent, state, "
                       "registered_by_id, scenario, outcome, slot_values) VALUES "
                       "(7, '2026-11-24 02:00:00', '任', '', '', '', FALSE, 'serving', 1, 'walk_in', '', '{}')"))
        for seq, (step, via) in enumerate([("greet", "next"), ("purpose", "option:3"), ("purpose", "back")], 1):
            c.execute(text("INSERT INTO visit_step (visit_id, seq, at, scenario, step, via, actor_id) "
                           "VALUES (7, :seq, '2026-11-24 02:00:00', 'walk_in', :step, :via, 1)"),
                      {"seq": seq, "step": step, "via": via})
    command.upgrade(config, "head")
    with store.engine.connect() as c:
        rows = c.execute(text("SELECT record_kind, record_id, seq, step, via FROM flow_move ORDER BY seq")).all()
        assert "visit_step" not in inspect(c).get_table_names()
    assert rows == [("visit", 7, 1, "greet", "next"), ("visit", 7, 2, "purpose", "option:3"), ("visit", 7, 3, "purpose", "back")]
    command.downgrade(config, "0003")
    with store.engine.connect() as c:
        back = c.execute(text("SELECT visit_id, seq, via FROM visit_step ORDER BY seq")).all()
        assert c.execute(text("SELECT count(*) FROM flow_move")).scalar() == 0
    assert back == [(7, 1, "next"), (7, 2, "option:3"), (7, 3, "back")]


def test_the_revisions_read_from_the_files_are_alembics() -> None:
    """The start-up check reads the migration files itself (no alembic import): same answer."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrate.MIGRATIONS))
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.revisions() == {rev.revision: rev.down_revision for rev in script.walk_revisions()}
