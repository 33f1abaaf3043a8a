"""A note or reply field that flags a 禁语 (forbidden phrase) as the clerk types it.

The warning sits under the field and gives the better wording from the catalogue; the text is
never changed behind the clerk's back.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from deskapp.standards.forbidden import Hit, find_forbidden
from deskapp.standards.slots import fill


class NoteField(Vertical):
    DEFAULT_CSS = """
    NoteField { height: auto; }
    NoteField > .forbidden-warning { color: $warning; height: auto; }
    """

    class Flagged(Message):
        """The text now holds these forbidden phrases (empty when it holds none)."""

        def __init__(self, field: NoteField, hits: list[Hit]) -> None:
            super().__init__()
            self.field = field
            self.hits = hits

    def __init__(self, value: str = "", placeholder: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._value = value
        self._placeholder = placeholder
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        yield Input(self._value, placeholder=self._placeholder)
        yield Static("", classes="forbidden-warning")

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    @on(Input.Changed)
    def _check(self, event: Input.Changed) -> None:
        event.stop()
        ctx = self.app.ctx
        hits = find_forbidden(event.value, ctx.catalogue)
        warning = Text()
        for n, hit in enumerate(hits):
            if n:
                warning.append("\n")
            better = fill(hit.entry.better(ctx.lang), {}, ctx.policy.value, lambda slot: ctx.t(f"slot.{slot}"))
            warning.append(ctx.t("forbidden.warning", phrase=hit.matched, better=better))
        self.query_one(".forbidden-warning", Static).update(warning)
        if [h.entry.id for h in hits] != [h.entry.id for h in self.hits]:
            self.hits = hits
            self.post_message(self.Flagged(self, hits))
