"""The step panel: what to do, what to say and which tips apply at the current step of a flow.

Every scenario screen embeds one. Keys (the panel has focus):

| key | |
|---|---|
| enter | go on (follow `next`, or the fact the domain computed), or finish at an end step |
| escape | back one step |
| 1…9, y, n | take the branch with that key, shown in the panel |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from deskapp.domain.inputs import InputError, parse, spoken_time
from deskapp.errors import DeskappError

from deskapp.standards.engine import FlowRun
from deskapp.standards.forbidden import find_forbidden
from deskapp.standards.model import Catalogue, Step
from deskapp.standards.registry import ACTIONS, ASKABLE, OPTION_KEYS
from deskapp.standards.slots import fill

Guard = Callable[[Step, str, dict[str, object]], Mapping[str, object] | None]

SAY_STYLE = "bold #ffd75f"
HINTED = ("appointment", "category", "title", "resident_kind", "due", "goods", "id_type", "plate")  # kinds whose field shows what to type
MISSING_STYLE = "reverse"


class AskField(Input):
    """The field of one asked slot. A panel makes its fields once and gives them to each step
    that asks (a field mounted for each step drew the step without it, then again with it)."""

    slot = ""
    """The slot it asks for at this step; "" while no step uses it (hidden)."""
    step_no = 0
    """Counts the steps it was given to: an Enter typed into it at one step is not taken for the next."""

    class Done(Message):
        """Enter in the field, at the step it was given to as `step_no`."""

        def __init__(self, field: AskField, step_no: int) -> None:
            super().__init__()
            self.field, self.step_no = field, step_no

    @property
    def name(self) -> str | None:
        return self.slot or None

    async def action_submit(self) -> None:
        self.post_message(self.Done(self, self.step_no))


class AskError(Label):
    """The line under an asked field: what is wrong with it, or a better wording (禁语)."""

    slot = ""

    @property
    def name(self) -> str | None:
        return self.slot or None


class StepPanel(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    StepPanel {
        height: 1fr;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    StepPanel:focus { border: round $accent; }
    StepPanel > Static { width: 1fr; }
    StepPanel > #step-ways { margin-top: 1; }
    StepPanel > #step-progress { color: $text-muted; }
    StepPanel > #step-inputs { height: auto; }
    StepPanel > #step-error { color: $error; height: auto; }
    StepPanel .ask-row { height: 1; margin-top: 1; }
    StepPanel .ask-label { width: 14; padding-right: 1; text-style: bold; }
    StepPanel .ask-row Input { width: 1fr; background: $boost; }
    StepPanel .ask-error { color: $error; height: auto; padding-left: 14; }
    """

    BINDINGS = [
        Binding("enter", "go_on", "step.enter_next", id="step.go_on"),
        Binding("escape", "back", "key.back", id="step.back"),
        *[Binding(key, f"choose('{key}')", "", show=False) for key in OPTION_KEYS],
    ]

    class Moved(Message):
        """The clerk went on or back: the move as made, `step` left by `via` ("next", "option:2"
        …) or returned to ("back"), and `to` the step reached. Keys typed quickly make several
        moves before the screen reads the first: `run` is where the flow is *now*, maybe further."""

        def __init__(self, panel: StepPanel, run: FlowRun, step: str, via: str, to: Step) -> None:
            super().__init__()
            self.panel = panel
            self.run = run
            self.step, self.via, self.to = step, via, to

        @property
        def forward(self) -> bool:
            return self.via != "back"

    class Asked(Message):
        """The clerk filled the step's `ask` slots; `values` holds them, checked."""

        def __init__(self, panel: StepPanel, step: Step, values: dict[str, object]) -> None:
            super().__init__()
            self.panel = panel
            self.step = step
            self.values = values

    class Finished(Message):
        """Enter at an end step: the flow is done (its trail is in `run.trail`)."""

        def __init__(self, panel: StepPanel, run: FlowRun) -> None:
            super().__init__()
            self.panel = panel
            self.run = run

    def __init__(
        self,
        catalogue: Catalogue,
        run: FlowRun,
        values: Mapping[str, object] | None = None,
        guard: Guard | None = None,
        **kwargs,
    ) -> None:
        """`guard(step, via, values)` runs before the clerk leaves a step: it records what the
        step does and returns slot values to add; a DeskappError it raises keeps the clerk on the
        step, with the message at the field it names."""
        super().__init__(**kwargs)
        self.catalogue = catalogue
        self.run = run
        self.values: dict[str, object] = dict(values or {})
        self.guard = guard
        # Rows for the most slots a step of the catalogue asks (label, field, line under it),
        # made once: a step shows as many as it asks, the rest are hidden.
        most = max((len(step.ask) for scenario in catalogue.scenarios.values() for step in scenario.steps.values()), default=0)
        self._rows = [
            (Horizontal(classes="ask-row"), Label(classes="ask-label"), AskField(compact=True), AskError(classes="ask-error"))
            for _ in range(most)
        ]
        # The step's fields, and the lines under them by slot.
        self._asked: list[AskField] = []
        self._ask_errors: dict[str, AskError] = {}
        self._finish_told = False  # Finished posted at this end step: a second Enter does not finish it again

    def compose(self) -> ComposeResult:
        yield Static(id="step-progress")
        yield Static(id="step-body")
        with Vertical(id="step-inputs"):
            for row, label, field, error in self._rows:
                with row:
                    yield label
                    yield field
                row.display = error.display = False
                yield error
        yield Static(id="step-error")
        yield Static(id="step-ways")

    def on_mount(self) -> None:
        self.refresh_step()

    # -- what the panel shows -------------------------------------------------------------

    @property
    def _t(self):
        return self.app.ctx.t

    @property
    def _lang(self) -> str:
        return self.app.ctx.lang

    def load(self, run: FlowRun, values: Mapping[str, object] | None = None) -> None:
        """Show another record's flow in this panel (made once, loaded for each record served):
        a panel mounted anew for each is a compose and a mount in the clerk's key."""
        self.run = run
        self.values = dict(values or {})
        self._finish_told = False
        self.refresh_step()

    def set_values(self, **values: object) -> None:
        """Fill more slots from the record (unit, surname, amount …) and redraw."""
        self.values.update(values)
        self.refresh_step()

    def shown(self, slot: str) -> str:
        """A slot's value as said: an appointment is 14:30 today, 明天 14:30 tomorrow."""
        value = self.values.get(slot)
        if ASKABLE.get(slot) == "appointment" and value:
            now = self.app.ctx.clock.now().astimezone(self.app.ctx.policy.timezone)
            return spoken_time(str(value), now, self._t("when.tomorrow"))
        return "" if value is None else str(value)

    def filled(self, text: str) -> Text:
        """A catalogue text with its slots filled; unknown slots shown as marked blanks."""
        policy = self.app.ctx.policy
        marker = "\x00"
        values = {k: (self.shown(k) if ASKABLE.get(k) == "appointment" else v) for k, v in self.values.items()}
        if values.get("title"):  # 先生 is said as Mr in English
            values = {**values, "title": self._t(f"title_word.{values['title']}")}
        plain = fill(text, values, policy.value, lambda slot: f"{marker}{self._t(f'slot.{slot}')}{marker}")
        out = Text()
        for n, part in enumerate(plain.split(marker)):
            out.append(part if n % 2 == 0 else f" {part} ", style="" if n % 2 == 0 else MISSING_STYLE)
        return out

    def refresh_step(self) -> None:
        step = self.run.step
        t, lang = self._t, self._lang
        self.border_title = self.run.scenario.title(lang)
        self.query_one("#step-progress", Static).update(Text(t("step.progress", n=self.run.position, source=step.source)))
        self.query_one("#step-body", Static).update(self._body(step))
        self.query_one("#step-ways", Static).update(self._ways(step))
        error = self.query_one("#step-error", Static)
        error.update("")
        error.display = False  # an empty Static still takes a line, and 80×24 has none to spare
        self._show_inputs(step)
        self.scroll_home(animate=False)
        self.refresh_bindings()

    def _body(self, step: Step) -> Table:
        """Label | content rows, so long lines wrap under their content, not under the label."""
        t, lang = self._t, self._lang
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")

        def rows(label_key: str, contents: list[Text]) -> None:
            for n, content in enumerate(contents):
                grid.add_row(t(label_key) if n == 0 else "", content)

        if step.action:
            rows("step.action", [self.filled(step.action(lang))])
        says = []
        for say in step.say:
            line = Text()
            if say.to:
                line.append(f"({t(f'addressee.{say.to}')}) ", style="italic")
            open_q, close_q = ("「", "」") if lang == "zh" else ("“", "”")
            line.append(open_q, style=SAY_STYLE)
            line.append(self._say_text(say.text(lang)))
            line.append(close_q, style=SAY_STYLE)
            says.append(line)
        rows("step.say", says)
        tips = []
        for tip_id in step.tips:
            if tip := self.catalogue.tips.get(tip_id):
                tips.append(Text.assemble((f"{tip.id} ", "bold cyan"), self.filled(tip.short(lang))))
        if tips:
            tips[-1].append(f"  ({t('step.more_tips')})", style="dim")
        rows("step.tips", tips)
        rules = []
        for rule in step.rules:
            rule_text = self.filled(rule.text(lang))
            rule_text.stylize("dim")
            rules.append(rule_text)
        rows("step.rules", rules)
        if step.promise:
            grid.add_row("", Text(t("step.promise", kind=t(f"promise.{step.promise}")), style="magenta"))
        return grid

    def _show_inputs(self, step: Step) -> None:
        """The step's rows: one per asked slot, filled from the values; the other rows hidden."""
        if len(step.ask) > len(self._rows):  # rows are made for the most any step of the panel's catalogue asks
            raise ValueError(f"step {step.id} asks {len(step.ask)} slots: a run from another catalogue than the panel's")
        self._asked, self._ask_errors = [], {}
        for n, (row, label, field, error) in enumerate(self._rows):
            slot = step.ask[n] if n < len(step.ask) else ""
            field.slot = error.slot = slot
            field.step_no += 1
            row.display = bool(slot)
            error.update("")
            error.display = False
            if not slot:
                continue
            label.update(self._t(f"slot.{slot}"))
            field.placeholder = self._t(f"ask_hint.{ASKABLE[slot]}") if ASKABLE[slot] in HINTED else ""
            field.value = str(self.values.get(slot, "") or "")
            field.cursor_position = len(field.value)
            self._asked.append(field)
            self._ask_errors[slot] = error
        if not self.display:  # a panel kept hidden for the next record takes no focus
            return
        if self._asked:
            self._asked[0].focus()
        elif self.screen.focused in [field for _row, _label, field, _error in self._rows]:  # now hidden
            self.focus()

    @on(Input.Changed, "#step-inputs Input")
    def _check_forbidden(self, event: Input.Changed) -> None:
        """A note the clerk types (a text slot) gets the 禁语 check, with the better wording."""
        event.stop()
        if ASKABLE.get(event.input.name or "") != "text" or event.value != event.input.value:  # a value since replaced
            return
        ctx = self.app.ctx
        hits = find_forbidden(event.value, ctx.catalogue)
        warning = "\n".join(
            ctx.t("forbidden.warning", phrase=h.matched, better=fill(h.entry.better(ctx.lang), {}, ctx.policy.value, lambda s: ctx.t(f"slot.{s}")))
            for h in hits
        )
        self._field_message(event.input.name, Text(warning, style="yellow") if warning else "")

    @on(AskField.Done)
    def _input_done(self, event: AskField.Done) -> None:
        event.stop()
        inputs = self._asked
        if event.field not in inputs or event.step_no != event.field.step_no:  # Enter typed ahead, at the step just left
            return
        at = inputs.index(event.field)
        if at < len(inputs) - 1:
            inputs[at + 1].focus()
        else:
            self.action_go_on()

    def _field_message(self, field: str | None, message: str | Text) -> bool:
        """Show (or clear) the line under an asked field; False when no such field is shown."""
        label = self._ask_errors.get(field or "")
        if label is None:
            return False
        label.update(message)
        label.display = bool(message)
        return True

    def _take_inputs(self) -> bool:
        """Check every asked slot; show each problem at its field. True when all are good."""
        step = self.run.step
        good: dict[str, object] = {}
        first_bad: AskField | None = None
        now = self.app.ctx.clock.now().astimezone(self.app.ctx.policy.timezone)
        for field in self._asked:
            try:
                good[field.name] = parse(ASKABLE[field.name], field.value, now)
                self._field_message(field.name, "")
            except InputError as e:
                self._field_message(field.name, self._t.error(e))
                first_bad = first_bad or field
        if first_bad is not None:
            first_bad.focus()
            return False
        self.values.update(good)
        self.post_message(self.Asked(self, step, good))
        return True

    def _say_text(self, text: str) -> Text:
        said = self.filled(text)
        said.stylize(SAY_STYLE)
        return said

    def _ways(self, step: Step) -> Text:
        t, lang = self._t, self._lang
        ways = Text()
        choices = self.run.choices()
        if choices:
            ways.append(t("step.answer_fact" if step.fact else "step.choose"), style="bold")
            ways.append("\n")
            for choice in choices:
                label = self.filled(choice.label(lang)) if choice.label else Text(t(f"fact.{step.fact}.{choice.fact_value}"))
                ways.append(f" {choice.key} ", style="bold reverse")
                ways.append(" ")
                ways.append(label)
                ways.append("   ")
        elif step.end:
            if step.handoff:
                target = self.catalogue.scenarios.get(step.handoff)
                ways.append(t("step.handoff", scenario=target.title(lang) if target else step.handoff), style="bold")
                ways.append("   ")
            ways.append(t("step.enter_finish"), style="bold")
        elif step.fact:
            value = self.run.fact_value() or ""
            ways.append(t("step.enter_fact", value=t(f"fact.{step.fact}.{value}")), style="bold")
        else:
            ways.append(t("step.enter_next"), style="bold")
        return ways

    def current_tips(self) -> list[tuple[str, str]]:
        """(title, full text) of the current step's tips, for the F1 help screen."""
        lang = self._lang
        return [
            (f"{tip.id} {tip.title(lang)}", self.filled(tip.text(lang)).plain)
            for tip_id in self.run.step.tips
            if (tip := self.catalogue.tips.get(tip_id))
        ]

    # -- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go_on":
            return self.run.finished or self.run.can_go_on()
        if action == "back":
            if self.run.position == 1:
                return False
            # What a step recorded in the store (a payment, a new resident) is not undone by Esc.
            left = self.run.scenario.steps[self.run.trail[-1].step]
            return not (left.does and ACTIONS[left.does][1] == "leave")
        if action == "choose":
            return any(c.key == parameters[0] for c in self.run.choices())
        return True

    def action_go_on(self) -> None:
        if not (self.run.finished or self.run.can_go_on()):  # a step left by a choice: Enter (from a field too) is not a way on
            return
        if self.run.step.ask and not self._take_inputs():
            return
        if self.run.finished:
            if not self._finish_told:
                self._finish_told = True
                self.post_message(self.Finished(self, self.run))
            return
        via = "next" if self.run.step.next else f"fact:{self.run.fact_value()}"
        if not self._guarded(via):
            return
        self.run.go_on()
        self._moved(forward=True)

    def action_back(self) -> None:
        if self.run.back():
            self._moved(forward=False)

    def action_choose(self, key: str) -> None:
        choice = next(c for c in self.run.choices() if c.key == key)
        if not self._guarded(f"answer:{choice.fact_value}" if choice.fact_value else f"option:{key}"):
            return
        self.run.choose(key)
        self._moved(forward=True)

    def _guarded(self, via: str) -> bool:
        if self.guard is None:
            return True
        try:
            added = self.guard(self.run.step, via, dict(self.values))
        except DeskappError as e:
            if not self._field_message(getattr(e, "field", ""), self._t.error(e)):
                shown = self.query_one("#step-error", Static)
                shown.update(self._t.error(e))
                shown.display = True
            return False
        self.values.update(added or {})
        return True

    def _moved(self, forward: bool) -> None:
        """After a move: redraw, and tell the screen (back is told at the step returned to)."""
        self._finish_told = False
        self.refresh_step()
        left = self.run.trail[-1] if forward else None
        step, via = (left.step, left.via) if left is not None else (self.run.step.id, "back")
        self.post_message(self.Moved(self, self.run, step, via, self.run.step))
