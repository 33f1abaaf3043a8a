#!/usr/bin/env python3
"""The benchmark's headless console session (run by scripts/bench.py in a child process of its own).

    python scripts/bench_keys.py --db sqlite:////tmp/copy.db --out keys.json

The real DeskApp on the given store, with the real clock (SystemClock), the shipped catalogue
and the site policy, run by Textual's Pilot at 120×36: signs in as demo/1234, then on every
screen presses the keys a clerk presses (open the screen, move in its list, type a unit code
where the unit is looked up as typed, step through a flow) and times each key. The store is
written to (a sign-in, a visitor, a call, …): give it a copy.

What "the screen updated" means here: the time from the key being sent to the last frame the
compositor emitted in answer to it — the key handled, the screen's workers finished (a list
reloaded in a thread counts), their results drawn, the app idle again. Each frame is also rendered
to the escape sequences a terminal would receive (what the headless driver skips). The waits of
`pilot.press`/`pilot.pause` themselves are not counted: they only tell when to stop looking.
A key that changed nothing on the screen (no frame) is counted apart, not timed.

The console's own timers (the queues' 1 s tick, the 5 s reloads, the building of screens ahead)
are paused while a key is measured and let run between keys, so a timer's frame is never taken
for the key's; Textual's own timers (the screen's refresh) run as always. The cursor does not
blink (as in the tests).

Before each screen's keys the clerk is idle for IDLE_BEFORE_SCREEN_S (not timed): at a counter
nobody presses the next F-key within a tenth of a second of the last key; they serve, read, talk.
The console uses such pauses to build the screens not yet opened (deskapp.app BUILD_IDLE_S), as
it does for a clerk. Within a screen's keys there is no pause.

Writes JSON: per screen the keys and their times in ms, keys without a frame, and the process's
peak resident memory (VmHWM) at the end — the console's memory on that store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SIZE = (120, 36)
SETTLE_ROUNDS = 50  # at most this many worker-wait-and-pause rounds for one key
IDLE_BEFORE_SCREEN_S = 2.0  # the clerk's pause before each screen's keys (see the docstring)


def scripts(unit: str, moves: int = 20) -> list[tuple[str, str, list[str]]]:
    """(mode, label, keys) per screen, in the order played; `moves` Down presses in each list.
    A key "@ring" is setup (a call rings from an owner's number, as the telephone system records
    it), not a key."""
    typed = list(unit)

    def down(n: int = moves) -> list[str]:
        return ["down"] * n

    return [
        ("today", "F8 today", ["f8", *down(), "pagedown", "pageup", "up", "up"]),
        ("walk_in", "F2 walk-in", [
            "f2", *down(), "pagedown",
            "f2", *typed, "enter", "王", "enter", "1", "enter",  # the arrival: unit looked up as typed
            "ctrl+home", "enter",  # serve the first in the queue
            "enter", "7", "enter", "n", "n", "enter", "enter", "3",  # greeting, a question, up twice, farewell, rated
        ]),
        ("repair", "F4 repair", [
            "f4", *down(), "pagedown", "pageup", "2", "3", "4", *down(min(5, moves)), "pagedown", "1",
            "enter", "escape", "b", "b", "ctrl+n", "escape",
        ]),
        ("release", "F5 release", [
            "f5", *down(), "pagedown", "enter", "escape",
            "ctrl+n", *typed, "enter", "escape",
        ]),
        ("complaints", "F6 complaints", [
            "f6", *down(), "pagedown", "2", "3", "4", *down(min(5, moves)), "pagedown", "1", "enter", "escape",
        ]),
        ("handover", "F7 handover", ["f7", *down(), "pagedown", "l", "escape"]),
        ("registers", "F9 registers", [
            "f9", *down(), "pagedown",  # keys
            "2", "o", *down(min(5, moves)), "o", "3", "o", *down(min(5, moves)), "o", "4", "o", "o", "5", "1",  # o: all / open
            "slash", *typed, "enter",
        ]),
        ("phone", "F3 phone", [
            "@ring", "f3", *down(), "pagedown",
            "f3", "enter", "enter", "enter", "enter", "1", *"水管漏水", "enter",  # answer, identify, a repair
            "ctrl+g", "ctrl+g", "ctrl+d", "escape",  # hold, resume, hang up
        ]),
    ]


def peak_rss_mb() -> float:
    """VmHWM (peak resident set) of this process, in MB; ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timers:
    """The console's own timers (callbacks from deskapp), to be paused while a key is timed."""

    def __init__(self) -> None:
        from textual.message_pump import MessagePump

        # Held here: Textual holds its timers weakly, and a paused timer's task is referenced
        # only by the timer, so a garbage collection during a key would end it for good.
        self.live: list = []
        original = MessagePump.set_interval
        timers = self

        def set_interval(pump, *args, **kwargs):
            timer = original(pump, *args, **kwargs)
            callback = kwargs.get("callback", args[1] if len(args) > 1 else None)
            if str(getattr(callback, "__module__", "")).startswith("deskapp"):
                timers.live.append(timer)
            return timer

        MessagePump.set_interval = set_interval

    def pause(self) -> None:
        for timer in list(self.live):
            timer.pause()

    def resume(self) -> None:
        for timer in list(self.live):
            timer.resume()


def bench_app_class():
    from textual.widgets import Input

    from deskapp.app import DeskApp

    # The cursor does not blink (its frames would land in the keys' time), and every field is made
    # that way: turned off as a field takes focus, the change was itself drawn, one frame (~30 ms)
    # after the key's own, which a clerk's console (blinking, its first blink 0.5 s later) never draws.
    Input.cursor_blink._default = False

    class BenchDeskApp(DeskApp):
        """DeskApp that notes when each frame went out (rendered as a terminal would get it)."""

        frames: list[float]

        def _display(self, screen, renderable) -> None:  # Textual's hook for a finished frame
            super()._display(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(self.console)  # the escape sequences the headless driver does not write
            self.frames.append(time.perf_counter())

    return BenchDeskApp


def make_app(url: str):
    from deskapp.clock import SystemClock
    from deskapp.context import Context
    from deskapp.heap import Heap
    from deskapp.i18n import Translator
    from deskapp.policy import load_policy
    from deskapp.standards.catalogue import shipped
    from deskapp.store.engine import Store

    store = Store(url)
    ctx = Context(store=store, policy=load_policy(), clock=SystemClock(), t=Translator("zh"), catalogue=shipped())
    app = bench_app_class()(ctx, heap=Heap(active=True), build_ahead=True)  # as deskapp.console makes it
    app.frames = []
    app.animation_level = "none"
    return app, store


def pick_unit(store, seed: int) -> tuple[str, str]:
    """A unit with an owner on record: its code and the owner's phone."""
    from sqlmodel import select

    from deskapp.store.tables import Person, Unit

    with store.read() as session:
        rows = session.exec(
            select(Unit.code, Person.phone).join(Person, Person.unit_id == Unit.id)
            .where(Person.kind == "owner", Person.active, Person.phone != "").order_by(Unit.id).limit(2000)
        ).all()
    if not rows:
        raise SystemExit("no unit with an owner on record in this store")
    code, phone = random.Random(seed).choice(rows)
    return code, phone


async def settle(pilot, timers: Timers | None = None) -> None:
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(SETTLE_ROUNDS):
        seen = len(app.frames)
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker cancelled by the next of its group: wait again
            await pilot.pause()
            continue
        await pilot.pause()
        if len(app.frames) == seen and not any(w.is_running for w in app.workers):
            return


async def timed(pilot, key: str) -> list[float]:
    """One key: the frames drawn in answer, in ms from sending it (none: nothing changed)."""
    app = pilot.app
    seen = len(app.frames)
    start = time.perf_counter()
    await pilot.press(key)
    await settle(pilot)
    return [round((t - start) * 1000, 3) for t in app.frames[seen:]]


def new_row(mode: str, label: str) -> dict:
    return {"mode": mode, "label": label, "keys": [], "ms": [], "first_ms": [], "frames": [], "no_frame": []}


def note(row: dict, key: str, frames: list[float]) -> None:
    """The key's time is its last frame's; the first frame and the count say how it got there."""
    if not frames:
        row["no_frame"].append(key)
        return
    row["keys"].append(key)
    row["ms"].append(frames[-1])
    row["first_ms"].append(frames[0])
    row["frames"].append(len(frames))


async def back_to_screen(pilot) -> None:
    """Close whatever modal a script left open (not timed)."""
    from textual.screen import ModalScreen

    for _ in range(5):
        if not isinstance(pilot.app.screen, ModalScreen):
            return
        await pilot.press("escape")
        await settle(pilot)


async def session(url: str, seed: int, moves: int) -> dict:
    from deskapp.clock import SystemClock
    from deskapp.services import calls

    timers = Timers()
    app, store = make_app(url)
    unit, phone = pick_unit(store, seed)
    result: dict = {"unit": unit, "screens": [], "signed_in": False}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.store_ready.wait(30)
        signin = new_row("signin", "sign-in")
        for key in [*"demo", "tab", *"1234", "enter"]:
            note(signin, key, await timed(pilot, key))
        result["signed_in"] = app.ctx.clerk is not None
        result["screens"].append(signin)
        if not result["signed_in"]:
            raise SystemExit("could not sign in as demo/1234 on this store")
        for mode, label, keys in scripts(unit, moves):
            await back_to_screen(pilot)
            timers.resume()
            await asyncio.sleep(IDLE_BEFORE_SCREEN_S)
            await settle(pilot)
            row = new_row(mode, label)
            for key in keys:
                if key == "@ring":
                    calls.ring(store, SystemClock(), phone)
                    continue
                timers.resume()
                await settle(pilot)
                timers.pause()
                note(row, key, await timed(pilot, key))
            timers.resume()
            row["ended_on"] = f"{app.current_mode}: {type(app.screen).__name__}"
            result["screens"].append(row)
        await back_to_screen(pilot)
    store.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the store (it is written to: a copy)")
    parser.add_argument("--out", required=True, help="where the JSON goes")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--moves", type=int, default=20, help="Down presses in each list (default 20)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = asyncio.run(session(args.db, args.seed, args.moves))
    except BaseException as e:  # noqa: BLE001 - reported to the parent as the session's failure
        Path(args.out).write_text(json.dumps({"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}))
        return 1
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
