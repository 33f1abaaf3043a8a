"""Who is in (在岗): the clerk marks colleagues in or out; flows read it (finance in / out …)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList

from deskapp.services.visits import presence, set_presence


class PresenceDialog(ModalScreen[bool]):
    DEFAULT_CSS = """
    PresenceDialog { align: center middle; }
    PresenceDialog > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    PresenceDialog .title { text-style: bold; }
    PresenceDialog .hint { color: $text-muted; }
    PresenceDialog SelectionList { height: auto; max-height: 16; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save"),
        Binding("escape", "cancel", "key.cancel"),
    ]

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        t = ctx.t
        with Vertical():
            yield Label(t("presence.title"), classes="title")
            yield SelectionList[int](
                *[(f"{s.name}({t(f'role.{s.role}')})", s.id, here) for s, here in presence(ctx.store)], id="staff"
            )
            yield Label(t("presence.keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_save(self) -> None:
        ctx = self.app.ctx
        set_presence(ctx.store, ctx.clock, ctx.clerk.staff_id, set(self.query_one(SelectionList).selected))
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
