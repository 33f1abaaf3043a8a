"""Release slips (F5, 放行): the requests and slips of recent days, the release flow for an owner
or a tenant, the printed slip (text and PDF), the guard's check and the supervisor's void.

Keys on the list: Ctrl+N a new release (the unit, then who applies); Enter or P the slip as
printed (W there writes the PDF); G the guard's check by number; V void the highlighted slip
(a supervisor's code and PIN).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from deskapp.domain.fees import format_fen
from deskapp.domain.goods import goods_text
from deskapp.errors import DeskappError
from deskapp.paths import user_data_dir
from deskapp.screens.base import DeskScreen
from deskapp.screens.flow_host import option_sets, promise_text
from deskapp.screens.release_dialogs import Applicant, ApplicantDialog, SlipDialog, VerifyDialog, VoidDialog
from deskapp.screens.release_text import slip_lines, slip_text
from deskapp.screens.work_order_text import when
from deskapp.services import flows, releases, work_orders
from deskapp.services.releases import ReleaseView
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Step
from deskapp.standards.registry import ACTIONS
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

SCENARIO = "release"
RELOAD_SECONDS = 5
_STATUS_STYLE = {"valid": "green", "used": "", "void": "bold red", "refused": "red", "pending": "yellow", "open": "dim"}


@dataclass(frozen=True)
class Handed:
    """A release handed over by walk-in: the unit and the visitor's surname."""

    unit: str = ""
    surname: str = ""
    source_kind: str = ""
    source_id: int | None = None


class ReleaseScreen(DeskScreen):
    DEFAULT_CSS = """
    ReleaseScreen #release-title { padding: 0 1; text-style: bold; }
    ReleaseScreen #slips { height: 1fr; }
    ReleaseScreen #detail { height: 10; overflow-y: hidden; padding: 0 1; background: $boost; }
    ReleaseScreen #intake { height: 1fr; }
    ReleaseScreen #aside { height: auto; max-height: 7; padding: 0 1; background: $boost; }
    """

    BINDINGS = [
        Binding("ctrl+n", "new_release", "key.new_release", id="release.new"),
        Binding("p", "show_slip", "key.print", id="release.print"),
        Binding("g", "verify", "key.verify", id="release.verify"),
        Binding("v", "void", "key.void", id="release.void"),
        Binding("escape", "leave_intake", "key.cancel", id="release.leave_intake"),
    ]

    run: FlowRun | None = None
    request_id: int | None = None
    applicant: Applicant | None = None
    _rows: dict[str, ReleaseView] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(id="release-title")
        table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id="slips")
        for key in ("no", "status", "unit", "applicant", "goods", "at"):
            table.add_column(self.t(f"release.col.{key}"), key=key)
        yield table
        yield Detail(id="detail")
        yield Vertical(id="intake")
        yield Static(id="aside")

    def on_mount(self) -> None:
        self.query_one("#intake").display = False
        self.query_one("#aside").display = False
        self.query_one(DataTable).focus()
        self.reload()
        self.every(RELOAD_SECONDS, self.reload)
        self._take_pending()

    def on_screen_resume(self) -> None:
        self.reload()
        self._take_pending()

    def _take_pending(self) -> None:
        pending = getattr(self.app, "pending_releases", [])
        if pending and self.run is None:
            handed = pending.pop(0)
            self._ask_applicant(handed)

    @property
    def _me(self) -> int | None:
        return self.ctx.clerk.staff_id if self.ctx.clerk else None

    @property
    def _today(self):
        return self.ctx.clock.now().astimezone(self.ctx.policy.timezone).date()

    # -- the list ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="release.reload")
    def reload(self) -> None:
        try:
            found = releases.recent(self.ctx.store)
        except DeskappError as e:
            self.app.call_from_thread(self.notify, self.ctx.t.error(e), severity="error")
            return
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[ReleaseView]) -> None:
        tz, now = self.ctx.policy.timezone, self.ctx.clock.now()
        table = self.query_one("#slips", ListTable)
        keep = self._highlighted()
        rows = []
        for r in found:
            rows.append((str(r.id), (
                r.number or "—",
                Text(self.t(f"release.status_word.{r.status}"), style=_STATUS_STYLE.get(r.status, "")),
                r.unit,
                Text(f"{r.applicant_name}({self.t(f'fact.visitor_kind.{r.applicant_kind}')})"),
                Text(goods_text(r.goods) if r.goods else ""),
                when(r.issued_at or r.created_at, now, tz),
            )))
        self._rows = {str(r.id): r for r in found}
        if table.fill(rows) and keep is not None and str(keep.id) in self._rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)
        today = [r for r in found if r.created_at.astimezone(tz).date() == self._today]
        set_text(self.query_one("#release-title", Static), self.t(
            "release.title", issued=sum(r.slip_no is not None for r in today), refused=sum(r.outcome == "refused" for r in today),
            pending=sum(r.outcome == "pending" for r in today),
        ))
        self._show_detail()
        self.refresh_bindings()

    def _highlighted(self) -> ReleaseView | None:
        table = self.query_one("#slips", DataTable)
        if not self._rows or table.row_count == 0 or table.cursor_row < 0:
            return None
        return self._rows.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or "")

    @on(DataTable.RowHighlighted, "#slips")
    def _moved_row(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        slip = self._highlighted()
        detail = self.query_one("#detail", Detail)
        if slip is None:
            detail.show(self.t("release.empty"))
            return
        detail.show(slip_text(slip, self.t, self.ctx.policy.timezone, work_orders.site_name(self.ctx.store)))

    @on(DataTable.RowSelected, "#slips")
    def action_show_slip(self) -> None:
        slip = self._highlighted()
        if slip is None:
            return
        site = work_orders.site_name(self.ctx.store)
        text = slip_text(slip, self.t, self.ctx.policy.timezone, site)
        self.app.push_screen(SlipDialog(text, lambda: self._write_pdf(slip, site)))

    def show_slip_no(self, slip_no: int) -> None:
        slip = releases.find_slip(self.ctx.store, slip_no)
        if slip is None:
            return
        site = work_orders.site_name(self.ctx.store)
        self.app.push_screen(SlipDialog(slip_text(slip, self.t, self.ctx.policy.timezone, site), lambda: self._write_pdf(slip, site)))

    def _write_pdf(self, slip: ReleaseView, site: str):
        from deskapp.printing.pdf import write_pdf

        title, lines, footer = slip_lines(slip, self.t, self.ctx.policy.timezone, site)
        folder = user_data_dir() / "slips"
        folder.mkdir(parents=True, exist_ok=True)
        return write_pdf(folder / f"release-{slip.number or slip.id}.pdf", title, lines, footer=footer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        intake = self.run is not None
        if action == "leave_intake":
            return intake and self.run.position == 1
        if action in ("new_release", "verify"):
            return not intake
        if action == "show_slip":
            return not intake and self._highlighted() is not None
        if action == "void":
            slip = self._highlighted()
            return not intake and slip is not None and slip.slip_no is not None and slip.voided_at is None
        return True

    def action_verify(self) -> None:
        self.app.push_screen(VerifyDialog(), lambda _r: self.reload())

    def action_void(self) -> None:
        slip = self._highlighted()
        if slip is None or slip.slip_no is None:
            return

        def done(said: str | None) -> None:
            if said:
                self.notify(said)
            self.reload()

        self.app.push_screen(VoidDialog(slip.slip_no, slip.version), done)

    # -- the release flow ------------------------------------------------------------------------

    def action_new_release(self) -> None:
        self._ask_applicant(Handed())

    def _ask_applicant(self, handed: Handed) -> None:
        def chosen(applicant: Applicant | None) -> None:
            if applicant is not None:
                self.start(applicant)

        self.app.push_screen(ApplicantDialog(handed.unit, handed.surname, handed.source_kind, handed.source_id), chosen)

    def start(self, applicant: Applicant) -> None:
        ctx = self.ctx
        view = releases.get(ctx.store, applicant.request_id)
        owed = releases.record_arrears(ctx.store, ctx.clock, ctx.policy, self._me, applicant.request_id, self._today)
        _unit_id, people = releases.residents(ctx.store, view.unit)
        owner = next((p for p in people if p.kind == "owner"), None)
        tenant = applicant.name if applicant.kind == "tenant" else ""
        self.applicant, self.request_id = applicant, applicant.request_id
        self._facts = {"visitor_kind": applicant.kind, **releases.fee_facts(owed, ctx.policy)}
        self.run = FlowRun(ctx.catalogue.scenarios[SCENARIO], self._facts.get, clock=ctx.clock)
        values = {
            "company": ctx.policy.value("site.company"), "site": work_orders.community_name(ctx.store), "unit": view.unit,
            "owner": owner.name[0] if owner else "", "tenant": tenant[:1], "surname": applicant.name[:1],
            "months": owed.months, "amount": format_fen(owed.amount_fen), "id_type": "1",
        }
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        panel = StepPanel(ctx.catalogue, self.run, values, guard=self._leaving, id="panel")
        box.mount(panel)
        box.display = True
        self.query_one("#slips").display = False
        self.query_one("#detail").display = False
        self.call_after_refresh(panel.focus)
        self._show_aside()
        self.refresh_bindings()

    def _leaving(self, step: Step, via: str, values: dict[str, object]) -> dict[str, object]:
        ctx, request = self.ctx, self.request_id
        added = option_sets(step, via)
        merged = {**values, **added}
        if step.does == "check_id":
            releases.record_id(ctx.store, ctx.clock, self._me, request, str(merged["id_type"]), str(merged["id_no"]), self._today)
        elif step.does == "record_goods":
            releases.record_goods(
                ctx.store, ctx.clock, self._me, request, goods=str(merged["items"]), plate=str(merged["plate"]),
                driver=str(merged["driver"]), driver_id=str(merged["driver_id"]), today=self._today,
            )
        elif step.does == "sign_release":
            releases.record_signature(ctx.store, ctx.clock, self._me, request)
        elif step.does == "owner_answer":
            retry = promise_text(self.t, "callback", {**merged, "surname": merged.get("owner", ""), "title": "先生"}, ctx.policy.value)
            releases.record_owner_answer(ctx.store, ctx.clock, ctx.policy, self._me, request, str(merged["owner_answer"]), retry)
        if merged.get("hurry") == "yes" and step.does == "issue_slip":
            releases.notify_lobby(ctx.store, ctx.clock, self._me, request, self._today,
                                  vacancy_percent=releases.vacancy_percent(ctx.policy))
        return added

    @on(StepPanel.Moved)
    def _moved(self, event: StepPanel.Moved) -> None:
        ctx = self.ctx
        try:
            flows.record_move(ctx.store, ctx.clock, releases.RECORD, self.request_id, self._me, SCENARIO, event.step, event.via)
            entered = event.to
            if event.forward and entered.does and ACTIONS[entered.does][1] == "enter":
                self._entered(entered, event.panel)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
        self._show_aside()

    def _entered(self, step: Step, panel: StepPanel) -> None:
        ctx, request = self.ctx, self.request_id
        if step.does == "notify_director":
            text = promise_text(self.t, "arrears_follow_up", panel.values, ctx.policy.value)
            releases.notify_director(ctx.store, ctx.clock, ctx.policy, self._me, request, text)
            self.notify(self.t("release.director_told"))
        elif step.does == "refuse_release":
            releases.refuse_for_arrears(ctx.store, ctx.clock, self._me, request)
        elif step.does == "issue_slip":
            number = releases.issue(ctx.store, ctx.clock, ctx.policy, self._me, request, self._today)
            panel.set_values(slip_no=releases.slip_number(number))

    def _show_aside(self) -> None:
        """Beside the flow: the slip as it stands (the fee check, goods, number once issued)."""
        aside = self.query_one("#aside", Static)
        if self.request_id is None:
            aside.display = False
            return
        slip = releases.get(self.ctx.store, self.request_id)
        title, lines, _footer = slip_lines(slip, self.t, self.ctx.policy.timezone, work_orders.site_name(self.ctx.store))
        aside.update(Text("\n".join([title, *lines[1:5]])))
        aside.display = True

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        request = self.request_id
        self._close()
        if request is not None:
            view = releases.get(self.ctx.store, request)
            self.notify(self.t("release.done", status=self.t(f"release.status_word.{view.status}"), no=view.number or "—"))

    def action_leave_intake(self) -> None:
        if self.run is not None and self.run.position == 1:
            self._close()

    def _close(self) -> None:
        self.run, self.request_id, self.applicant = None, None, None
        box = self.query_one("#intake", Vertical)
        box.remove_children()
        box.display = False
        self.query_one("#aside").display = False
        self.query_one("#slips").display = True
        self.query_one("#detail").display = True
        self.query_one("#slips").focus()
        self.reload()
        self._take_pending()

    def current_tips(self) -> list[tuple[str, str]]:
        panels = self.query(StepPanel)
        return panels.first().current_tips() if panels else []
