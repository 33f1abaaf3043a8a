"""The console paints sign-in first and opens the store behind it: a clerk who types at once is
signed in once it is open; a store that cannot be opened closes the console with its reason."""

from __future__ import annotations

import threading

from textual.widgets import Input

from deskapp.app import DeskApp
from deskapp.context import Context
from deskapp.errors import DeskappError
from deskapp.i18n import Translator
from deskapp.standards.catalogue import shipped


async def test_typed_before_the_store_is_open_the_clerk_is_signed_in_once_it_is(demo_store, policy, clock) -> None:
    ctx = Context(store=None, policy=policy, clock=clock, t=Translator("zh"))
    release = threading.Event()

    def open_store() -> None:
        release.wait(10)  # the store is slow to open: the clerk types meanwhile
        ctx.catalogue = shipped()
        ctx.store = demo_store

    app = DeskApp(ctx, open_store=open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"demo", "tab", *"1234", "enter")
        await pilot.pause()
        assert ctx.clerk is None and app.screen.query_one("#pin", Input).value == "1234"
        release.set()
        for _ in range(20):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if ctx.clerk is not None:
                break
        assert ctx.clerk is not None and ctx.clerk.code == "demo"
        assert app.current_mode == "today"


async def test_a_store_that_cannot_be_opened_closes_the_console_with_the_reason(policy, clock) -> None:
    ctx = Context(store=None, policy=policy, clock=clock, t=Translator("zh"))

    def open_store() -> None:
        raise DeskappError("store.newer_schema", revision="0099")

    app = DeskApp(ctx, open_store=open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if app.return_code is not None:
                break
    assert app.return_code == 1
    assert isinstance(app.store_error, DeskappError) and app.store_error.key == "store.newer_schema"
