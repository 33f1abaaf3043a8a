"""The history generator (services.history): two weeks of a 2 000-unit estate played on the demo
community, once per engine (SQLite, and PostgreSQL when DESKAPP_TEST_POSTGRES_URL is set).

The history ends yesterday by the real calendar (a fixed clock stopped at this moment), so the
real `deskapp report daily --date yesterday` reads it. Checked: counts in a plausible range for
that estate, every foreign key and the audit chain intact, the report's sections and the Today
board alive, and the same seed giving the same rows.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import and_, func, select
from sqlmodel import SQLModel

from deskapp.clock import FixedClock
from deskapp.policy import load_policy
from deskapp.services import audit, handover, history
from deskapp.store.engine import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cli.test_cli import DESKAPP
from pg import URL as PG_URL

DAYS, UNITS = 14, 2000
NOW = FixedClock(datetime.now(UTC).replace(microsecond=0))  # "yesterday" for the CLI is the history's last day
ENGINES = ("sqlite", "postgresql") if PG_URL else ("sqlite",)


def _sqlite_copy(template: Path, target: Path) -> Store:
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return Store(f"sqlite:///{target}")


def _generated(store: Store, seed: int = history.DEFAULT_SEED) -> history.HistoryResult:
    return history.generate(store, NOW, load_policy(), days=DAYS, units=UNITS, seed=seed)


@pytest.fixture(scope="module", params=ENGINES)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, history.HistoryResult]]:
    """The demo community with two weeks of history, made once per engine for this module."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("demo_template")
        store = _sqlite_copy(template, tmp_path_factory.mktemp("history") / "history.db")
        yield store, _generated(store)
        store.dispose()
        return
    server = request.getfixturevalue("pg_server")
    name = server.new_name()
    store = Store(server.create(name, template=request.getfixturevalue("pg_demo_template")))
    yield store, _generated(store)
    store.dispose()
    server.drop(name)


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(SQLModel.metadata.tables[table])).scalar_one()


def test_counts_are_those_of_a_two_week_office_for_the_estate(generated) -> None:
    store, result = generated
    assert result.status == "loaded"
    assert result.last_day == NOW.now().astimezone(load_policy().timezone).date() - timedelta(days=1)
    assert _count(store, "unit") == UNITS
    per_day = {name: _count(store, name) / DAYS for name in ("visit", "call", "work_order", "feedback", "release_request",
                                                              "handover", "key_loan", "renovation_patrol")}
    # 2 000 units: ~19 visitors and ~31 calls on a weekday, fewer at the weekend; a repair in every few
    assert 10 <= per_day["visit"] <= 30, per_day
    assert 18 <= per_day["call"] <= 50, per_day
    assert 4 <= per_day["work_order"] <= 15, per_day
    assert 0.3 <= per_day["feedback"] <= 5, per_day
    assert 1 <= per_day["release_request"] <= 6, per_day
    assert 1 <= per_day["handover"] <= 3, per_day  # the morning and the afternoon shift change
    assert per_day["key_loan"] > 0 and per_day["renovation_patrol"] > 0, per_day
    assert _count(store, "work_order_event") >= 4 * _count(store, "work_order")
    assert _count(store, "flow_move") >= 3 * (_count(store, "visit") + _count(store, "call"))
    assert _count(store, "audit_event") >= 2 * (_count(store, "visit") + _count(store, "call"))
    for name in ("visit", "call", "work_order", "handover_item", "flow_move"):  # none of them in the demo
        assert result.rows[name] == _count(store, name), name
    assert result.rows["unit"] == UNITS - 468  # the demo's 468, grown to UNITS


def test_every_foreign_key_points_at_a_row(generated) -> None:
    """Each foreign key of every table, checked by a join on either engine (and SQLite's own
    foreign_key_check and integrity_check on a file store)."""
    store, _ = generated
    dangling = {}
    with store.engine.connect() as c:
        for table in SQLModel.metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.alias("parent")  # a call points at a call
                target = parent.c[fk.column.name]
                child_column = fk.parent
                n = c.execute(
                    select(func.count()).select_from(table.outerjoin(parent, child_column == target))
                    .where(and_(child_column.is_not(None), target.is_(None)))
                ).scalar_one()
                if n:
                    dangling[f"{table.name}.{child_column.name}"] = n
    assert dangling == {}
    if store.engine.dialect.name == "sqlite":
        path = store.engine.url.database
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_the_audit_log_is_chained_from_the_demo_to_the_end(generated) -> None:
    store, _ = generated
    check = audit.verify(store)
    assert check.broken is None
    assert check.checked == _count(store, "audit_event") > 1000


def test_ids_rise_with_time_as_when_the_console_writes_them(generated) -> None:
    store, _ = generated
    t = SQLModel.metadata.tables
    with store.engine.connect() as c:
        for name, column in (("visit", "arrived_at"), ("call", "rang_at"), ("work_order_event", "at"), ("flow_move", "at")):
            times = c.execute(select(t[name].c[column]).order_by(t[name].c.id)).scalars().all()
            assert times == sorted(times), name
        demo = c.execute(select(func.max(t["audit_event"].c.id)).where(t["audit_event"].c.action == "init.demo")).scalar_one()
        times = c.execute(select(t["audit_event"].c.at).where(t["audit_event"].c.id > demo)  # the demo's, when it was loaded
                          .order_by(t["audit_event"].c.id)).scalars().all()
        assert times == sorted(times)


def test_yesterdays_report_has_visits_calls_and_repairs(generated) -> None:
    """The real command, on the real yesterday (the history's last day)."""
    store, _ = generated
    done = subprocess.run([DESKAPP, "--db", store.url, "report", "daily", "--date", "yesterday", "--format", "json"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    sections = json.loads(done.stdout)["sections"]
    visits = {row["purpose"]: row for row in sections["visits"]}
    calls = {row["metric"]: row["value"] for row in sections["calls"]}
    repairs = {row["area"]: row for row in sections["repairs"]}
    assert visits["total"]["visits"] > 0 and visits["total"]["served"] > 0
    assert calls["in"] > 0 and calls["answered"] > 0
    assert repairs["total"]["open"] > 0  # orders open at the day's end: some every day of a real office
    assert repairs["total"]["new"] + repairs["total"]["done"] + repairs["total"]["closed"] > 0
    assert {row["metric"]: row["value"] for row in sections["promises"]}["made"] > 0


def test_today_has_open_items_some_overdue(generated) -> None:
    store, _ = generated
    items = handover.open_items(store, NOW, load_policy(), None)
    kinds = {i.kind for i in items}
    assert {"promise", "work_order"} <= kinds
    assert any(i.due_at is not None and i.due_at < NOW.now() for i in items)
    assert len(items) < 400  # a desk's open work, not the history's


def test_a_second_history_is_not_written(generated) -> None:
    store, _ = generated
    before = _count(store, "visit")
    assert _generated(store).status == "already"
    assert _count(store, "visit") == before


def _digest(store: Store) -> dict[str, object]:
    """Every table's count and the audit chain's last hash (it covers every event's fields),
    with whole tables of the flows."""
    t = SQLModel.metadata.tables
    with store.engine.connect() as c:
        found: dict[str, object] = {name: c.execute(select(func.count()).select_from(t[name])).scalar_one() for name in t}
        found["last_hash"] = c.execute(select(t["audit_event"].c.hash).order_by(t["audit_event"].c.id.desc())
                                       .offset(1).limit(1)).scalar_one()  # before init.history (stamped with the run's time)
        for name in ("visit", "call", "work_order", "feedback", "handover_item", "person"):
            found[name + "_rows"] = [tuple(r) for r in c.execute(select(t[name]).order_by(t[name].c.id)).all()]
    return found


@pytest.mark.sqlite_only
def test_the_same_seed_gives_the_same_rows(demo_template: Path, tmp_path: Path) -> None:
    first, second, other = (_sqlite_copy(demo_template, tmp_path / f"{n}.db") for n in ("a", "b", "c"))
    _generated(first)
    _generated(second)
    _generated(other, seed=7)
    assert _digest(first) == _digest(second)
    assert _digest(first)["last_hash"] != _digest(other)["last_hash"]
    for store in (first, second, other):
        store.dispose()


def test_init_history_on_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run([DESKAPP, "--lang", "en", "init", "--history", "3", "--db", db], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("Demo community loaded")
    assert lines[2].startswith("History generated") and "(3 days)" in lines[2]
    again = subprocess.run([DESKAPP, "--lang", "en", "init", "--demo", "--history", "3", "--db", db],
                           capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[1:] == ["The demo community was already loaded; not loaded again.",
                                             "This store already holds a generated history; none generated again."]


def test_a_history_needs_days_and_a_community(store: Store) -> None:
    from deskapp.errors import DeskappError

    with pytest.raises(DeskappError) as bad:
        history.generate(store, NOW, load_policy(), days=0)
    assert bad.value.key == "history.bad_days"
    with pytest.raises(DeskappError) as empty:
        history.generate(store, NOW, load_policy(), days=2, units=100)
    assert empty.value.key == "history.needs_community"
    assert _count(store, "unit") == _count(store, "setting") == 0  # nothing written


def test_a_history_cut_short_is_named_not_added_to(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from deskapp.errors import DeskappError
    from deskapp.services.history_office import Office

    played = Office.play_day

    def power_cut(self, day: int) -> None:
        if day == 2:
            raise KeyboardInterrupt
        played(self, day)

    monkeypatch.setattr(Office, "play_day", power_cut)
    with pytest.raises(KeyboardInterrupt):
        history.generate(demo_store, NOW, load_policy(), days=5)
    monkeypatch.undo()
    with pytest.raises(DeskappError) as again:
        history.generate(demo_store, NOW, load_policy(), days=5)
    assert again.value.key == "history.unfinished"
