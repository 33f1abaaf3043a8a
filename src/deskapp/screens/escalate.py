"""服务上移: hand the visit up — to a colleague, the CS supervisor or the office director."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from deskapp.screens.dialog import Dialog, while_open

from deskapp.domain.roles import ANSWERING
from deskapp.domain.visits import Level
from deskapp.services.visits import StaffOnDuty, staff_on_duty


@dataclass(frozen=True)
class EscalationChoice:
    to: StaffOnDuty
    level: Level
    reason: str


class EscalateDialog(Dialog[EscalationChoice | None]):
    DEFAULT_CSS = """
    EscalateDialog > Vertical { border: round $warning; }
    EscalateDialog #sentence { color: $text-muted; margin-bottom: 1; }
    EscalateDialog OptionList { height: auto; max-height: 8; }
    """

    def __init__(self, who: str) -> None:
        super().__init__()
        self._who = who

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        t = ctx.t
        sentence = ctx.catalogue.texts.get("escalation")
        with Vertical():
            yield Label(t("escalate.title", who=self._who), classes="title")
            yield Static(sentence.text(ctx.lang) if sentence else "", id="sentence")
            yield Label(t("escalate.to"))
            yield OptionList(*self._options(), id="to")
            yield Label(t("escalate.reason"))
            yield Input(id="reason", max_length=200)
            yield Label("", id="error", classes="field-error")
            yield Label(t("escalate.keys"), classes="hint")

    def _options(self) -> list[Option]:
        ctx = self.app.ctx
        me = ctx.clerk.staff_id if ctx.clerk else None
        self._people: dict[str, tuple[StaffOnDuty, Level]] = {}
        options = []
        for level, roles in ANSWERING.items():  # the table's order: the standard names the CS supervisor first
            for person in staff_on_duty(ctx.store, roles, exclude=me):
                key = f"{level}:{person.id}"
                self._people[key] = (person, level)
                who = person.name if level is not Level.COLLEAGUE else f"{person.name}({ctx.t(f'role.{person.role}')})"
                options.append(Option(f"{ctx.t(f'escalate.level.{level}')} · {who}", id=key))
        return options

    def on_mount(self) -> None:
        self.query_one("#to", OptionList).focus()

    @on(OptionList.OptionSelected, "#to")
    def _chosen(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    @while_open
    def _done(self) -> None:
        box = self.query_one("#to", OptionList)
        if box.highlighted is None:
            self.query_one("#error", Label).update(self.app.ctx.t("escalate.choose_first"))
            box.focus()
            return
        person, level = self._people[box.get_option_at_index(box.highlighted).id]
        self.dismiss(EscalationChoice(person, level, self.query_one("#reason", Input).value))
