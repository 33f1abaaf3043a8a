"""The work order's stages as dialogs: on site, review, repaired, sign-off, callback, reschedule,
and the printed order. Each shows the standard for its stage and checks every field in place."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from deskapp.domain.fees import format_fen, parse_yuan
from deskapp.domain.inputs import InputError, parse, parse_quantity
from deskapp.errors import DeskappError
from deskapp.screens.dialog import Dialog, while_open
from deskapp.screens.work_order_text import standard
from deskapp.services import work_orders
from deskapp.services.visits import FieldError
from deskapp.services.work_orders import OrderView, PartIn
from deskapp.standards.engine import FlowRun
from deskapp.standards.slots import fill
from deskapp.widgets.step_panel import StepPanel

Field = tuple[str, str, str, str]  # name, label key, value, placeholder key ("" for none)


class FormDialog(Dialog[str | None]):
    """A stage of a work order: the standard, a few fields, Ctrl+S (or Enter in the last field)
    saves. `save()` returns what to tell the clerk; a DeskappError shows at its field."""

    DEFAULT_CSS = """
    FormDialog > Vertical { width: 76; }
    FormDialog #standard { height: auto; max-height: 9; margin-bottom: 1; }
    FormDialog .row { height: 1; }
    FormDialog .row > Label { width: 14; text-style: bold; }
    FormDialog .row > Input { width: 1fr; background: $boost; }
    FormDialog .field-error { padding-left: 14; }
    FormDialog #form-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("ctrl+s", "save", "key.save")]

    title_key = ""
    step_id = ""

    def __init__(self, order: OrderView) -> None:
        super().__init__()
        self.order = order

    @property
    def ctx(self):
        return self.app.ctx

    def t(self, key: str, /, **params: object) -> str:
        return self.ctx.t(key, **params)

    def fields(self) -> list[Field]:
        return []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.t(self.title_key, no=self.order.no, where=self.order.where), classes="title")
            step = self.ctx.catalogue.scenarios["repair"].steps.get(self.step_id)
            if step is not None:
                with VerticalScroll(id="standard"):
                    yield Static(standard(step, self.ctx.lang, self.t, self._filled))
            yield from self.compose_fields()
            yield Static("", id="form-error")
            yield Label(self.t("repair.form_keys"), classes="hint")

    def compose_fields(self) -> ComposeResult:
        for name, label, value, placeholder in self.fields():
            with Horizontal(classes="row"):
                yield Label(self.t(label))
                yield Input(value, id=name, placeholder=self.t(placeholder) if placeholder else "", compact=True)
            yield Label("", id=f"{name}-error", classes="field-error")

    def _filled(self, text: str) -> Text:
        return Text(fill(text, {"unit": self.order.where, "item": self.order.item}, self.ctx.policy.value, lambda s: "…"))

    def on_mount(self) -> None:
        for label in self.query(".field-error, #form-error"):
            label.display = False
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        self.advance(event.input)

    def advance(self, field: Input) -> None:
        """Enter: the next field, or save from the last."""
        inputs = list(self.query(Input).results(Input))
        at = inputs.index(field)
        if at < len(inputs) - 1:
            inputs[at + 1].focus()
        else:
            self.action_save()

    @while_open
    def action_save(self) -> None:
        for label in self.query(".field-error, #form-error"):
            label.update("")
            label.display = False
        try:
            said = self.save()
        except DeskappError as e:
            self.show_error(getattr(e, "field", ""), self.ctx.t.error(e))
            return
        self.dismiss(said)

    def show_error(self, field: str, message: str) -> None:
        labels = self.query(f"#{field}-error") if field else []
        label = labels.first() if labels else self.query_one("#form-error", Static)
        label.update(message)
        label.display = True
        if field and self.query(f"#{field}"):
            self.query_one(f"#{field}").focus()

    def save(self) -> str:
        raise NotImplementedError

    # helpers for the subclasses

    @property
    def seen(self) -> int:
        """The order's version as the list showed it: refused as changed if another counter moved it since."""
        return self.order.version

    @property
    def me(self) -> int:
        return self.ctx.clerk.staff_id

    def now_local(self) -> datetime:
        return self.ctx.clock.now().astimezone(self.ctx.policy.timezone)

    def checked(self, field: str, kind: str) -> object:
        try:
            return parse(kind, self.value(field), self.now_local())
        except InputError as e:
            raise FieldError(field, e.key, **e.params) from None

    def local_time(self, field: str) -> datetime:
        """A time of today (HH:MM) as typed, for something that has happened."""
        hm = str(self.checked(field, "time"))
        hour, minute = map(int, hm.split(":"))
        return self.now_local().replace(hour=hour, minute=minute, second=0, microsecond=0)


class ArriveDialog(FormDialog):
    title_key = "repair.arrive_title"
    step_id = "on_site"

    def fields(self) -> list[Field]:
        return [("at", "repair.field.arrived_at", self.now_local().strftime("%H:%M"), "")]

    def save(self) -> str:
        late = work_orders.arrive(self.ctx.store, self.ctx.clock, self.me, self.order.id, self.local_time("at"), version=self.seen)
        return self.t("repair.arrived_late" if late else "repair.arrived", no=self.order.no)


class ReviewDialog(FormDialog):
    """On site → review by the team leader; or back on site after it."""

    step_id = "on_site"

    @property
    def title_key(self) -> str:  # type: ignore[override]
        return "repair.review_end_title" if self.order.state == "review" else "repair.review_title"

    def fields(self) -> list[Field]:
        return [("note", "repair.field.note", "", "repair.hint.optional")]

    def save(self) -> str:
        ctx, note = self.ctx, self.value("note").strip()
        if self.order.state == "review":
            late = work_orders.end_review(ctx.store, ctx.clock, ctx.policy, self.me, self.order.id, note, version=self.seen)
            return self.t("repair.review_ended_late" if late else "repair.review_ended", no=self.order.no)
        work_orders.start_review(ctx.store, ctx.clock, self.me, self.order.id, note, version=self.seen)
        return self.t("repair.review_started", no=self.order.no, minutes=ctx.policy.value("repair.review_minutes"))


class FinishDialog(FormDialog):
    """Repaired: parts (a price-list code fills name and price), labour, receipt. Ctrl+A adds a row."""

    title_key = "repair.finish_title"
    step_id = "order_check"
    BINDINGS = [Binding("ctrl+a", "add_part", "repair.add_part")]

    DEFAULT_CSS = """
    FinishDialog .part { height: 1; }
    FinishDialog .part > Input { background: $boost; margin-right: 1; }
    FinishDialog .part > .name { width: 1fr; }
    FinishDialog .part > .spec { width: 14; }
    FinishDialog .part > .qty { width: 7; }
    FinishDialog .part > .price { width: 10; }
    FinishDialog #parts-head { color: $text-muted; }
    FinishDialog #parts { height: auto; }
    FinishDialog #total { text-style: bold; }
    """

    def __init__(self, order: OrderView) -> None:
        super().__init__(order)
        self._rows: list[dict[str, Input]] = []

    def compose_fields(self) -> ComposeResult:
        yield Label(self.t("repair.parts_head"), id="parts-head")
        yield Vertical(id="parts")
        for name, label, value, placeholder in (
            ("labour", "repair.field.labour", "0", ""),
            ("receipt", "repair.field.receipt", "", "repair.hint.receipt"),
        ):
            with Horizontal(classes="row"):
                yield Label(self.t(label))
                yield Input(value, id=name, placeholder=self.t(placeholder) if placeholder else "", compact=True)
            yield Label("", id=f"{name}-error", classes="field-error")
        yield Label("", id="total")

    def on_mount(self) -> None:
        for _ in range(2):
            self.action_add_part()
        super().on_mount()
        self.call_after_refresh(self._rows[0]["name"].focus)
        self._show_total()

    def action_add_part(self) -> None:
        n = len(self._rows)
        inputs = {
            what: Input(id=f"part{n}_{what}", classes=what, placeholder=self.t(f"repair.hint.{hint}"), compact=True)
            for what, hint in (("name", "part"), ("spec", "spec"), ("qty", "qty"), ("price", "price"))
        }
        self._rows.append(inputs)
        error = Label("", id=f"part{n}-error", classes="field-error")
        error.display = False
        self.query_one("#parts", Vertical).mount(Horizontal(*inputs.values(), classes="part"), error)
        if n >= 2:
            self.call_after_refresh(inputs["name"].focus)

    def advance(self, field: Input) -> None:
        """Enter on an empty part name: no more parts, on to the labour."""
        if (field.id or "").endswith("_name") and not field.value.strip():
            self.query_one("#labour", Input).focus()
            return
        super().advance(field)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name.endswith("_name"):
            found = work_orders.price(self.ctx.store, event.value) if len(event.value.strip()) == 4 else None
            if found is not None:
                item = found.item_zh if self.ctx.lang == "zh" else found.item_en
                prefix = name.removesuffix("_name")
                event.input.value = item
                event.input.cursor_position = len(item)
                self.query_one(f"#{prefix}_price", Input).value = format_fen(found.price_fen)
                qty = self.query_one(f"#{prefix}_qty", Input)
                if not qty.value:
                    qty.value = "1"
        self._show_total()

    def _parts(self, strict: bool) -> list[PartIn]:
        parts = []
        for n, row in enumerate(self._rows):
            get = lambda what: row[what].value.strip()  # noqa: E731
            if not any(get(w) for w in ("name", "spec", "qty", "price")):
                continue
            try:
                quantity = parse_quantity(get("qty") or "0")
            except InputError as e:
                if strict:
                    raise FieldError(f"part{n}", "work_order.part_quantity") from e
                continue
            try:
                unit_price = parse_yuan(get("price") or "0")
            except ValueError:
                if strict:
                    raise FieldError(f"part{n}", "input.money") from None
                continue
            parts.append(PartIn(get("name"), get("spec"), quantity, unit_price))
        return parts

    def _labour(self, strict: bool) -> int:
        try:
            return parse_yuan(self.value("labour") or "0")
        except ValueError:
            if strict:
                raise FieldError("labour", "input.money") from None
            return 0

    def _show_total(self) -> None:
        if not self.query("#total"):
            return
        from deskapp.domain.work_orders import total_fen

        parts = self._parts(strict=False)
        total = total_fen([(p.quantity_centi, p.unit_price_fen) for p in parts], self._labour(strict=False))
        self.query_one("#total", Label).update(self.t("repair.total", amount=format_fen(total)))

    def save(self) -> str:
        parts = self._parts(strict=True)
        labour = self._labour(strict=True)
        total = work_orders.finish(
            self.ctx.store, self.ctx.clock, self.me, self.order.id, parts, labour, self.value("receipt"), version=self.seen,
        )
        return self.t("repair.finished", no=self.order.no, amount=format_fen(total))


class SignDialog(FormDialog):
    title_key = "repair.sign_title"
    step_id = "order_check"

    def fields(self) -> list[Field]:
        signer = self.order.customer if self.order.area == "household" else ""
        return [
            ("signed_by", "repair.field.signed_by" if self.order.area == "household" else "repair.field.officer", signer, ""),
            ("satisfaction", "repair.field.satisfaction", "", "repair.hint.satisfaction"),
        ]

    def save(self) -> str:
        score = self.value("satisfaction").strip()
        if not (score.isdecimal() and len(score) == 1):
            raise FieldError("satisfaction", "work_order.bad_satisfaction")
        state = work_orders.sign(
            self.ctx.store, self.ctx.clock, self.me, self.order.id, self.value("signed_by"), int(score), version=self.seen,
        )
        return self.t("repair.signed_closed" if state == "closed" else "repair.signed", no=self.order.no)


class CallbackDialog(FormDialog):
    """回访: 1 the owner is satisfied (closed) · 2 not (reopened, with why)."""

    title_key = "repair.callback_title"
    step_id = "callback"

    def fields(self) -> list[Field]:
        return [
            ("result", "repair.field.result", "", "repair.hint.result"),
            ("outcome", "repair.field.outcome", "", "repair.hint.outcome"),
        ]

    def save(self) -> str:
        outcome = self.value("outcome").strip()
        if outcome not in ("1", "2"):
            raise FieldError("outcome", "repair.bad_outcome")
        ok = outcome == "1"
        state = work_orders.callback(
            self.ctx.store, self.ctx.clock, self.me, self.order.id, ok, self.value("result"), version=self.seen,
        )
        return self.t("repair.closed" if state == "closed" else "repair.reopened", no=self.order.no)


class RescheduleDialog(Dialog[str | None]):
    """The standard reschedule call, step by step (reason and new time first, then the call)."""

    DEFAULT_CSS = """
    RescheduleDialog > Vertical { width: 90%; max-width: 100; height: 90%; }
    """

    def __init__(self, order: OrderView, values: dict[str, object]) -> None:
        super().__init__()
        self.order = order
        self.values = values

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        run = FlowRun(ctx.catalogue.scenarios["repair"], clock=ctx.clock, start="reschedule")
        with Vertical():
            yield Label(ctx.t("repair.reschedule_title", no=self.order.no, where=self.order.where), classes="title")
            yield StepPanel(ctx.catalogue, run, self.values, id="reschedule-panel")

    def on_mount(self) -> None:
        self.query_one(StepPanel).focus()

    @on(StepPanel.Finished)
    @while_open
    def _agreed(self, event: StepPanel.Finished) -> None:
        ctx = self.app.ctx
        values = event.panel.values
        appointment = datetime.strptime(str(values["new_time"]), "%Y-%m-%d %H:%M").replace(tzinfo=ctx.policy.timezone)
        text = ctx.t("promise_text.repair_reschedule", new_time=event.panel.shown("new_time"), unit=self.order.where, item=self.order.item)
        try:
            work_orders.reschedule(
                ctx.store, ctx.clock, ctx.policy, ctx.clerk.staff_id, self.order.id, appointment, str(values.get("reason", "")), text,
                version=self.order.version,
            )
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            return
        self.dismiss(ctx.t("repair.rescheduled", no=self.order.no, at=event.panel.shown("new_time")))


class PrintDialog(Dialog[None]):
    """The work order as printed (维修单), with its whole history."""

    DEFAULT_CSS = """
    PrintDialog > Vertical { width: 90%; max-width: 100; height: 90%; }
    PrintDialog VerticalScroll { height: 1fr; }
    """

    BINDINGS = [Binding("enter", "cancel", "key.close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(self.text, id="printed")
            yield Label(self.app.ctx.t("repair.print_keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
