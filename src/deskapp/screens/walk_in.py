"""Walk-in reception (F2, 来访接待): the visitor queue and the visit being served, step by step.

Keys: F2 registers an arrival; Enter on the queue serves the highlighted visitor; Tab moves
between the queue and the step panel; Ctrl+E hands the visit up (服务上移); Ctrl+U marks a
waiting visitor urgent; Ctrl+G hands a waiting visitor to a colleague (Std 2, scene 1), Ctrl+T
the same while on the phone (scene 2, "请您等我20秒"); Ctrl+X: the visitor left without waiting.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from deskapp.domain.visits import Level, mm_ss, needs_handoff, question_escalation_due, waited
from deskapp.errors import DeskappError
from deskapp.screens.arrival import ArrivalDialog
from deskapp.screens.base import DeskScreen
from deskapp.screens.escalate import EscalateDialog, EscalationChoice
from deskapp.screens.flow_host import option_sets, promise_text
from deskapp.screens.hand_over import HandOverDialog
from deskapp.screens.release import Handed
from deskapp.screens.repair import Intake
from deskapp.screens.satisfaction import SatisfactionDialog
from deskapp.services import promises, visit_actions, visits
from deskapp.services.visits import StaffOnDuty, VisitView
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Step
from deskapp.standards.registry import ACTIONS
from deskapp.widgets.flow_box import FlowBox
from deskapp.widgets.step_panel import StepPanel
from deskapp.widgets.text import set_text, shown_as
from deskapp.widgets.visit_queue import VisitQueue

SCENARIO = "walk_in"
RELOAD_SECONDS = 5  # other counters' changes show within this long


class WalkInScreen(DeskScreen):
    DEFAULT_CSS = """
    WalkInScreen #queue-title { padding: 0 1; text-style: bold; }
    WalkInScreen #prompt { height: auto; padding: 0 1; }
    WalkInScreen #prompt.warn { background: $warning 30%; }
    """

    KEPT_AHEAD = (ArrivalDialog,)

    BINDINGS = [
        Binding("f2", "arrival", "key.arrival", id="walk_in.arrival"),
        # priority: Ctrl+E escalates at every step, also from a field (Input binds it to "end")
        Binding("ctrl+e", "escalate", "key.escalate", id="walk_in.escalate", priority=True),
        Binding("ctrl+g", "hand_over('counter')", "key.hand_over", id="walk_in.hand_over"),
        Binding("ctrl+t", "hand_over('phone')", "key.hand_over_phone", id="walk_in.hand_over_phone"),
        Binding("ctrl+u", "urgent", "key.urgent", id="walk_in.urgent"),
        Binding("ctrl+x", "left", "key.left", id="walk_in.left"),
    ]

    current: VisitView | None = None
    run: FlowRun | None = None
    _prompt: tuple[object, bool] | None = None  # as shown

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield VisitQueue(id="queue")
        yield Static(id="prompt")
        yield FlowBox(self.ctx.catalogue, self.ctx.catalogue.scenarios[SCENARIO], self.t("walk_in.idle"), guard=self._leaving, id="serving")

    def on_mount(self) -> None:
        self.query_one(VisitQueue).focus()
        self.reload()
        self.every(1, self._tick)
        self.every(RELOAD_SECONDS, self.reload)

    def on_screen_resume(self) -> None:
        self._reload_now()  # in the frame that shows the screen (or the dialog's result)

    # -- the queue ------------------------------------------------------------------------

    @property
    def _limit(self):
        return self.ctx.policy.duration("reception.wait_handoff_minutes")

    @property
    def _me(self) -> int | None:
        return self.ctx.clerk.staff_id if self.ctx.clerk else None

    @work(thread=True, exclusive=True, exit_on_error=False, group="walk_in.reload")
    def reload(self) -> None:
        self.read_and_show(self._read, self._show_queue, in_worker=True)

    def _reload_now(self) -> None:
        """The queue as the clerk's key left it, read in the key (about 1 ms): read in a worker, it
        came a frame after the key's."""
        self.read_and_show(self._read, self._show_queue, in_worker=False)

    def _read(self) -> list[VisitView]:
        return visits.open_visits(self.ctx.store)

    def _show_queue(self, open_visits: list[VisitView]) -> None:
        now = self.ctx.clock.now()
        self.query_one(VisitQueue).show(open_visits, now, self._limit, self._me)
        waiting = sum(v.state == "waiting" for v in open_visits)
        set_text(self.query_one("#queue-title", Static), self.t("walk_in.queue", waiting=waiting, open=len(open_visits)))
        if self.current is not None:
            self.current = next((v for v in open_visits if v.id == self.current.id), self.current)
        self._update_prompt()

    def _tick(self) -> None:
        self.query_one(VisitQueue).tick(self.ctx.clock.now(), self._limit, self._me)
        self._update_prompt()

    def _update_prompt(self) -> None:
        """Std 2 while serving someone: nod to a new visitor; at the limit, hand them over.
        Std 5 on a question: the time it has been with the current level."""
        prompt = self.query_one("#prompt", Static)
        now = self.ctx.clock.now()
        text, warn = Text(), False
        waiting = [v for v in self.query_one(VisitQueue).visits if v.state == "waiting"]
        if self.current is not None and waiting:
            b = max(waiting, key=lambda v: (v.urgent, waited(v.arrived_at, now)))
            if needs_handoff(b.arrived_at, b.urgent, now, self._limit):
                warn = True
                text.append(self.t("walk_in.prompt_handoff", who=b.called(self.t), waited=mm_ss(waited(b.arrived_at, now))))
            else:
                nod = self.ctx.catalogue.scenarios["busy_reception"].steps["s1_nod"]
                text.append(self.t("walk_in.prompt_nod", who=b.called(self.t)) + " ")
                open_q, close_q = ("「", "」") if self.ctx.lang == "zh" else ("“", "”")
                text.append(f"{open_q}{nod.say[0].text(self.ctx.lang)}{close_q}", style="bold #ffd75f")
        question = self._question_due(now)
        if question:
            warn = True
            text.append(("\n" if text else "") + question)
        if (shown_as(text), warn) == self._prompt:  # every second, and after each step: mostly the same
            return
        self._prompt = (shown_as(text), warn)
        prompt.update(text)
        prompt.set_class(warn, "warn")
        prompt.display = bool(text)

    def _question_due(self, now) -> str:
        if self.run is None or self.run.step.id not in ("question_intro", "question_supervisor"):
            return ""
        since = self.run.trail[-1].at if self.run.trail and self.run.trail[-1].at else None
        if since is None:
            return ""
        level = Level.COLLEAGUE if self.run.step.id == "question_intro" else Level.SUPERVISOR
        policy = self.ctx.policy
        due = question_escalation_due(
            since, level, now, policy.duration("reception.question_supervisor_minutes"),
            policy.duration("reception.question_director_minutes"),
        )
        return self.t(f"walk_in.prompt_question_{due}", minutes=mm_ss(now - since)) if due else ""

    # -- serving a visitor ----------------------------------------------------------------

    @on(DataTable.RowSelected, "#queue")
    def _serve_selected(self, event: DataTable.RowSelected) -> None:
        visit = self.query_one(VisitQueue).selected()
        if visit is None:
            return
        if visit.state == "serving" and visit.served_by_id != self._me and visit.id != getattr(self.current, "id", None):
            self.notify(self.t("walk_in.served_by_other", name=visit.served_by), severity="warning")
            return
        self.serve(visit)

    def serve(self, visit: VisitView) -> None:
        ctx = self.ctx
        try:
            # A visitor not already this clerk's is taken as the queue showed them: if another
            # counter took them meanwhile, the clerk is told who (store.versions), nobody is taken over.
            mine = visit.served_by_id == self._me or visit.id == getattr(self.current, "id", None)
            visits.start_service(ctx.store, ctx.clock, visit.id, self._me, SCENARIO, version=None if mine else visit.version)
            moves = visits.moves(ctx.store, visit.id)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="error")
            return
        run = FlowRun(ctx.catalogue.scenarios[SCENARIO], self._facts, clock=ctx.clock)
        for _scenario, _step, via in moves:
            run.apply(via)
        self.current, self.run = visit, run
        self.query_one(FlowBox).open(run, self._slot_values(visit))
        self._reload_now()

    def _slot_values(self, visit: VisitView) -> dict[str, object]:
        values = {"company": self.ctx.policy.value("site.company"), **visit.values}
        directors = visits.staff_on_duty(self.ctx.store, ("director",)) or [
            s for s, _here in visits.presence(self.ctx.store) if s.role == "director"
        ]
        if directors:
            values.setdefault("director", directors[0].name[0])  # 王主任: the surname
        values.setdefault("surname", visit.surname)
        values.setdefault("title", visit.title)
        values.setdefault("unit", visit.unit)
        return values

    def _facts(self, name: str) -> str | None:
        """Presence facts from the staff marked present; the rest the clerk answers."""
        roles = {"finance_present": "finance", "director_present": "director"}
        if name in roles:
            present = visits.staff_on_duty(self.ctx.store, (roles[name],))
            return "yes" if present else "no"
        return None

    def _leaving(self, step: Step, via: str, values: dict[str, object]) -> dict[str, object]:
        """Before the clerk leaves a step: record what it does and the promise it makes."""
        ctx, visit = self.ctx, self.current
        added: dict[str, object] = option_sets(step, via)
        if step.does and ACTIONS[step.does][1] == "leave":
            added.update(visit_actions.perform(ctx.store, ctx.clock, ctx.policy, step.does, visit.id, self._me, values))
        if step.promise:
            text = promise_text(self.t, step.promise, {**values, **added}, ctx.policy.value)
            phone = str({**values, **added}.get("phone") or "")
            visit_actions.make_promise(ctx.store, ctx.clock, ctx.policy, visit.id, self._me, step.promise, text, phone)
        if added or step.ask:
            visits.set_values(ctx.store, visit.id, **{**{k: values[k] for k in step.ask if k in values}, **added})
        return added

    @on(StepPanel.Moved)
    def _moved(self, event: StepPanel.Moved) -> None:
        """Record the move (one step on, or one back) and run what the reached step does."""
        if event.run is not self.run:  # a move of a visit since closed
            return
        ctx = self.ctx
        try:
            visits.record_move(ctx.store, ctx.clock, self.current.id, self._me, SCENARIO, event.step, event.via)
            if not event.forward and event.to.promise:  # back over the step that made it: made anew on leaving
                promises.withdraw(ctx.store, ctx.clock, self._me, event.to.promise, visits.RECORD, self.current.id)
            if event.forward:
                entered = event.to
                if entered.does and ACTIONS[entered.does][1] == "enter":
                    added = visit_actions.perform(ctx.store, ctx.clock, ctx.policy, entered.does, self.current.id, self._me, {})
                    event.panel.set_values(**added)
        except DeskappError as e:
            self.notify(ctx.t.error(e), severity="warning")
        self._reload_now()

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        if event.run is not self.run:
            return
        step = event.run.step
        outcome = step.outcome or ("handed_off" if step.handoff else "done")
        visit = self.current
        panel_values = event.panel.values
        handed = {k: panel_values.get(k) for k in ("unit", "surname", "title", "phone")}

        def rated(satisfaction: int | None) -> None:
            ctx = self.ctx
            try:
                visits.finish(ctx.store, ctx.clock, visit.id, self._me, outcome, satisfaction)
            except DeskappError as e:
                self.notify(ctx.t.error(e), severity="error")
                return
            self.notify(self.t("walk_in.finished", who=visit.called(self.t)))
            self._close_panel()
            if step.handoff == "repair":
                values = {k: v for k, v in handed.items() if v}
                self.app.hand_off(step.handoff, Intake("counter", tuple(values.items()), visits.RECORD, visit.id))
            elif step.handoff == "release":
                self.app.hand_off(step.handoff, Handed(str(handed["unit"] or ""), str(handed["surname"] or ""), visits.RECORD, visit.id))

        self.app.push_screen(SatisfactionDialog(), rated)

    def _close_panel(self) -> None:
        self.current, self.run = None, None
        self.query_one(FlowBox).close()
        self.query_one(VisitQueue).focus()
        self._reload_now()

    def current_tips(self) -> list[tuple[str, str]]:
        panel = self.query_one(FlowBox).panel
        return panel.current_tips() if panel else []

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escalate":
            return self.current is not None
        if action in ("urgent", "hand_over", "left"):
            visit = self.query_one(VisitQueue).selected()
            return visit is not None and visit.state == "waiting"
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_arrival(self) -> None:
        # The form saves the visit before it closes; the queue is read again as this screen
        # resumes (on_screen_resume), in the frame that shows it.
        self.open_kept(ArrivalDialog)

    def action_urgent(self) -> None:
        visit = self.query_one(VisitQueue).selected()
        if visit is None:
            return
        try:
            visits.set_urgent(self.ctx.store, self.ctx.clock, visit.id, self._me, not visit.urgent)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="error")
        self._reload_now()

    def action_escalate(self) -> None:
        visit = self.current

        def chosen(choice: EscalationChoice | None) -> None:
            if choice is None:
                return
            visits.escalate(self.ctx.store, self.ctx.clock, visit.id, self._me, choice.to.id, choice.level, choice.reason)
            self.query_one(FlowBox).panel.set_values(colleague=choice.to.name)
            self.notify(self.t("walk_in.escalated", who=visit.called(self.t), to=choice.to.name))
            self._reload_now()

        self.app.push_screen(EscalateDialog(visit.called(self.t)), chosen)

    def action_left(self) -> None:
        visit = self.query_one(VisitQueue).selected()
        if visit is None:
            return
        try:
            visits.mark_left(self.ctx.store, self.ctx.clock, visit.id, self._me, version=visit.version)
        except DeskappError as e:
            self.notify(self.ctx.t.error(e), severity="error")
        self._reload_now()

    def action_hand_over(self, scene: str = "counter") -> None:
        """Std 2 scene 1 (serving A at the counter) or scene 2 (on the phone with A)."""
        visitor = self.query_one(VisitQueue).selected()
        if visitor is None:
            return

        def handed(colleague: StaffOnDuty | None) -> None:
            if colleague is None:
                return
            try:
                visits.escalate(self.ctx.store, self.ctx.clock, visitor.id, self._me, colleague.id, Level.COLLEAGUE, "std2",
                                version=visitor.version)
            except DeskappError as e:
                self.notify(self.ctx.t.error(e), severity="error")
                self._reload_now()
                return
            self.notify(self.t("walk_in.handed_over", who=visitor.called(self.t), to=colleague.name))
            self._reload_now()

        self.app.push_screen(HandOverDialog(visitor, self.current, scene), handed)
