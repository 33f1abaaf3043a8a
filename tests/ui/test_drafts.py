"""A half-filled form survives the console going away: kept a second after the last key, named on
the next sign-in, brought back when the same form opens; saving or cancelling removes it."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from deskapp.screens.dialog import DRAFT_DELAY, Dialog, settle_drafts
from deskapp.services import drafts
from deskapp.store.tables import Draft, Visit
from walk_in_helpers import open_walk_in, settle


async def _wait_for_the_draft(pilot) -> None:
    await asyncio.sleep(DRAFT_DELAY + 0.3)
    await pilot.pause()
    settle_drafts()


async def test_a_half_filled_arrival_comes_back_after_the_console_is_gone(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"1-1-101", "enter", *"欧阳")
        await _wait_for_the_draft(pilot)
        key = app.screen.draft_key()
    # The console is gone with the form still open: nothing saved or cancelled it.
    kept = drafts.load(demo_store, 1, key)
    assert kept is not None and kept.fields == {"unit": "1-1-101", "surname": "欧阳"}

    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_walk_in(pilot, sign_in)
        notices = [n.message for n in app._notifications]
        assert any("1 份未保存的表单" in message and kept.title in message for message in notices)
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one("#unit", Input).value == "1-1-101"
        assert app.screen.query_one("#surname", Input).value == "欧阳"
        await pilot.press("enter", "enter", "1", "enter")  # surname, then title 1: saved
        await settle(pilot)
        settle_drafts()
    with demo_store.read() as session:
        assert session.exec(select(Visit).where(Visit.surname == "欧阳")).one()
        assert session.exec(select(Draft)).all() == []


async def test_cancelling_the_form_removes_its_draft(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"3-2-1501")
        await _wait_for_the_draft(pilot)
        assert len(drafts.waiting(demo_store, 1)) == 1
        await pilot.press("escape")
        await pilot.pause()
        settle_drafts()
        assert drafts.waiting(demo_store, 1) == []


async def test_a_form_opened_and_left_untouched_is_no_draft(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("x", "backspace")  # typed and taken back: the form is as it opened
        await _wait_for_the_draft(pilot)
        assert drafts.waiting(demo_store, 1) == []


class _PinDialog(Dialog[None]):
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("主管确认", classes="title")
            yield Input(id="code")
            yield Input(id="pin", password=True)


async def test_a_pin_is_never_kept(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        app.push_screen(_PinDialog())
        await pilot.pause()
        app.screen.query_one("#code", Input).focus()
        await pilot.press(*"super", "tab", *"5678")
        await _wait_for_the_draft(pilot)
        kept = drafts.load(demo_store, 1, app.screen.draft_key())
    assert kept is not None and kept.fields == {"code": "super"}
