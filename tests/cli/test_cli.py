"""The real `deskapp` console script, run as a user runs it: in a new process, with no terminal.

Expected failures are one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import deskapp
from deskapp.store.migrate import head_revision

HEAD = head_revision()

SCRIPT = Path(sys.executable).parent / "deskapp"
DESKAPP = str(SCRIPT) if SCRIPT.exists() else shutil.which("deskapp")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    assert DESKAPP, "the deskapp console script is not installed (pip install -e '.[test]')"
    return subprocess.run(
        [DESKAPP, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
        cwd=cwd, env={**os.environ, **(env or {})},
    )


def one_line_failure(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("deskapp: ")
    return lines[0]


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"deskapp {deskapp.__version__}"


def _commands() -> list[list[str]]:
    """Every command and subcommand of the deskapp CLI, as the words that invoke it."""
    import typer

    from deskapp.cli import app

    def walk(command, words: list[str]):
        yield words
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*words, name])

    return list(walk(typer.main.get_command(app), []))


def test_the_commands_are_found() -> None:
    assert [] in _commands() and ["init"] in _commands()


@pytest.mark.parametrize("command", _commands(), ids=lambda words: " ".join(words) or "deskapp")
def test_help_on_every_command(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"Usage: deskapp {' '.join(command)}".rstrip() in done.stdout
    if not command:
        for option in ("--db", "--lang", "--policy", "--version", "init"):
            assert option in done.stdout
    if command == ["init"]:
        for option in ("--demo", "--db", "--lang", "--policy"):
            assert option in done.stdout


def test_init_demo_twice_in_a_row(tmp_path: Path) -> None:
    first = run("init", "--demo", "--db", "sqlite:///x.db", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"数据库已就绪(版本 {HEAD}):sqlite:///x.db",
        "演示小区已载入。演示账号:接待员 demo / 1234,客服主任 super / 5678",
    ]
    assert (tmp_path / "x.db").is_file()

    second = run("init", "--demo", "--db", "sqlite:///x.db", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[1] == "演示小区此前已载入,未重复载入。"
    assert second.stderr == ""


def test_init_in_english_by_option_or_environment(tmp_path: Path) -> None:
    done = run("--lang", "en", "init", "--db", "sqlite:///y.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Store ready (revision {HEAD}): sqlite:///y.db"

    done = run("init", "--db", "sqlite:///y.db", cwd=tmp_path, env={"DESKAPP_LANG": "en"})
    assert done.stdout.startswith("Store ready")


def test_init_without_db_uses_the_user_data_folder(isolated_env: Path) -> None:
    done = run("--lang", "en", "init")
    assert done.returncode == 0, done.stderr
    store = isolated_env / "data" / "deskapp" / "deskapp.db"
    assert store.is_file()
    assert str(store) in done.stdout


def test_the_database_url_may_come_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    done = run("--lang", "en", "init", env={"DESKAPP_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    assert url in done.stdout and (tmp_path / "env.db").is_file()


@pytest.mark.parametrize(
    ("url", "english"),
    [
        ("not-a-url", "Not a usable database URL: not-a-url"),
        ("nosuchdialect://host/db", "Not a usable database URL: nosuchdialect://host/db"),
        ("sqlite://", "An in-memory database cannot be used"),
    ],
)
def test_a_bad_url_is_one_line(url: str, english: str) -> None:
    assert english in one_line_failure(run("--lang", "en", "init", "--db", url))


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    line = one_line_failure(run("init", "--db", f"sqlite:///{tmp_path}/no/such/folder/x.db"))
    assert line == f"deskapp: 数据库所在文件夹不存在:{tmp_path}/no/such/folder"
    assert not (tmp_path / "no").exists()


def test_a_store_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    assert run("init", "--db", "sqlite:///x.db", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "x.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()

    for command in (["init"], []):
        line = one_line_failure(run("--lang", "en", "--db", "sqlite:///x.db", *command, cwd=tmp_path))
        assert line == "deskapp: The database (revision 9999) is newer than this deskapp; upgrade deskapp"


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    line = one_line_failure(run("--lang", "en", "init", "--db", "sqlite:///notes.db", cwd=tmp_path))
    assert line == "deskapp: The database is damaged (file is not a database): restore the latest backup with deskapp restore (notes.db)"


def test_the_console_on_a_store_not_set_up(tmp_path: Path) -> None:
    line = one_line_failure(run("--lang", "en", "--db", "sqlite:///x.db", cwd=tmp_path))
    assert line == "deskapp: The database is not set up yet: run deskapp init (or deskapp init --demo)"
    line = one_line_failure(run("--db", "sqlite:///x.db", cwd=tmp_path))
    assert line == "deskapp: 数据库尚未建立,请先运行 deskapp init(或 deskapp init --demo)"


def test_the_console_before_any_init_says_not_set_up(isolated_env: Path) -> None:
    """A new user who types `deskapp` first is told to run `deskapp init`, and nothing is created."""
    line = one_line_failure(run("--lang", "en"))
    assert line == "deskapp: The database is not set up yet: run deskapp init (or deskapp init --demo)"
    assert not (isolated_env / "data").exists()


@pytest.mark.parametrize(
    ("args", "english"),
    [
        (["--lang", "fr", "init"], "unsupported language: fr"),
        (["--lang", "en", "--policy", "/no/such/policy.toml", "init"], "Cannot read the policy file /no/such/policy.toml"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, args: list[str], english: str) -> None:
    assert english in one_line_failure(run(*args, "--db", "sqlite:///x.db", cwd=tmp_path))


def test_a_bad_site_policy_is_one_line(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[reception]\nwait_handoff_minutes = -3\n", encoding="utf-8")
    line = one_line_failure(run("--lang", "en", "--policy", str(site), "init", "--db", "sqlite:///x.db", cwd=tmp_path))
    assert line == f"deskapp: Site policy file {site}: reception.wait_handoff_minutes cannot be negative"


def test_opening_a_missing_sqlite_store_leaves_no_empty_file(tmp_path: Path) -> None:
    line = one_line_failure(run("--lang", "en", "--db", "sqlite:///new.db", cwd=tmp_path))
    assert "not set up" in line
    assert not (tmp_path / "new.db").exists()


def test_init_never_prints_a_password() -> None:
    from deskapp.cli import _shown_url

    shown = _shown_url("postgresql+psycopg://deskapp:s3cret@db.local/deskapp")
    assert "s3cret" not in shown and shown.startswith("postgresql+psycopg://deskapp:")
