"""What every counter screen has: the top bar, a body, the key bar."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.screen import Screen

from deskapp.context import Context
from deskapp.widgets.chrome import CounterBar, KeyBar


ResultType = TypeVar("ResultType")


class DeskScreen(Screen[ResultType]):
    FIRST_SHOW_REFRESHES_CSS = False
    """The app's first screen keeps Textual's CSS refresh: it is what styles the screen itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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

    def on_screen_resume(self) -> None:
        # What the screen has just built is there to stay: out of the garbage collector's way.
        heap = getattr(self.app, "heap", None)
        if heap is not None:
            self.call_after_refresh(heap.settle)

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
