"""`deskapp report daily|range`: writing the report, and the light way of running it.

A supervisor runs the report as a whole process, often from a script, so its start-up counts
(issue 13: a day within 0.5 s, a month within 2 s). Built through typer and opened through
SQLAlchemy, the command spends most of that importing them. So when the command line is one
this module can read (the report's own options, nothing else) and the store is a SQLite file
that plainly looks ready (`store.preflight`), `light` runs the report with the stdlib's sqlite3
and writes it. Anything else — --help, --unmasked (a supervisor's PIN is checked and audited
through the store), PostgreSQL, a store with something to say, a mistake in the command — and
`light` says no: the full command line (`deskapp.cli`) runs it and says what is wrong, in
the same words as always.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deskapp.console import LANGUAGES, Options

_GLOBAL = ("--db", "--lang", "--policy")
_OWN = {
    "daily": ("--date", "--format", "--out", *_GLOBAL),
    "range": ("--from", "--to", "--format", "--out", *_GLOBAL),
}


@dataclass
class Command:
    kind: str  # daily / range
    options: Options
    values: dict[str, str] = field(default_factory=dict)


def _options(argv: list[str], at: int, allowed: tuple[str, ...], into: dict[str, str]) -> int | None:
    """Read `--name value` / `--name=value` pairs from `at` up to the first other word; the index
    of that word, or None for anything this reader does not know (the full command line will)."""
    while at < len(argv) and argv[at].startswith("-"):
        name, equals, value = argv[at].partition("=")
        if name not in allowed or name in into:
            return None
        if not equals:
            at += 1
            if at == len(argv):
                return None
            value = argv[at]
        into[name] = value
        at += 1
    return at


def parse(argv: list[str]) -> Command | None:
    """`[--db/--lang/--policy …] report daily|range [its options]`, else None."""
    first: dict[str, str] = {}
    at = _options(argv, 0, _GLOBAL, first)
    if at is None or argv[at:at + 1] != ["report"] or len(argv) < at + 2 or argv[at + 1] not in _OWN:
        return None
    kind = argv[at + 1]
    own: dict[str, str] = {}
    end = _options(argv, at + 2, _OWN[kind], own)
    if end is None or end != len(argv) or (kind == "range" and "--from" not in own):
        return None
    merged = {**first, **own}  # the command's own --db/--lang/--policy win, as in deskapp.cli
    options = Options(merged.get("--db"), merged.get("--lang"), merged.get("--policy"))
    return Command(kind, options, own)


def light(argv: list[str]) -> bool:
    """Run the report the light way if it can be; False (having written nothing) when the full
    command line should run it instead."""
    command = parse(argv)
    if command is None or command.options.language not in LANGUAGES:
        return False
    from deskapp.store.preflight import looks_ready, sqlite_path

    url = command.options.url
    if not looks_ready(url):
        return False
    path = sqlite_path(url)
    try:
        report, context = _run(command, path)
    except Exception:  # noqa: BLE001 - a bad date, a damaged page …: the full command line tells it
        return False
    from deskapp.errors import DeskappError

    try:
        write(context, report, command.values.get("--format", "table"), command.values.get("--out"))
    except DeskappError:  # a folder that cannot be written: told by the full command line
        return False
    return True


def _run(command: Command, path: Path | None):
    from deskapp.console import light_context
    from deskapp.services.report import daily, parse_day, span

    assert path is not None
    context = light_context(command.options)
    fmt = command.values.get("--format", "table")
    today = context.clock.now().astimezone(context.policy.timezone).date()
    check_format(fmt, command.values.get("--out"))
    if command.kind == "daily":
        day = parse_day(command.values.get("--date", "today"), today)
        return daily(path, context.clock, context.policy, day), context
    first, last = parse_day(command.values["--from"], today), parse_day(command.values.get("--to", "today"), today)
    with progress(context.t("report.progress")) as tick:
        return span(path, context.clock, context.policy, first, last, progress=tick), context


# -- writing -----------------------------------------------------------------------------------------


def check_format(fmt: str, out: str | None) -> None:
    from deskapp import report_formats as rf
    from deskapp.errors import DeskappError

    if fmt not in rf.FORMATS:
        raise DeskappError("report.bad_format", format=fmt)
    if fmt == "xlsx" and not out:
        raise DeskappError("report.xlsx_needs_out")


def write(context, report, fmt: str, out: str | None) -> None:
    """Print or write the report; xlsx only to a file."""
    from deskapp import report_formats as rf
    from deskapp.errors import DeskappError

    t = context.t
    check_format(fmt, out)
    if fmt == "table" and not out:
        rf.print_table(report, t)
        return
    path = Path(out) if out else None
    try:
        if fmt == "xlsx":
            rf.write_xlsx(report, t, path)
        elif fmt == "table":
            from rich.console import Console

            with path.open("w", encoding="utf-8") as f:
                rf.print_table(report, t, Console(file=f, width=160, color_system=None))
        elif path is not None:
            # CSV with a byte-order mark, so that Excel and WPS read the Chinese as UTF-8.
            path.write_text(rf.render(report, fmt, t), encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        else:
            sys.stdout.write(rf.render(report, fmt, t))
            return
    except OSError as e:
        raise DeskappError("report.out_folder", path=str(path), reason=e.strerror or str(e)) from None
    sys.stderr.write(t("report.written", path=str(path)) + "\n")


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long work, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
