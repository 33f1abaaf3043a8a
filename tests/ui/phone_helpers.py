"""Helpers for the phone Pilot tests (test_phone.py, test_phone_outcomes.py) and the phone
snapshots: open F3, answer, read what the queue and the panel show, walk a known caller to the
purpose step.

Imported as `phone_helpers` from tests/ui and as `ui.phone_helpers` from tests/snapshots.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from rich.text import Text
from sqlmodel import select
from textual.widgets import Static

from deskapp.store.tables import Person, Staff
from deskapp.widgets.call_queue import CallQueue
from deskapp.widgets.step_panel import StepPanel


async def settle(pilot) -> None:
    """Let the workers finish and the screen show what they brought: a worker's answer can start
    another load (mount and resume), and a table sizes its columns on the refresh after its rows."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def until(pilot, ready: Callable[[], bool], within: float = 3.0) -> float:
    """Pause in short steps until `ready()` (or `within` seconds pass): for what the console's 1 s
    tick and poll bring. Returns the seconds waited."""
    start = time.monotonic()
    while not ready() and time.monotonic() - start < within:
        await pilot.pause(0.05)
    return time.monotonic() - start


async def open_phone(pilot, sign_in, code: str = "demo", pin: str = "1234") -> None:
    await sign_in(pilot, code, pin)
    await pilot.press("f3")
    await settle(pilot)


async def answer_oldest(pilot) -> None:
    """F3 on the phone screen: the oldest ringing call, at the greeting."""
    await pilot.press("f3")
    await settle(pilot)


async def to_purpose(pilot) -> None:
    """A known caller from the greeting to the purpose: surname, title and unit come pre-filled."""
    await pilot.press("enter", "enter", "enter", "enter")
    await settle(pilot)
    assert step(pilot.app) == "purpose"


def shown(app, selector: str) -> str:
    """A Static's content as plain text, unwrapped."""
    console = Console(width=400, file=io.StringIO(), color_system=None)
    console.print(app.screen.query_one(selector, Static).content)
    return console.file.getvalue()


def panels_shown(app) -> list[StepPanel]:
    """The step panels shown (the phone keeps one, hidden while no call is open)."""
    return [p for p in app.screen.query(StepPanel) if p.display]


def step(app) -> str:
    (panel,) = panels_shown(app)
    return panel.run.step.id


def queue(app) -> CallQueue:
    return app.screen.query_one(CallQueue)


def cell(app, row_key: str, column: str) -> Text:
    """One cell of the call queue, e.g. cell(app, "call:3", "timer")."""
    value = queue(app).get_cell(row_key, column)
    return value if isinstance(value, Text) else Text(str(value))


async def type_into_ask(pilot, slot: str, text: str) -> None:
    field = next(i for i in pilot.app.screen.query("#step-inputs Input") if i.name == slot and i.parent.display)
    field.focus()
    field.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


def an_owner(store) -> Person:
    with store.session() as session:
        return session.exec(select(Person).where(Person.kind == "owner", Person.active).order_by(Person.id)).first()


def staff_id(store, code: str) -> int:
    with store.session() as session:
        return session.exec(select(Staff.id).where(Staff.code == code)).one()
