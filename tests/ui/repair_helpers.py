"""Helpers for the repair Pilot tests (test_repair.py) and the repair snapshots: open F4, read
the list and the panel, put orders into a state through the services.

Imported as `repair_helpers` from tests/ui and as `ui.repair_helpers` from tests/snapshots.
"""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from rich.text import Text
from sqlmodel import select
from textual.widgets import DataTable, Static

from deskapp.services import work_orders as W
from deskapp.store.tables import Staff
from deskapp.widgets.step_panel import StepPanel

try:  # tests/ui is on sys.path for its own tests; the snapshots import it as a package
    from walk_in_helpers import ask_error, settle, type_into_ask  # noqa: F401
except ImportError:
    from ui.walk_in_helpers import ask_error, settle, type_into_ask  # noqa: F401


async def open_repairs(pilot, sign_in) -> None:
    await sign_in(pilot, "demo", "1234")
    await pilot.press("f4")
    await settle(pilot)


def step(app) -> str:
    return app.screen.query_one(StepPanel).run.step.id


def text_of(renderable) -> str:
    console = Console(width=400, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def shown(app, selector: str) -> str:
    """A Static's content as plain text (of the screen on top: a dialog or the screen)."""
    return text_of(app.screen.query_one(selector, Static).content)


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#orders", DataTable)
    out = []
    for n in range(table.row_count):
        out.append([c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(n)])
    return out


async def fill(pilot, field_id: str, text: str) -> None:
    """Type into a dialog's field by its id (replacing what is there), without Enter."""
    field = pilot.app.screen.query_one(f"#{field_id}")
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def field_error(app, field: str) -> str:
    label = app.screen.query_one(f"#{field}-error")
    return str(label.render()) if label.display else ""


def staff_id(store, code: str) -> int:
    with store.session() as session:
        return session.exec(select(Staff.id).where(Staff.code == code)).one()


def dispatched(store, clock, policy, unit: str = "3-2-1501", item: str = "卫生间地漏堵塞", *, minutes: int = 0,
               area: str = "household", place: str = "", clerk: int = 1) -> int:
    """An order taken now and dispatched with the appointment `minutes` from now."""
    order = W.open_order(store, clock, clerk, area=area, item=item, unit_code=unit if area == "household" else "",
                         place=place, category="plumbing")
    W.dispatch(store, clock, policy, clerk, order, clock.now() + timedelta(minutes=minutes), f"{unit} {item}")
    return order
