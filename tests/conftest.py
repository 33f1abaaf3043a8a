"""Shared fixtures: a fixed clock, the policy without site files, stores on real SQLite files, the app.

Every test runs with the deskapp environment variables removed and the platformdirs folders
(XDG_DATA_HOME, XDG_CONFIG_HOME) pointed into a temporary folder, so neither the machine's own
store nor a site policy file can leak in. Subprocesses started by a test inherit that.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskapp.clock import FixedClock
from deskapp.policy import Policy, load_policy
from deskapp.store import migrate
from deskapp.store.engine import Store

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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'deskapp.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An empty store at the current schema, in a file."""
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


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A store holding the demo community, loaded as of NOW; its own copy for each test."""
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

    def make(store: Store, lang: str = "zh"):
        app = app_class(Context(store=store, policy=policy, clock=clock, t=Translator(lang), catalogue=shipped()))
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
