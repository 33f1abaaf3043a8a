"""`deskapp backup` and `deskapp restore` (issue 12, item 7): a backup of the demo store, the live
store changed, the backup restored, and every table compared row by row with what was backed up;
a backup taken while another process writes is consistent; a damaged, a newer or a foreign
backup is refused with the live store untouched; PostgreSQL gets the commands to run."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from breakage import damage
from cli.test_cli import one_line_failure, run
from deskapp.cli import _size
from deskapp.clock import FixedClock
from deskapp.errors import DeskappError
from deskapp.services import backup as B
from deskapp.services.calls import ring
from deskapp.store import migrate
from deskapp.store.engine import Store

pytestmark = pytest.mark.sqlite_only
HEAD = migrate.head_revision()


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in rowid order."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        rows = {name: db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}
    db.close()
    return rows


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith((path.name, f".{path.name}")))


def _kept(live: Path) -> Path:
    """The store kept by a restore (not its side files)."""
    (kept,) = [p for p in live.parent.glob(f"{live.name}.before-restore-*") if not p.name.endswith(("-wal", "-shm"))]
    return kept


@pytest.fixture
def live(demo_store: Store) -> Path:
    demo_store.dispose()  # a console that was closed: restore needs the store to itself
    return Path(demo_store.url.removeprefix("sqlite:///"))


def test_backup_change_restore_gives_back_every_row(live: Path, tmp_path: Path, clock: FixedClock) -> None:
    url, copy = f"sqlite:///{live}", tmp_path / "saved" / "monday.db"
    copy.parent.mkdir()
    done = run("--lang", "en", "backup", str(copy), "--db", url)
    assert done.returncode == 0, done.stderr
    written, counts = done.stdout.splitlines()
    assert written == f"Backup written: {copy} ({_size(copy.stat().st_size)}, revision {HEAD})"
    backed_up = _rows(copy)
    total = sum(len(rows) for name, rows in backed_up.items() if name != "alembic_version")
    assert counts.startswith(f"{total} records in {len(backed_up) - 1} tables: ") and "staff 11, unit 468" in counts
    assert backed_up == _rows(live)

    store = Store(url)  # the counter goes on: a call, a unit's fee changed, a setting gone
    ring(store, clock, "13812345678")
    with store.session() as session:
        session.connection().exec_driver_sql("UPDATE unit SET monthly_fee_fen = monthly_fee_fen + 1 WHERE id = 1")
        session.connection().exec_driver_sql("DELETE FROM setting WHERE key = 'demo_loaded_at'")
    store.dispose()
    changed = _rows(live)
    assert changed != backed_up

    done = run("--lang", "en", "restore", str(copy), "--db", url)
    assert done.returncode == 0, done.stderr
    kept = _kept(live)
    assert done.stdout.splitlines()[:2] == [f"Restored {copy} into {live} (revision {HEAD})",
                                            f"The database as it was is kept as {kept}"]
    restored = _rows(live)
    event = restored["audit_event"].pop()  # the one row more: who restored what, and when
    assert restored == backed_up
    assert event[3] == "store.restored" and f'"source": "{copy}"' in event[6] and '"by": "' in event[6]
    assert _rows(kept) == changed  # the store as it was, whole
    assert _beside(live) == sorted([live.name, kept.name])  # no -wal/-shm of the old store, no staging file
    assert run("--lang", "en", "report", "daily", "--db", url).returncode == 0
    verified = run("--lang", "en", "audit", "verify", "--db", url)  # the restore's event chains on
    assert verified.returncode == 0, verified.stdout + verified.stderr


WRITER = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from deskapp.clock import SystemClock
    from deskapp.services import audit
    from deskapp.store.engine import Store
    from deskapp.store.tables import Setting

    store, n = Store(sys.argv[1]), 0
    while True:
        n += 1
        with store.session() as session:  # one transaction: an event and the count of them
            audit.record(session, SystemClock(), "test.tick", n=n)
            session.merge(Setting(key="ticks", value=str(n)))
        if n == 20:
            print("writing", flush=True)
""")


def test_a_backup_taken_while_another_process_writes_is_consistent(live: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{live}"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        seen = []
        for k in range(6):
            snapshot = B.backup(url, tmp_path / f"b{k}.db")
            with sqlite3.connect(snapshot.path) as db:
                ticks = int(db.execute("SELECT value FROM setting WHERE key = 'ticks'").fetchone()[0])
                events = db.execute("SELECT count(*) FROM audit_event WHERE action = 'test.tick'").fetchone()[0]
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            db.close()
            assert events == ticks, "a backup caught half a transaction"
            seen.append(ticks)
            time.sleep(0.05)
        assert writer.poll() is None, writer.stderr.read()  # the writer never failed while backed up
    finally:
        writer.kill()
        writer.wait()
    assert seen == sorted(seen) and seen[-1] > seen[0] >= 20  # the backups followed a store that moved
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("breakage", ["random_bytes", "pages_damaged", "newer", "not_deskapp"])
def test_a_bad_backup_is_refused_and_the_live_store_untouched(live: Path, tmp_path: Path, breakage: str) -> None:
    url, bad = f"sqlite:///{live}", tmp_path / "bad.db"
    if breakage == "random_bytes":
        bad.write_bytes(os.urandom(256 * 1024))
    elif breakage == "not_deskapp":
        with sqlite3.connect(bad) as db:
            db.execute("CREATE TABLE notes (text)")
        db.close()
    else:
        B.backup(url, bad)
        if breakage == "pages_damaged":
            damage(bad, "unit")
        else:
            with sqlite3.connect(bad) as db:
                db.execute("UPDATE alembic_version SET version_num = '9999'")
            db.close()
    before, names = _digest(live), _beside(live)

    line = one_line_failure(run("--lang", "en", "restore", str(bad), "--db", url))
    expected = {
        "random_bytes": f"deskapp: The backup {bad} is damaged or not a database (file is not a database): nothing was restored",
        "pages_damaged": f"deskapp: The backup {bad} is damaged or not a database (",
        "newer": f"deskapp: The backup {bad} is from a newer deskapp (revision 9999): nothing was restored; upgrade deskapp first",
        "not_deskapp": f"deskapp: {bad} is not a deskapp store (it has no schema revision)",
    }[breakage]
    assert line.startswith(expected), line
    assert (_digest(live), _beside(live)) == (before, names)


def test_an_older_backup_is_restored_and_brought_up_to_date(live: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    previous = ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(HEAD).down_revision
    store = Store(f"sqlite:///{older}")
    command.upgrade(migrate._config(store.engine), previous)
    store.dispose()

    done = run("--lang", "en", "restore", str(older), "--db", f"sqlite:///{live}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == f"The backup was of revision {previous}; upgraded to {HEAD}"
    assert migrate.schema_state(Store(f"sqlite:///{live}").engine) == "current"


def test_restore_waits_for_every_console_to_close(live: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{live}"
    B.backup(url, tmp_path / "b.db")
    before = _digest(live)  # not while the console is open: closing a file drops this process's locks on it
    console = Store(url)
    with console.read() as session:  # a console that has the store open
        session.connection().exec_driver_sql("SELECT count(*) FROM unit").one()
    line = one_line_failure(run("--lang", "en", "restore", str(tmp_path / "b.db"), "--db", url))
    assert line == f"deskapp: The database {live} is open in another console: close every console on it, then restore again"
    console.dispose()
    assert _digest(live) == before and not list(live.parent.glob("*before-restore*"))
    assert run("restore", str(tmp_path / "b.db"), "--db", url).returncode == 0  # closed: now it goes


def test_a_damaged_store_is_not_backed_up_but_can_be_restored_over(live: Path, tmp_path: Path) -> None:
    url, good = f"sqlite:///{live}", tmp_path / "good.db"
    B.backup(url, good)
    live.write_bytes(os.urandom(128 * 1024))  # the disaster
    line = one_line_failure(run("--lang", "en", "backup", str(tmp_path / "new.db"), "--db", url))
    assert line == ("deskapp: The database is damaged (file is not a database): restore the latest backup with "
                    f"deskapp restore ({live})")
    assert not (tmp_path / "new.db").exists()

    damaged = live.read_bytes()
    assert run("restore", str(good), "--db", url).returncode == 0
    assert _rows(live)["unit"] == _rows(good)["unit"]
    assert _kept(live).read_bytes() == damaged


def test_a_store_with_pages_damaged_mid_file_is_not_backed_up(live: Path, tmp_path: Path) -> None:
    damage(live, "unit")
    line = one_line_failure(run("--lang", "en", "backup", str(tmp_path / "b.db"), "--db", f"sqlite:///{live}"))
    assert line.startswith(f"deskapp: The database {live} is damaged (")
    assert line.endswith("): no backup was written; restore the last good backup")
    assert list(tmp_path.glob("*b.db*")) == []


def test_restore_onto_a_new_machine_with_no_store_yet(tmp_path: Path, live: Path) -> None:
    good = tmp_path / "good.db"
    B.backup(f"sqlite:///{live}", good)
    fresh = tmp_path / "new-machine" / "deskapp.db"
    fresh.parent.mkdir()
    done = run("restore", str(good), "--db", f"sqlite:///{fresh}")
    assert done.returncode == 0, done.stderr
    assert "before-restore" not in done.stdout and _rows(fresh)["staff"] == _rows(good)["staff"]


def test_backup_names_what_it_refuses(live: Path, tmp_path: Path, clock: FixedClock) -> None:
    url, target = f"sqlite:///{live}", tmp_path / "b.db"
    target.write_text("yesterday's")
    assert one_line_failure(run("backup", str(target), "--db", url)) == f"deskapp: {target} 已存在:请换一个文件名,或加 --force 覆盖"
    assert target.read_text() == "yesterday's"
    assert run("backup", str(target), "--force", "--db", url).returncode == 0
    assert B.check(target).revision == HEAD
    assert one_line_failure(run("--lang", "en", "backup", str(live), "--db", url)) == (
        f"deskapp: The backup cannot be the store itself: {live}")
    assert one_line_failure(run("--lang", "en", "backup", str(tmp_path / "no" / "b.db"), "--db", url)) == (
        f"deskapp: The backup's folder does not exist: {tmp_path / 'no'}")
    assert one_line_failure(run("--lang", "en", "backup", str(target), "--db", f"sqlite:///{tmp_path / 'none.db'}")) == (
        "deskapp: The database is not set up yet: run deskapp init (or deskapp init --demo)")
    with pytest.raises(DeskappError) as refused:
        B.restore(url, tmp_path / "missing.db", clock, by="test")
    assert refused.value.key == "backup.missing"


@pytest.mark.parametrize("words", [["backup"], ["restore"]])
def test_postgres_gets_the_commands_and_nothing_is_touched(tmp_path: Path, words: list[str]) -> None:
    url = "postgresql+psycopg://deskapp:s3cret@db.local:5432/deskapp"
    done = run("--lang", "en", *words, str(tmp_path / "deskapp.dump"), "--db", url)
    assert done.returncode == 0, done.stderr
    assert "s3cret" not in done.stdout and list(tmp_path.iterdir()) == []
    lines = done.stdout.splitlines()
    if words == ["backup"]:
        assert lines[1] == f'  pg_dump --format=custom --file "{tmp_path / "deskapp.dump"}" "postgresql://deskapp@db.local:5432/deskapp"'
    else:
        assert lines[1].startswith("  pg_restore --clean --if-exists --no-owner --single-transaction")
        assert lines[2] == '  deskapp --db "postgresql+psycopg://deskapp:***@db.local:5432/deskapp" init'
