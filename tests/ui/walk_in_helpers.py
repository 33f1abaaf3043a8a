"""Helpers for the walk-in Pilot tests (test_walk_in.py, test_walk_in_branches.py) and the
walk-in snapshots: sign in, register a visitor, serve, read what a widget shows.

Imported as `walk_in_helpers` from tests/ui and as `ui.walk_in_helpers` from tests/snapshots.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from sqlmodel import select
from textual.widgets import Static

from deskapp.store.tables import Staff
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.visit_queue import VisitQueue


async def settle(pilot) -> None:
    """Let the workers finish and the screen show what they brought: a worker's answer can start
    another load (mount and resume), and a table sizes its columns on the refresh after its rows."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def until(pilot, ready: Callable[[], bool], within: float = 10.0) -> bool:
    """Pause in short steps until `ready()` or `within` seconds pass: for what the screen's 1 s
    tick brings. On a loaded machine the tick can come late, so wait for the effect, not a time."""
    start = time.monotonic()
    while not ready() and time.monotonic() - start < within:
        await pilot.pause(0.05)
    return ready()


async def open_walk_in(pilot, sign_in) -> None:
    await sign_in(pilot, "demo", "1234")
    await pilot.press("f2")
    await settle(pilot)


async def open_arrival(pilot, sign_in) -> None:
    """Signed in, on the walk-in screen, with the arrival form (F2) open."""
    await open_walk_in(pilot, sign_in)
    await pilot.press("f2")
    await settle(pilot)


async def register(pilot, unit: str, surname: str, title: str = "1") -> None:
    """F2 on the walk-in screen: unit, Enter, surname, Enter, title, Enter registers."""
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press(*unit, "enter", *surname, "enter", *title, "enter")
    await settle(pilot)


def shown(app, selector: str) -> str:
    """A widget's content as plain text, unwrapped."""
    console = Console(width=400, file=io.StringIO(), color_system=None)
    console.print(app.screen.query_one(selector, Static).content)
    return console.file.getvalue()


def panels_shown(app) -> list[StepPanel]:
    """The step panels shown (the screen keeps one, hidden while nobody is served)."""
    return [p for p in app.screen.query(StepPanel) if p.display]


def panel(app) -> StepPanel:
    (shown_panel,) = panels_shown(app)
    return shown_panel


async def serve_first(pilot) -> None:
    queue = pilot.app.screen.query_one(VisitQueue)
    queue.focus()
    queue.move_cursor(row=0)
    await pilot.press("enter")
    await settle(pilot)


async def type_into_ask(pilot, slot: str, text: str) -> None:
    field = next(i for i in pilot.app.screen.query("#step-inputs Input") if i.name == slot and i.parent.display)
    field.focus()
    field.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


def ask_error(app, slot: str) -> str:
    return next(str(label.render()) for label in app.screen.query(".ask-error") if label.name == slot)


def set_present(store, code: str, present: bool) -> None:
    with store.session() as session:
        session.exec(select(Staff).where(Staff.code == code)).one().present = present


def set_away(store, code: str) -> None:
    set_present(store, code, False)
