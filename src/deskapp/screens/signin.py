"""Sign-in: staff code, then PIN; a refusal is shown at the field it concerns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from deskapp.errors import DeskappError, FieldError
from deskapp.screens.base import DeskScreen

if TYPE_CHECKING:
    from deskapp.services.auth import SignedIn


class SignInScreen(DeskScreen):
    FIRST_SHOW_REFRESHES_CSS = True
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    #signin { width: 48; height: auto; border: round $primary; padding: 1 2; }
    #signin Label.title { text-style: bold; margin-bottom: 1; }
    #signin Input { margin: 0; }
    #signin Label.field-error { color: $error; height: auto; max-width: 100%; }
    #signin Label.hint { color: $text-muted; margin-top: 1; width: 100%; }
    """

    def compose_body(self) -> ComposeResult:
        with Vertical(id="signin"):
            yield Label(self.t("signin.title"), classes="title")
            yield Label(self.t("signin.code"))
            yield Input(id="code", max_length=32)
            yield Label("", id="code-error", classes="field-error")
            yield Label(self.t("signin.pin"))
            yield Input(id="pin", password=True, max_length=8, restrict=r"[0-9]*")
            yield Label("", id="pin-error", classes="field-error")
            yield Label(self.t("signin.hint"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def _code_entered(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self) -> None:
        self._clear_errors()
        self._sign_in(self.query_one("#code", Input).value, self.query_one("#pin", Input).value)

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        self.query_one(f"#{event.input.id}-error", Label).update("")

    def _clear_errors(self) -> None:
        for field in ("code", "pin"):
            self.query_one(f"#{field}-error", Label).update("")

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _sign_in(self, code: str, pin: str) -> None:
        from deskapp.services.auth import sign_in  # here, not at start-up: it brings the store's modules

        ctx = self.ctx
        self.app.store_ready.wait()  # opened behind the sign-in screen: ready by the time a PIN is typed
        if ctx.store is None:
            return  # it could not be opened: the console is closing with the reason
        try:
            clerk = sign_in(ctx.store, ctx.clock, ctx.policy, code, pin)
        except FieldError as e:  # a wrong PIN, a locked code, a role that does not use the console …
            self.app.call_from_thread(self._refused, e.field, ctx.t.error(e))
        except DeskappError as e:
            self.app.call_from_thread(self._refused, "pin", ctx.t.error(e))
        else:
            self.app.call_from_thread(self._signed_in, clerk, self._drafts_waiting(clerk))

    def _drafts_waiting(self, clerk: SignedIn) -> list[str]:
        """The titles of the forms this clerk left unsaved (a crash, a power cut)."""
        from deskapp.services import drafts

        try:
            return [draft.title for draft in drafts.waiting(self.ctx.store, clerk.staff_id)]
        except DeskappError:
            return []

    def _refused(self, field: str, message: str) -> None:
        pin = self.query_one("#pin", Input)
        with pin.prevent(Input.Changed):  # clearing the PIN must not clear the message
            pin.value = ""
        self.query_one(f"#{field}-error", Label).update(message)
        (pin if field == "pin" else self.query_one("#code", Input)).focus()

    def _signed_in(self, clerk: SignedIn, unsaved: list[str]) -> None:
        self.query_one("#pin", Input).value = ""
        self.app.signed_in(clerk)
        if unsaved:
            self.app.notify(self.ctx.t("drafts.waiting", n=len(unsaved), titles="、".join(unsaved)), timeout=15)
