"""Registering a walk-in arrival: unit (looked up as the clerk types), surname, title, purpose."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from deskapp.errors import DeskappError
from deskapp.screens.dialog import Dialog, while_open
from deskapp.services.lookup import UnitMatch, find_units
from deskapp.services.visits import TITLES, register_arrival
from deskapp.standards.registry import SETTABLE

_TITLE_KEYS = {"1": "先生", "2": "女士", "3": "小姐"}


class ArrivalDialog(Dialog[int | None]):
    """Dismisses with the new visit's id, or None when the clerk cancels."""

    DEFAULT_CSS = """
    ArrivalDialog .field-error { padding-left: 10; }
    ArrivalDialog .row { height: 1; margin-top: 1; }
    ArrivalDialog .row > Label { width: 10; }
    ArrivalDialog .row > Input, ArrivalDialog .row > Select { width: 1fr; background: $boost; }
    ArrivalDialog #title { width: 24; }
    ArrivalDialog #matches { height: auto; max-height: 5; border: none; padding-left: 10; }
    ArrivalDialog Checkbox { border: none; padding: 0; margin-top: 1; background: $surface; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save"),
        Binding("down", "to_matches", "", show=False),
    ]

    _matches: dict[str, UnitMatch] = {}

    def compose(self) -> ComposeResult:
        t = self.app.ctx.t
        with Vertical():
            yield Label(t("arrival.title"), classes="title")
            yield Label(t("arrival.unit"), classes="hint")
            with Horizontal(classes="row"):
                yield Label(t("arrival.unit_label"))
                yield Input(id="unit", placeholder=t("arrival.unit_hint"), max_length=32, compact=True)
            yield Label("", id="unit-error", classes="field-error")
            yield OptionList(id="matches")
            with Horizontal(classes="row"):
                yield Label(t("arrival.surname"))
                yield Input(id="surname", max_length=32, compact=True)
                yield Label(" " + t("arrival.title_field"))
                yield Input(id="title", placeholder=t("arrival.title_hint"), max_length=2, compact=True)
            yield Label("", id="surname-error", classes="field-error")
            yield Label("", id="title-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label(t("arrival.purpose"))
                yield Select(
                    [(t(f"walk_in.purpose.{p}"), p) for p in self._purposes()],
                    prompt=t("arrival.purpose_unknown"), id="purpose", compact=True,
                )
            yield Checkbox(t("arrival.urgent"), id="urgent")
            yield Label(t("arrival.keys"), classes="hint")

    def reset(self) -> None:
        for field in ("unit", "surname", "title"):
            self.query_one(f"#{field}", Input).value = ""
            self._set_error(field, "")
        self.query_one("#purpose", Select).clear()
        self.query_one("#urgent", Checkbox).value = False
        matches = self.query_one("#matches", OptionList)
        matches.clear_options()
        matches.display = False
        self._matches = {}
        self.query_one("#unit", Input).focus()

    def _purposes(self) -> list[str]:
        """The purposes the walk-in flow's options set, in their order."""
        flow = self.app.ctx.catalogue.scenarios["walk_in"]
        found = [v for step in flow.steps.values() for o in step.options for k, v in o.sets if k == "purpose"]
        return [p for p in SETTABLE["purpose"] if p in found]

    def on_mount(self) -> None:
        self.query_one("#matches", OptionList).display = False
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#unit", Input).focus()

    @on(Input.Changed, "#unit")
    def _look_up(self, event: Input.Changed) -> None:
        self._set_error("unit", "")
        matches = find_units(self.app.ctx.store, event.value, limit=5) if len(event.value.strip()) >= 1 else []
        box = self.query_one("#matches", OptionList)
        box.clear_options()
        box.add_options([Option(self._describe(m), id=m.code) for m in matches])
        box.display = bool(matches) and not (len(matches) == 1 and matches[0].code == event.value.strip())
        self._matches = {m.code: m for m in matches}

    def _describe(self, match: UnitMatch) -> str:
        t = self.app.ctx.t
        if match.vacant or not match.residents:
            return f"{match.code}  {t('arrival.vacant')}"
        people = "  ".join(f"{name}({t(f'fact.visitor_kind.{kind}')}) {phone[-4:]}" for kind, name, phone in match.residents)
        return f"{match.code}  {people}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_matches":
            return self.focused is self.query_one("#unit", Input) and self.query_one("#matches", OptionList).display
        return True

    def action_to_matches(self) -> None:
        """Down from the unit field goes into the matches, as in any search box."""
        box = self.query_one("#matches", OptionList)
        box.focus()
        box.highlighted = 0

    @on(OptionList.OptionSelected, "#matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        match = self._matches[event.option.id]
        self.query_one("#unit", Input).value = match.code
        owner = match.owner()
        surname = self.query_one("#surname", Input)
        if owner and not surname.value:
            surname.value = owner[1][0]
        self.query_one("#matches", OptionList).display = False
        surname.focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        order = ["unit", "surname", "title"]
        at = order.index(event.input.id)
        if at < len(order) - 1:
            self.query_one(f"#{order[at + 1]}", Input).focus()
        else:
            self.action_save()

    @while_open
    def action_save(self) -> None:
        ctx = self.app.ctx
        for field in ("unit", "surname", "title"):
            self._set_error(field, "")
        title = self.query_one("#title", Input).value.strip()
        title = _TITLE_KEYS.get(title, title)
        if title and title not in TITLES:
            self._error("title", ctx.t("error.visit.bad_title"))
            return
        purpose = self.query_one("#purpose", Select).value
        try:
            visit_id = register_arrival(
                ctx.store, ctx.clock, ctx.clerk.staff_id,
                unit_code=self.query_one("#unit", Input).value,
                surname=self.query_one("#surname", Input).value,
                title=title,
                purpose=purpose if isinstance(purpose, str) else "",
                urgent=self.query_one("#urgent", Checkbox).value,
            )
        except DeskappError as e:
            self._error(getattr(e, "field", "unit"), ctx.t.error(e))
            return
        self.dismiss(visit_id)

    def _error(self, field: str, message: str) -> None:
        self._set_error(field, message)
        self.query_one(f"#{field}", Input).focus()

    def _set_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Label)
        label.update(message)
        label.display = bool(message)
