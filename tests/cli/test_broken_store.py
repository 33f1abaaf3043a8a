"""A broken store at the command line and at the console's start: one line in the UI language,
exit status 1, never a traceback, nothing saved. (A missing store and a newer one: test_cli.py.)"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from breakage import FILL, damage, in_own_mounts, read_only_file
from cli.test_cli import DESKAPP, one_line_failure, run

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def demo_file(demo_store) -> Path:
    """The demo store as a closed file (its WAL checkpointed into it)."""
    demo_store.dispose()
    return Path(demo_store.url.removeprefix("sqlite:///"))


def test_random_bytes_in_either_language_at_the_console_and_a_command(tmp_path: Path) -> None:
    (tmp_path / "deskapp.db").write_bytes(os.urandom(32 * 1024))
    url = "sqlite:///deskapp.db"
    assert one_line_failure(run("--db", url, cwd=tmp_path)) == (
        "deskapp: 数据库文件已损坏(file is not a database),请用 deskapp restore 恢复最近的备份(deskapp.db)")
    assert one_line_failure(run("--lang", "en", "report", "daily", "--db", url, cwd=tmp_path)) == (
        "deskapp: The database is damaged (file is not a database): restore the latest backup with deskapp restore (deskapp.db)")


def test_pages_damaged_mid_file(demo_file: Path) -> None:
    # A table every report reads (the site's name): the report counts by indexes and reads no
    # more of the file than that, so damage elsewhere may go unseen by it.
    damage(demo_file, "setting")
    line = one_line_failure(run("--lang", "en", "report", "daily", "--db", f"sqlite:///{demo_file}"))
    assert line == ("deskapp: The database is damaged (database disk image is malformed): "
                    f"restore the latest backup with deskapp restore ({demo_file})")


def test_a_read_only_store_file(demo_file: Path) -> None:
    url = f"sqlite:///{demo_file}"
    with read_only_file(demo_file):
        for command in ([], ["call", "ring", "13812345678"]):
            line = one_line_failure(run("--lang", "en", "--db", url, *command))
            assert line == ("deskapp: The database is read-only: nothing can be saved. "
                            f"Ask the administrator to make it writable ({demo_file})")
        assert "数据库为只读" in one_line_failure(run("--db", url, "call", "ring", "13812345678"))


def _calls(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        count = connection.execute("SELECT count(*) FROM call").fetchone()[0]
    connection.close()
    return count


def _in_mnt(tmp_path: Path, demo_file: Path, before: list[str], after_copy: list[str]) -> subprocess.CompletedProcess:
    """In a mount namespace of its own: prepare mnt/, copy the demo store in, break it, open the
    console and ring a call there, then count the calls the store holds."""
    (tmp_path / "mnt").mkdir()
    deskapp = [DESKAPP, "--lang", "en", "--db", "sqlite:///mnt/deskapp.db"]
    count = "import sqlite3; print('calls', sqlite3.connect('file:mnt/deskapp.db?immutable=1', uri=True).execute('select count(*) from call').fetchone()[0])"
    lines = [f"cd {shlex.quote(str(tmp_path))}", *before, f"cp {shlex.quote(str(demo_file))} mnt/deskapp.db", *after_copy,
             *(shlex.join(deskapp + command) + " || echo exit=$?" for command in ([], ["call", "ring", "13812345678"])),
             "rm -f mnt/filler || true", f"{shlex.quote(sys.executable)} -c {shlex.quote(count)}"]
    done = in_own_mounts("\n".join(lines), tmp_path)
    assert "Traceback" not in done.stderr + done.stdout
    return done


def test_a_full_disk(demo_file: Path, tmp_path: Path) -> None:
    """A real full disk: a tmpfs filled to the last block. Nothing is saved."""
    size = demo_file.stat().st_size + 2 * 1024 * 1024
    done = _in_mnt(tmp_path, demo_file, [f"mount -t tmpfs -o size={size} tmpfs mnt"], [FILL.format(folder="mnt")])
    message = ("deskapp: The disk holding the database is full: nothing was saved. "
               "Free some space, then try again (mnt/deskapp.db)")
    assert done.stderr.splitlines() == [message, message], done.stderr
    assert done.stdout.splitlines() == ["exit=1", "exit=1", f"calls {_calls(demo_file)}"]


def test_a_read_only_folder(demo_file: Path, tmp_path: Path) -> None:
    """A read-only mount: a write-protected disk, a file system remounted read-only after errors."""
    done = _in_mnt(tmp_path, demo_file, ["mount --bind mnt mnt"], ["mount -o remount,ro,bind mnt"])
    message = ("deskapp: The database is read-only: nothing can be saved. "
               f"Ask the administrator to make it writable ({tmp_path / 'mnt' / 'deskapp.db'})")
    assert done.stderr.splitlines() == [message, message], done.stderr
    assert done.stdout.splitlines() == ["exit=1", "exit=1", f"calls {_calls(demo_file)}"]
