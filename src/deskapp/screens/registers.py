"""The counter's registers (F9): keys, vacant units, renovation supervision — paper logbooks no more.

1 / 2 / 3 switch the register; each has its list (overdue in red), its keys, and the rule of
the standard shown under the list. Forms show a bad value at its field and save nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, DataTable, Label, Static
from textual.worker import get_current_worker

from deskapp.domain.inputs import InputError, parse
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.register_dialogs import Field, FormDialog
from deskapp.services.visits import FieldError
from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

TABS = ("keys", "vacancies", "renovations", "found", "move_in")
RULES = {"keys": "keys_rule", "vacancies": "vacancy_rule", "renovations": "renovation_rule", "found": "", "move_in": ""}  # 物品拾遗: the seed names it, gives no text
BORROWERS = {"1": "owner", "2": "worker", "3": "sales", "4": "other"}
PHASES = {"1": "plumbing", "2": "carpentry", "3": "tiling", "4": "installation", "5": "finished"}
PAGE = 200  # the rows a register shows: the overdue or newest first, the rest by / (search)
_YES = {"y", "yes", "1", "是", "有", "对"}
_NO = {"", "n", "no", "0", "否", "无", "没有"}

# Which keys work on which register.
_ON = {
    "keys": {"search", "new", "lend", "issue", "give_back", "check", "relabel", "show"},
    "vacancies": {"search", "new", "confirm", "refuse", "inspect", "end", "show"},
    "renovations": {"search", "new", "phase", "patrol", "complete", "recheck", "refund", "show"},
    "found": {"search", "new", "claim", "dispose", "show"},
    "move_in": {"search", "new", "tick", "show"},
}


def _yes(field: str, text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise FieldError(field, "registers.yes_no")


def _kind(field: str, kind: str, text: str, now: datetime | None = None) -> object:
    try:
        return parse(kind, text, now)
    except InputError as e:
        raise FieldError(field, e.key, **e.params) from None


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(field, "registers.bad_date") from None


def _number(field: str, text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise FieldError(field, "registers.bad_number") from None
    if value < 0:
        raise FieldError(field, "registers.bad_number")
    return value


class RegistersScreen(DeskScreen):
    # 1…5 switch the register: shown in the tab line, not in the footer (room for the register's keys).
    BINDINGS = [
        Binding("1", "tab('keys')", "key.reg_keys", id="registers.keys", show=False),
        Binding("2", "tab('vacancies')", "key.reg_vacancies", id="registers.vacancies", show=False),
        Binding("3", "tab('renovations')", "key.reg_renovations", id="registers.renovations", show=False),
        Binding("4", "tab('found')", "key.reg_found", id="registers.found", show=False),
        Binding("5", "tab('move_in')", "key.reg_move_in", id="registers.move_in", show=False),
        Binding("k", "tick", "key.reg_tick", id="registers.tick"),
        Binding("ctrl+n", "new", "key.reg_new", id="registers.new"),
        Binding("l", "lend", "key.reg_lend", id="registers.lend"),
        Binding("i", "issue", "key.reg_issue", id="registers.issue"),
        Binding("t", "give_back", "key.reg_return", id="registers.return"),
        Binding("c", "check", "key.reg_check", id="registers.check"),
        Binding("e", "relabel", "key.reg_relabel", id="registers.relabel"),
        Binding("a", "confirm", "key.reg_confirm", id="registers.confirm"),
        Binding("x", "refuse", "key.reg_refuse", id="registers.refuse"),
        Binding("j", "inspect", "key.reg_inspect", id="registers.inspect"),
        Binding("d", "end", "key.reg_end", id="registers.end"),
        Binding("p", "phase", "key.reg_phase", id="registers.phase"),
        Binding("v", "patrol", "key.reg_patrol", id="registers.patrol"),
        Binding("f", "complete", "key.reg_complete", id="registers.complete"),
        Binding("r", "recheck", "key.reg_recheck", id="registers.recheck"),
        Binding("m", "refund", "key.reg_refund", id="registers.refund"),
        Binding("g", "claim", "key.reg_claim", id="registers.claim"),
        Binding("z", "dispose", "key.reg_dispose", id="registers.dispose"),
        Binding("o", "show", "key.reg_show", id="registers.show"),
        Binding("slash", "search", "key.reg_search", id="registers.search"),
    ]

    DEFAULT_CSS = """
    RegistersScreen #reg-tabs { padding: 0 1; }
    RegistersScreen #reg-summary { padding: 0 1; color: $text-muted; }
    RegistersScreen ContentSwitcher { height: 1fr; }
    RegistersScreen DataTable { height: 1fr; }
    RegistersScreen #reg-detail { height: 3; overflow-y: hidden; padding: 0 1; background: $boost; }
    RegistersScreen #reg-rule { height: auto; max-height: 5; padding: 0 1; color: $text-muted; }
    """

    COLUMNS = {
        "keys": ("label", "unit", "state", "borrower", "due", "holder"),
        "vacancies": ("unit", "owner", "start", "end", "state", "next"),
        "renovations": ("unit", "permit", "phase", "next_patrol", "state", "violations"),
        "found": ("no", "found_what", "found_where", "found_at", "kept_where", "state"),
        "move_in": ("unit", "owner", "started", "progress", "state"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.tab = "keys"
        self._all = False  # O: everything, not only what is open
        self._search = ""  # /: only the rows that mention this (label, unit, owner, item …)
        self._rows: dict[str, dict[str, object]] = {tab: {} for tab in TABS}
        self._known: dict[tuple[str, bool, str], tuple[list, str | Text]] = {}
        """What each view (tab, O, search) showed when last read: shown at once when switched to."""

    def compose_body(self) -> ComposeResult:
        yield Label("", id="reg-tabs")
        yield Label("", id="reg-summary")
        with ContentSwitcher(initial="reg-keys"):
            for tab in TABS:
                table: DataTable = ListTable(cursor_type="row", zebra_stripes=True, id=f"reg-{tab}", on_highlight=self._now_highlighted)
                for col in self.COLUMNS[tab]:
                    table.add_column(self.t(f"registers.col.{col}"), key=col)
                yield table
        yield Detail(id="reg-detail")
        yield Static("", id="reg-rule")

    def on_mount(self) -> None:
        self.action_tab("keys")
        self._read_ahead()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- reading ---------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.tab = tab
        self.query_one(ContentSwitcher).current = f"reg-{tab}"
        tabs = Text()
        for n, name in enumerate(TABS, 1):
            tabs.append(f" {n} {self.t(f'registers.tab.{name}')} ", style="bold reverse" if name == tab else "")
            tabs.append(" ")
        self.query_one("#reg-tabs", Label).update(tabs)
        entry = self.ctx.catalogue.texts.get(RULES[tab])
        self.query_one("#reg-rule", Static).update(entry.text(self.ctx.lang) if entry else "")
        self.query_one(f"#reg-{tab}", DataTable).focus()
        self._switched()

    def action_search(self) -> None:
        def submit(v: dict[str, str]) -> str:
            self._search = v["search"]
            return ""

        self.app.push_screen(FormDialog(self.t("registers.search_title"), [Field("search", "registers.field.search", self._search)], submit),
                             lambda _: self._switched())

    def action_show(self) -> None:
        self._all = not self._all
        self._switched()

    def _switched(self) -> None:
        """Another tab, O or a search: what that view showed when last read is shown at once, in
        the key's own frame, and read again behind it (the same rows again draw nothing)."""
        known = self._known.get((self.tab, self._all, self._search))
        if known is not None:
            self._show(self.tab, *known)
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="registers")
    def reload(self) -> None:
        """The register shown, read in a thread: a page of rows, the counts from the store."""
        view = tab, everything, search = self.tab, self._all, self._search
        try:
            rows, summary = getattr(self, f"_load_{tab}")(everything, search)
        except DeskappError as e:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show, tab, None, Text(self.ctx.t.error(e), style="bold red"))
            return
        if self._known.get(view, (rows, summary)) != (rows, summary):  # changed since: the tab's other views too
            for other in [v for v in self._known if v[0] == tab and v != view]:
                self._known.pop(other, None)
        self._known[view] = (rows, summary)
        if not get_current_worker().is_cancelled:  # a newer load (another key) answers instead
            self.app.call_from_thread(self._show, tab, rows, summary)

    @work(thread=True, exit_on_error=False, group="registers.ahead")
    def _read_ahead(self) -> None:
        """Every tab, open and all, read once as the screen is built (the console builds it while
        the clerk is idle): the first press of a tab or of O then shows at once. A view read
        since by a key is not replaced."""
        for tab in TABS:
            for everything in (False, True):
                if get_current_worker().is_cancelled:
                    return
                view = (tab, everything, "")
                if view in self._known:
                    continue
                try:
                    found = getattr(self, f"_load_{tab}")(everything, "")
                except DeskappError:
                    continue  # the tab's own read reports it
                self._known.setdefault(view, found)
                if not everything:
                    self.app.call_from_thread(self._fill_ahead, tab)

    def _fill_ahead(self, tab: str) -> None:
        """A tab not shown gets its rows now, while the clerk is idle: its key then only shows it
        (filling 200 rows and measuring them took 20-60 ms of the key)."""
        known = self._known.get((tab, self._all, self._search))
        if tab != self.tab and known is not None and self.query_one(f"#reg-{tab}", ListTable).row_count == 0:
            self._fill(known[0], tab)

    def _show(self, tab: str, rows: list[tuple[str, object, list]] | None, summary: str | Text) -> None:
        if tab != self.tab:
            return
        if rows is not None:
            self._fill(rows)
        if self._search:
            summary = Text.assemble(self.t("registers.searching", text=self._search), " · ", summary)
        set_text(self.query_one("#reg-summary", Label), summary)
        self._detail()
        self.refresh_bindings()

    def _fill(self, rows: list[tuple[str, object, list]], tab: str | None = None) -> None:
        tab = tab or self.tab
        table = self.query_one(f"#reg-{tab}", ListTable)
        keep = table.cursor_row
        self._rows[tab] = {key: record for key, record, _cells in rows}
        # Text, not str: a str cell is parsed as markup each time the table measures it.
        shown = [(key, [c if isinstance(c, Text) else Text(str(c)) for c in cells]) for key, _record, cells in rows]
        if table.fill(shown) and table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def _page(self, found: list, newest: bool = True) -> tuple[list, str]:
        """The first PAGE of what was read (PAGE + 1 rows), and the line saying the list is cut."""
        if len(found) <= PAGE:
            return found, ""
        return found[:PAGE], self.t("registers.cut_newest" if newest else "registers.cut_first", shown=PAGE)

    def _when(self, at: datetime | date | None, style: str = "") -> Text:
        if at is None:
            return Text("—")
        if isinstance(at, datetime):
            return Text(at.astimezone(self.ctx.policy.timezone).strftime("%m-%d %H:%M"), style=style)
        return Text(at.isoformat(), style=style)

    # Each _load_<tab> runs in the worker's thread: it reads and builds the rows, touches no widget.

    def _load_keys(self, everything: bool, search: str) -> tuple[list, str]:
        from deskapp.services import keys

        ctx = self.ctx
        found, cut = self._page(keys.list_keys(ctx.store, ctx.clock, show="all", search=search, limit=PAGE + 1), newest=False)
        rows = []
        for k in found:  # all keys whatever O says: a key is never "closed"
            loan = k.loan if k.state == "lent" else None
            late = bool(loan and loan.overdue)
            rows.append((f"k{k.id}", k, [
                Text(k.label, style="bold" if k.label_state == "worn" else ""), k.unit,
                Text(self.t(f"registers.key_state.{k.state}") + (self.t("registers.worn_mark") if k.label_state == "worn" else ""),
                     style="bold red" if late or k.state == "missing" else ""),
                loan.borrower if loan else "", self._when(loan.due_at if loan else None, "bold red" if late else ""),
                loan.holder if loan else "",
            ]))
        counts = keys.counts(ctx.store, ctx.clock)
        due = keys.check_due(ctx.store, ctx.clock, ctx.policy)
        check = self.t("registers.check_due", at=self._when(due).plain) if due else ""
        return rows, self.t("registers.keys_summary", total=counts.total, out=counts.out, overdue=counts.overdue) + check + cut

    def _load_vacancies(self, everything: bool, search: str) -> tuple[list, str]:
        from deskapp.services import vacancy

        ctx = self.ctx
        show = "all" if everything else "open"
        found, cut = self._page(vacancy.list_vacancies(ctx.store, ctx.clock, ctx.policy, show=show, search=search, limit=PAGE + 1))
        now, notice = ctx.clock.now(), int(ctx.policy.number("vacancy.expiry_notice_days"))
        rows = [(f"v{v.id}", v, [
            v.unit, v.owner, self._when(v.start), self._when(v.end),
            Text(self.t(f"registers.vacancy_state.{v.state}") + (self.t("registers.expires_in", days=v.expires_in_days)
                 if v.state == "confirmed" and v.expires_in_days <= notice else ""),
                 style="yellow" if v.state == "confirmed" and v.expires_in_days <= notice else ""),
            self._when(v.next_inspection, "bold red" if v.next_inspection and v.next_inspection <= now else ""),
        ]) for v in found]
        unsold, first = vacancy.count_unsold_uninspected(ctx.store, ctx.clock, ctx.policy)
        summary = self.t("registers.vacancies_summary", count=vacancy.count_vacancies(ctx.store, show=show))
        if unsold:
            summary += self.t("registers.unsold_uninspected", count=unsold, first=first)
        return rows, summary + cut

    def _load_renovations(self, everything: bool, search: str) -> tuple[list, str]:
        from deskapp.services import renovation

        ctx = self.ctx
        show = "all" if everything else "active"
        found, cut = self._page(renovation.list_renovations(ctx.store, ctx.clock, ctx.policy, show=show, search=search,
                                                            limit=PAGE + 1))
        rows = [(f"r{r.id}", r, [
            r.unit, r.permit_no, self.t(f"registers.phase.{r.phase}"), self._when(r.next_due, "bold red" if r.overdue else ""),
            self.t(f"registers.renovation_state.{r.state}"), str(r.violations),
        ]) for r in found]
        count, due = renovation.count_renovations(ctx.store, show=show), renovation.count_overdue(ctx.store, ctx.clock, ctx.policy)
        return rows, self.t("registers.renovations_summary", count=count, overdue=due) + cut

    def _load_found(self, everything: bool, search: str) -> tuple[list, str]:
        from deskapp.services import lost_found

        ctx = self.ctx
        show = "all" if everything else "held"
        found, cut = self._page(lost_found.list_found(ctx.store, ctx.clock, ctx.policy, show=show, search=search, limit=PAGE + 1))
        rows = [(f"f{f.id}", f, [
            f.no, f.what, f.where_found, self._when(f.found_at), f.kept_where,
            Text(self.t(f"registers.found_state.{f.state}") + (self.t("registers.dispose_mark") if f.due_for_disposal else ""),
                 style="bold red" if f.due_for_disposal else ""),
        ]) for f in found]
        count, due = lost_found.counts(ctx.store, ctx.clock, ctx.policy, show=show)
        return rows, self.t("registers.found_summary", count=count, due=due) + cut

    def _load_move_in(self, everything: bool, search: str) -> tuple[list, str]:
        from deskapp.services import move_in

        show = "all" if everything else "open"
        found, cut = self._page(move_in.list_move_ins(self.ctx.store, show=show, search=search, limit=PAGE + 1))
        rows = []
        for m in found:
            done, total = m.progress
            state = self.t("registers.move_in_done") if m.completed_at else self.t("registers.move_in_open")
            rows.append((f"m{m.id}", m, [m.unit, m.owner, self._when(m.started_at), f"{done}/{total}", state]))
        return rows, self.t("registers.move_in_summary", count=move_in.count_move_ins(self.ctx.store, show=show)) + cut

    def _highlighted(self):
        table = self.query_one(f"#reg-{self.tab}", DataTable)
        rows = self._rows[self.tab]
        if not rows or table.cursor_row < 0:
            return None
        return rows.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or "")

    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._now_highlighted()

    def _now_highlighted(self) -> None:
        self._detail()
        self.refresh_bindings()

    def _detail(self) -> None:
        record = self._highlighted()
        detail = self.query_one("#reg-detail", Detail)
        if record is None:
            detail.show("")
            return
        if self.tab == "keys":
            parts = [record.what]
            loan = record.loan
            if loan is not None:
                parts += [self.t(f"registers.borrower.{loan.borrower_kind}"), loan.borrower, loan.company, loan.phone, loan.purpose]
                if loan.manager:
                    parts.append(self.t("registers.manager_signed", name=loan.manager))
            detail.show(Text(" · ".join(p for p in parts if p)))
        elif self.tab == "vacancies":
            detail.show(Text(" · ".join(p for p in (record.reason, record.refused_reason) if p)))
        elif self.tab == "found":
            detail.show(Text(" · ".join(p for p in (record.found_by, record.claimant, record.disposed_how) if p)))
        elif self.tab == "renovations":
            detail.show(Text(" · ".join(p for p in (record.owner, record.company, self.t("registers.workers", n=record.workers)) if p)))
        else:
            detail.show("")

    # -- which keys work now ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tab":
            return True
        owners = [tab for tab, actions in _ON.items() if action in actions]
        if not owners:
            return True
        if self.tab not in owners:
            return False
        record = self._highlighted()
        state = getattr(record, "state", None)
        needs = {
            "lend": state == "held", "issue": state == "held", "give_back": state == "lent",
            "relabel": record is not None and getattr(record, "label_state", "") == "worn",
            "confirm": state == "applied", "refuse": state == "applied", "inspect": True,
            "end": state in ("confirmed", "occupied"),
            "phase": state == "active", "patrol": state == "active", "complete": state == "active",
            "recheck": state == "completed", "refund": state == "rechecked",
            "claim": state == "held" and self.tab == "found",
            "tick": record is not None and getattr(record, "completed_at", 1) is None,
            "dispose": state == "held" and self.tab == "found" and bool(getattr(record, "due_for_disposal", False)),
        }
        return needs.get(action, True)

    # -- the forms -------------------------------------------------------------------------------

    def _form(self, title: str, fields: list[Field], submit) -> None:
        def done(message: str | None) -> None:
            if message:
                self.notify(message)
            self.reload()

        entry = self.ctx.catalogue.texts.get(RULES[self.tab])
        self.app.push_screen(FormDialog(title, fields, submit, entry.text(self.ctx.lang) if entry else ""), done)

    def _now_local(self) -> datetime:
        return self.ctx.clock.now().astimezone(self.ctx.policy.timezone)

    def _due(self, field: str, text: str) -> datetime | None:
        if not text.strip():
            return None
        kept = _kind(field, "due", text, self._now_local())
        return datetime.strptime(str(kept), "%Y-%m-%d %H:%M").replace(tzinfo=self.ctx.policy.timezone)

    def action_new(self) -> None:
        getattr(self, f"_new_{self.tab}")()

    def _new_keys(self) -> None:
        from deskapp.services import keys

        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            keys.add_key(ctx.store, ctx.clock, ctx.clerk.staff_id, label=v["label"], unit_code=v["unit"], what=v["what"])
            return self.t("registers.key_added", label=v["label"])

        self._form(self.t("registers.new_key"), [
            Field("label", "registers.field.label"), Field("unit", "registers.field.unit"), Field("what", "registers.field.what"),
        ], submit)

    def action_lend(self) -> None:
        from deskapp.services import keys

        key = self._highlighted()
        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            kind = BORROWERS.get(v["kind"].strip())
            if kind is None:
                raise FieldError("kind", "registers.borrower_kind")
            id_type = _kind("id_type", "id_type", v["id_type"]) if v["id_type"] else ""
            keys.lend(
                ctx.store, ctx.clock, ctx.policy, ctx.clerk.staff_id, key.id, borrower_kind=kind, borrower=v["borrower"],
                purpose=v["purpose"], company=v["company"], phone=v["phone"], due=self._due("due", v["due"]), manager=v["manager"],
                id_type=str(id_type), id_no=v["id_no"], signed=_yes("signed", v["signed"]), today=self._now_local().date(),
            )
            return self.t("registers.key_lent", label=key.label, who=v["borrower"])

        self._form(self.t("registers.lend_title", label=key.label), [
            Field("kind", "registers.field.borrower_kind", hint="registers.hint.borrower_kind"),
            Field("borrower", "registers.field.borrower"), Field("company", "registers.field.company"),
            Field("phone", "registers.field.phone"), Field("purpose", "registers.field.purpose"),
            Field("due", "registers.field.due", hint="registers.hint.due"), Field("manager", "registers.field.manager"),
            Field("id_type", "registers.field.id_type", hint="ask_hint.id_type"), Field("id_no", "registers.field.id_no"),
            Field("signed", "registers.field.signed", hint="registers.hint.yes_no"),
        ], submit)

    def action_issue(self) -> None:
        from deskapp.services import keys

        key = self._highlighted()
        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            id_type = _kind("id_type", "id_type", v["id_type"])
            keys.issue_to_owner(ctx.store, ctx.clock, ctx.clerk.staff_id, key.id, owner=v["owner"], id_type=str(id_type),
                                id_no=v["id_no"], signed=_yes("signed", v["signed"]), today=self._now_local().date())
            return self.t("registers.key_issued", label=key.label, who=v["owner"])

        self._form(self.t("registers.issue_title", label=key.label), [
            Field("owner", "registers.field.owner"), Field("id_type", "registers.field.id_type", hint="ask_hint.id_type"),
            Field("id_no", "registers.field.id_no"), Field("signed", "registers.field.signed", hint="registers.hint.yes_no"),
        ], submit)

    def action_give_back(self) -> None:
        from deskapp.services import keys

        key = self._highlighted()
        ctx = self.ctx
        try:
            keys.return_key(ctx.store, ctx.clock, ctx.clerk.staff_id, key.loan.id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
        else:
            self.notify(self.t("registers.key_returned", label=key.label))
        self.reload()

    def action_check(self) -> None:
        from deskapp.services import keys

        ctx = self.ctx

        def labels(text: str) -> list[str]:
            return [p for p in text.replace(",", " ").replace("、", " ").replace(",", " ").split() if p]

        def submit(v: dict[str, str]) -> str:
            keys.record_check(ctx.store, ctx.clock, ctx.clerk.staff_id, missing=labels(v["missing"]), worn=labels(v["worn"]), note=v["note"])
            return self.t("registers.check_recorded")

        self._form(self.t("registers.check_title"), [
            Field("missing", "registers.field.missing", hint="registers.hint.labels"),
            Field("worn", "registers.field.worn", hint="registers.hint.labels"), Field("note", "registers.field.note"),
        ], submit)

    def action_relabel(self) -> None:
        from deskapp.services import keys

        key = self._highlighted()
        ctx = self.ctx
        keys.relabel(ctx.store, ctx.clock, ctx.clerk.staff_id, key.id)
        self.notify(self.t("registers.relabelled", label=key.label))
        self.reload()

    def _new_vacancies(self) -> None:
        from deskapp.services import vacancy

        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            id_type = _kind("id_type", "id_type", v["id_type"])
            vacancy.apply(
                ctx.store, ctx.clock, ctx.policy, ctx.clerk.staff_id, unit_code=v["unit"], owner=v["owner"], id_type=str(id_type),
                id_no=v["id_no"], start=_day("start", v["start"]), end=_day("end", v["end"]), reason=v["reason"],
                notice_given=_yes("notice", v["notice"]), today=self._now_local().date(),
            )
            return self.t("registers.vacancy_applied", unit=v["unit"])

        self._form(self.t("registers.vacancy_title"), [
            Field("unit", "registers.field.unit"), Field("owner", "registers.field.owner"),
            Field("id_type", "registers.field.id_type", hint="ask_hint.id_type"), Field("id_no", "registers.field.id_no"),
            Field("start", "registers.field.start", hint="registers.hint.date"), Field("end", "registers.field.end", hint="registers.hint.date"),
            Field("reason", "registers.field.reason"), Field("notice", "registers.field.notice", hint="registers.hint.notice"),
        ], submit)

    def _supervisor_form(self, title: str, with_reason: bool, do) -> None:
        fields = [Field("code", "registers.field.supervisor"), Field("pin", "registers.field.pin", password=True)]
        if with_reason:
            fields.append(Field("reason", "registers.field.reason"))
        self._form(title, fields, do)

    def action_confirm(self) -> None:
        from deskapp.services import vacancy

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            vacancy.confirm(ctx.store, ctx.clock, ctx.policy, record.id, v["code"], v["pin"])
            return self.t("registers.vacancy_confirmed", unit=record.unit)

        self._supervisor_form(self.t("registers.confirm_title", unit=record.unit), False, submit)

    def action_refuse(self) -> None:
        from deskapp.services import vacancy

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            vacancy.refuse(ctx.store, ctx.clock, ctx.policy, record.id, v["code"], v["pin"], v["reason"])
            return self.t("registers.vacancy_refused", unit=record.unit)

        self._supervisor_form(self.t("registers.refuse_title", unit=record.unit), True, submit)

    def action_inspect(self) -> None:
        from deskapp.services import vacancy

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            result = vacancy.inspect(
                ctx.store, ctx.clock, ctx.policy, ctx.clerk.staff_id, v["unit"], water_reading=_number("water", v["water"]),
                power_reading=_number("power", v["power"]), facilities_ok=_yes("facilities", v["facilities"] or "y"),
                clean_ok=_yes("clean", v["clean"] or "y"), cracks_or_leaks=_yes("cracks", v["cracks"]),
                after_storm=_yes("storm", v["storm"]), note=v["note"],
            )
            lived = result[1] if isinstance(result, tuple) else getattr(result, "lived_in", False)
            return self.t("registers.inspected_lived_in" if lived else "registers.inspected", unit=v["unit"])

        self._form(self.t("registers.inspect_title"), [
            Field("unit", "registers.field.unit", value=record.unit if record else ""),
            Field("water", "registers.field.water"), Field("power", "registers.field.power"),
            Field("facilities", "registers.field.facilities", hint="registers.hint.yes_default"),
            Field("clean", "registers.field.clean", hint="registers.hint.yes_default"),
            Field("cracks", "registers.field.cracks", hint="registers.hint.yes_no"),
            Field("storm", "registers.field.storm", hint="registers.hint.yes_no"), Field("note", "registers.field.note"),
        ], submit)

    def action_end(self) -> None:
        from deskapp.services import vacancy

        record, ctx = self._highlighted(), self.ctx
        vacancy.end_vacancy(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, today=self._now_local().date())
        self.notify(self.t("registers.vacancy_ended", unit=record.unit))
        self.reload()

    def _new_renovations(self) -> None:
        from deskapp.domain.fees import parse_yuan
        from deskapp.services import renovation

        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            workers = int(_kind("workers", "count", v["workers"])) if v["workers"] else 0
            try:
                deposit = parse_yuan(v["deposit"]) if v["deposit"] else 0
            except ValueError:
                raise FieldError("deposit", "registers.bad_number") from None
            renovation.open_renovation(ctx.store, ctx.clock, ctx.clerk.staff_id, unit_code=v["unit"], permit_no=v["permit"],
                                       owner=v["owner"], company=v["company"], workers=workers, deposit_fen=deposit)
            return self.t("registers.renovation_opened", unit=v["unit"])

        self._form(self.t("registers.renovation_title"), [
            Field("unit", "registers.field.unit"), Field("permit", "registers.field.permit"), Field("owner", "registers.field.owner"),
            Field("company", "registers.field.company"), Field("workers", "registers.field.workers"),
            Field("deposit", "registers.field.deposit"),
        ], submit)

    def action_phase(self) -> None:
        from deskapp.services import renovation

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            phase = PHASES.get(v["phase"].strip())
            if phase is None:
                raise FieldError("phase", "registers.phase_unknown")
            renovation.set_phase(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, phase)
            return self.t("registers.phase_set", unit=record.unit, phase=self.t(f"registers.phase.{phase}"))

        self._form(self.t("registers.phase_title", unit=record.unit), [
            Field("phase", "registers.field.phase", hint="registers.hint.phase"),
        ], submit)

    def action_patrol(self) -> None:
        from deskapp.services import renovation

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            ok = _yes("ok", v["ok"] or "y")
            renovation.patrol(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, ok=ok, violation=v["violation"])
            return self.t("registers.patrolled", unit=record.unit)

        self._form(self.t("registers.patrol_title", unit=record.unit, phase=self.t(f"registers.phase.{record.phase}")), [
            Field("ok", "registers.field.ok", hint="registers.hint.yes_default"), Field("violation", "registers.field.violation"),
        ], submit)

    def action_complete(self) -> None:
        from deskapp.services import renovation

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            renovation.complete(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, ok=_yes("ok", v["ok"] or "y"), note=v["note"])
            return self.t("registers.completion_recorded", unit=record.unit)

        self._form(self.t("registers.complete_title", unit=record.unit), [
            Field("ok", "registers.field.ok", hint="registers.hint.yes_default"), Field("note", "registers.field.note"),
        ], submit)

    def action_recheck(self) -> None:
        from deskapp.services import renovation

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            renovation.recheck(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, ok=_yes("ok", v["ok"] or "y"))
            return self.t("registers.recheck_recorded", unit=record.unit)

        self._form(self.t("registers.recheck_title", unit=record.unit), [
            Field("ok", "registers.field.ok", hint="registers.hint.yes_default"),
        ], submit)

    def action_refund(self) -> None:
        from deskapp.services import renovation

        record, ctx = self._highlighted(), self.ctx
        try:
            renovation.refund_deposit(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
        else:
            self.notify(self.t("registers.refunded", unit=record.unit))
        self.reload()

    def _new_found(self) -> None:
        from deskapp.services import lost_found

        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            found_at = self._found_at("found_at", v["found_at"])
            item = lost_found.register(ctx.store, ctx.clock, ctx.clerk.staff_id, what=v["what"], where_found=v["where_found"],
                                       found_at=found_at, found_by=v["found_by"], kept_where=v["kept_where"])
            return self.t("registers.found_registered", no=lost_found.number(item))

        self._form(self.t("registers.found_title"), [
            Field("what", "registers.field.found_what"), Field("where_found", "registers.field.found_where"),
            Field("found_at", "registers.field.found_at", hint="registers.hint.found_at"),
            Field("found_by", "registers.field.found_by"), Field("kept_where", "registers.field.kept_where"),
        ], submit)

    def _found_at(self, field: str, text: str) -> datetime | None:
        """When it was found: empty for now, "14:30" today, or "2026-11-24 14:30"."""
        value = text.strip()
        if not value:
            return None
        now = self._now_local()
        try:
            if len(value) <= 5:
                hour, minute = (int(p) for p in value.replace(":", ":").split(":"))
                return now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=self.ctx.policy.timezone)
        except ValueError:
            raise FieldError(field, "registers.bad_moment") from None

    def action_claim(self) -> None:
        from deskapp.services import lost_found

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            id_type = _kind("id_type", "id_type", v["id_type"])
            lost_found.claim(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, claimant=v["claimant"], phone=v["phone"],
                             id_type=str(id_type), id_no=v["id_no"], signed=_yes("signed", v["signed"]), today=self._now_local().date())
            return self.t("registers.found_claimed", no=record.no, who=v["claimant"])

        self._form(self.t("registers.claim_title", no=record.no, what=record.what), [
            Field("claimant", "registers.field.claimant"), Field("phone", "registers.field.phone"),
            Field("id_type", "registers.field.id_type", hint="ask_hint.id_type"), Field("id_no", "registers.field.id_no"),
            Field("signed", "registers.field.signed", hint="registers.hint.yes_no"),
        ], submit)

    def action_dispose(self) -> None:
        from deskapp.services import lost_found

        record, ctx = self._highlighted(), self.ctx

        def submit(v: dict[str, str]) -> str:
            lost_found.dispose(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, how=v["how"], policy=ctx.policy)
            return self.t("registers.found_disposed", no=record.no)

        self._form(self.t("registers.dispose_title", no=record.no, what=record.what), [Field("how", "registers.field.disposed_how")], submit)

    def _new_move_in(self) -> None:
        from deskapp.services import move_in

        ctx = self.ctx

        def submit(v: dict[str, str]) -> str:
            move_in.start(ctx.store, ctx.clock, ctx.clerk.staff_id, unit_code=v["unit"], owner=v["owner"])
            return self.t("registers.move_in_started", unit=v["unit"])

        self._form(self.t("registers.move_in_title"), [Field("unit", "registers.field.unit"), Field("owner", "registers.field.owner")], submit)

    def action_tick(self) -> None:
        from deskapp.screens.register_dialogs import ChecklistDialog
        from deskapp.services import move_in

        record, ctx = self._highlighted(), self.ctx
        if record is None:
            return
        texts = ctx.catalogue.texts
        steps = [(step, texts[f"move_in_{step}"].text(ctx.lang), step in record.done) for step in move_in.STEPS]

        def save(done: list[str] | None) -> None:
            if done is None:
                return
            try:
                complete = move_in.tick(ctx.store, ctx.clock, ctx.clerk.staff_id, record.id, done)
            except DeskappError as e:
                self.notify(ctx.t.error(e), severity="error")
            else:
                self.notify(self.t("registers.move_in_complete" if complete else "registers.move_in_saved", unit=record.unit))
            self.reload()

        self.app.push_screen(ChecklistDialog(self.t("registers.move_in_checklist", unit=record.unit, owner=record.owner), steps), save)
