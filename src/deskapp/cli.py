"""The deskapp command: thin — parse, call a service, print. Heavy imports stay inside commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from deskapp import __version__, console
from deskapp.errors import DeskappError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    help="deskapp: the customer-service counter console (物业客服中心). Without a command, opens the console.",
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy database URL (default: a SQLite file in the user data folder; env DESKAPP_DATABASE_URL)."),
]
LangOption = Annotated[str | None, typer.Option("--lang", help="UI language: zh (default) or en; env DESKAPP_LANG.")]
PolicyOption = Annotated[str | None, typer.Option("--policy", help="A site policy file overriding data/policy.toml; env DESKAPP_POLICY.")]


Options = console.Options


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@contextmanager
def cleanly(options: Options) -> Iterator[None]:
    """Expected failures become one line on stderr and exit status 1, never a traceback."""
    from deskapp.i18n import Translator

    try:
        t = Translator(options.language)
    except DeskappError as e:
        raise _fail(f"deskapp: unsupported language: {e.params.get('lang')} (use zh or en)") from None
    try:
        yield
    except DeskappError as e:
        raise _fail(f"deskapp: {t.error(e)}") from None
    except Exception as e:  # a database driver's own error, an unreadable file …
        import sqlite3

        from sqlalchemy.exc import SQLAlchemyError

        from deskapp.store.faults import reason, store_error, where

        if isinstance(e, SQLAlchemyError | OSError | sqlite3.Error):
            told = store_error(e, where(options.url)) or DeskappError("store.unreachable", reason=reason(e))
            raise _fail(f"deskapp: {t.error(told)}") from None
        raise


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deskapp {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    lang: LangOption = None,
    policy: PolicyOption = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = Options(db, lang, policy)
    if ctx.invoked_subcommand is None:
        _open_console(ctx.obj)


def _context(options: Options, *, require_schema: bool = True):
    """For a command: the store, no catalogue (only the console's screens read it)."""
    ctx = _light_context(options)
    _open_store(options, ctx, require_schema=require_schema, catalogue=False)
    return ctx


_light_context = console.light_context
_open_store = console.open_store
_missing_sqlite_file = console.missing_sqlite_file


def _shown_url(url: str) -> str:
    """The URL as it may be printed: without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _open_console(options: Options) -> None:
    """On a SQLite store that looks ready, the console paints its sign-in screen first and opens
    the store behind it: the clerk can type the code and PIN meanwhile. Otherwise the store is
    opened first, and one that cannot be used is one line on stderr, the console never shown."""
    with cleanly(options):
        from deskapp.store.preflight import looks_ready

        ctx = _light_context(options)
        if not looks_ready(options.url):
            _open_store(options, ctx)  # PostgreSQL, or a store with something to say: before painting
        from deskapp.app import DeskApp

        console = DeskApp(ctx, open_store=None if ctx.store is not None else lambda: _open_store(options, ctx))
        console.run()
        if console.store_error is not None:
            raise console.store_error


@app.command()
def init(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Also load the demo community from data/demo/ (once).")] = False,
    history: Annotated[int | None, typer.Option("--history", metavar="DAYS", help="The demo community and DAYS days of its counter's history, ending yesterday (once).")] = None,
    db: DbOption = None,
    lang: LangOption = None,
    policy: PolicyOption = None,
) -> None:
    """Create the store or upgrade it to this version; safe to run again."""
    options = ctx.obj.merged(db, lang, policy)
    with cleanly(options):
        from deskapp.paths import user_data_dir
        from deskapp.services.setup import init_store

        if options.uses_default_store:
            user_data_dir().mkdir(parents=True, exist_ok=True)
        context = _context(options, require_schema=False)
        result = init_store(context.store, context.clock, context.policy, demo=demo or history is not None)
        t = context.t
        typer.echo(t("cli.init_done", revision=result.revision, url=_shown_url(options.url)))
        if result.demo == "loaded":
            typer.echo(t("cli.demo_loaded"))
        elif result.demo == "already":
            typer.echo(t("cli.demo_already"))
        if history is not None:
            from deskapp.services.history import generate

            made = generate(context.store, context.clock, context.policy, days=history)
            if made.status == "already":
                typer.echo(t("cli.history_already"))
            else:
                typer.echo(t("cli.history_loaded", first=made.first_day, last=made.last_day, days=history,
                             rows=made.total, seconds=f"{made.seconds:.1f}"))


BackupPath = Annotated[str, typer.Argument(metavar="PATH", help="The backup file.")]


@app.command()
def backup(
    ctx: typer.Context,
    path: BackupPath,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Copy the store to PATH while the counters keep working, and check the copy (SQLite);
    print the pg_dump command for a PostgreSQL store."""
    from pathlib import Path

    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.i18n import Translator
        from deskapp.services import backup as B

        t = Translator(options.language)
        if B.sqlite_file(options.url) is None:
            _echo_lines(t("backup.pg_backup"), B.pg_commands(options.url, Path(path), restoring=False))
            return
        copy = B.backup(options.url, Path(path), force=force)
        typer.echo(t("backup.written", path=str(copy.path), size=_size(copy.size), revision=copy.revision))
        typer.echo(_counts(t, copy.counts))


@app.command()
def restore(
    ctx: typer.Context,
    path: BackupPath,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Put the backup PATH in place of the store, checked first; the store as it was is kept beside
    it (SQLite; every console on the store closed). Prints the pg_restore commands for PostgreSQL."""
    from pathlib import Path

    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.clock import SystemClock
        from deskapp.i18n import Translator
        from deskapp.services import backup as B

        t = Translator(options.language)
        if B.sqlite_file(options.url) is None:
            _echo_lines(t("backup.pg_restore"), B.pg_commands(options.url, Path(path), restoring=True))
            return
        done = B.restore(options.url, Path(path), SystemClock(), by=B.operator())
        typer.echo(t("backup.restored", source=str(done.source), path=str(done.store.path), revision=done.store.revision))
        if done.migrated_from:
            typer.echo(t("backup.migrated", old=done.migrated_from, revision=done.store.revision))
        if done.kept:
            typer.echo(t("backup.kept", path=str(done.kept)))
        typer.echo(_counts(t, done.store.counts))


def _echo_lines(title: str, lines: list[str]) -> None:
    typer.echo(title)
    for line in lines:
        typer.echo(f"  {line}")


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def _counts(t, counts: dict[str, int]) -> str:
    listing = ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    return t("backup.counts", total=sum(counts.values()), tables=len(counts), listing=listing or "—")


catalogue_app = typer.Typer(help="The standards catalogue (data/catalogue/): check it, show a scenario.")
app.add_typer(catalogue_app, name="catalogue")

FolderOption = Annotated[
    str | None,
    typer.Option("--dir", help="Check this catalogue folder instead of the shipped data/catalogue/."),
]


@catalogue_app.command("check")
def catalogue_check(ctx: typer.Context, folder: FolderOption = None, lang: LangOption = None) -> None:
    """Check every file: references, facts, slots, translations. Exit 1 naming file:line of each problem."""
    from pathlib import Path

    from deskapp.i18n import Translator
    from deskapp.standards.catalogue import check

    options = ctx.obj.merged(None, lang, None)
    with cleanly(options):
        t = Translator(options.language)
        catalogue, problems = check(Path(folder) if folder else None)
        if problems:
            for problem in problems:
                typer.echo(problem.message(t), err=True)
            raise _fail(t("catalogue.failed", count=len(problems)))
        typer.echo(t(
            "catalogue.ok",
            scenarios=len(catalogue.scenarios),
            steps=sum(len(s.steps) for s in catalogue.scenarios.values()),
            tips=len(catalogue.tips), texts=len(catalogue.texts), forbidden=len(catalogue.forbidden),
        ))


@catalogue_app.command("show")
def catalogue_show(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. walk_in; `all` for every one.")],
    folder: FolderOption = None,
    lang: LangOption = None,
) -> None:
    """Print a scenario's flow as a readable outline, in the UI language."""
    from pathlib import Path

    from deskapp.i18n import Translator
    from deskapp.policy import load_policy
    from deskapp.standards.catalogue import load
    from deskapp.standards.outline import outline

    options = ctx.obj.merged(None, lang, None)
    with cleanly(options):
        t = Translator(options.language)
        policy = load_policy(options.policy)
        catalogue = load(Path(folder) if folder else None)
        names = sorted(catalogue.scenarios) if scenario == "all" else [scenario]
        for name in names:
            found = catalogue.scenarios.get(name)
            if found is None:
                raise _fail(t("catalogue.unknown_scenario", scenario=name, known=", ".join(sorted(catalogue.scenarios))))
            typer.echo("\n".join(outline(found, catalogue, options.language, t, policy.value)))


call_app = typer.Typer(help="The hotline: calls from a telephone system or a script.")
app.add_typer(call_app, name="call")


@call_app.command("ring")
def call_ring(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The caller's number, e.g. 13812345678 or 0755-86238866.")],
    at: Annotated[str | None, typer.Option("--at", help="When it rang (ISO time, local if no offset); default now.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Record a ringing call; an open console shows it within a second."""
    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.services.calls import ring

        context = _context(options)
        when = _parse_at(at, context.policy.timezone) if at else None
        call_id = ring(context.store, context.clock, number, when)
        typer.echo(context.t("cli.call_rang", id=call_id))


slip_app = typer.Typer(help="Release slips (放行条): the lobby guard's check, printing.")
app.add_typer(slip_app, name="slip")


@slip_app.command("verify")
def slip_verify(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The slip number printed on it, e.g. 12 or 000012.")],
    guard: Annotated[str, typer.Option("--guard", help="Who checks it (recorded).")] = "",
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Is the slip valid? A valid slip is marked used by this check; exit 0 only for a valid slip."""
    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.screens.release_text import verdict
        from deskapp.services.releases import verify

        context = _context(options)
        check = verify(context.store, context.clock, number, guard)
        mark = "✓" if check.status == "valid" else "✗✗✗"
        typer.echo(f"{mark} " + verdict(check, number, context.t, context.policy.timezone).plain.strip())
    if check.status != "valid":
        raise typer.Exit(1)


@slip_app.command("print")
def slip_print(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The slip number.")],
    pdf: Annotated[str | None, typer.Option("--pdf", help="Also write the slip as a PDF to this file.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Print a slip as text (and as a PDF with --pdf). Does not count as the guard's check."""
    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.screens.release_text import slip_lines, slip_text
        from deskapp.services.releases import find_slip, slip_number
        from deskapp.services.work_orders import site_name

        context = _context(options)
        slip = find_slip(context.store, number)
        if slip is None:
            raise DeskappError("release.unknown_slip", no=slip_number(number))
        site = site_name(context.store)
        typer.echo(slip_text(slip, context.t, context.policy.timezone, site))
        if pdf:
            from deskapp.printing.pdf import write_pdf

            title, lines, footer = slip_lines(slip, context.t, context.policy.timezone, site)
            write_pdf(pdf, title, lines, footer=footer)
            typer.echo(context.t("release.pdf_written", path=pdf))


handover_app = typer.Typer(help="Shift handovers (交接班): review them without the console.")
app.add_typer(handover_app, name="handover")


@handover_app.command("list")
def handover_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The newest handovers: number, when, who handed over to whom, state, items and queries."""
    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.services.handover import list_handovers

        context = _context(options)
        t, tz = context.t, context.policy.timezone
        rows = list_handovers(context.store, limit=limit)
        if not rows:
            typer.echo(t("handover.history_empty"))
        for r in rows:
            typer.echo(t("handover.history_row", id=r.id, opened=r.opened_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                         outgoing=r.outgoing, incoming=r.incoming or "—", state=t(f"handover.state.{r.state}"), items=r.items))


@handover_app.command("show")
def handover_show(
    ctx: typer.Context,
    handover_id: Annotated[int, typer.Argument(metavar="ID", help="The handover's number, from `handover list`.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """One handover as a readable document: the clerks, times, shift note, every item with its
    note, query, answer and acknowledgement, and what was closed before it."""
    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.screens.handover_text import document_lines
        from deskapp.services.handover import get

        context = _context(options)
        typer.echo("\n".join(document_lines(get(context.store, handover_id), context.policy.timezone, context.t)))


report_app = typer.Typer(help="The customer service centre's report (客服中心日报表): a day, or a range of days.")
app.add_typer(report_app, name="report")

FormatOption = Annotated[str, typer.Option("--format", help="table (terminal), csv, xlsx, md or json.")]
OutOption = Annotated[str | None, typer.Option("--out", help="Write to this file instead of the terminal (needed for xlsx).")]
UnmaskedOption = Annotated[
    bool, typer.Option("--unmasked", help="Full phone numbers in the detail lists: asks a CS supervisor's code and PIN.")
]


def _report_out(context, report, fmt: str, out: str | None) -> None:
    from deskapp.report_cli import write

    write(context, report, fmt, out)


def _supervisor_consent(context):
    """--unmasked: the code and PIN of a CS supervisor or the office director, asked on stderr;
    the report service checks them (and the role) and audits the export."""
    import getpass
    import warnings

    from deskapp.services.auth import Credentials

    # Prompts on stderr and nothing on stdout, which carries the report.
    sys.stderr.write(f"{context.t('report.unmasked_code')}: ")
    sys.stderr.flush()
    code = sys.stdin.readline().strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", getpass.GetPassWarning)
        pin = getpass.getpass(f"{context.t('report.unmasked_pin')}: ", stream=sys.stderr).strip()
    return Credentials(code, pin)


def _today(context):
    return context.clock.now().astimezone(context.policy.timezone).date()


@report_app.command("daily")
def report_daily(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The day: 2026-11-24, today, yesterday, 昨天, -3 (three days ago).")] = "today",
    fmt: FormatOption = "table",
    out: OutOption = None,
    unmasked: UnmaskedOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    policy: PolicyOption = None,
) -> None:
    """One day: visits, calls, repairs (household and public apart), complaints, release slips,
    promises and handovers, and by clerk. An empty day is a report of zeros."""
    options = ctx.obj.merged(db, lang, policy)
    with cleanly(options):
        from deskapp.services.report import daily, parse_day

        context = _context(options)
        when = parse_day(day, _today(context))
        if fmt not in ("table", "csv", "xlsx", "md", "json"):
            raise DeskappError("report.bad_format", format=fmt)
        unmasked_by = _supervisor_consent(context) if unmasked else None
        report = daily(context.store, context.clock, context.policy, when, unmasked_by=unmasked_by)
        _report_out(context, report, fmt, out)


@report_app.command("range")
def report_range(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="The first day (as for --date).")],
    end: Annotated[str, typer.Option("--to", help="The last day, included.")] = "today",
    fmt: FormatOption = "table",
    out: OutOption = None,
    unmasked: UnmaskedOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    policy: PolicyOption = None,
) -> None:
    """Day by day, then every section over the whole range (totals)."""
    options = ctx.obj.merged(db, lang, policy)
    with cleanly(options):
        from deskapp.services.report import parse_day, span

        context = _context(options)
        today = _today(context)
        first, last = parse_day(start, today), parse_day(end, today)
        if fmt not in ("table", "csv", "xlsx", "md", "json"):
            raise DeskappError("report.bad_format", format=fmt)
        unmasked_by = _supervisor_consent(context) if unmasked else None
        with _progress(context.t("report.progress")) as tick:
            report = span(context.store, context.clock, context.policy, first, last, unmasked_by=unmasked_by, progress=tick)
        _report_out(context, report, fmt, out)


def _progress(label: str):
    from deskapp.report_cli import progress

    return progress(label)


def _parse_at(text: str, tz):
    from datetime import datetime

    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise DeskappError("cli.bad_time", value=text) from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when


def _pairs(pairs: list[str], what: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{what} must look like name=value: {pair}")
        parsed[name.strip()] = value.strip()
    return parsed


@catalogue_app.command("walk")
def catalogue_walk(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. release.")],
    value: Annotated[list[str], typer.Option("--set", help="Fill a slot, e.g. --set unit=3-2-1501 (repeatable).")] = [],  # noqa: B006
    fact: Annotated[list[str], typer.Option("--fact", help="Fix a fact, e.g. --fact visitor_kind=tenant (repeatable).")] = [],  # noqa: B006
    folder: FolderOption = None,
    lang: LangOption = None,
    policy: PolicyOption = None,
) -> None:
    """Walk a scenario in the console as the counter shows it, without a store (a preview)."""
    from pathlib import Path

    from deskapp.clock import SystemClock
    from deskapp.context import Context
    from deskapp.i18n import Translator
    from deskapp.policy import load_policy
    from deskapp.standards.catalogue import load

    options = ctx.obj.merged(None, lang, policy)
    with cleanly(options):
        t = Translator(options.language)
        catalogue = load(Path(folder) if folder else None)
        if scenario not in catalogue.scenarios:
            raise _fail(t("catalogue.unknown_scenario", scenario=scenario, known=", ".join(sorted(catalogue.scenarios))))
        from deskapp.preview import PreviewApp

        preview = Context(store=None, policy=load_policy(options.policy), clock=SystemClock(), t=t, catalogue=catalogue)
        run = PreviewApp(preview, scenario, _pairs(value, "--set"), _pairs(fact, "--fact")).run()
        if run is not None:
            typer.echo(" → ".join(run.steps_taken()))


from deskapp.cli_audit import audit_app  # noqa: E402  (deskapp audit verify|show)
app.add_typer(audit_app, name="audit")


def main() -> None:
    app(prog_name="deskapp")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
