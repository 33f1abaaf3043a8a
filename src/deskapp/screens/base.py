"""What every counter screen has: the top bar, a body, the key bar."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import AwaitMount

from deskapp.context import Context
from deskapp.errors import DeskappError
from deskapp.screens.one_frame import OneFrameLayout
from deskapp.widgets.chrome import CounterBar, KeyBar

ResultType = TypeVar("ResultType")
T = TypeVar("T")


class DeskScreen(OneFrameLayout, Screen[ResultType]):
    FIRST_SHOW_REFRESHES_CSS = False
    """The app's first screen keeps Textual's CSS refresh: it is what styles the screen itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept_dialogs: dict[Callable[[], Screen], Screen] = {}  # see open_kept
        # A mode's screen opened later is styled as it mounts. Textual also refreshes the whole
        # app's CSS when such a screen is first shown (re-parses every source and restyles every
        # node of every screen open), which is for a screen coming back after the theme changed;
        # the console's theme never changes. Skipping it: F5 746 -> 305 ms, F4 418 -> 218 ms on
        # the 5-year store (scripts/bench.py --only keys).
        if self.FIRST_SHOW_REFRESHES_CSS:
            return
        try:
            self._css_update_count = self.app._css_update_count
        except RuntimeError:  # Textual's NoActiveAppError: a screen built with no app running
            pass

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every node of a mode's screen each time it is switched to (for CSS or
        # a theme changed while it was away: the console's never change). Its nodes' styles
        # follow their own class and focus changes as they happen. Skipping it: ~26 ms of each
        # F-key to a screen already open, on a 2-core machine (scripts/bench.py --only keys).
        event.refresh_styles = False
        super()._on_screen_resume(event)

    def on_screen_resume(self) -> None:
        # What the screen has just built is there to stay: out of the garbage collector's way.
        heap = getattr(self.app, "heap", None)
        if heap is not None:
            self.call_after_refresh(heap.settle)

    def every(self, seconds: float, callback: Callable[[], object]) -> Timer:
        """A timer for what the clerk sees (a queue's waiting times, a list's reload): it does
        nothing while another screen is shown, which reads again as it is switched to. The
        screens are built ahead of their first F-key (DeskApp.build_ahead); their timers would
        otherwise all run behind the one in use, each a turn a key could wait for."""

        def tick() -> None:
            if self.is_current:
                callback()

        return self.set_interval(seconds, tick)

    _read_at = float("-inf")  # when the read shown by read_and_show began (time.monotonic)

    def read_and_show(self, read: Callable[[], T], show: Callable[[T], None], *, in_worker: bool) -> None:
        """Read the screen's list from the store and show it; a store error is told to the clerk.
        The same list is read in the clerk's key (a read in a worker was drawn a frame after the
        key's) and reloaded in a worker (timers, other screens' changes): the two can cross, so a
        result whose read began before the one shown is dropped."""
        started = time.monotonic()
        try:
            found = read()
        except DeskappError as e:
            if in_worker:
                self.app.call_from_thread(self.notify, self.ctx.t.error(e), severity="error")
            else:
                self.notify(self.ctx.t.error(e), severity="error")
            return

        def shown() -> None:
            if started < self._read_at:
                return
            self._read_at = started
            show(found)

        if in_worker:
            self.app.call_from_thread(shown)
        else:
            shown()

    @staticmethod
    def read_ahead(known: dict[Hashable, object], views: Iterable[Hashable], read: Callable[[Hashable], object]) -> None:
        """In a worker, as the screen is built (the console builds it while the clerk is idle):
        each view of a list (a filter, a clerk …) not yet in `known` is read once and kept, so its
        first key shows at once. A view read since by a key is not replaced; a store error stops
        it (the list's own read reports it)."""
        for view in views:
            if view in known:
                continue
            try:
                known.setdefault(view, read(view))
            except DeskappError:
                return

    KEPT_AHEAD: tuple[Callable[[], Screen], ...] = ()
    """Dialogs this screen keeps (open_kept) and has built while the clerk is idle (DeskApp)."""

    def open_kept(self, make: Callable[[], Screen[T]], callback: Callable[[T | None], object] | None = None) -> None:
        """Open a dialog this screen makes once and keeps: each later opening resets it
        (Dialog.reset) in place of composing and mounting it again, and closing it does not
        remove it. F2's arrival form: its compose and mount were ~20 of the 45-50 ms of its key
        (scripts/bench.py --only keys)."""
        self.app.push_screen(self._kept(make), callback)

    def _kept(self, make: Callable[[], Screen]) -> Screen:
        dialog = self._kept_dialogs.get(make)
        if dialog is None:
            dialog = self._kept_dialogs[make] = make()
            self.app.install_screen(dialog, f"{type(self).__name__}.{type(dialog).__name__}.{id(dialog)}")
        return dialog

    def build_kept_ahead(self) -> AwaitMount | None:
        """Compose and mount the next of KEPT_AHEAD not yet made, not shown (None: all are). Its
        first opening then resets it and brings back its draft, as every later one does."""
        for make in self.KEPT_AHEAD:
            if make not in self._kept_dialogs:
                dialog = self._kept(make)
                dialog._dismissed = True  # as if opened and closed: the first opening resets it
                _screen, mounting = self.app._get_screen(dialog)  # Textual's own first step of a push
                return mounting
        return None

    @property
    def ctx(self) -> Context:
        return self.app.ctx

    def t(self, key: str, /, **params: object) -> str:
        return self.ctx.t(key, **params)

    def compose(self) -> ComposeResult:
        yield CounterBar()
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()
