"""Std 2 (工作繁忙接待): a waiting visitor B is handed to a colleague while the clerk serves A.

The clerk picks the colleague, then says the standard phrases to A and to B, step by step.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from deskapp.screens.dialog import Dialog, while_open

from deskapp.services.visits import StaffOnDuty, VisitView, staff_on_duty
from deskapp.standards.engine import FlowRun
from deskapp.widgets.step_panel import StepPanel

# Scene 1: serving A at the counter; scene 2: on the phone with A.
FIRST_STEP = {"counter": "s1_pause_a", "phone": "s2_pause_a"}


class HandOverDialog(Dialog[StaffOnDuty | None]):
    DEFAULT_CSS = """
    HandOverDialog > Vertical { width: 90%; height: 90%; border: round $warning; }
    HandOverDialog OptionList { height: auto; max-height: 5; }
    """

    def __init__(self, visitor: VisitView, serving: VisitView | None, scene: str = "counter") -> None:
        super().__init__()
        self._visitor = visitor
        self._serving = serving
        self._scene = scene
        self._chosen: StaffOnDuty | None = None

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        t = ctx.t
        me = ctx.clerk.staff_id if ctx.clerk else None
        self._staff = {str(s.id): s for s in staff_on_duty(ctx.store, ("clerk", "supervisor"), exclude=me)}
        run = FlowRun(ctx.catalogue.scenarios["busy_reception"], clock=ctx.clock, start=FIRST_STEP[self._scene])
        with Vertical():
            yield Label(t("hand_over.title", who=self._visitor.called(t)), classes="title")
            yield Label(t("hand_over.pick"))
            yield OptionList(
                *[Option(f"{s.name}({t(f'role.{s.role}')})", id=key) for key, s in self._staff.items()], id="colleagues"
            )
            yield StepPanel(ctx.catalogue, run, {"surname": self._visitor.surname}, id="hand-over-panel")

    def on_mount(self) -> None:
        self.query_one(StepPanel).disabled = True
        self.query_one("#colleagues", OptionList).focus()

    @on(OptionList.OptionSelected, "#colleagues")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._chosen = self._staff[event.option.id]
        panel = self.query_one(StepPanel)
        panel.disabled = False
        panel.set_values(colleague=self._chosen.name)
        panel.focus()

    @on(StepPanel.Finished)
    @while_open
    def _said(self, event: StepPanel.Finished) -> None:
        event.stop()
        self.dismiss(self._chosen)
