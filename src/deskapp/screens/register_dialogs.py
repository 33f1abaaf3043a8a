"""One form for every register: labelled one-line fields, the error shown at its field.

The screen gives the fields and a `submit(values)` that saves or raises: a `FieldError` is shown
at its field and the form stays open (nothing half-saved); any other `DeskappError` under the
form. On success the form closes with the message `submit` returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from deskapp.errors import DeskappError
from deskapp.screens.dialog import Dialog, while_open


@dataclass(frozen=True)
class Field:
    id: str
    label: str  # locale key
    value: str = ""
    hint: str = ""  # locale key of a placeholder
    password: bool = False


class FormDialog(Dialog[str | None]):
    DEFAULT_CSS = """
    FormDialog > Vertical { width: 78; }
    FormDialog .row { height: 1; margin-top: 0; }
    FormDialog .row > Label { width: 16; text-style: bold; }
    FormDialog .row > Input { width: 1fr; background: $boost; }
    FormDialog .field-error { padding-left: 16; width: 1fr; }
    FormDialog .rule { color: $text-muted; height: auto; width: 1fr; }
    """

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]

    def __init__(self, title: str, fields: list[Field], submit: Callable[[dict[str, str]], str], rule: str = "") -> None:
        super().__init__()
        self._title, self._fields, self._submit, self._rule = title, fields, submit, rule

    def t(self, key: str, /, **params: object) -> str:
        return self.app.ctx.t(key, **params)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            if self._rule:
                yield Label(self._rule, classes="rule")
            for field in self._fields:
                with Horizontal(classes="row"):
                    yield Label(self.t(field.label))
                    placeholder = self.t(field.hint) if field.hint else ""
                    yield Input(field.value, id=field.id, password=field.password, compact=True, placeholder=placeholder)
                yield Label("", id=f"{field.id}-error", classes="field-error")
            yield Label("", id="form-error", classes="field-error")
            yield Label(self.t("registers.form_keys"), classes="hint")

    def on_mount(self) -> None:
        for label in self.query(".field-error"):
            label.display = False
        self.query_one(f"#{self._fields[0].id}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        ids = [f.id for f in self._fields]
        at = ids.index(event.input.id)
        if at + 1 < len(ids):
            self.query_one(f"#{ids[at + 1]}", Input).focus()
        else:
            self.action_save()

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        label = self.query_one(f"#{event.input.id}-error", Label)
        label.display = False

    def values(self) -> dict[str, str]:
        return {f.id: self.query_one(f"#{f.id}", Input).value.strip() for f in self._fields}

    @while_open
    def action_save(self) -> None:
        try:
            done = self._submit(self.values())
        except DeskappError as e:
            self.show_error(getattr(e, "field", ""), self.app.ctx.t.error(e))
            return
        self.dismiss(done)

    def show_error(self, field: str, message: str) -> None:
        for label in self.query(".field-error"):
            label.display = False
        target = field if any(f.id == field for f in self._fields) else "form"
        label = self.query_one(f"#{target}-error", Label)
        label.update(message)
        label.display = True
        if target != "form":
            self.query_one(f"#{target}", Input).focus()


class ChecklistDialog(Dialog[list[str] | None]):
    """Steps to tick: ↑ ↓ move, Space ticks, Enter saves. Steps already done stay ticked."""

    DEFAULT_CSS = """
    ChecklistDialog > Vertical { width: 78; }
    ChecklistDialog SelectionList { height: auto; max-height: 14; }
    """

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]

    def __init__(self, title: str, steps: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self._title, self._steps = title, steps

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList

        with Vertical():
            yield Label(self._title, classes="title")
            yield SelectionList[str](*[(text, step, done) for step, text, done in self._steps], id="steps")
            yield Label(self.app.ctx.t("registers.checklist_keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#steps").focus()

    def key_enter(self) -> None:
        self.action_save()

    @while_open
    def action_save(self) -> None:
        from textual.widgets import SelectionList

        self.dismiss(list(self.query_one("#steps", SelectionList).selected))
