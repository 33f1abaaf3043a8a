"""Logging a call by hand (when no telephone system rings it in): the caller's number."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from deskapp.errors import DeskappError
from deskapp.services.calls import ring


class LogCallDialog(ModalScreen[int | None]):
    DEFAULT_CSS = """
    LogCallDialog { align: center middle; }
    LogCallDialog > Vertical {
        width: 56; max-width: 100%; height: auto; border: round $primary; background: $surface; padding: 0 1;
    }
    LogCallDialog .title { text-style: bold; }
    LogCallDialog .field-error { color: $error; height: auto; }
    LogCallDialog .hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

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
    def _save(self, event: Input.Submitted) -> None:
        ctx = self.app.ctx
        try:
            call_id = ring(ctx.store, ctx.clock, event.value)
        except DeskappError as e:
            self.query_one("#number-error", Label).update(ctx.t.error(e))
            return
        self.dismiss(call_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
