"""What every counter screen has: the top bar, a body, the key bar."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.screen import Screen

from deskapp.context import Context
from deskapp.widgets.chrome import CounterBar, KeyBar


ResultType = TypeVar("ResultType")


class DeskScreen(Screen[ResultType]):
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
