"""Today (F8): everything open, due and overdue — the home screen after sign-in."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from deskapp.domain.promises import DueStatus
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.domain.promises import due_status
from deskapp.services import calls, feedback, visits, work_orders
from deskapp.services.work_orders import OrderView
from deskapp.services.promises import PromiseView, close, open_promises

_STATUS_STYLE = {DueStatus.OVERDUE: "bold red", DueStatus.DUE_SOON: "yellow", DueStatus.OPEN: ""}


class TodayScreen(DeskScreen):
    """Keys: ↑ ↓ move; Ctrl+K the highlighted promise was kept; Ctrl+B it was broken."""

    _promises: dict[str, PromiseView] = {}
    _orders: dict[str, OrderView] = {}
    _complaints: dict = {}

    BINDINGS = [
        Binding("ctrl+k", "close_promise('kept')", "key.kept", id="today.kept"),
        Binding("ctrl+b", "close_promise('broken')", "key.broken", id="today.broken"),
    ]

    DEFAULT_CSS = """
    TodayScreen #today-title { text-style: bold; padding: 0 1; }
    TodayScreen #today-summary { padding: 0 1; color: $text-muted; }
    TodayScreen #today-desk { padding: 0 1; }
    TodayScreen DataTable { height: 1fr; }
    TodayScreen #today-detail { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    """

    def compose_body(self) -> ComposeResult:
        yield Label(self.t("today.title"), id="today-title")
        yield Label(self.t("today.loading"), id="today-summary")
        yield Label("", id="today-desk")
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="promises")
        for key in ("status", "due", "kind", "customer", "owner", "text"):
            table.add_column(self.t(f"today.col.{key}"), key=key)
        yield table
        yield Static("", id="today-detail")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def reload(self) -> None:
        ctx = self.ctx
        try:
            promises = open_promises(ctx.store, ctx.clock, ctx.policy)
            orders = work_orders.due_orders(ctx.store, ctx.clock, ctx.policy)
            complaints = feedback.due_feedback(ctx.store, ctx.clock, ctx.policy)
            desk = self._desk_counts()
        except DeskappError as e:
            self.app.call_from_thread(self._show_error, ctx.t.error(e))
            return
        self.app.call_from_thread(self._show, promises, orders, complaints)
        self.app.call_from_thread(self.query_one("#today-desk", Label).update, self.t("today.desk", **desk))

    def _desk_counts(self) -> dict[str, int]:
        """The desk at a glance: visitors and calls waiting on someone now."""
        store = self.ctx.store
        waiting_visits = visits.open_visits(store)
        open_calls = calls.open_calls(store)
        missed = [o for o in calls.callbacks_owed(store) if o.missed_call_id is not None]
        return {
            "waiting": sum(v.state == "waiting" for v in waiting_visits),
            "serving": sum(v.state == "serving" for v in waiting_visits),
            "ringing": sum(c.state == "ringing" for c in open_calls),
            "on_hold": sum(c.state == "on_hold" for c in open_calls),
            "missed": len(missed),
        }

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        """The whole promise of the highlighted row: the table cuts long texts at 80 columns."""
        order = self._orders.get(event.row_key.value or "")
        if order is not None:
            self._order_detail(order)
            return
        promise = self._promises.get(event.row_key.value or "")
        if promise is None:
            return
        due = promise.due_at.astimezone(self.ctx.policy.timezone).strftime("%Y-%m-%d %H:%M")
        head = " · ".join(filter(None, (self.t(f"due.{promise.status}"), due, promise.unit, promise.customer, promise.owner)))
        self.query_one("#today-detail", Static).update(Text.assemble((head, _STATUS_STYLE[promise.status] or "bold"), "\n", promise.text))

    def _order_detail(self, order: OrderView) -> None:
        tz = self.ctx.policy.timezone
        now = self.ctx.clock.now()
        status = due_status(order.deadline.due_at, now, self.ctx.policy.duration("handover.promise_due_soon_minutes"))
        due = order.deadline.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        head = " · ".join(filter(None, (self.t(f"due.{status}"), due, order.no, self.t(f"work_order.state.{order.state}"), order.where, order.customer)))
        self.query_one("#today-detail", Static).update(Text.assemble((head, _STATUS_STYLE[status] or "bold"), "\n", order.item))

    def _highlighted(self) -> PromiseView | None:
        table = self.query_one(DataTable)
        if not self._promises or table.cursor_row < 0:
            return None
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self._promises.get(row_key.value or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_promise":
            return self._highlighted() is not None
        return True

    def action_close_promise(self, state: str) -> None:
        promise = self._highlighted()
        if promise is None:
            return
        ctx = self.ctx
        try:
            close(ctx.store, ctx.clock, ctx.clerk.staff_id, promise.id, state)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
        else:
            self.notify(self.t(f"today.closed_{state}", text=promise.text[:40]))
        self.reload()

    def _show_error(self, message: str) -> None:
        self.query_one("#today-summary", Label).update(message)

    def _show(self, promises: list[PromiseView], orders: list[OrderView] = (), complaints: list = ()) -> None:
        tz = self.ctx.policy.timezone
        table = self.query_one(DataTable)
        table.clear()
        now, soon = self.ctx.clock.now(), self.ctx.policy.duration("handover.promise_due_soon_minutes")
        rows = sorted(
            [(p.due_at, "p", p) for p in promises] + [(o.deadline.due_at, "o", o) for o in orders]
            + [(c.urgent.due_at, "c", c) for c in complaints],
            key=lambda row: row[0],
        )
        self._orders = {f"wo:{o.id}": o for o in orders}
        self._complaints = {f"fb:{c.id}": c for c in complaints}
        for due_at, kind, p in rows:
            if kind == "c":
                status = due_status(due_at, now, soon)
                table.add_row(
                    Text(self.t(f"due.{status}"), style=_STATUS_STYLE[status]),
                    due_at.astimezone(tz).strftime("%m-%d %H:%M"),
                    Text(self.t(f"complaints.clock.{p.urgent.clock}")),
                    Text(" ".join(filter(None, (p.unit, p.customer)))),
                    Text(p.owner),
                    Text(f"{p.no} {p.what}"),
                    key=f"fb:{p.id}",
                )
                continue
            if kind == "o":
                status = due_status(due_at, now, soon)
                table.add_row(
                    Text(self.t(f"due.{status}"), style=_STATUS_STYLE[status]),
                    due_at.astimezone(tz).strftime("%m-%d %H:%M"),
                    Text(self.t(f"today.work_order.{p.deadline.limit}")),
                    Text(" ".join(filter(None, (p.where, p.customer)))),
                    Text(p.owner),
                    Text(f"{p.no} {p.item}"),
                    key=f"wo:{p.id}",
                )
                continue
            table.add_row(
                Text(self.t(f"due.{p.status}"), style=_STATUS_STYLE[p.status]),
                p.due_at.astimezone(tz).strftime("%m-%d %H:%M"),
                Text(self.t(f"promise.{p.kind}")),
                Text(" ".join(filter(None, (p.unit, p.customer)))),
                Text(p.owner),
                Text(p.text),
                key=str(p.id),
            )
        self._promises = {str(p.id): p for p in promises}
        overdue = sum(p.status is DueStatus.OVERDUE for p in promises) + sum(o.overdue(now) for o in orders)
        overdue += sum(c.urgent.status == "overdue" for c in complaints)
        count = len(promises) + len(orders) + len(complaints)
        summary = self.t("today.summary", open=count, overdue=overdue) if count else self.t("today.empty")
        self.query_one("#today-summary", Label).update(summary)
        self.refresh_bindings()
