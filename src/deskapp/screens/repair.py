"""Repair intake and work orders (F4, 报修): the order list with its time limits, the intake flow,
and one key per stage of an order's life.

Keys on the list: Ctrl+N a new repair at the counter; 1 open · 2 mine · 3 overdue · 4 all;
B the next building; Enter the printed order with its history; D dispatch (a received or reopened
order: the intake flow from the capability step); A on site; V review (or back from it); F repaired
(parts, labour, receipt); S sign-off; C callback; R reschedule; Ctrl+E escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from deskapp.domain import work_orders as wo
from deskapp.domain.fees import format_fen
from deskapp.domain.inputs import REPAIR_CATEGORIES
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.escalate import EscalateDialog, EscalationChoice
from deskapp.screens.flow_host import option_sets, promise_text
from deskapp.screens.work_order_dialogs import (
    ArriveDialog, CallbackDialog, FinishDialog, PrintDialog, RescheduleDialog, ReviewDialog, SignDialog,
)
from deskapp.screens.work_order_text import STAGE_STEP, badge, printed, standard, when
from deskapp.services import flows, work_orders
from deskapp.services.visits import FieldError
from deskapp.services.work_orders import OrderView
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Step
from deskapp.standards.slots import fill
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

SCENARIO = "repair"
RELOAD_SECONDS = 5
SHOWS = ("open", "mine", "overdue", "all")  # the filters of keys 1-4

# key → (action, the states it is offered in)
STAGE_KEYS: dict[str, tuple[str, frozenset[str]]] = {
    "dispatch": ("d", frozenset({wo.State.RECEIVED})),
    "arrive": ("a", wo.ALLOWED[wo.Action.ARRIVE]),
    "review": ("v", wo.ALLOWED[wo.Action.REVIEW] | wo.ALLOWED[wo.Action.RESUME]),
    "finish": ("f", wo.ALLOWED[wo.Action.FINISH]),
    "sign": ("s", wo.ALLOWED[wo.Action.SIGN]),
    "callback": ("c", wo.ALLOWED[wo.Action.CALLBACK_OK]),
    "reschedule": ("r", wo.ALLOWED[wo.Action.RESCHEDULE]),
    "escalate": ("ctrl+e", wo.ALLOWED[wo.Action.ESCALATE]),
}


@dataclass(frozen=True)
class Intake:
    """A repair to take: at the counter (from F2 or Ctrl+N) or handed over by the phone."""

    channel: str = "counter"  # counter / phone
    values: tuple[tuple[str, object], ...] = ()
    source_kind: str = ""
    source_id: int | None = None
    order_id: int | None = None  # resuming a received (or reopened) order
    version: int | None = None  # that order as the list showed it (refused as changed if moved on since)


class RepairScreen(DeskScreen):
    DEFAULT_CSS = """
    RepairScreen #repair-title { padding: 0 1; text-style: bold; }
    RepairScreen #orders { height: 1fr; }
    RepairScreen #detail { height: 10; overflow-y: hidden; padding: 0 1; background: $boost; }
    RepairScreen #intake { height: 1fr; }
    RepairScreen #aside { height: auto; max-height: 8; padding: 0 1; background: $boost; }
    """

    BINDINGS = [
        Binding("ctrl+n", "new_repair", "key.new_repair", id="repair.new"),
        Binding("1", "show('open')", "key.show_open", id="repair.show_open"),
        Binding("2", "show('mine')", "key.show_mine", id="repair.show_mine"),
        Binding("3", "show('overdue')", "key.show_overdue", id="repair.show_overdue"),
        Binding("4", "show('all')", "key.show_all", id="repair.show_all"),
        Binding("b", "next_building", "key.by_building", id="repair.building"),
        Binding("d", "stage('dispatch')", "key.dispatch", id="repair.dispatch"),
        Binding("a", "stage('arrive')", "key.arrive", id="repair.arrive"),
        Binding("v", "stage('review')", "key.review", id="repair.review"),
        Binding("f", "stage('finish')", "key.finish", id="repair.finish"),
        Binding("s", "stage('sign')", "key.sign", id="repair.sign"),
        Binding("c", "stage('callback')", "key.callback_call", id="repair.callback"),
        Binding("r", "stage('reschedule')", "key.reschedule", id="repair.reschedule"),
        Binding("ctrl+e", "stage('escalate')", "key.escalate", id="repair.escalate", priority=True),
        Binding("p", "print", "key.print", id="repair.print"),
        Binding("escape", "leave_intake", "key.cancel", id="repair.leave_intake"),
    ]

    show = "open"
    building = ""
    run: FlowRun | None = None
    intake: Intake | None = None
    order_id: int | None = None  # the order the running intake has opened
    _orders: dict[str, OrderView] = {}
    _known: dict[tuple[str, str, int | None], list[OrderView]]
    """What each view (filter, building, clerk) showed when last read: shown at once when switched to."""
    _buildings: list[str] = []
    _unrecorded: list[tuple[str, str]] = []

    def __init__(self) -> None:
        super().__init__()
        self._known = {}

    def compose_body(self) -> ComposeResult:
        yield Static(id="repair-title")
        table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id="orders")
        for key in ("no", "state", "limit", "where", "item", "received"):
            table.add_column(self.t(f"repair.col.{key}"), key=key)
        yield table
        yield Detail(id="detail")
        yield Vertical(id="intake")
        yield Static(id="aside")

    def on_mount(self) -> None:
        self.query_one("#intake").display = False
        self.query_one("#aside").display = False
        self.query_one(DataTable).focus()
        self._buildings = work_orders.buildings(self.ctx.store)
        self.reload()
        self.every(RELOAD_SECONDS, self.reload)
        self._take_pending()
        self._read_ahead()

    def on_screen_resume(self) -> None:
        # The orders as last read, their times counted from now, in the frame that shows the screen;
        # read again behind them (a reload that finds them unchanged draws nothing).
        self._switched()
        self._take_pending()

    def _take_pending(self) -> None:
        """A repair handed over by walk-in or phone (see DeskApp.hand_off)."""
        pending = getattr(self.app, "pending_intakes", [])
        if pending and self.run is None:
            self.start_intake(pending.pop(0))
        if pending:
            self.notify(self.t("repair.more_waiting", count=len(pending)))

    # -- the list ----------------------------------------------------------------------------

    @property
    def _me(self) -> int | None:
        return self.ctx.clerk.staff_id if self.ctx.clerk else None

    @property
    def _view(self) -> tuple[str, str, int | None]:
        return self.show, self.building, self._me

    def _switched(self) -> None:
        """Another filter or building: the orders it showed when last read are shown at once (their
        times counted from now), and read again behind them."""
        known = self._known.get(self._view)
        if known is not None:
            self._show_orders(known, self._view)
        self.reload()

    def _read(self, view: tuple[str, str, int | None]) -> list[OrderView]:
        show, building, me = view
        ctx = self.ctx
        return work_orders.list_orders(ctx.store, ctx.clock, ctx.policy, show=show, staff_id=me, building=building)

    @work(thread=True, exclusive=True, exit_on_error=False, group="repair.reload")
    def reload(self) -> None:
        view = self._view
        try:
            orders = self._read(view)
        except DeskappError as e:
            self.app.call_from_thread(self.notify, self.ctx.t.error(e), severity="error")
            return
        self._known[view] = orders
        self.app.call_from_thread(self._show_orders, orders, view)

    @work(thread=True, exit_on_error=False, group="repair.ahead")
    def _read_ahead(self) -> None:
        self.read_ahead(self._known, [(show, "", self._me) for show in SHOWS], self._read)

    def _show_orders(self, orders: list[OrderView], view: tuple[str, str, int | None] | None = None) -> None:
        if view is not None and view != self._view:
            return  # read for a filter the clerk has left since
        ctx = self.ctx
        now, tz = ctx.clock.now(), ctx.policy.timezone
        table = self.query_one("#orders", ListTable)
        keep = self._highlighted()
        rows = []
        for o in orders:
            rows.append((str(o.id), (
                o.no,
                Text(self.t(f"work_order.state.{o.state}")),
                badge(o, now, self.t),
                Text(o.where),
                Text(o.item),
                when(o.received_at, now, tz),
            )))
        self._orders = {str(o.id): o for o in orders}
        if table.fill(rows) and keep is not None and str(keep.id) in self._orders:
            table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)
        overdue = sum(o.overdue(now) for o in orders)
        building = self.building or self.t("repair.all_buildings")
        set_text(
            self.query_one("#repair-title", Static),
            self.t("repair.title", show=self.t(f"key.show_{self.show}"), building=building, count=len(orders), overdue=overdue)
        )
        self._show_detail()
        self.refresh_bindings()

    def _highlighted(self) -> OrderView | None:
        table = self.query_one("#orders", DataTable)
        if not self._orders or table.cursor_row < 0 or table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self._orders.get(row_key.value or "")

    @on(DataTable.RowHighlighted, "#orders")
    def _row_moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Detail)
        order = self._highlighted()
        if order is None:
            detail.show(self.t("repair.empty"))
            return
        ctx = self.ctx
        now, tz = ctx.clock.now(), ctx.policy.timezone
        head = Text.assemble(
            (f"{order.no} · {self.t(f'work_order.state.{order.state}')}", "bold"), " · ",
            f"{self.t(f'area.{order.area}')} {order.where}",
            *((" · ", f"{order.customer} {order.phone}".strip()) if order.customer or order.phone else ()),
            *((" · ", self.t(f"repair_category.{order.category}")) if order.category else ()),
        )
        lines = [head, Text(order.item)]
        times = []
        if order.referral:
            name, phone, trade = order.referral
            lines.append(Text(self.t("repair.referral_line", trade=trade, name=name, phone=phone), style="bold"))
        if order.appointment_at:
            times.append(self.t("repair.appointment", at=when(order.appointment_at, now, tz), promised=when(order.promised_at, now, tz)))
        if order.arrived_at:
            times.append(self.t("repair.arrived_at", at=when(order.arrived_at, now, tz)) + (f" ({self.t('repair.late')})" if order.arrived_late else ""))
        if order.done_at:
            times.append(self.t("repair.charged", amount=format_fen(order.total_fen)))
        line = Text(" · ".join(times))
        mark = badge(order, now, self.t)
        if mark:
            line.append("  ")
            line.append_text(mark)
        lines.append(line)
        step = ctx.catalogue.scenarios[SCENARIO].steps.get(STAGE_STEP[order.state])
        out = Text("\n").join(lines)
        detail.show(out if step is None else _stack(out, standard(step, ctx.lang, self.t, self._filler(order))))

    def _filler(self, order: OrderView):
        values = {"unit": order.where, "item": order.item, "referral_name": order.referral[0] if order.referral else "",
                  "referral_phone": order.referral[1] if order.referral else ""}
        return lambda text: Text(fill(text, values, self.ctx.policy.value, lambda s: "…"))

    # -- keys on the list --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        intake = self.run is not None
        if action in ("show", "next_building", "print", "new_repair"):
            return not intake
        if action == "leave_intake":  # a request handed over by walk-in or phone must be taken
            return intake and self.run.position == 1 and not self.intake.source_kind
        if action == "stage":
            if intake:
                return False
            order = self._highlighted()
            return order is not None and order.state in STAGE_KEYS[str(parameters[0])][1]
        return True

    def action_show(self, show: str) -> None:
        self.show = show
        self._switched()

    def action_next_building(self) -> None:
        ring = ["", *self._buildings]
        self.building = ring[(ring.index(self.building) + 1) % len(ring)] if self.building in ring else ""
        self._switched()

    def action_print(self) -> None:
        order = self._highlighted()
        if order is not None:
            self.show_order(order.id)

    def show_order(self, order_id: int) -> None:
        """The work order as printed, with its history."""
        ctx = self.ctx
        try:
            detail = work_orders.get(ctx.store, ctx.policy, order_id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            return
        self.app.push_screen(PrintDialog(printed(detail, self.t, ctx.clock.now(), ctx.policy.timezone, work_orders.site_name(ctx.store))))

    @on(DataTable.RowSelected, "#orders")
    def _selected(self) -> None:
        self.action_print()

    def action_new_repair(self) -> None:
        self.start_intake(Intake())

    def action_stage(self, stage: str) -> None:
        order = self._highlighted()
        if order is None:
            return
        if stage == "dispatch":
            self.start_intake(Intake(channel=order.channel, order_id=order.id, values=tuple(self._order_values(order).items()),
                                     version=order.version))
            return
        if stage == "escalate":
            self._escalate(order)
            return
        dialogs = {
            "arrive": ArriveDialog, "review": ReviewDialog, "finish": FinishDialog, "sign": SignDialog,
            "callback": CallbackDialog,
        }
        dialog = RescheduleDialog(order, self._reschedule_values(order)) if stage == "reschedule" else dialogs[stage](order)

        def done(said: str | None) -> None:
            if said:
                self.notify(said)
            self.reload()

        self.app.push_screen(dialog, done)

    def _escalate(self, order: OrderView) -> None:
        def chosen(choice: EscalationChoice | None) -> None:
            if choice is None:
                return
            ctx = self.ctx
            try:
                reason = choice.reason.strip() or (self.t("repair.escalate_overdue", what=badge(order, ctx.clock.now(), self.t).plain) if order.overdue(ctx.clock.now()) else "")
                work_orders.escalate(ctx.store, ctx.clock, self._me, order.id, choice.to.id, choice.level, reason, version=order.version)
            except DeskappError as e:
                self.notify(ctx.t.error(e), severity="error")
                return
            self.notify(self.t("repair.escalated", no=order.no, to=choice.to.name))
            self.reload()

        self.app.push_screen(EscalateDialog(f"{order.no} {order.where}"), chosen)

    def _order_values(self, order: OrderView) -> dict[str, object]:
        values: dict[str, object] = {"unit": order.unit, "place": order.place, "item": order.item, "phone": order.phone,
                                     "category": order.category, "area": order.area}
        if order.customer:
            values["surname"], values["title"] = order.customer[0], order.customer[1:]
        return values

    def _reschedule_values(self, order: OrderView) -> dict[str, object]:
        now, tz = self.ctx.clock.now(), self.ctx.policy.timezone
        return {
            "company": self.ctx.policy.value("site.company"), "site": work_orders.community_name(self.ctx.store),
            "time": order.appointment_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if order.appointment_at else when(now, now, tz),
            "unit": order.where, "item": order.item,
        }

    # -- the intake flow -----------------------------------------------------------------------

    def start_intake(self, intake: Intake) -> None:
        """Run the repair flow in the lower half: a new request, a hand-over, or a received order
        to dispatch (from the capability step; a reopened order from the call to engineering)."""
        ctx = self.ctx
        if self.run is not None:
            self.notify(self.t("repair.intake_busy"), severity="warning")
            return
        values = dict(intake.values)
        start = "intake" if intake.channel == "counter" else "phone_intake"
        channel = intake.channel
        if intake.order_id is not None:
            order = work_orders.get(ctx.store, ctx.policy, intake.order_id).order
            if order.reopened:
                start, channel = "engineering_call", "phone"  # the clerk phones engineering again
            else:
                start = "capability" if intake.channel == "counter" else "phone_capability"
        self.intake = Intake(channel, intake.values, intake.source_kind, intake.source_id, intake.order_id, intake.version)
        self.order_id = intake.order_id
        facts = {"repair_channel": channel}
        self.run = FlowRun(ctx.catalogue.scenarios[SCENARIO], facts.get, clock=ctx.clock, start=start)
        self._unrecorded = []
        values = {
            "company": ctx.policy.value("site.company"), "site": work_orders.community_name(ctx.store),
            "minutes": ctx.policy.value("repair.arrival_minutes"), **values,
        }
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        panel = StepPanel(ctx.catalogue, self.run, values, guard=self._leaving, id="panel")
        box.mount(panel)
        box.display = True
        self.query_one("#orders").display = False
        self.query_one("#detail").display = False
        self.call_after_refresh(panel.focus)
        self._show_aside()
        self.refresh_bindings()

    def _leaving(self, step: Step, via: str, values: dict[str, object]) -> dict[str, object]:
        """Before the clerk leaves a step: receive, dispatch or refer the order as the step says."""
        ctx, intake = self.ctx, self.intake
        added = option_sets(step, via)
        merged = {**values, **added}
        if step.does == "open_repair" and self.order_id is None:
            customer = f"{merged.get('surname', '')}{merged.get('title', '')}"
            self.order_id = work_orders.open_order(
                ctx.store, ctx.clock, self._me, area=str(merged.get("area", "household")), item=str(merged.get("item", "")),
                unit_code=str(merged.get("unit", "") or ""), place=str(merged.get("place", "") or ""),
                category=str(merged.get("category", "")), customer=customer, phone=str(merged.get("phone", "") or ""),
                channel=intake.channel, source_kind=intake.source_kind, source_id=intake.source_id,
            )
        elif step.does == "dispatch_repair":
            appointment = datetime.strptime(str(merged["time"]), "%Y-%m-%d %H:%M").replace(tzinfo=ctx.policy.timezone)
            order = work_orders.get(ctx.store, ctx.policy, self.order_id).order
            text = promise_text(self.t, "repair_arrival", {**merged, "unit": order.where, "item": order.item}, ctx.policy.value)
            work_orders.dispatch(ctx.store, ctx.clock, ctx.policy, self._me, self.order_id, appointment, text, version=intake.version)
        elif step.does == "refer_repair":
            directory = work_orders.referrals(ctx.store)
            number = int(merged.get("referral", 0) or 0)
            if not 1 <= number <= len(directory):
                raise FieldError("referral", "work_order.unknown_referral")
            chosen = directory[number - 1]
            work_orders.refer(ctx.store, ctx.clock, self._me, self.order_id, chosen.id, version=intake.version)
            added.update(referral_name=chosen.name, referral_phone=chosen.phone)
        return added

    @on(StepPanel.Moved)
    def _moved(self, event: StepPanel.Moved) -> None:
        """Record the move on the order's trail; moves made before the order was opened are
        recorded as soon as it is."""
        self._unrecorded.append((event.step, event.via))
        if self.order_id is not None:
            try:
                for step, via in self._unrecorded:
                    flows.record_move(self.ctx.store, self.ctx.clock, work_orders.RECORD, self.order_id, self._me, SCENARIO, step, via)
                self._unrecorded = []
            except DeskappError as e:
                self.notify(self.ctx.t.error(e), severity="warning")
        self._show_aside()

    def _show_aside(self) -> None:
        """Beside the flow: the price list at its step, the specialist directory at the referral."""
        aside = self.query_one("#aside", Static)
        step = self.run.step.id if self.run else ""
        lang = self.ctx.lang
        if step == "price_list":
            category = str(self.query_one(StepPanel).values.get("category", "") or "")
            rows = work_orders.price_list(self.ctx.store, category if category in REPAIR_CATEGORIES and category != "other" else "")
            text = Text(self.t("repair.price_list_head") + "\n", style="bold")
            for p in rows:
                item, unit = (p.item_zh, p.unit_zh) if lang == "zh" else (p.item_en, p.unit_en)
                text.append(f"{p.code} {item} {format_fen(p.price_fen)}/{unit}   ")
            aside.update(text)
        elif step == "referral":
            text = Text(self.t("repair.directory_head") + "\n", style="bold")
            for n, r in enumerate(work_orders.referrals(self.ctx.store), start=1):
                trade = r.trade_zh if lang == "zh" else r.trade_en
                text.append(f"{n:>2} {trade}: {r.name} {r.phone}\n")
            aside.update(text)
        elif step in ("referral_note", "referral_hand"):
            values = self.query_one(StepPanel).values
            aside.update(Text(f"{values.get('referral_name', '')}  {values.get('referral_phone', '')}", style="bold reverse"))
        else:
            aside.display = False
            return
        aside.display = True

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        order_id = self.order_id
        self._close_intake()
        if order_id is not None:
            order = work_orders.get(self.ctx.store, self.ctx.policy, order_id).order
            self.notify(self.t("repair.intake_done", no=order.no, state=self.t(f"work_order.state.{order.state}")))

    def _close_intake(self) -> None:
        self.run, self.intake, self.order_id = None, None, None
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        box.display = False
        self.query_one("#aside").display = False
        self.query_one("#orders").display = True
        self.query_one("#detail").display = True
        self.query_one("#orders").focus()
        self.reload()
        self._take_pending()

    def action_leave_intake(self) -> None:
        """Esc at the first step of an intake leaves it: nothing has been recorded yet, or the
        order stays received and D takes it up again."""
        if self.run is not None and self.run.position == 1:
            self._close_intake()

    def current_tips(self) -> list[tuple[str, str]]:
        panels = self.query(StepPanel)
        return panels.first().current_tips() if panels else []


def _stack(head: Text, body) -> object:
    from rich.console import Group

    return Group(head, body)
