"""A dialog a screen keeps (DeskScreen.open_kept): made once, reset each time it opens again, built
ahead while the clerk is idle; it opens as a new one would, and its draft comes back as it opens."""

from __future__ import annotations

import asyncio

from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, OptionList, Select
from walk_in_helpers import open_arrival, settle

from deskapp.app import BUILD_IDLE_S
from deskapp.screens.arrival import ArrivalDialog
from deskapp.services import drafts

SIZE = (100, 30)


def _form(dialog: ArrivalDialog) -> dict[str, object]:
    return {
        "unit": dialog.query_one("#unit", Input).value,
        "surname": dialog.query_one("#surname", Input).value,
        "title": dialog.query_one("#title", Input).value,
        "purpose": dialog.query_one("#purpose", Select).is_blank(),
        "urgent": dialog.query_one("#urgent", Checkbox).value,
        "matches": dialog.query_one("#matches", OptionList).display,
        "unit error": dialog.query_one("#unit-error", Label).display,
    }


EMPTY = {"unit": "", "surname": "", "title": "", "purpose": True, "urgent": False, "matches": False, "unit error": False}


async def test_the_arrival_form_opened_again_is_the_same_one_reset(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_arrival(pilot, sign_in)
        first = app.screen
        assert isinstance(first, ArrivalDialog) and _form(first) == EMPTY
        box = first.query_one(Vertical).region
        await pilot.press(*"3-2")  # its matches shown
        await settle(pilot)
        first.query_one("#surname", Input).value = "任"
        first.query_one("#title", Input).value = "x"
        first.query_one("#purpose", Select).value = "repair"
        first.query_one("#urgent", Checkbox).value = True
        first._set_error("unit", "房号不存在")
        assert all(_form(first)[field] != EMPTY[field] for field in EMPTY)
        await pilot.press("escape")  # cancelled, from the unit field
        await settle(pilot)
        assert app.screen is not first

        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is first  # not composed and mounted again
        assert _form(first) == EMPTY
        assert app.focused is first.query_one("#unit", Input)
        assert first.query_one(Vertical).region == box
        await pilot.press(*"3-2-1501", "enter", *"任", "enter", "1", "enter")  # and it registers as a new one does
        await settle(pilot)
        assert app.screen is not first
        assert "任" in str(app.screen.query_one("#queue").get_row_at(0))


async def test_the_arrival_form_opened_again_closes_up_its_matches(demo_store, make_app, sign_in) -> None:
    """The match list shown when it was closed is hidden as it opens again, and the form is as
    high as a new one (the list's rows were left as blank space: hidden, it was taken for a
    widget that cannot change the layout)."""
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_arrival(pilot, sign_in)
        dialog = app.screen
        box = dialog.query_one(Vertical).region
        await pilot.press(*"1-1")
        await settle(pilot)
        assert dialog.query_one("#matches", OptionList).display and dialog.query_one(Vertical).region != box
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is dialog and not dialog.query_one("#matches", OptionList).display
        assert dialog.query_one(Vertical).region == box


async def test_built_ahead_the_arrival_form_brings_its_draft_back_as_it_opens(demo_store, make_app, sign_in, clock) -> None:
    key = f"arrival.ArrivalDialog:{'登记来访'}"
    drafts.save(demo_store, clock, 1, key, "登记来访", {"unit": "1-1-101", "surname": "欧阳"})
    app = make_app(demo_store, build_ahead=True)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "demo", "1234")
        for _ in range(int(20 / 0.1)):  # idle until the walk-in screen's form is built
            kept = getattr(app._screen_stacks.get("walk_in", [None])[0], "_kept_dialogs", {})
            if kept and kept[ArrivalDialog].is_mounted:
                break
            await asyncio.sleep(0.1)
            await pilot.pause()
        dialog = kept[ArrivalDialog]
        assert dialog.query_one("#unit", Input).value == ""  # not restored while not shown
        assert not any("已恢复" in n.message for n in app._notifications)
        await asyncio.sleep(2 * BUILD_IDLE_S)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#unit", Input).value == "1-1-101"
        assert dialog.query_one("#surname", Input).value == "欧阳"
