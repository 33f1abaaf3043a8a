"""At farewell: the visitor's satisfaction, 1 to 5, if they give one (Enter skips)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from deskapp.screens.dialog import Dialog

SCORES = "12345"


class SatisfactionDialog(Dialog[int | None]):
    DEFAULT_CSS = """
    SatisfactionDialog > Vertical { width: 56; }
    """

    BINDINGS = [
        *[Binding(key, f"rate({key})", "", show=False) for key in SCORES],
        Binding("enter,escape", "skip", "key.skip"),
    ]

    def compose(self) -> ComposeResult:
        t = self.app.ctx.t
        with Vertical():
            yield Label(t("satisfaction.title"), classes="title")
            yield Label(t("satisfaction.scale"))
            yield Label(t("satisfaction.keys"), classes="hint")

    def action_rate(self, score: int) -> None:
        self.dismiss(int(score))

    def action_skip(self) -> None:
        self.dismiss(None)
