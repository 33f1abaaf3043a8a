"""The hotline queue: calls ringing (answer within three rings), talking, on hold (against the
hold limit), and the calls owed — missed calls to return and callbacks promised."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from deskapp.domain.visits import mm_ss
from deskapp.services.calls import CallbackView, CallView
from deskapp.widgets.table import ListTable

COLUMNS = ("state", "number", "caller", "unit", "timer")


class CallQueue(ListTable):
    DEFAULT_CSS = """
    CallQueue { height: auto; max-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.calls: list[CallView] = []
        self.owed: list[CallbackView] = []

    def on_mount(self) -> None:
        t = self.app.ctx.t
        for key in COLUMNS:
            self.add_column(t(f"phone.col.{key}"), key=key)

    def show(self, calls: list[CallView], owed: list[CallbackView], now: datetime, me: int | None) -> None:
        keep = self.selected_key()
        self.calls, self.owed = calls, owed
        rows = [(f"call:{call.id}", self._call_cells(call, now, me)) for call in calls]
        rows += [(self._owed_key(item), self._owed_cells(item, now)) for item in owed]
        # Measured at once (ListTable.fill): measured on the table's idle, after a frame had drawn
        # and kept the rows in the old column widths, a wider cell stayed cut off.
        if self.fill(rows) and keep is not None:
            for row, key in enumerate(self.keys()):
                if key == keep:
                    self.move_cursor(row=row, animate=False)

    def keys(self) -> list[str]:
        return [f"call:{c.id}" for c in self.calls] + [self._owed_key(o) for o in self.owed]

    @staticmethod
    def _owed_key(item: CallbackView) -> str:
        return f"promise:{item.promise_id}" if item.promise_id is not None else f"missed:{item.missed_call_id}"

    def selected_key(self) -> str | None:
        keys = self.keys()
        return keys[self.cursor_row] if 0 <= self.cursor_row < len(keys) else None

    def selected(self) -> CallView | CallbackView | None:
        key = self.selected_key()
        if key is None:
            return None
        for call in self.calls:
            if key == f"call:{call.id}":
                return call
        return next((o for o in self.owed if self._owed_key(o) == key), None)

    def tick(self, now: datetime, me: int | None) -> None:
        for call in self.calls:
            self.update_cell(f"call:{call.id}", "timer", self._timer(call, now))
        for item in self.owed:
            self.update_cell(self._owed_key(item), "timer", self._due(item, now))

    # -- cells ------------------------------------------------------------------------------

    @property
    def _policy(self):
        return self.app.ctx.policy

    def _timer(self, call: CallView, now: datetime) -> Text:
        t = self.app.ctx.t
        if call.state == "ringing":
            limit = self._policy.number("phone.answer_rings") * self._policy.number("phone.ring_seconds")
            left = limit - (now - call.rang_at).total_seconds()
            if left < 0:
                rings = int(self._policy.number("phone.answer_rings"))
                return Text(t("phone.ring_overdue", time=mm_ss(now - call.rang_at), rings=rings), style="bold red")
            return Text(t("phone.ring_left", seconds=int(left)), style="yellow")
        if call.state == "on_hold" and call.hold_since is not None:
            held = now - call.hold_since
            over = held > self._policy.duration("phone.hold_seconds")
            return Text(t("phone.held", time=mm_ss(held)), style="bold red" if over else "yellow")
        started = call.answered_at or call.rang_at
        return Text(mm_ss(now - started))

    def _due(self, item: CallbackView, now: datetime) -> Text:
        t = self.app.ctx.t
        local = item.due_at.astimezone(self._policy.timezone)
        if item.due_at <= now:
            return Text(t("phone.due_overdue", time=local.strftime("%m-%d %H:%M")), style="bold red")
        return Text(t("phone.due_at", time=local.strftime("%m-%d %H:%M")))

    def _call_cells(self, call: CallView, now: datetime, me: int | None) -> list:
        t = self.app.ctx.t
        style = {"ringing": "bold yellow", "talking": "bold green", "on_hold": "magenta"}.get(call.state, "")
        state = Text(t(f"phone.state.{call.state}"), style=style)
        if call.direction == "out":
            state.append(" ↗")
        if call.state != "ringing" and call.answered_by_id not in (None, me):
            state.append(f" {call.answered_by}", style="dim")
        caller = call.caller or t("phone.unknown_caller")
        if call.caller_kind:
            caller += f"({t(f'fact.visitor_kind.{call.caller_kind}')})"
        return [state, call.number, Text(caller), call.unit, self._timer(call, now)]

    def _owed_cells(self, item: CallbackView, now: datetime) -> list:
        t = self.app.ctx.t
        kind = "missed" if item.missed_call_id is not None else "callback"
        return [
            Text(t(f"phone.state.{kind}"), style="bold red" if kind == "missed" else "cyan"),
            item.number, Text(item.who or t("phone.unknown_caller")), item.unit, self._due(item, now),
        ]
