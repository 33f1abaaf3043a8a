"""Dialogs of the release screen: who applies, the guard's check, the supervisor's void, the
printed slip."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from deskapp.errors import DeskappError
from deskapp.screens.dialog import Dialog, while_open
from deskapp.services import releases
from deskapp.services.releases import Resident

NEW_TENANT = "new"


@dataclass(frozen=True)
class Applicant:
    request_id: int
    kind: str
    name: str


class _Form(Dialog):
    DEFAULT_CSS = """
    _Form > Vertical { width: 72; }
    _Form .row { height: 1; margin-top: 1; }
    _Form .row > Label { width: 14; text-style: bold; }
    _Form .row > Input { width: 1fr; background: $boost; }
    _Form .field-error { padding-left: 14; width: 1fr; }
    _Form OptionList { height: auto; max-height: 8; }
    """

    @property
    def ctx(self):
        return self.app.ctx

    def t(self, key: str, /, **params: object) -> str:
        return self.ctx.t(key, **params)

    def row(self, field: str, label: str, value: str = "", password: bool = False) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(self.t(label))
            yield Input(value, id=field, password=password, compact=True)
        yield Label("", id=f"{field}-error", classes="field-error")

    def on_mount(self) -> None:
        for label in self.query(".field-error"):
            label.display = False

    def error(self, field: str, message: str) -> None:
        for label in self.query(".field-error"):
            label.display = False
        labels = self.query(f"#{field}-error")
        label = labels.first() if labels else self.query(".field-error").first()
        label.update(message)
        label.display = True
        if self.query(f"#{field}"):
            self.query_one(f"#{field}").focus()

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value


class ApplicantDialog(_Form):
    """The unit, then who applies: an owner or tenant on record, or a new tenant registered here.
    Dismisses with the started request."""

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]

    def __init__(self, unit: str = "", surname: str = "", source_kind: str = "", source_id: int | None = None) -> None:
        super().__init__()
        self._unit, self._surname = unit, surname
        self._source = (source_kind, source_id)
        self._people: list[Resident] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t("release.applicant_title"), classes="title")
            yield from self.row("unit", "release.field.unit", self._unit)
            yield OptionList(id="people")
            with Vertical(id="new-tenant"):
                yield from self.row("new_name", "release.field.new_name")
                yield from self.row("new_phone", "release.field.new_phone")
            yield Label("", id="person-error", classes="field-error")
            yield Label(self.t("release.applicant_keys"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#new-tenant").display = False
        self.query_one("#people").display = False
        self.query_one("#unit", Input).focus()
        if self._unit:
            self._look_up()

    @on(Input.Submitted, "#unit")
    def _look_up(self) -> None:
        try:
            _unit_id, self._people = releases.residents(self.ctx.store, self.value("unit"))
        except DeskappError as e:
            self.error("unit", self.ctx.t.error(e))
            return
        self.query_one("#unit-error").display = False
        box = self.query_one("#people", OptionList)
        box.clear_options()
        options = [
            Option(f"{n}  {self.t(f'fact.visitor_kind.{p.kind}')}  {p.name}  {p.phone[-4:] if p.phone else ''}", id=str(p.id))
            for n, p in enumerate(self._people, start=1)
        ]
        options.append(Option(self.t("release.new_tenant"), id=NEW_TENANT))
        box.add_options(options)
        box.display = True
        box.focus()
        picked = next((n for n, p in enumerate(self._people) if self._surname and p.name.startswith(self._surname)), 0)
        box.highlighted = picked

    @on(OptionList.OptionSelected, "#people")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_TENANT:
            self.query_one("#new-tenant").display = True
            self.query_one("#new_name", Input).focus()
            return
        person = next(p for p in self._people if str(p.id) == event.option.id)
        self._start(person.kind, person.id, "", "")

    @on(Input.Submitted, "#new_name")
    def _to_phone(self) -> None:
        self.query_one("#new_phone", Input).focus()

    @on(Input.Submitted, "#new_phone")
    def action_save(self) -> None:
        if self.query_one("#new-tenant").display:
            self._start("tenant", None, self.value("new_name"), self.value("new_phone"))

    @while_open
    def _start(self, kind: str, person_id: int | None, name: str, phone: str) -> None:
        ctx = self.ctx
        today = ctx.clock.now().astimezone(ctx.policy.timezone).date()
        try:
            request_id = releases.start(
                ctx.store, ctx.clock, ctx.clerk.staff_id, unit_code=self.value("unit"), kind=kind, person_id=person_id,
                new_name=name, new_phone=phone, source_kind=self._source[0], source_id=self._source[1], today=today,
            )
        except DeskappError as e:
            self.error(getattr(e, "field", "person"), ctx.t.error(e))
            return
        self.dismiss(Applicant(request_id, kind, name or next(p.name for p in self._people if p.id == person_id)))


class VerifyDialog(_Form):
    """The guard's check by number (also `deskapp slip verify N`): valid slips are marked used."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t("release.verify_title"), classes="title")
            yield from self.row("slip", "release.field.slip")
            yield from self.row("guard", "release.field.guard")
            yield Static("", id="verdict")
            yield Label(self.t("release.verify_keys"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#slip", Input).focus()

    @on(Input.Submitted, "#slip")
    def _to_guard(self) -> None:
        self.query_one("#guard", Input).focus()

    @on(Input.Submitted, "#guard")
    def _check(self) -> None:
        from deskapp.screens.release_text import verdict

        number = self.value("slip").strip().lstrip("0") or "0"
        if not number.isdecimal():
            self.error("slip", self.t("error.release.slip_number"))
            return
        check = releases.verify(self.ctx.store, self.ctx.clock, int(number), self.value("guard"))
        self.query_one("#verdict", Static).update(verdict(check, int(number), self.t, self.ctx.policy.timezone))


class VoidDialog(_Form):
    """A supervisor voids a slip at the counter with their code, PIN and a reason."""

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]

    def __init__(self, slip_no: int, version: int | None = None) -> None:
        super().__init__()
        self.slip_no = slip_no
        self.version = version  # the slip as the list showed it: refused as changed if checked or voided since

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t("release.void_title", no=releases.slip_number(self.slip_no)), classes="title")
            yield Label(self.t("release.void_who"), classes="hint")
            yield from self.row("code", "release.field.supervisor")
            yield from self.row("pin", "release.field.pin", password=True)
            yield from self.row("reason", "release.field.reason")
            yield Label("", id="slip-error", classes="field-error")
            yield Label(self.t("repair.form_keys"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#code", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        order = ["code", "pin", "reason"]
        at = order.index(event.input.id)
        if at < 2:
            self.query_one(f"#{order[at + 1]}", Input).focus()
        else:
            self.action_save()

    @while_open
    def action_save(self) -> None:
        ctx = self.ctx
        try:
            releases.void(ctx.store, ctx.clock, ctx.policy, self.slip_no, self.value("code"), self.value("pin"), self.value("reason"),
                          version=self.version)
        except DeskappError as e:
            self.error(getattr(e, "field", "slip"), ctx.t.error(e))
            return
        self.dismiss(ctx.t("release.voided", no=releases.slip_number(self.slip_no)))


class SlipDialog(Dialog[None]):
    """The slip as printed, with W to write it as a PDF."""

    DEFAULT_CSS = """
    SlipDialog > Vertical { width: 90%; max-width: 100; height: auto; max-height: 90%; }
    SlipDialog VerticalScroll { height: auto; max-height: 20; }
    """

    BINDINGS = [Binding("enter", "cancel", "key.close"), Binding("w", "pdf", "release.write_pdf")]

    def __init__(self, text: str, pdf) -> None:
        super().__init__()
        self.text = text
        self._pdf = pdf

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(self.text, id="slip-text")
            yield Label(self.app.ctx.t("release.slip_keys"), classes="hint")

    def action_pdf(self) -> None:
        try:
            path = self._pdf()
        except (DeskappError, OSError) as e:
            self.notify(str(e), severity="error")
            return
        self.notify(self.app.ctx.t("release.pdf_written", path=str(path)))
