"""A store that breaks under a working console: the clerk reads what happened where they work, in
their language, the form stays open with what they typed, and nothing is half saved.

Read-only (the file made immutable while the console runs) and full (a real tmpfs filled while
the console runs, in a mount namespace of its own) on the vacancy form of F9; damaged pages on
sign-in. (A store missing, newer or broken before start never opens: tests/cli/test_broken_store.py.)
"""

from __future__ import annotations

import json
import shlex
import sys
import textwrap
from pathlib import Path

import pytest
from sqlmodel import func, select
from textual.widgets import Input, Label

from breakage import damage, in_own_mounts, read_only_file
from deskapp.screens.register_dialogs import FormDialog
from deskapp.store.tables import Vacancy
from repair_helpers import settle

pytestmark = pytest.mark.sqlite_only

VACANCY = dict(unit="1-1-201", owner="张伟", id_type="1", id_no="110101199003074514", start="2026-12-01",
               end="2027-03-01", reason="出国", notice="y")


def _vacancies(store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(Vacancy)).one()


async def _vacancy_form(pilot, sign_in) -> None:
    await sign_in(pilot, "demo", "1234")
    await pilot.press("f9", "2")
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    for field, value in VACANCY.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value


async def test_a_store_made_read_only_under_the_console(demo_store, make_app, sign_in) -> None:
    path = Path(demo_store.url.removeprefix("sqlite:///"))
    app = make_app(demo_store, lang="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await _vacancy_form(pilot, sign_in)
        with read_only_file(path):
            demo_store.engine.dispose()  # the next connection meets the file as it is now
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormDialog)  # still open, what was typed still there
            assert app.screen.query_one("#reason", Input).value == "出国"
            shown = str(app.screen.query_one("#form-error", Label).content)
            assert shown == f"The database is read-only: nothing can be saved. Ask the administrator to make it writable ({path})"
            assert _vacancies(demo_store) == 0
            demo_store.engine.dispose()
        await pilot.press("ctrl+s")  # writable again: the same form saves
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
    assert _vacancies(demo_store) == 1


async def test_pages_damaged_mid_file_are_told_at_sign_in(demo_store, make_app) -> None:
    path = Path(demo_store.url.removeprefix("sqlite:///"))
    demo_store.dispose()
    damage(path, "staff")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"demo", "tab", *"1234", "enter")
        await settle(pilot)
        shown = str(app.screen.query_one("#pin-error", Label).content)
    assert shown == f"数据库文件已损坏(database disk image is malformed),请用 deskapp restore 恢复最近的备份({path})"


CONSOLE = textwrap.dedent("""
    # The console on mnt/deskapp.db, driven by Pilot: sign in, fill the vacancy form, fill the
    # disk, save; print what the clerk sees and what the store holds.
    import asyncio, json, sys
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from sqlmodel import func, select
    from textual.widgets import Input, Label
    from deskapp.app import DeskApp
    from deskapp.clock import FixedClock
    from deskapp.context import Context
    from deskapp.i18n import Translator
    from deskapp.policy import load_policy
    from deskapp.screens.register_dialogs import FormDialog
    from deskapp.standards.catalogue import shipped
    from deskapp.store.engine import Store
    from deskapp.store.tables import Vacancy

    values = json.loads(sys.argv[1])
    store = Store("sqlite:///mnt/deskapp.db")
    clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    app = DeskApp(Context(store=store, policy=load_policy(), clock=clock, t=Translator("en"), catalogue=shipped()))
    app.animation_level = "none"

    async def settle(pilot):
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    async def main():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press(*"demo", "tab", *"1234", "enter")
            await settle(pilot)
            await pilot.press("f9", "2")
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            for field, value in values.items():
                app.screen.query_one(f"#{field}", Input).value = value
            with open("mnt/filler", "wb") as filler:  # the disk fills up while the clerk types
                try:
                    while True:
                        filler.write(b"\\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            await pilot.press("ctrl+s")
            await settle(pilot)
            seen = {"open": isinstance(app.screen, FormDialog),
                    "shown": str(app.screen.query_one("#form-error", Label).content)}
        with store.read() as session:
            seen["vacancies"] = session.exec(select(func.count()).select_from(Vacancy)).one()
        print(json.dumps(seen))

    asyncio.run(main())
""")


def test_a_disk_that_fills_up_under_the_console(demo_store, tmp_path: Path) -> None:
    demo_store.dispose()
    path = Path(demo_store.url.removeprefix("sqlite:///"))
    (tmp_path / "mnt").mkdir()
    script = "\n".join([
        f"cd {shlex.quote(str(tmp_path))}",
        f"mount -t tmpfs -o size={path.stat().st_size + 4 * 1024 * 1024} tmpfs mnt",
        f"cp {shlex.quote(str(path))} mnt/deskapp.db",
        shlex.join([sys.executable, "-c", CONSOLE, json.dumps(VACANCY)]),
    ])
    done = in_own_mounts(script, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"open": True, "vacancies": 0, "shown": (
        "The disk holding the database is full: nothing was saved. Free some space, then try again (mnt/deskapp.db)")}
