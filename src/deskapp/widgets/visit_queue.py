"""The walk-in queue: who is waiting, for how long (live), and who is being served by whom."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from deskapp.domain.visits import mm_ss, needs_handoff, waited
from deskapp.services.visits import VisitView
from deskapp.widgets.table import ListTable

COLUMNS = ("no", "unit", "who", "purpose", "waited", "state")


class VisitQueue(ListTable):
    DEFAULT_CSS = """
    VisitQueue { height: auto; max-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.visits: list[VisitView] = []
        self._rows: list[tuple[str, list]] = []  # (key, cells) as shown

    def on_mount(self) -> None:
        t = self.app.ctx.t
        for key in COLUMNS:
            self.add_column(t(f"walk_in.col.{key}"), key=key)

    def show(self, visits: list[VisitView], now: datetime, limit: timedelta, me: int | None) -> None:
        """Replace the rows, keeping the cursor on the same visit where it is still open. Rows as
        shown already are left as they are (a reload after each step of a visit mostly finds the
        queue unchanged: drawn again, it was a frame of its own after the step's)."""
        rows = [(str(visit.id), self._cells(n, visit, now, limit, me)) for n, visit in enumerate(visits, start=1)]
        keep = self.selected_id()
        self.visits = visits
        if _unwaited(rows) == _unwaited(self._rows):  # the wait column is the tick's, every second
            return
        self._rows = rows
        if self.fill(rows) and keep is not None:
            for row, visit in enumerate(visits):
                if visit.id == keep:
                    self.move_cursor(row=row, animate=False)

    def tick(self, now: datetime, limit: timedelta, me: int | None) -> None:
        """Every second: only the wait column changes."""
        for visit in self.visits:
            self.update_cell(str(visit.id), "waited", self._waited(visit, now, limit))

    def selected_id(self) -> int | None:
        if not self.visits or self.cursor_row < 0 or self.cursor_row >= len(self.visits):
            return None
        return self.visits[self.cursor_row].id

    def selected(self) -> VisitView | None:
        visit_id = self.selected_id()
        return next((v for v in self.visits if v.id == visit_id), None)

    def _waited(self, visit: VisitView, now: datetime, limit: timedelta) -> Text:
        until = visit.service_started_at or now
        span = waited(visit.arrived_at, until)
        overdue = visit.state == "waiting" and needs_handoff(visit.arrived_at, visit.urgent, now, limit)
        return Text(mm_ss(span), style="bold red" if overdue else ("" if visit.state == "waiting" else "dim"))

    def _cells(self, n: int, visit: VisitView, now: datetime, limit: timedelta, me: int | None) -> list:
        t = self.app.ctx.t
        who = Text(visit.called(t) if visit.surname else "")
        if visit.urgent:
            who.append(" " + t("walk_in.urgent"), style="bold red")
        purpose = t(f"walk_in.purpose.{visit.purpose}") if visit.purpose else ""
        if visit.state == "waiting":
            state = Text(t("walk_in.state.waiting"), style="yellow")
        else:
            mine = visit.served_by_id == me
            state = Text(t("walk_in.state.serving", name=visit.served_by), style="bold green" if mine else "")
            if visit.escalations:
                state.append(f" ↑{visit.escalations}", style="magenta")
        return [str(n), visit.unit or t("walk_in.non_resident"), who, purpose, self._waited(visit, now, limit), state]


def _unwaited(rows: list[tuple[str, list]]) -> list[tuple[str, list]]:
    at = COLUMNS.index("waited")
    return [(key, cells[:at] + cells[at + 1:]) for key, cells in rows]
