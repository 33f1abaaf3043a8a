"""Dialogs of the complaints screen: the intake (who, unit, channel, what happened, what they
want), and one per stage — escalate, the handler's reply, the answer, the callback."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from deskapp.domain.feedback import Kind
from deskapp.domain.inputs import TITLES
from rich.text import Text

from deskapp.errors import DeskappError
from deskapp.standards.forbidden import find_forbidden
from deskapp.standards.slots import fill
from deskapp.screens.dialog import while_open
from deskapp.screens.release_dialogs import _Form
from deskapp.services import feedback
from deskapp.services.feedback import FeedbackView

WRITTEN = ("text", "result", "reason", "body")  # fields said or written to the customer
KINDS = {"1": Kind.COMPLAINT, "2": Kind.SUGGESTION, "3": Kind.STAFF}
CHANNEL_KEYS = {"1": "counter", "2": "phone", "3": "letter", "4": "online"}


class IntakeDialog(_Form):
    """Dismisses with (record id, kind, surname, title) once the record is received."""

    DEFAULT_CSS = """
    IntakeDialog .row { margin-top: 0; }
    """

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]
    FIELDS = ("channel", "kind", "unit", "surname", "title", "phone", "what", "wants")

    def __init__(self, channel: str = "counter", **values: str) -> None:
        super().__init__()
        self._channel = channel
        self._values = values

    def compose(self) -> ComposeResult:
        channel_key = next(k for k, v in CHANNEL_KEYS.items() if v == self._channel)
        defaults = {"channel": channel_key, "kind": "1", **self._values}
        with Vertical():
            yield Label(self.t("complaints.intake_title"), classes="title")
            for name in self.FIELDS:
                yield from self.row(name, f"complaints.field.{name}", str(defaults.get(name, "")))
            yield Label(self.t("complaints.intake_keys"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        first_empty = next((n for n in ("unit", "surname", "what") if not self.value(n)), "what")
        self.query_one(f"#{first_empty}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        at = self.FIELDS.index(event.input.id)
        if at < len(self.FIELDS) - 1:
            self.query_one(f"#{self.FIELDS[at + 1]}", Input).focus()
        else:
            self.action_save()

    @while_open
    def action_save(self) -> None:
        ctx = self.ctx
        channel = CHANNEL_KEYS.get(self.value("channel").strip())
        if channel is None:
            self.error("channel", self.t("error.feedback.bad_channel"))
            return
        kind = KINDS.get(self.value("kind").strip())
        if kind is None:
            self.error("kind", self.t("error.feedback.bad_kind"))
            return
        title = self.value("title").strip()
        title = {"1": "先生", "2": "女士", "3": "小姐"}.get(title, title)
        if title and title not in TITLES:
            self.error("title", self.t("error.input.title"))
            return
        try:
            record = feedback.receive(
                ctx.store, ctx.clock, ctx.clerk.staff_id, what=self.value("what"), wants=self.value("wants"),
                unit_code=self.value("unit"), customer=f"{self.value('surname').strip()}{title}",
                phone=self.value("phone").strip(), channel=channel,
                source_kind=self._values.get("source_kind", ""), source_id=self._values.get("source_id"),
            )
        except DeskappError as e:
            self.error(getattr(e, "field", "what"), ctx.t.error(e))
            return
        self.dismiss((record, kind, self.value("surname").strip(), title))


class StageDialog(_Form):
    """One stage of an open record: its standard text, a field or two, Ctrl+S saves."""

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]
    stage = ""
    fields: tuple[str, ...] = ()

    def __init__(self, record: FeedbackView) -> None:
        super().__init__()
        self.record = record  # as the list showed it: its version goes with the change (store.versions)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t(f"complaints.{self.stage}_title", no=self.record.no), classes="title")
            yield Static(self.t(f"complaints.{self.stage}_hint"), classes="hint")
            for name in self.fields:
                yield from self.row(name, f"complaints.field.{name}")
            yield Label(self.t("repair.form_keys"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        at = self.fields.index(event.input.id)
        if at < len(self.fields) - 1:
            self.query_one(f"#{self.fields[at + 1]}", Input).focus()
        else:
            self.action_save()

    @on(Input.Changed)
    def _forbidden(self, event: Input.Changed) -> None:
        """What the clerk writes to or about the customer gets the 禁语 check, with the better wording."""
        if event.input.id not in WRITTEN:
            return
        ctx = self.ctx
        hits = find_forbidden(event.value, ctx.catalogue)
        label = self.query_one(f"#{event.input.id}-error", Label)
        warning = "\n".join(
            ctx.t("forbidden.warning", phrase=h.matched, better=fill(h.entry.better(ctx.lang), {}, ctx.policy.value, lambda s: ctx.t(f"slot.{s}")))
            for h in hits
        )
        label.update(Text(warning, style="yellow"))
        label.display = bool(warning)

    @while_open
    def action_save(self) -> None:
        ctx = self.ctx
        try:
            said = self.save()
        except DeskappError as e:
            self.error(getattr(e, "field", self.fields[0]), ctx.t.error(e))
            return
        self.dismiss(said)

    def save(self) -> str:
        raise NotImplementedError


class EscalateDialog(StageDialog):
    stage = "escalate"
    fields = ("to", "reason")

    def save(self) -> str:
        ctx = self.ctx
        feedback.escalate(ctx.store, ctx.clock, ctx.clerk.staff_id, self.record.id, self.value("to"), self.value("reason"),
                          version=self.record.version)
        return self.t("complaints.escalated", no=self.record.no, to=self.value("to").strip())


class HandlerReplyDialog(StageDialog):
    stage = "handler"
    fields = ("text",)

    def save(self) -> str:
        ctx = self.ctx
        feedback.handler_reply(ctx.store, ctx.clock, ctx.clerk.staff_id, self.record.id, self.value("text"),
                               version=self.record.version)
        return self.t("complaints.handler_replied", no=self.record.no)


class AnswerDialog(StageDialog):
    stage = "answer"
    fields = ("text",)

    def save(self) -> str:
        ctx = self.ctx
        feedback.answer(ctx.store, ctx.clock, ctx.clerk.staff_id, self.record.id, self.value("text"), version=self.record.version)
        return self.t("complaints.answered", no=self.record.no)


class CallbackDialog(StageDialog):
    stage = "callback"
    fields = ("result", "outcome")

    def save(self) -> str:
        from deskapp.services.visits import FieldError

        ctx = self.ctx
        outcome = self.value("outcome").strip()
        if outcome not in ("1", "2"):
            raise FieldError("outcome", "repair.bad_outcome")
        state = feedback.callback(ctx.store, ctx.clock, ctx.clerk.staff_id, self.record.id, outcome == "1", self.value("result"),
                                  version=self.record.version)
        return self.t("complaints.closed" if state == "closed" else "complaints.reopened", no=self.record.no)


class NoticeDialog(StageDialog):
    """A notice to the owners about this matter, recorded as published (board, letterbox, SMS)."""

    stage = "notice"
    fields = ("headline", "body", "channels")

    def save(self) -> str:
        from deskapp.services.visits import FieldError

        ctx = self.ctx
        keys = {"1": "board", "2": "letterbox", "3": "sms"}
        chosen = [keys[c] for c in self.value("channels").strip() if c in keys]
        if not chosen or any(c not in keys for c in self.value("channels").strip()):
            raise FieldError("channels", "feedback.bad_channels")
        try:
            notice = feedback.draft_notice(ctx.store, ctx.clock, ctx.clerk.staff_id, self.value("headline"), self.value("body"), self.record.id)
        except DeskappError as e:
            field = {"title": "headline", "text": "body"}.get(getattr(e, "field", ""), "headline")
            raise FieldError(field, e.key, **e.params) from None
        feedback.publish_notice(ctx.store, ctx.clock, ctx.clerk.staff_id, notice, chosen)
        return self.t("complaints.noticed", no=self.record.no)


class GroupDialog(StageDialog):
    """A group complaint: this record linked with others about the same thing (their numbers)."""

    stage = "group"
    fields = ("others",)

    def save(self) -> str:
        from deskapp.services.visits import FieldError

        ctx = self.ctx
        numbers = []
        for part in self.value("others").replace(",", " ").replace("，", " ").split():
            digits = part.upper().removeprefix("TS").lstrip("0")
            if not digits.isdecimal():
                raise FieldError("others", "feedback.bad_number", number=part)
            numbers.append(int(digits))
        try:
            group = feedback.link_group(ctx.store, ctx.clock, ctx.clerk.staff_id, [self.record.id, *numbers])
        except DeskappError as e:
            raise FieldError("others", e.key, **e.params) from None
        return self.t("complaints.grouped", no=feedback.number(group), count=len(set(numbers) | {self.record.id}))
