"""Keys of the console that are one frame each (deskapp.screens.one_frame), counted on the real
screens: a second frame is what the benchmark times a key to (scripts/bench.py --only keys), and
what a clerk sees as the screen drawn in two steps.

Each of these drew two or three frames before the mixin waited for what was still on its way to
the screen (a field's Changed, a form being mounted, a dialog's result)."""

from __future__ import annotations

from repair_helpers import open_repairs
from textual.widgets import OptionList
from walk_in_helpers import open_arrival, settle

from deskapp.widgets.step_panel import StepPanel

SIZE = (100, 30)


def _count_frames(app) -> list[int]:
    frames = [0]
    display = app._display

    def counted(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames[0] += 1

    app._display = counted
    return frames


async def _frames_of(pilot, frames: list[int], key: str) -> int:
    await settle(pilot)
    before = frames[0]
    await pilot.press(key)
    await settle(pilot)
    return frames[0] - before


async def test_typing_a_unit_in_the_arrival_dialog_draws_it_and_its_matches_at_once(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        frames = _count_frames(app)
        await open_arrival(pilot, sign_in)
        assert [await _frames_of(pilot, frames, key) for key in "3-1"] == [1, 1, 1]
        matches = app.screen.query_one("#matches", OptionList)
        assert matches.display and matches.option_count > 0
        assert "3-1" in matches.render_line(0).text


async def test_a_new_repair_is_drawn_with_its_form_in_one_frame(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        frames = _count_frames(app)
        await open_repairs(pilot, sign_in)
        assert await _frames_of(pilot, frames, "ctrl+n") == 1
        panel = app.screen.query_one(StepPanel)
        assert panel.display and panel.run is not None


async def test_an_arrival_saved_is_drawn_in_the_queue_in_one_frame(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        frames = _count_frames(app)
        await open_arrival(pilot, sign_in)
        await pilot.press(*"3-2-1501", "enter", "任", "enter", "1")
        await settle(pilot)
        assert await _frames_of(pilot, frames, "enter") == 1
        assert app.screen.query_one("#queue").row_count == 1
