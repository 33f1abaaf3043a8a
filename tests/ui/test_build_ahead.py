"""The screens are built ahead, while the clerk is idle after signing in (deskapp.app build_ahead):
an F-key then shows a screen already composed and filled, without Textual's 50 ms pause, and a
screen that is not shown runs none of its timers."""

from __future__ import annotations

import asyncio

from deskapp.app import BUILD_IDLE_S, DeskApp
from deskapp.screens.base import DeskScreen


async def _idle_until(pilot, done, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if done():
            return
        await asyncio.sleep(0.1)
        await pilot.pause()
    raise AssertionError("not done in time")


async def test_the_screens_are_built_while_the_clerk_is_idle(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, build_ahead=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        modes = [mode for mode in DeskApp.MODES if mode != "signin"]
        await _idle_until(pilot, lambda: app._built_modes >= set(modes))
        assert app.current_mode == "today"  # built behind Today, not shown
        await pilot.press("f4")
        assert app._batch_count == 0  # no pause: Textual's delay_update holds the screen back 50 ms
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "RepairScreen"
        assert str(screen.query_one("#repair-title").render()).strip()  # its list was read as it was built
        await pilot.press("f8")
        await pilot.pause()
        assert type(app.screen).__name__ == "TodayScreen"


async def test_nothing_is_built_while_keys_come(demo_store, make_app, sign_in) -> None:
    import time

    app = make_app(demo_store, build_ahead=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await _idle_until(pilot, app._imported.is_set)
        app._build_timer.pause()  # the timer's ticks are called here, at chosen idle times
        app.heap.last_key = time.monotonic() - BUILD_IDLE_S / 2  # a key a moment ago
        app._build_next()
        assert app._building is None and app._started_modes == {"today"}
        app.heap.last_key = time.monotonic() - 2 * BUILD_IDLE_S
        app._build_next()
        assert app._building == "walk_in"  # F2's first: the F-keys' order
        app._build_next()  # one at a time: nothing more until it is mounted
        assert app._started_modes == {"today", "walk_in"}
        await _idle_until(pilot, lambda: "walk_in" in app._built_modes)


async def test_the_tests_build_nothing_ahead(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await asyncio.sleep(3 * BUILD_IDLE_S)
        await pilot.pause()
        assert app._built_modes == {"today"}


async def test_a_screen_not_shown_runs_none_of_its_timers(demo_store, make_app, sign_in) -> None:
    ticks: list[str] = []

    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        today = app.screen
        assert isinstance(today, DeskScreen)
        today.every(0.05, lambda: ticks.append(type(app.screen).__name__))
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert len(ticks) >= 2 and set(ticks) == {"TodayScreen"}
        await pilot.press("f4")
        await pilot.pause()
        shown = len(ticks)
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert len(ticks) == shown  # Today is behind F4: its timer does nothing
        await pilot.press("f8")
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert len(ticks) > shown


async def test_the_walk_in_screens_arrival_form_is_built_right_after_it(demo_store, make_app, sign_in) -> None:
    """F2 then F2 is the counter's most frequent pair of keys: the form is built before the
    screens of F3 on."""
    import time

    from deskapp.screens.arrival import ArrivalDialog

    app = make_app(demo_store, build_ahead=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await _idle_until(pilot, app._imported.is_set)
        app._build_timer.pause()
        app.heap.last_key = time.monotonic() - 2 * BUILD_IDLE_S
        app._build_next()
        await _idle_until(pilot, lambda: "walk_in" in app._built_modes and app._building is None)
        app._build_next()
        assert app._building == "walk_in:kept" and "phone" not in app._started_modes
        await _idle_until(pilot, lambda: app._building is None)
        walk_in = app._screen_stacks["walk_in"][0]
        assert walk_in._kept_dialogs[ArrivalDialog].is_mounted
        app._build_next()
        assert app._building == "phone"
