"""`deskapp report` the light way (deskapp.report_cli): which command lines it takes, that it
imports neither typer nor SQLAlchemy, that it prints what the full command line prints, and that
everything else — a mistake, --unmasked, a store with something to say — goes to the full
command line and its one-line messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli.test_cli import one_line_failure
from cli.test_report import deskapp, ok

from deskapp.report_cli import parse
from deskapp.store.engine import Store

pytestmark = pytest.mark.sqlite_only  # the light way is for a SQLite file; PostgreSQL takes the full one


@pytest.mark.parametrize(("argv", "kind", "db", "lang", "values"), [
    (["report", "daily"], "daily", None, None, {}),
    (["report", "daily", "--date", "昨天", "--format=json"], "daily", None, None, {"--date": "昨天", "--format": "json"}),
    (["--lang", "en", "--db", "sqlite:///a.db", "report", "daily"], "daily", "sqlite:///a.db", "en", {}),
    (["--lang", "en", "report", "daily", "--lang", "zh"], "daily", None, "zh", {"--lang": "zh"}),
    (["report", "range", "--from", "-7", "--to", "today", "--out", "r.csv", "--format", "csv"], "range", None, None,
     {"--from": "-7", "--to": "today", "--out": "r.csv", "--format": "csv"}),
])
def test_the_command_lines_it_takes(argv, kind, db, lang, values) -> None:
    command = parse(argv)
    assert command is not None
    assert (command.kind, command.options.db, command.options.lang) == (kind, db, lang)
    assert {k: v for k, v in command.values.items() if k not in ("--db", "--lang", "--policy")} == {
        k: v for k, v in values.items() if k not in ("--db", "--lang", "--policy")}


@pytest.mark.parametrize("argv", [
    ["report"],
    ["report", "weekly"],
    ["report", "daily", "--help"],
    ["report", "daily", "--unmasked"],
    ["report", "daily", "--date"],
    ["report", "daily", "--date", "today", "--date", "-1"],
    ["report", "daily", "extra"],
    ["report", "range"],  # --from is required: typer says so
    ["report", "range", "--from", "-3", "--date", "today"],
    ["--version", "report", "daily"],
    ["handover", "show", "report"],
])
def test_everything_else_goes_to_the_full_command_line(argv) -> None:
    assert parse(argv) is None


def _light_in_a_process(url: str, *args: str) -> subprocess.CompletedProcess:
    """`light` alone in a fresh interpreter; stderr's last line says what it imported."""
    code = (
        "import sys\n"
        "from deskapp.report_cli import light\n"
        f"done = light({list(args)!r} + ['--db', {url!r}])\n"
        "print('light' if done else 'full', *sorted(m for m in ('typer', 'click', 'sqlalchemy', 'sqlmodel', 'textual')"
        " if m in sys.modules), file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_a_report_imports_neither_typer_nor_sqlalchemy(demo_store: Store) -> None:
    done = _light_in_a_process(demo_store.url, "report", "daily", "--date", "2026-11-20", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "light"
    assert json.loads(done.stdout)["report"] == "daily"


def test_light_and_full_print_the_same_report(demo_store: Store) -> None:
    """The console script (light) and `python -m deskapp.cli` (typer, SQLAlchemy) on the same store."""
    for args in (["report", "daily", "--date", "2026-11-20"], ["report", "range", "--from", "2026-11-14", "--to", "2026-11-20"]):
        light = json.loads(ok(deskapp(*args, "--format", "json", "--db", demo_store.url)).stdout)
        full = subprocess.run([sys.executable, "-m", "deskapp.cli", *args, "--format", "json", "--db", demo_store.url],
                              capture_output=True, text=True, timeout=120, check=True)
        full_report = json.loads(full.stdout)
        for document in (light, full_report):
            document.pop("generated_at")
        assert light == full_report


def test_a_mistake_is_told_by_the_full_command_line(demo_store: Store) -> None:
    done = _light_in_a_process(demo_store.url, "report", "daily", "--date", "2026-13-45")
    assert (done.returncode, done.stdout, done.stderr.splitlines()[-1].split()[0]) == (0, "", "full")
    line = one_line_failure(deskapp("--lang", "en", "report", "daily", "--date", "2026-13-45", "--db", demo_store.url))
    assert "2026-13-45" in line and line.startswith("deskapp: ")
    line = one_line_failure(deskapp("--lang", "en", "report", "daily", "--format", "pdf", "--db", demo_store.url))
    assert "pdf" in line and line.startswith("deskapp: ")


def test_an_unwritable_out_file_is_told_once(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "report.csv"
    done = deskapp("--lang", "en", "report", "daily", "--format", "csv", "--out", str(out), "--db", demo_store.url)
    line = one_line_failure(done)
    assert str(out) in line and not out.exists()
