"""Shift handover (F7, 交接班): the outgoing clerk hands every open item to the next (一票到底).

Three phases on one screen:
- preview: what the clerk holds and what is open at the desk; nothing stored yet;
- open: a note (N, S) or H started the handover; items can still be closed first;
- presented: the next clerk signed in here and acknowledges item by item (A), queries (Q) for
  the outgoing clerk to answer (R), acknowledges the rest once each item was shown (Ctrl+A),
  and completes (F10) — refused while anything is unacknowledged.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static
from textual.worker import get_current_worker

from deskapp.domain.promises import DueStatus, due_status
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.handover_dialogs import DocumentDialog, HistoryDialog, IncomingDialog, TextDialog
from deskapp.screens.handover_text import document_lines, item_text, kind_label
from deskapp.services import handover as ho
from deskapp.services import promises
from deskapp.services.auth import SignedIn
from deskapp.store.tables import HandoverState
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

_STATUS_STYLE = {DueStatus.OVERDUE: "bold red", DueStatus.DUE_SOON: "yellow", DueStatus.OPEN: ""}
_STATE_STYLE = {ho.PENDING: "yellow", ho.QUERIED: "bold magenta", ho.ACKNOWLEDGED: "green", ho.CLOSED: "dim"}

# Which keys work in which phase.
_PHASE_ACTIONS = {
    "preview": {"item_note", "shift_note", "close_promise", "to_finance", "present", "history", "open_record"},
    "open": {"item_note", "shift_note", "close_promise", "to_finance", "present", "withdraw", "history", "open_record"},
    "presented": {"acknowledge", "query", "answer", "acknowledge_all", "complete", "withdraw", "history"},
}


class HandoverScreen(DeskScreen):
    BINDINGS = [
        Binding("a", "acknowledge", "key.acknowledge", id="handover.acknowledge"),
        Binding("q", "query", "key.query", id="handover.query"),
        Binding("r", "answer", "key.answer_query", id="handover.answer"),
        Binding("ctrl+a", "acknowledge_all", "key.acknowledge_all", id="handover.acknowledge_all"),
        Binding("f10", "complete", "key.complete", id="handover.complete"),
        Binding("n", "item_note", "key.item_note", id="handover.item_note"),
        Binding("s", "shift_note", "key.shift_note", id="handover.shift_note"),
        Binding("h", "present", "key.hand_over_shift", id="handover.present"),
        Binding("ctrl+k", "close_promise('kept')", "key.kept", id="handover.kept"),
        Binding("ctrl+b", "close_promise('broken')", "key.broken", id="handover.broken"),
        Binding("m", "to_finance", "key.to_finance", id="handover.to_finance"),
        Binding("x", "withdraw", "key.withdraw", id="handover.withdraw"),
        Binding("l", "history", "key.handover_history", id="handover.history"),
    ]

    DEFAULT_CSS = """
    HandoverScreen #handover-head { text-style: bold; padding: 0 1; }
    HandoverScreen #handover-rule { height: auto; padding: 0 1; color: $text-muted; }
    HandoverScreen #handover-counts { padding: 0 1; }
    HandoverScreen DataTable { height: 1fr; }
    HandoverScreen #handover-detail { height: 5; overflow-y: hidden; padding: 0 1; background: $boost; }
    HandoverScreen #handover-note { padding: 0 1; }
    HandoverScreen #handover-hint { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._view: ho.HandoverView | None = None
        self._rows: dict[str, ho.ItemView | ho.OpenItem] = {}
        self._seen: set[int] = set()
        self._incoming: SignedIn | None = None

    def compose_body(self) -> ComposeResult:
        yield Label(self.t("handover.title"), id="handover-head")
        yield Static(self._rule(), id="handover-rule")
        yield Label("", id="handover-counts")
        table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id="handover-items", on_highlight=self._detail)
        for key in ("state", "due", "kind", "who", "what", "note"):
            table.add_column(self.t(f"handover.col.{key}"), key=key)
        yield table
        yield Detail(id="handover-detail")
        yield Label("", id="handover-note")
        yield Static("", id="handover-hint")

    def _rule(self) -> str:
        entry = self.ctx.catalogue.texts.get("one_ticket")
        return entry.text(self.ctx.lang) if entry else ""

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- reading ----------------------------------------------------------------------------------

    @property
    def phase(self) -> str:
        if self._view is None:
            return "preview"
        return "presented" if self._view.state == HandoverState.PRESENTED else "open"

    @work(thread=True, exclusive=True, exit_on_error=False, group="handover")
    def reload(self) -> None:
        """The handover under way or the preview, read in a thread: every open item, none left out."""
        ctx = self.ctx
        if ctx.clerk is None:
            return
        staff_id = ctx.clerk.staff_id
        try:
            view = ho.current(ctx.store, staff_id)
            if view is not None:
                ho.open_handover(ctx.store, ctx.clock, ctx.policy, staff_id)  # closed or new items since
                view = ho.get(ctx.store, view.id)
                items = view.live
            else:
                items = ho.open_items(ctx.store, ctx.clock, ctx.policy, staff_id)
        except DeskappError as e:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_error, ctx.t.error(e))
            return
        if not get_current_worker().is_cancelled:  # a newer load (another key) answers instead
            self.app.call_from_thread(self._show, items, view)

    def _show_error(self, message: str) -> None:
        self.query_one("#handover-counts", Label).update(Text(message, style="bold red"))

    def _show(self, items, view: ho.HandoverView | None) -> None:
        t, tz = self.t, self.ctx.policy.timezone
        now, soon = self.ctx.clock.now(), self.ctx.policy.duration("handover.promise_due_soon_minutes")
        if view is None or view.id != (self._view.id if self._view else None):
            self._seen = set()
        self._view = view
        table = self.query_one(ListTable)
        keep = table.cursor_row
        self._rows = {}
        rows = []
        for item in items:
            key = f"{item.kind}:{item.record_id}"
            self._rows[key] = item
            status = due_status(item.due_at, now, soon) if item.due_at else None
            due = Text(item.due_at.astimezone(tz).strftime("%m-%d %H:%M"), style=_STATUS_STYLE[status]) if status else Text(t("handover.no_due"))
            state = getattr(item, "state", ho.PENDING)
            rows.append((key, (
                Text(t(f"handover.item_state.{state}"), style=_STATE_STYLE[state]) if view else Text(""),
                due,
                Text(kind_label(item.kind, item.tag, t)),
                Text(item.who),
                Text(item_text(item.kind, item.label, t)),
                Text(getattr(item, "note", "")),
            )))
        if table.fill(rows) and table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        self._header(view, items)
        self._detail()
        self.refresh_bindings()

    def _header(self, view: ho.HandoverView | None, items) -> None:
        t = self.t
        clerk = self.ctx.clerk
        incoming = t("handover.incoming", name=view.incoming) if view and view.incoming else t("handover.incoming_none")
        head = f"{t('handover.title')} · {t('handover.outgoing', name=view.outgoing if view else clerk.name)} → {incoming}"
        if view is not None:
            head += f" · {t(f'handover.state.{view.state}')}"
        set_text(self.query_one("#handover-head", Label), head)
        if view is None:
            counts = t("handover.preview") if items else t("handover.empty")
        else:
            states = [i.state for i in view.live]
            counts = t("handover.counts", total=len(states), done=states.count(ho.ACKNOWLEDGED),
                       queried=states.count(ho.QUERIED), pending=states.count(ho.PENDING))
        set_text(self.query_one("#handover-counts", Label), counts)
        note = view.note if view else ""
        set_text(self.query_one("#handover-note", Label), t("handover.shift_note", note=note) if note else t("handover.shift_note_none"))
        set_text(self.query_one("#handover-hint", Static), t("handover.presented_hint" if self.phase == "presented" else "handover.open_hint"))

    def _highlighted(self) -> ho.ItemView | ho.OpenItem | None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0:
            return None
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self._rows.get(row_key.value or "")

    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        item = self._highlighted()
        detail = self.query_one("#handover-detail", Detail)
        if item is None:
            detail.show("")
            return
        if isinstance(item, ho.ItemView) and self.phase == "presented":
            self._seen.add(item.id)
        t = self.t
        lines = Text.assemble((f"{kind_label(item.kind, item.tag, t)} · {item.who}", "bold"), "\n", item_text(item.kind, item.label, t))
        if isinstance(item, ho.ItemView):
            for key, value in (("note", item.note), ("question", item.question), ("answer", item.answer)):
                if value:
                    lines.append("\n" + t(f"handover.{key}", **{key: value}))
        detail.show(lines)

    # -- which keys work now ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phases = [p for p, actions in _PHASE_ACTIONS.items() if action in actions]
        if not phases:
            return True
        if self.phase not in phases:
            return False
        item = self._highlighted()
        if action == "close_promise":
            return item is not None and item.kind == "promise"
        if action == "to_finance":
            return item is not None and item.kind == "payment"
        if action in ("item_note", "acknowledge", "query", "open_record"):
            return item is not None
        if action == "answer":
            return isinstance(item, ho.ItemView) and item.state == ho.QUERIED
        return True

    # -- the outgoing clerk -----------------------------------------------------------------------

    def _ensure_open(self) -> int:
        """The handover starts with the first thing written to it."""
        ctx = self.ctx
        handover_id = ho.open_handover(ctx.store, ctx.clock, ctx.policy, ctx.clerk.staff_id)
        self._view = ho.get(ctx.store, handover_id)
        return handover_id

    def _item_id(self, item) -> int:
        if isinstance(item, ho.ItemView):
            return item.id
        self._ensure_open()
        found = next(i for i in self._view.items if (i.kind, i.record_id) == (item.kind, item.record_id))
        return found.id

    def _run(self, do, done: str = "") -> bool:
        try:
            do()
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="error")
            self.reload()
            return False
        if done:
            self.notify(done)
        self.reload()
        return True

    def action_item_note(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        ctx = self.ctx

        def save(text: str | None) -> None:
            if text is not None:
                self._run(lambda: ho.note_item(ctx.store, ctx.clock, ctx.clerk.staff_id, self._item_id(item), text))

        self.app.push_screen(TextDialog(self.t("handover.note_title", what=item.label[:30]), value=getattr(item, "note", "")), save)

    def action_shift_note(self) -> None:
        ctx = self.ctx

        def save(text: str | None) -> None:
            if text is not None:
                self._run(lambda: ho.note_shift(ctx.store, ctx.clock, ctx.clerk.staff_id, self._ensure_open(), text))

        note = self._view.note if self._view else ""
        self.app.push_screen(TextDialog(self.t("handover.shift_title"), self.t("handover.shift_hint"), note), save)

    def action_close_promise(self, state: str) -> None:
        item = self._highlighted()
        if item is None or item.kind != "promise":
            self.notify(self.t("handover.not_promise"), severity="warning")
            return
        ctx = self.ctx
        seen = getattr(item, "version", None)  # an open item read with its version; a handed-over item has none
        self._run(lambda: promises.close(ctx.store, ctx.clock, ctx.clerk.staff_id, item.record_id, state, version=seen),
                  self.t(f"today.closed_{state}", text=item.label[:40]))

    def action_to_finance(self) -> None:
        item = self._highlighted()
        if item is None or item.kind != "payment":
            return
        ctx = self.ctx

        def save(finance: str | None) -> None:
            if finance is not None:
                self._run(lambda: ho.hand_to_finance(ctx.store, ctx.clock, ctx.clerk.staff_id, item.record_id, finance),
                          self.t("handover.handed_to_finance", what=item.label))

        self.app.push_screen(
            TextDialog(self.t("handover.finance_title", what=item.label), field="finance", required="error.payment.finance_required"), save
        )

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if self.check_action("open_record", ()):
            self.action_open_record()

    def action_open_record(self) -> None:
        """Close an item first: Enter opens its record on its own screen."""
        item = self._highlighted()
        if item is None:
            return
        self.app.open_record(item.kind, item.record_id)

    def action_present(self) -> None:
        ctx = self.ctx

        def signed(clerk: SignedIn | None) -> None:
            if clerk is None:
                return
            self._incoming = clerk
            self._run(lambda: ho.present(ctx.store, ctx.clock, ctx.policy, self._ensure_open(), clerk))
            self.query_one(DataTable).move_cursor(row=0)
            self._detail()

        self.app.push_screen(IncomingDialog(), signed)

    def action_withdraw(self) -> None:
        if self._view is None:
            return
        ctx = self.ctx
        view = self._view
        self._view = None
        self._run(lambda: ho.cancel(ctx.store, ctx.clock, view.id, ctx.clerk.staff_id), self.t("handover.withdrawn"))

    def action_history(self) -> None:
        ctx = self.ctx
        tz = ctx.policy.timezone
        rows = ho.list_handovers(ctx.store)
        lines = [
            self.t("handover.history_row", id=r.id, opened=r.opened_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                   outgoing=r.outgoing, incoming=r.incoming or "—", state=self.t(f"handover.state.{r.state}"), items=r.items)
            for r in rows
        ]

        def picked(handover_id: int | None) -> None:
            if handover_id is not None:
                self.app.push_screen(DocumentDialog(document_lines(ho.get(ctx.store, handover_id), tz, self.t)))

        self.app.push_screen(HistoryDialog(lines, [r.id for r in rows]), picked)

    # -- the incoming clerk -----------------------------------------------------------------------

    def action_acknowledge(self) -> None:
        item = self._highlighted()
        if not isinstance(item, ho.ItemView):
            return
        ctx = self.ctx
        table = self.query_one(DataTable)
        row = table.cursor_row
        if self._run(lambda: ho.acknowledge(ctx.store, ctx.clock, [item.id])):
            table.move_cursor(row=min(row + 1, table.row_count - 1))

    def action_query(self) -> None:
        item = self._highlighted()
        if not isinstance(item, ho.ItemView):
            return
        ctx = self.ctx

        def save(question: str | None) -> None:
            if question is not None:
                self._run(lambda: ho.query(ctx.store, ctx.clock, item.id, question))

        self.app.push_screen(
            TextDialog(self.t("handover.query_title", what=item.label[:30]), required="error.handover.question_required"), save
        )

    def action_answer(self) -> None:
        item = self._highlighted()
        if not isinstance(item, ho.ItemView) or item.state != ho.QUERIED:
            return
        ctx = self.ctx

        def save(text: str | None) -> None:
            if text is not None:
                self._run(lambda: ho.answer(ctx.store, ctx.clock, item.id, text))

        self.app.push_screen(
            TextDialog(self.t("handover.answer_title", question=item.question[:40]), required="error.handover.answer_required"), save
        )

    def action_acknowledge_all(self) -> None:
        view = self._view
        if view is None:
            return
        unseen = [i for i in view.live if i.id not in self._seen]
        if unseen:
            self.notify(self.t("handover.unseen", count=len(unseen)), severity="warning")
            return
        ctx = self.ctx
        pending = [i.id for i in view.live if i.state == ho.PENDING]
        self._run(lambda: ho.acknowledge(ctx.store, ctx.clock, pending), self.t("handover.acknowledged_all"))

    def action_complete(self) -> None:
        view = self._view
        if view is None:
            return
        ctx = self.ctx
        try:
            done = ho.complete(ctx.store, ctx.clock, ctx.policy, view.id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            self.reload()
            return
        incoming = self._incoming if self._incoming and self._incoming.staff_id == done.incoming_id else None
        incoming = incoming or ho.signed_in_as(ctx.store, done.incoming_id)
        self._view = None
        self.notify(self.t("handover.completed", count=len(done.live), name=done.incoming))
        self.app.push_screen(DocumentDialog(document_lines(done, ctx.policy.timezone, self.t)),
                             lambda _: self.app.signed_in(incoming))
