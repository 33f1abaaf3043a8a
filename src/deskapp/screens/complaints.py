"""Complaints and feedback (F6, 投诉建议): the open records with their three clocks, the intake
flow (judge, the six steps, classify, route), and one key per stage.

Keys on the list: Ctrl+N a new record (who, unit, channel, what happened, what they want; then
the flow); 1 open · 2 mine · 3 overdue · 4 all; E escalate (who, why); H the handler's reply;
A the answer to the customer; C the callback (1 satisfied: closed · 2 not: open again); N a notice
to the owners, recorded as published; G link a group complaint (the other records' numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from deskapp.domain import feedback as fb
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.complaint_dialogs import (
    AnswerDialog, CallbackDialog, EscalateDialog, GroupDialog, HandlerReplyDialog, IntakeDialog, NoticeDialog,
)
from deskapp.screens.flow_host import option_sets, promise_text
from deskapp.screens.work_order_text import span, when
from deskapp.services import feedback, flows, promises
from deskapp.services.feedback import FeedbackView
from deskapp.services.lookup import unit_by_code
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Step
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

SCENARIO = "complaint"
RELOAD_SECONDS = 5
SHOWS = ("open", "mine", "overdue", "all")  # the filters of keys 1-4
_STYLE = {
    fb.Status.OVERDUE: "bold red", fb.Status.DUE_SOON: "yellow", fb.Status.RUNNING: "",
    fb.Status.MET: "green", fb.Status.LATE: "red",
}

STAGES = {
    "escalate": (EscalateDialog, fb.ALLOWED[fb.Action.ESCALATE]),
    "handler": (HandlerReplyDialog, fb.ALLOWED[fb.Action.HANDLER_REPLY]),
    "answer": (AnswerDialog, fb.ALLOWED[fb.Action.ANSWER]),
    "callback": (CallbackDialog, fb.ALLOWED[fb.Action.CALLBACK_OK]),
    "notice": (NoticeDialog, frozenset(fb.State) - {fb.State.INVALID}),
    "group": (GroupDialog, frozenset(fb.State) - {fb.State.INVALID}),
}


@dataclass(frozen=True)
class Handed:
    """A complaint handed over by the phone: the caller as far as the call knows them."""

    channel: str = "phone"
    unit: str = ""
    surname: str = ""
    title: str = ""
    phone: str = ""
    source_kind: str = ""
    source_id: int | None = None


def clock_text(timing: fb.Timing, now, t) -> Text:
    """One clock: 答复处理人 3 小时后 / 已超时 20 分钟 / 已完成."""
    name = t(f"complaints.clock.{timing.clock}")
    if timing.done_at is not None:
        return Text(t(f"complaints.clock_{timing.status}", name=name), style=_STYLE[timing.status])
    left = (timing.due_at - now).total_seconds()
    key = "complaints.clock_overdue" if left < 0 else "complaints.clock_left"
    return Text(t(key, name=name, time=span(abs(left), t)), style=_STYLE[timing.status])


class ComplaintsScreen(DeskScreen):
    DEFAULT_CSS = """
    ComplaintsScreen #fb-title { padding: 0 1; text-style: bold; }
    ComplaintsScreen #records { height: 1fr; }
    ComplaintsScreen #detail { height: 9; overflow-y: hidden; padding: 0 1; background: $boost; }
    ComplaintsScreen #intake { height: 1fr; }
    """

    BINDINGS = [
        Binding("ctrl+n", "new", "key.new_complaint", id="complaints.new"),
        Binding("1", "show('open')", "key.show_open", id="complaints.show_open"),
        Binding("2", "show('mine')", "key.show_mine", id="complaints.show_mine"),
        Binding("3", "show('overdue')", "key.show_overdue", id="complaints.show_overdue"),
        Binding("4", "show('all')", "key.show_all", id="complaints.show_all"),
        Binding("e", "stage('escalate')", "key.escalate", id="complaints.escalate"),
        Binding("h", "stage('handler')", "key.handler_reply", id="complaints.handler"),
        Binding("a", "stage('answer')", "key.answer_customer", id="complaints.answer"),
        Binding("c", "stage('callback')", "key.callback_call", id="complaints.callback"),
        Binding("n", "stage('notice')", "key.notice", id="complaints.notice"),
        Binding("g", "stage('group')", "key.group", id="complaints.group"),
    ]

    show = "open"
    run: FlowRun | None = None
    record_id: int | None = None
    _rows: dict[str, FeedbackView] = {}

    def __init__(self) -> None:
        super().__init__()
        self._known: dict[tuple[str, int | None], list[FeedbackView]] = {}
        """What each view (filter, clerk) showed when last read: shown at once when switched to."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="fb-title")
        table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id="records")
        for key in ("no", "state", "clock", "who", "what", "received"):
            table.add_column(self.t(f"complaints.col.{key}"), key=key)
        yield table
        yield Detail(id="detail")
        yield Vertical(id="intake")

    def on_mount(self) -> None:
        self.query_one("#intake").display = False
        self.query_one(DataTable).focus()
        self.reload()
        self.every(RELOAD_SECONDS, self.reload)
        self._take_pending()
        self._read_ahead()

    def on_screen_resume(self) -> None:
        # The records as last read, their times counted from now, in the frame that shows the screen;
        # read again behind them (a reload that finds them unchanged draws nothing).
        self._switched()
        self._take_pending()

    def _take_pending(self) -> None:
        pending = getattr(self.app, "pending_complaints", [])
        if pending and self.run is None:
            self._intake(pending.pop(0))

    @property
    def _me(self) -> int | None:
        return self.ctx.clerk.staff_id if self.ctx.clerk else None

    # -- the list -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="complaints.reload")
    def reload(self) -> None:
        view = self.show, self._me
        try:
            found = self._read(view)
        except DeskappError as e:
            self.app.call_from_thread(self.notify, self.ctx.t.error(e), severity="error")
            return
        self._known[view] = found
        self.app.call_from_thread(self._show, found, view)

    def _read(self, view: tuple[str, int | None]) -> list[FeedbackView]:
        show, me = view
        ctx = self.ctx
        return feedback.list_feedback(ctx.store, ctx.clock, ctx.policy, show=show, staff_id=me)

    @work(thread=True, exit_on_error=False, group="complaints.ahead")
    def _read_ahead(self) -> None:
        self.read_ahead(self._known, [(show, self._me) for show in SHOWS], self._read)

    def _switched(self) -> None:
        """Another filter: the records it showed when last read are shown at once (their clocks
        counted from now), and read again behind them."""
        known = self._known.get((self.show, self._me))
        if known is not None:
            self._show(known, (self.show, self._me))
        self.reload()

    def _show(self, found: list[FeedbackView], view: tuple[str, int | None] | None = None) -> None:
        if view is not None and view != (self.show, self._me):
            return  # read for a filter the clerk has left since
        now, tz = self.ctx.clock.now(), self.ctx.policy.timezone
        table = self.query_one("#records", ListTable)
        keep = self._highlighted()
        rows = []
        for r in found:
            urgent = r.urgent
            rows.append((str(r.id), (
                r.no,
                Text(self.t(f"complaints.state.{r.state}")),
                clock_text(urgent, now, self.t) if urgent else Text(""),
                Text(" ".join(filter(None, (r.unit, r.customer)))),
                Text(r.what),
                when(r.received_at, now, tz),
            )))
        self._rows = {str(r.id): r for r in found}
        if table.fill(rows) and keep is not None and str(keep.id) in self._rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)
        set_text(self.query_one("#fb-title", Static), self.t(
            "complaints.title", show=self.t(f"key.show_{self.show}"), count=len(found), overdue=sum(r.overdue() for r in found),
        ))
        self._show_detail()
        self.refresh_bindings()

    def _highlighted(self) -> FeedbackView | None:
        table = self.query_one("#records", DataTable)
        if not self._rows or table.row_count == 0 or table.cursor_row < 0:
            return None
        return self._rows.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or "")

    @on(DataTable.RowHighlighted, "#records")
    def _moved_row(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        r = self._highlighted()
        detail = self.query_one("#detail", Detail)
        if r is None:
            detail.show(self.t("complaints.empty"))
            return
        now = self.ctx.clock.now()
        head = " · ".join(filter(None, (
            r.no, self.t(f"complaints.state.{r.state}"), self.t(f"complaints.kind.{r.kind}"),
            self.t(f"complaints.category.{r.category}") if r.category else "",
            self.t(f"complaints.severity.{r.severity}") if r.severity else "", r.department, r.unit, r.customer, r.phone,
        )))
        lines = [Text(head, style="bold"), Text(self.t("complaints.what_wants", what=r.what, wants=r.wants or "—"))]
        if r.invalid_reason:
            lines.append(Text(self.t("complaints.invalid_line", reason=r.invalid_reason)))
        if r.group_id:
            lines.append(Text(self.t("complaints.group_line", no=feedback.number(r.group_id))))
        if r.escalated_at:
            lines.append(Text(self.t("complaints.escalated_line", to=r.escalated_to, at=when(r.escalated_at, now, self.ctx.policy.timezone))))
        for label, value in (("handler_line", r.handler_reply), ("answer_line", r.answer), ("callback_line", r.callback_result)):
            if value:
                lines.append(Text(self.t(f"complaints.{label}", text=value)))
        if r.clocks:
            clocks = Text("  ").join(clock_text(t, now, self.t) for t in r.clocks)
            lines.append(clocks)
        detail.show(Text("\n").join(lines))

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        intake = self.run is not None
        if action in ("new", "show"):
            return not intake
        if action == "stage":
            r = self._highlighted()
            return not intake and r is not None and r.state in STAGES[str(parameters[0])][1]
        return True

    def action_show(self, show: str) -> None:
        self.show = show
        self._switched()

    def action_stage(self, stage: str) -> None:
        r = self._highlighted()
        if r is None:
            return

        def done(said: str | None) -> None:
            if said:
                self.notify(said)
            self.reload()

        self.app.push_screen(STAGES[stage][0](r), done)

    def action_new(self) -> None:
        self._intake(Handed(channel="counter"))

    # -- the intake flow --------------------------------------------------------------------------

    def _intake(self, handed: Handed) -> None:
        values = {"unit": handed.unit, "surname": handed.surname, "title": handed.title, "phone": handed.phone,
                  "source_kind": handed.source_kind, "source_id": handed.source_id}

        def received(result) -> None:
            if result is not None:
                self._start_flow(*result)

        self.app.push_screen(IntakeDialog(handed.channel, **{k: v for k, v in values.items() if v}), received)

    def _start_flow(self, record_id: int, kind: str, surname: str, title: str) -> None:
        ctx = self.ctx
        record, _events = feedback.get(ctx.store, ctx.clock, ctx.policy, record_id)
        self.record_id, self._kind = record_id, kind
        self.run = FlowRun(ctx.catalogue.scenarios[SCENARIO], clock=ctx.clock)
        values = {"surname": surname, "title": title, "phone": record.phone, "unit": record.unit,
                  "company": ctx.policy.value("site.company")}
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        panel = StepPanel(ctx.catalogue, self.run, values, guard=self._leaving, id="panel")
        box.mount(panel)
        box.display = True
        self.query_one("#records").display = False
        self.query_one("#detail").display = False
        self.call_after_refresh(panel.focus)
        self.refresh_bindings()

    def _leaving(self, step: Step, via: str, values: dict[str, object]) -> dict[str, object]:
        ctx, record = self.ctx, self.record_id
        added = option_sets(step, via)
        merged = {**values, **added}
        if step.does == "judge_invalid":
            feedback.judge_invalid(ctx.store, ctx.clock, self._me, record, str(merged.get("reason", "")))
        elif step.does == "accept_feedback":
            feedback.judge_valid(
                ctx.store, ctx.clock, self._me, record, kind=self._kind,
                category=str(merged.get("complaint_category", "other")), severity=str(merged.get("severity", "general")),
                department=str(merged.get("department", "")),
            )
        if step.promise == "complaint_reply":
            hours = ctx.policy.duration("feedback.reply_major_hours" if merged.get("severity") == "major" else "feedback.reply_general_hours")
            view, _ = feedback.get(ctx.store, ctx.clock, ctx.policy, record)
            text = promise_text(self.t, "complaint_reply", merged, ctx.policy.value)
            unit = unit_by_code(ctx.store, view.unit) if view.unit else None
            promises.make(
                ctx.store, ctx.clock, ctx.policy, self._me, "complaint_reply", text, customer=view.customer, phone=view.phone,
                unit_id=unit.unit_id if unit else None, due_at=ctx.clock.now() + hours, source_kind=feedback.RECORD,
                source_id=record,
            )
        return added

    @on(StepPanel.Moved)
    def _moved(self, event: StepPanel.Moved) -> None:
        try:
            flows.record_move(self.ctx.store, self.ctx.clock, feedback.RECORD, self.record_id, self._me, SCENARIO, event.step, event.via)
            if not event.forward and event.to.promise:
                promises.withdraw(self.ctx.store, self.ctx.clock, self._me, event.to.promise, feedback.RECORD, self.record_id)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="warning")

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        record = self.record_id
        self._close()
        if record is not None:
            view, _ = feedback.get(self.ctx.store, self.ctx.clock, self.ctx.policy, record)
            self.notify(self.t("complaints.intake_done", no=view.no, state=self.t(f"complaints.state.{view.state}")))

    def _close(self) -> None:
        self.run, self.record_id = None, None
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        box.display = False
        self.query_one("#records").display = True
        self.query_one("#detail").display = True
        self.query_one("#records").focus()
        self.reload()
        self._take_pending()

    def current_tips(self) -> list[tuple[str, str]]:
        panels = self.query(StepPanel)
        return panels.first().current_tips() if panels else []

