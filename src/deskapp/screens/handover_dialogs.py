"""The handover's small forms: a note, a query or its answer; the next clerk's sign-in."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from deskapp.domain.roles import Action
from deskapp.errors import DeskappError, FieldError
from deskapp.screens.dialog import Dialog, while_open
from deskapp.services.auth import SignedIn, authorise


class _Form(Dialog):
    DEFAULT_CSS = """
    _Form > Vertical { width: 76; }
    _Form .row { height: 1; margin-top: 1; }
    _Form .row > Label { width: 12; text-style: bold; }
    _Form .row > Input { width: 1fr; background: $boost; }
    _Form .field-error { padding-left: 12; width: 1fr; }
    _Form OptionList { height: auto; max-height: 12; }
    """

    def t(self, key: str, /, **params: object) -> str:
        return self.app.ctx.t(key, **params)

    def row(self, field: str, value: str = "", password: bool = False) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(self.t(f"handover.field.{field}"))
            yield Input(value, id=field, password=password, compact=True, max_length=400)
        yield Label("", id=f"{field}-error", classes="field-error")

    def error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Label)
        label.update(message)
        self.query_one(f"#{field}", Input).focus()

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        self.query_one(f"#{event.input.id}-error", Label).update("")


class TextDialog(_Form):
    """One line of text: a note, a query, an answer, who finance was. Returns the text."""

    def __init__(self, title: str, hint: str = "", value: str = "", *, field: str = "text", required: str = "") -> None:
        super().__init__()
        self._title, self._hint, self._value, self._field, self._required = title, hint, value, field, required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            if self._hint:
                yield Label(self._hint, classes="hint")
            yield from self.row(self._field, self._value)
            yield Label(self.t("handover.form_keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @while_open
    def _save(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self._required and not text:
            self.error(self._field, self.t(self._required))
            return
        self.dismiss(text)


class IncomingDialog(_Form):
    """The clerk taking over signs in with their own code and PIN on this console."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t("handover.incoming_title"), classes="title")
            yield Label(self.t("handover.incoming_hint"), classes="hint")
            yield from self.row("code")
            yield from self.row("pin", password=True)
            yield Label(self.t("handover.form_keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def _code(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @while_open
    def _pin(self) -> None:
        self._sign_in(self.query_one("#code", Input).value, self.query_one("#pin", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _sign_in(self, code: str, pin: str) -> None:
        ctx = self.app.ctx
        try:
            clerk = authorise(ctx.store, ctx.clock, ctx.policy, code, pin, Action.TAKE_OVER_SHIFT)
        except FieldError as e:
            self.app.call_from_thread(self._refused, "code" if e.field == "code" else "pin", ctx.t.error(e))
        except DeskappError as e:
            self.app.call_from_thread(self._refused, "pin", ctx.t.error(e))
        else:
            self.app.call_from_thread(self.dismiss, clerk)

    def _refused(self, field: str, message: str) -> None:
        pin = self.query_one("#pin", Input)
        with pin.prevent(Input.Changed):
            pin.value = ""
        self.error(field, message)


class DocumentDialog(Dialog[None]):
    """A handover record to read; Esc or Enter closes it."""

    DEFAULT_CSS = """
    DocumentDialog > Vertical { width: 100; height: 90%; }
    DocumentDialog VerticalScroll { height: 1fr; }
    """

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = lines

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll
        from textual.widgets import Static

        with Vertical():
            with VerticalScroll():
                yield Static("\n".join(self._lines), markup=False, id="document")
            yield Label(self.app.ctx.t("handover.document_keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("VerticalScroll").focus()

    def key_enter(self) -> None:
        self.dismiss(None)


class HistoryDialog(Dialog[int | None]):
    """Past handovers, newest first: Enter picks one to read."""

    DEFAULT_CSS = """
    HistoryDialog > Vertical { width: 100; }
    HistoryDialog OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, rows: list[str], ids: list[int]) -> None:
        super().__init__()
        self._rows, self._ids = rows, ids

    def compose(self) -> ComposeResult:
        t = self.app.ctx.t
        with Vertical():
            yield Label(t("handover.history_title"), classes="title")
            if self._rows:
                yield OptionList(*[Option(row, id=str(i)) for row, i in zip(self._rows, self._ids)])
            else:
                yield Label(t("handover.history_empty"))

    def on_mount(self) -> None:
        if self._rows:
            self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    @while_open
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


__all__ = ["DocumentDialog", "HistoryDialog", "IncomingDialog", "SignedIn", "TextDialog"]
