"""Shared fixtures: a fixed clock, the policy without site files, stores on real SQLite files, the app.

Every test runs with the deskapp environment variables removed and the platformdirs folders
(XDG_DATA_HOME, XDG_CONFIG_HOME) pointed into a temporary folder, so neither the machine's own
store nor a site policy file can leak in. Subprocesses started by a test inherit that.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url

from deskapp.clock import FixedClock
from deskapp.policy import Policy, load_policy
from deskapp.store import migrate
from deskapp.store.engine import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg import URL as PG_URL  # noqa: E402
from pg import PgServer  # noqa: E402

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""The tests' "now": a Tuesday morning at the counter."""

DESKAPP_ENV = ("DESKAPP_DATABASE_URL", "DESKAPP_LANG", "DESKAPP_POLICY", "DESKAPP_DATA_DIR")


def _isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    for name in DESKAPP_ENV:
        mp.delenv(name, raising=False)
    mp.setenv("XDG_DATA_HOME", str(home / "data"))
    mp.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The per-test home of platformdirs; returns it (data/ and config/ are not created)."""
    home = tmp_path_factory.mktemp("home")
    _isolate(monkeypatch, home)
    return home


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Pilot) in a fresh event loop, without an asyncio plugin."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = inspect.signature(pyfuncitem.obj).parameters
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def policy(isolated_env: Path) -> Policy:
    """data/policy.toml alone: no --policy, no DESKAPP_POLICY, no config-folder file."""
    return load_policy()


ENGINES = ("sqlite", "postgresql") if PG_URL else ("sqlite",)
"""The engines every store test runs on: PostgreSQL too when DESKAPP_TEST_POSTGRES_URL is set."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses a store once per engine (one suite, not a copy).

    Snapshot tests stay on SQLite (the screen is the same, and their names must not change), and
    so do tests marked `sqlite_only` (WAL files, pragmas, paths of a file store)."""
    if "db_engine" not in metafunc.fixturenames or len(ENGINES) == 1:
        return
    if "snapshots" in metafunc.definition.path.parts or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("db_engine", ENGINES, indirect=True)


@pytest.fixture
def db_engine(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if not PG_URL:
        pytest.skip("DESKAPP_TEST_POSTGRES_URL is not set")
    server = PgServer(PG_URL)
    yield server
    server.drop_all_of_this_run()


@pytest.fixture(scope="session")
def pg_migrated_template(pg_server: PgServer) -> str:
    """A database at the current schema, migrated once per session: the template of `store`."""
    name = f"{pg_server.prefix}_migrated"
    store = Store(pg_server.create(name))
    migrate.upgrade(store.engine)
    store.dispose()
    return name


@pytest.fixture
def db_url(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's store lives: a file, or an empty PostgreSQL database of its own."""
    if db_engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'deskapp.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.new_name()
    yield server.create(name)
    server.drop(name)


@pytest.fixture
def store(db_url: str, db_engine: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store at the current schema, in a file (or a PostgreSQL database)."""
    if db_engine == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("pg_migrated_template")
        name = make_url(db_url).database
        server.drop(name)
        server.create(name, template=template)
        store = Store(db_url)
    else:
        store = Store(db_url)
        migrate.upgrade(store.engine)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`init --demo` once per session (argon2 makes it ~1 s); tests get copies of the file."""
    from deskapp.services.setup import init_store

    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, folder)
        store = Store(f"sqlite:///{path}")
        init_store(store, FixedClock(NOW), load_policy(), demo=True)
        store.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`init --demo` once per session into a PostgreSQL database: the template of `demo_store`."""
    from deskapp.services.setup import init_store

    name = f"{pg_server.prefix}_demo"
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, tmp_path_factory.mktemp("pg-demo-template"))
        store = Store(pg_server.create(name))
        init_store(store, FixedClock(NOW), load_policy(), demo=True)
        store.dispose()
    return name


@pytest.fixture
def demo_store(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store holding the demo community, loaded as of NOW; its own copy for each test."""
    if db_engine == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        name = server.new_name()
        store = Store(server.create(name, template=request.getfixturevalue("pg_demo_template")))
        yield store
        store.dispose()
        server.drop(name)
        return
    demo_template: Path = request.getfixturevalue("demo_template")
    target = tmp_path / "demo.db"
    for suffix in ("", "-wal"):
        source = demo_template.with_name(demo_template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    store = Store(f"sqlite:///{target}")
    yield store
    store.dispose()


def _steady_app_class():
    from textual import events
    from textual.widgets import Input

    from deskapp.app import DeskApp

    class SteadyDeskApp(DeskApp):
        """DeskApp with a steady cursor: a blinking one would make screenshots depend on timing."""

        def on_descendant_focus(self, event: events.DescendantFocus) -> None:
            if isinstance(event.widget, Input):
                event.widget.cursor_blink = False

    return SteadyDeskApp


@pytest.fixture
def make_app(clock: FixedClock, policy: Policy) -> Callable[..., object]:
    """Build the console for Pilot and snapshot tests: fixed clock, no animation, no blink."""
    from deskapp.context import Context
    from deskapp.i18n import Translator
    from deskapp.standards.catalogue import shipped

    app_class = _steady_app_class()

    def make(store: Store, lang: str = "zh", **options: object):
        app = app_class(Context(store=store, policy=policy, clock=clock, t=Translator(lang), catalogue=shipped()), **options)
        app.animation_level = "none"
        return app

    return make


@pytest.fixture
def sign_in() -> Callable[..., Awaitable[None]]:
    """Type a staff code and PIN into the sign-in screen and wait until the answer is shown."""

    async def sign_in(pilot, code: str, pin: str) -> None:
        await pilot.press(*code, "tab", *pin, "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the Today screen loads in a worker too
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # mount and resume each start a load: the last one counts
        await pilot.pause()
        await pilot.pause()  # the table sizes its columns to the rows on the refresh after they arrive

    return sign_in
