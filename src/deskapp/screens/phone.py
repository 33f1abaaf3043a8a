"""Phone queue (F3, 电话): calls ringing, talking, held and owed, with the telephone scripts.

Keys: F3 answers the oldest ringing call; Enter on the queue answers that call, resumes a held
one, or starts the callback owed; Ctrl+G holds / resumes the current call; Ctrl+D hangs up;
Ctrl+X marks a ringing call missed; Ctrl+N logs a call by hand; Ctrl+T hands a walk-in visitor
to a colleague while on the phone (Std 2 scene 2).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from deskapp.domain.visits import Level
from deskapp.errors import DeskappError
from deskapp.screens.base import DeskScreen
from deskapp.screens.flow_host import option_sets, promise_text
from deskapp.screens.hand_over import HandOverDialog
from deskapp.screens.log_call import LogCallDialog
from deskapp.screens.complaints import Handed as ComplaintHanded
from deskapp.screens.repair import Intake
from deskapp.services import calls, feedback, flows, promises, visits, work_orders
from deskapp.services.calls import CallbackView, CallView
from deskapp.services.lookup import unit_by_code
from deskapp.services.visits import FieldError, StaffOnDuty
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Step
from deskapp.widgets.call_queue import CallQueue
from deskapp.widgets.flow_box import FlowBox
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.text import set_text

SCENARIO = "phone"
RECORD = "call"


class PhoneScreen(DeskScreen):
    DEFAULT_CSS = """
    PhoneScreen #phone-title { padding: 0 1; text-style: bold; }
    PhoneScreen #pop { height: auto; max-height: 7; padding: 0 1; background: $boost; }
    PhoneScreen #talking { height: 1fr; }
    """

    BINDINGS = [
        Binding("f3", "answer_oldest", "key.answer", id="phone.answer"),
        # a terminal sends Ctrl+H as Backspace (byte 0x08), so hold is Ctrl+G (挂起). priority: also from
        # a step's field (an Input takes Ctrl+D as delete)
        Binding("ctrl+g", "hold", "key.hold", id="phone.hold", priority=True),
        Binding("ctrl+d", "hang_up", "key.hang_up", id="phone.hang_up", priority=True),
        Binding("ctrl+x", "missed", "key.missed", id="phone.missed"),
        Binding("ctrl+n", "log_call", "key.log_call", id="phone.log_call"),
        Binding("ctrl+t", "walk_in_hand_over", "key.hand_over_phone", id="phone.walk_in_hand_over"),
    ]

    current: CallView | None = None
    _fingerprint: tuple | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="phone-title")
        yield CallQueue(id="calls")
        yield Static(id="pop")
        yield FlowBox(self.ctx.catalogue, self.ctx.catalogue.scenarios[SCENARIO], self.t("phone.idle"), guard=self._leaving, id="talking")

    def on_mount(self) -> None:
        self.query_one(CallQueue).focus()
        self.query_one("#pop", Static).display = False
        self.reload()
        self.every(1, self._tick)

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def _me(self) -> int | None:
        return self.ctx.clerk.staff_id if self.ctx.clerk else None

    # -- the queue ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="phone.reload")
    def reload(self) -> None:
        self.read_and_show(self._read, self._show, in_worker=True)

    def _reload_now(self) -> None:
        """The queue as the clerk's key left it, drawn in the key's own frame (read in a worker it
        was a second frame, ~30 ms after the first); the three reads take 3-5 ms on a 5-year store."""
        self.read_and_show(self._read, self._show, in_worker=False)

    def _read(self) -> tuple[tuple, list[CallView], list[CallbackView]]:
        store = self.ctx.store
        return calls.fingerprint(store), calls.open_calls(store), calls.callbacks_owed(store)

    @work(thread=True, exclusive=True, exit_on_error=False, group="phone.poll")
    def _poll(self) -> None:
        """Every second: a cheap look at the store, a full reload only when something changed
        (a ring from `deskapp call ring`, another console answering …)."""
        try:
            latest = calls.fingerprint(self.ctx.store)
        except DeskappError:
            return
        if latest != self._fingerprint:
            self.app.call_from_thread(self.reload)

    def _show(self, snapshot: tuple[tuple, list[CallView], list[CallbackView]]) -> None:
        fingerprint, open_calls, owed = snapshot
        self._fingerprint = fingerprint
        now = self.ctx.clock.now()
        self.query_one(CallQueue).show(open_calls, owed, now, self._me)
        count = lambda state: sum(c.state == state for c in open_calls)  # noqa: E731
        set_text(self.query_one("#phone-title", Static), self.t(
            "phone.title", ringing=count("ringing"), talking=count("talking"), on_hold=count("on_hold"), owed=len(owed),
        ))
        if self.current is not None:
            self.current = next((c for c in open_calls if c.id == self.current.id), self.current)
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(CallQueue).tick(self.ctx.clock.now(), self._me)
        self._poll()

    # -- answering --------------------------------------------------------------------------

    def action_answer_oldest(self) -> None:
        ringing = [c for c in self.query_one(CallQueue).calls if c.state == "ringing"]
        if ringing:
            self._answer(ringing[0])

    @on(DataTable.RowSelected, "#calls")
    def _selected(self, event: DataTable.RowSelected) -> None:
        item = self.query_one(CallQueue).selected()
        if isinstance(item, CallbackView):
            self._call_back(item)
        elif item is not None and item.state == "ringing":
            self._answer(item)
        elif item is not None and item.state == "on_hold":
            self._resume(item)
        elif item is not None and item.state == "talking" and item.answered_by_id == self._me:
            self._open(item.id)

    def _answer(self, call: CallView) -> None:
        if self._do(calls.answer, call.id, version=call.version):
            self._open(call.id)

    def _resume(self, call: CallView) -> None:
        if self._do(calls.resume, call.id, version=call.version):
            self.notify(self._texts("phone_resume"))
            self._open(call.id)

    def _call_back(self, owed: CallbackView) -> None:
        try:
            call_id = calls.start_callback(self.ctx.store, self.ctx.clock, self._me, owed)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="error")
            return
        self._open(call_id)

    def _do(self, change, call_id: int, **version: int) -> bool:
        """A change of a call; `version=` the call as the queue showed it: if another counter took
        it meanwhile, the clerk is told who (store.versions)."""
        try:
            change(self.ctx.store, self.ctx.clock, call_id, self._me, **version)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="error")
            return False
        finally:
            self._reload_now()
        return True

    def _texts(self, text_id: str) -> str:
        entry = self.ctx.catalogue.texts.get(text_id)
        return entry.text(self.ctx.lang) if entry else ""

    def _open(self, call_id: int) -> None:
        """Show the call in the step panel, where it was (a held call resumes at its step)."""
        ctx = self.ctx
        try:
            call = calls.get(ctx.store, call_id)
            moves = flows.moves(ctx.store, RECORD, call.id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            return
        if call.state != "talking" or call.answered_by_id != self._me:
            return
        run = FlowRun(ctx.catalogue.scenarios[SCENARIO], clock=ctx.clock)
        for _scenario, _step, via in moves:
            run.apply(via)
        self.current = call
        self.query_one(FlowBox).open(run, self._slot_values(call))
        self._show_pop(call)

    def _slot_values(self, call: CallView) -> dict[str, object]:
        values: dict[str, object] = {"company": self.ctx.policy.value("site.company"), "phone": call.number}
        if call.caller:
            values["surname"] = call.caller[0]
        if call.caller_title:
            values["title"] = call.caller_title
        if call.unit:
            values["unit"] = call.unit
        return {**values, **call.values}

    def _show_pop(self, call: CallView) -> None:
        """Screen pop: the unit, its residents and their open promises (一票到底)."""
        pop = self.query_one("#pop", Static)
        found = calls.screen_pop(self.ctx.store, call.number) if call.number else None
        if found is None:
            pop.update(Text(self.t("phone.pop_unknown", number=call.number)))
        else:
            tz = self.ctx.policy.timezone
            text = Text(f"{found.unit}  ", style="bold")
            text.append("  ".join(f"{name}({self.t(f'fact.visitor_kind.{kind}')}) {phone}" for kind, name, phone in found.people))
            now = self.ctx.clock.now()
            for p in found.promises:
                late = f" {self.t('due.overdue')}" if p.due_at <= now else ""
                text.append(f"\n{self.t(f'promise.{p.kind}')} · {p.due_at.astimezone(tz):%m-%d %H:%M}{late} · {p.owner} · {p.text}",
                            style="bold red" if late else "yellow")
                steps = [self.t("phone.pop_made", at=f"{p.made_at.astimezone(tz):%m-%d %H:%M}", by=p.made_by)]
                steps += [self.t("phone.pop_handed", at=f"{at.astimezone(tz):%H:%M}", giver=giver, taker=taker) for at, giver, taker in p.handed]
                text.append("\n  " + " → ".join(steps), style="dim" if not p.handed else "")
            open_items = [
                *(f"{work_orders.number(i)} {self.t(f'work_order.state.{state}')} {item}" for i, state, item in found.orders),
                *(f"{feedback.number(i)} {self.t(f'complaints.state.{state}')} {what}" for i, state, what in found.complaints),
            ]
            if open_items:
                text.append("\n" + " · ".join(open_items), style="cyan")
            pop.update(text)
        pop.display = True

    def _close_panel(self) -> None:
        self.current = None
        self.query_one(FlowBox).close()
        self.query_one("#pop", Static).display = False
        self.query_one(CallQueue).focus()
        self._reload_now()

    # -- the flow ---------------------------------------------------------------------------

    def _leaving(self, step: Step, via: str, values: dict[str, object]) -> dict[str, object]:
        ctx, call = self.ctx, self.current
        added: dict[str, object] = option_sets(step, via)
        if "unit" in step.ask and values.get("unit") and unit_by_code(ctx.store, str(values["unit"])) is None:
            raise FieldError("unit", "visit.unknown_unit", unit=values["unit"])
        merged = {**values, **added}
        if step.promise:
            due = self._due(merged)
            text = promise_text(self.t, step.promise, merged, ctx.policy.value)
            unit = unit_by_code(ctx.store, str(merged.get("unit") or "")) if merged.get("unit") else None
            promises.make(
                ctx.store, ctx.clock, ctx.policy, self._me, step.promise, text,
                customer=f"{merged.get('surname', '')}{merged.get('title', '')}", phone=call.number,
                unit_id=unit.unit_id if unit else None, due_at=due, source_kind=RECORD, source_id=call.id,
            )
        kept = {k: merged[k] for k in (*step.ask, *added) if k in merged}
        if kept:
            calls.set_values(ctx.store, call.id, **kept)
        return added

    def _due(self, values: dict[str, object]) -> datetime | None:
        if not values.get("due"):
            return None
        return datetime.strptime(str(values["due"]), "%Y-%m-%d %H:%M").replace(tzinfo=self.ctx.policy.timezone)

    @on(StepPanel.Moved)
    def _moved(self, event: StepPanel.Moved) -> None:
        if self.current is None or event.run is not event.panel.run:  # a move of a call since put down
            return
        try:
            flows.record_move(self.ctx.store, self.ctx.clock, RECORD, self.current.id, self._me, SCENARIO, event.step, event.via)
            if not event.forward and event.to.promise:  # back over the step that made it: made anew on leaving
                promises.withdraw(self.ctx.store, self.ctx.clock, self._me, event.to.promise, RECORD, self.current.id)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="warning")

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        if self.current is None or event.run is not event.panel.run:
            return
        step = event.run.step
        values = event.panel.values
        purpose = str(values.get("purpose") or "")
        call = self.current
        self._end(purpose or step.outcome or ("handed_off" if step.handoff else "done"))
        if step.handoff == "repair" and call is not None:
            handed = {k: values.get(k) for k in ("unit", "surname", "title", "phone", "item")}
            handed = {k: v for k, v in handed.items() if v}
            self.app.hand_off(step.handoff, Intake("phone", tuple(handed.items()), RECORD, call.id))
        elif step.handoff == "complaint" and call is not None:
            self.app.hand_off(step.handoff, ComplaintHanded(
                "phone", str(values.get("unit") or ""), str(values.get("surname") or ""), str(values.get("title") or ""),
                str(values.get("phone") or call.number), RECORD, call.id,
            ))

    def _end(self, outcome: str) -> None:
        ctx = self.ctx
        try:
            calls.end(ctx.store, ctx.clock, self.current.id, self._me, outcome)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            return
        self.notify(self.t("phone.ended", number=self.current.number))
        self._close_panel()

    def current_tips(self) -> list[tuple[str, str]]:
        panel = self.query_one(FlowBox).panel
        return panel.current_tips() if panel else []

    # -- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        queue = self.query_one(CallQueue)
        if action == "answer_oldest":
            return any(c.state == "ringing" for c in queue.calls)
        if action in ("hold", "hang_up"):
            mine = [c for c in queue.calls if c.answered_by_id == self._me and c.state in ("talking", "on_hold")]
            return bool(mine) or self.current is not None
        if action == "missed":
            item = queue.selected()
            return isinstance(item, CallView) and item.state == "ringing"
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_hold(self) -> None:
        """Hold the current call (the hold phrase shown), or resume my latest held call."""
        if self.current is not None and self.current.state == "talking":
            call = self.current
            if self._do(calls.hold, call.id):
                self.notify(self._texts("phone_hold"), title=self.t("phone.held_title"))
                self.current = None
                self.query_one(FlowBox).close()
                self.query_one(CallQueue).focus()
            return
        held = [c for c in self.query_one(CallQueue).calls if c.state == "on_hold" and c.answered_by_id == self._me]
        if held:
            self._resume(held[-1])

    def action_hang_up(self) -> None:
        if self.current is not None:
            purpose = str(self.query_one(FlowBox).panel.values.get("purpose") or "")
            self._end(purpose or "dropped")

    def action_missed(self) -> None:
        item = self.query_one(CallQueue).selected()
        if isinstance(item, CallView):
            self._do(calls.mark_missed, item.id, version=item.version)

    def action_log_call(self) -> None:
        def logged(call_id: int | None) -> None:
            if call_id is not None:
                self.reload()

        self.app.push_screen(LogCallDialog(), logged)

    def action_walk_in_hand_over(self) -> None:
        waiting = [v for v in visits.open_visits(self.ctx.store) if v.state == "waiting"]
        if not waiting:
            self.notify(self.t("phone.nobody_waiting"))
            return
        visitor = min(waiting, key=lambda v: v.arrived_at)

        def handed(colleague: StaffOnDuty | None) -> None:
            if colleague is not None:
                visits.escalate(self.ctx.store, self.ctx.clock, visitor.id, self._me, colleague.id, Level.COLLEAGUE, "std2")
                self.notify(self.t("walk_in.handed_over", who=visitor.called(self.t), to=colleague.name))

        self.app.push_screen(HandOverDialog(visitor, None, "phone"), handed)
