"""Who is in (在岗): the clerk marks colleagues in or out; flows read it (finance in / out …)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, SelectionList

from deskapp.screens.dialog import Dialog, while_open

from deskapp.services.visits import presence, set_presence


class PresenceDialog(Dialog[bool | None]):
    DEFAULT_CSS = """
    PresenceDialog > Vertical { width: 60; }
    PresenceDialog SelectionList { height: auto; max-height: 16; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save"),
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

    @while_open
    def action_save(self) -> None:
        ctx = self.app.ctx
        set_presence(ctx.store, ctx.clock, ctx.clerk.staff_id, set(self.query_one(SelectionList).selected))
        self.dismiss(True)
