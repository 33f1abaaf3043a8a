"""Opening the console: the `deskapp` command with no subcommand, kept light on purpose.

`deskapp` alone (with --db, --lang, --policy at most) is what a clerk runs many times a day, so
it does not go through the command-line parser (typer builds every command's options first, a
fifth of a second) nor import the store before the sign-in screen is painted. Anything else —
a subcommand, --help, --version, a store that is not plainly ready — goes to `deskapp.cli`,
which says what is wrong in one line.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass

from deskapp.errors import DeskappError

LANGUAGES = ("zh", "en")
_OPTIONS = ("--db", "--lang", "--policy")


@dataclass
class Options:
    db: str | None = None
    lang: str | None = None
    policy: str | None = None

    def merged(self, db: str | None, lang: str | None, policy: str | None) -> Options:
        return Options(db or self.db, lang or self.lang, policy or self.policy)

    @property
    def language(self) -> str:
        return self.lang or os.environ.get("DESKAPP_LANG") or "zh"

    @property
    def uses_default_store(self) -> bool:
        return not (self.db or os.environ.get("DESKAPP_DATABASE_URL"))

    @property
    def url(self) -> str:
        from deskapp.paths import default_database_url

        return self.db or os.environ.get("DESKAPP_DATABASE_URL") or default_database_url()


def light_context(options: Options):
    """The policy, the language and the clock: what the first screen needs (no store yet)."""
    from deskapp.clock import SystemClock
    from deskapp.context import Context
    from deskapp.i18n import Translator
    from deskapp.policy import load_policy

    policy = load_policy(options.policy)
    return Context(store=None, policy=policy, clock=SystemClock(), t=Translator(options.language))


def open_store(options: Options, ctx, *, require_schema: bool = True, catalogue: bool = True) -> None:
    """The store (checked to be at this deskapp's schema) and the catalogue, into `ctx`."""
    from deskapp.store import migrate
    from deskapp.store.engine import Store

    if catalogue:
        from deskapp.standards.catalogue import shipped

        ctx.catalogue = shipped()
    if require_schema and missing_sqlite_file(options.url):
        raise DeskappError("store.not_initialised")  # and no empty file is left behind
    store = Store(options.url)
    if require_schema:
        try:
            migrate.require_current(store.engine)
        except BaseException:
            store.dispose()
            raise
    ctx.store = store


def missing_sqlite_file(url: str) -> bool:
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # the store reports the bad URL itself
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and not Path(parsed.database).expanduser().exists()


def console_options(argv: list[str]) -> Options | None:
    """Options when `argv` only opens the console (--db, --lang, --policy), else None."""
    values: dict[str, str] = {}
    at = 0
    while at < len(argv):
        word = argv[at]
        name, equals, value = word.partition("=")
        if name not in _OPTIONS or name in values:
            return None
        if not equals:
            at += 1
            if at == len(argv) or argv[at].startswith("-"):
                return None
            value = argv[at]
        values[name] = value
        at += 1
    return Options(values.get("--db"), values.get("--lang"), values.get("--policy"))


def main() -> None:
    """The `deskapp` command."""
    from deskapp.store.preflight import looks_ready

    if "report" in sys.argv[1:]:
        from deskapp.report_cli import light

        if light(sys.argv[1:]):
            return None
    options = console_options(sys.argv[1:])
    if options is None or options.language not in LANGUAGES or not looks_ready(options.url):
        return _command_line()
    # No garbage collection until the sign-in screen is painted (DeskApp turns it back on): the
    # imports and the first screen make ~150 000 objects that are all there to stay, and Python
    # would walk them again and again on the way (deskapp.heap).
    gc.disable()
    try:
        ctx = light_context(options)
    except DeskappError:  # a site policy file with a mistake: the command line names it
        gc.enable()
        return _command_line()
    from deskapp.app import DeskApp

    from deskapp.heap import Heap

    console = DeskApp(ctx, open_store=lambda: open_store(options, ctx), heap=Heap(active=True), build_ahead=True)
    console.run()
    if console.store_error is not None:
        _told(options, console.store_error)


def _command_line() -> None:
    from deskapp.cli import main as command_line

    command_line()


def _told(options: Options, error: BaseException) -> None:
    """The store failed behind the sign-in screen: one line, exit status 1, as the command line."""
    import click

    from deskapp.cli import cleanly

    try:
        with cleanly(options):
            raise error
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
