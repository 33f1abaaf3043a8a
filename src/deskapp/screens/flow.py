"""A screen that walks one scenario of the catalogue with the step panel.

The scenario screens (walk-in, phone, repair, release …) build on it: they add the record the
flow fills its slots from, and the facts the domain computes.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult

from deskapp.screens.base import DeskScreen
from deskapp.standards.engine import FactLookup, FlowRun
from deskapp.widgets.step_panel import StepPanel


class FlowScreen(DeskScreen[FlowRun]):
    """Walks a scenario; dismisses with the finished run (its trail) when the clerk ends it."""

    def __init__(
        self,
        scenario_id: str,
        values: Mapping[str, object] | None = None,
        facts: FactLookup | Mapping[str, str] | None = None,
        start: str = "",
    ) -> None:
        super().__init__()
        self._start = start
        self._scenario_id = scenario_id
        self._values = dict(values or {})
        self._facts = facts

    def compose_body(self) -> ComposeResult:
        catalogue = self.ctx.catalogue
        self.run = FlowRun(catalogue.scenarios[self._scenario_id], self._facts, clock=self.ctx.clock, start=self._start)
        yield StepPanel(catalogue, self.run, self._values, id="step-panel")

    def on_mount(self) -> None:
        self.query_one(StepPanel).focus()

    def current_tips(self) -> list[tuple[str, str]]:
        return self.query_one(StepPanel).current_tips()

    @on(StepPanel.Finished)
    def _finished(self, event: StepPanel.Finished) -> None:
        self.dismiss(event.run)
