"""Today (F8): everything open, due and overdue — the home screen after sign-in.

Promises, work orders and complaints with their running limits, the visitor being served and
the call being taken, money taken for finance, and the desk's own items (visitors waiting, calls
ringing, missed calls not returned), due first, overdue in red. Enter opens the record's screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from deskapp.domain.promises import DueStatus, due_status
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.handover_text import item_text, kind_label
from deskapp.services import handover
from deskapp.services.handover import OpenItem
from deskapp.services.promises import close
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

_STATUS_STYLE = {DueStatus.OVERDUE: "bold red", DueStatus.DUE_SOON: "yellow", DueStatus.OPEN: ""}


class TodayScreen(DeskScreen):
    """Keys: ↑ ↓ move; Enter open the record; Ctrl+K the promise was kept; Ctrl+B it was broken;
    M only mine / everyone's."""

    _rows: dict[str, OpenItem] = {}

    BINDINGS = [
        Binding("ctrl+k", "close_promise('kept')", "key.kept", id="today.kept"),
        Binding("ctrl+b", "close_promise('broken')", "key.broken", id="today.broken"),
        Binding("m", "mine", "key.today_mine", id="today.mine"),
    ]

    DEFAULT_CSS = """
    TodayScreen #today-title { text-style: bold; padding: 0 1; }
    TodayScreen #today-summary { padding: 0 1; color: $text-muted; }
    TodayScreen #today-desk { padding: 0 1; }
    TodayScreen DataTable { height: 1fr; }
    TodayScreen #today-detail { height: 4; overflow-y: hidden; padding: 0 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._mine = False

    def compose_body(self) -> ComposeResult:
        yield Label(self.t("today.title"), id="today-title")
        yield Label(self.t("today.loading"), id="today-summary")
        yield Label("", id="today-desk")
        table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id="promises")
        for key in ("status", "due", "kind", "customer", "owner", "text"):
            table.add_column(self.t(f"today.col.{key}"), key=key)
        yield table
        yield Detail(id="today-detail")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def reload(self) -> None:
        ctx = self.ctx
        if ctx.clerk is None:
            return
        try:
            everything = handover.open_items(ctx.store, ctx.clock, ctx.policy, None)
        except DeskappError as e:
            self.app.call_from_thread(self._show_error, ctx.t.error(e))
            return
        desk = self._desk_counts(everything)
        me = ctx.clerk.staff_id
        items = [i for i in everything if not self._mine or i.kind in handover.DESK or i.owner_id == me]
        # A dispatched order's arrival limit is its arrival promise's: one row for both.
        items = [i for i in items if not (i.kind == "work_order" and i.tag == "arrival")]
        self.app.call_from_thread(self._show, items)
        self.app.call_from_thread(self.query_one("#today-desk", Label).update, self.t("today.desk", **desk))

    @staticmethod
    def _desk_counts(items: list[OpenItem]) -> dict[str, int]:
        """The desk at a glance: visitors and calls waiting on someone now, from the open items."""
        return {
            "waiting": sum(i.kind == "waiting" for i in items),
            "serving": sum(i.kind == "visit" for i in items),
            "ringing": sum(i.kind == "ringing" for i in items),
            "on_hold": sum(i.kind == "call" and i.tag == "on_hold" for i in items),
            "missed": sum(i.kind == "missed" for i in items),
        }

    def _kind(self, item: OpenItem) -> str:
        return kind_label(item.kind, item.tag, self.t)

    def _status(self, item: OpenItem) -> DueStatus | None:
        if item.due_at is None:
            return None
        return due_status(item.due_at, self.ctx.clock.now(), self.ctx.policy.duration("handover.promise_due_soon_minutes"))

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted | None = None) -> None:
        """The whole item of the highlighted row: the table cuts long texts at 80 columns."""
        item = self._highlighted()
        if item is None:
            self.query_one("#today-detail", Detail).show("")
            return
        status = self._status(item)
        due = item.due_at.astimezone(self.ctx.policy.timezone).strftime("%Y-%m-%d %H:%M") if item.due_at else ""
        state = self.t(f"due.{status}") if status else self.t("handover.now")
        head = " · ".join(filter(None, (state, due, self._kind(item), item.who, item.owner)))
        style = _STATUS_STYLE[status] if status else ""
        self.query_one("#today-detail", Detail).show(Text.assemble((head, style or "bold"), "\n", item_text(item.kind, item.label, self.t)))

    def _highlighted(self) -> OpenItem | None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0:
            return None
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self._rows.get(row_key.value or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_promise":
            item = self._highlighted()
            return item is not None and item.kind == "promise"
        return True

    def action_close_promise(self, state: str) -> None:
        item = self._highlighted()
        if item is None or item.kind != "promise":
            return
        ctx = self.ctx
        try:
            close(ctx.store, ctx.clock, ctx.clerk.staff_id, item.record_id, state, version=item.version)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
        else:
            self.notify(self.t(f"today.closed_{state}", text=item.label[:40]))
        self.reload()

    def action_mine(self) -> None:
        self._mine = not self._mine
        self.reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self._rows.get(event.row_key.value or "")
        if item is not None:
            self.app.open_record(item.kind, item.record_id)

    def _show_error(self, message: str) -> None:
        self.query_one("#today-summary", Label).update(message)

    def _show(self, items: list[OpenItem]) -> None:
        tz = self.ctx.policy.timezone
        table = self.query_one(ListTable)
        keep = table.cursor_row
        self._rows = {}
        rows = []
        overdue = 0
        for item in items:
            key = f"{item.kind}:{item.record_id}"
            self._rows[key] = item
            status = self._status(item)
            overdue += status is DueStatus.OVERDUE
            rows.append((key, (
                Text(self.t(f"due.{status}") if status else self.t("handover.now"), style=_STATUS_STYLE[status] if status else ""),
                item.due_at.astimezone(tz).strftime("%m-%d %H:%M") if item.due_at else self.t("handover.no_due"),
                Text(self._kind(item)),
                Text(item.who),
                Text(item.owner),
                Text(item_text(item.kind, item.label, self.t)),
            )))
        if table.fill(rows) and table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        scope = self.t("today.scope_mine" if self._mine else "today.scope_all")
        summary = self.t("today.summary", open=len(items), overdue=overdue) if items else self.t("today.empty")
        set_text(self.query_one("#today-summary", Label), f"{scope} · {summary}")
        self._detail()
        self.refresh_bindings()
