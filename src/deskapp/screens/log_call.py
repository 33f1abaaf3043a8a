"""Logging a call by hand (when no telephone system rings it in): the caller's number."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from deskapp.errors import DeskappError
from deskapp.screens.dialog import Dialog, while_open
from deskapp.services.calls import ring


class LogCallDialog(Dialog[int | None]):
    DEFAULT_CSS = """
    LogCallDialog > Vertical { width: 56; }
    """

    def compose(self) -> ComposeResult:
        t = self.app.ctx.t
        with Vertical():
            yield Label(t("log_call.title"), classes="title")
            yield Label(t("log_call.number"))
            yield Input(id="number", max_length=32)
            yield Label("", id="number-error", classes="field-error")
            yield Label(t("log_call.keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#number", Input).focus()

    @on(Input.Submitted, "#number")
    @while_open
    def _save(self, event: Input.Submitted) -> None:
        ctx = self.app.ctx
        try:
            call_id = ring(ctx.store, ctx.clock, event.value)
        except DeskappError as e:
            self.query_one("#number-error", Label).update(ctx.t.error(e))
            return
        self.dismiss(call_id)
