"""Where a screen serves one record at a time (a visitor, a call): an idle line, or the step
panel of the record being served.

The panel is made once, hidden, and loaded with each record's flow: mounting a new StepPanel
for each record (its compose, its styles, its first layout) was most of the key that answers a
call or serves a visitor.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Catalogue, Scenario
from deskapp.widgets.step_panel import Guard, StepPanel


class FlowBox(Vertical):
    DEFAULT_CSS = """
    FlowBox { height: 1fr; }
    FlowBox > #idle { padding: 1 2; color: $text-muted; }
    """

    def __init__(self, catalogue: Catalogue, scenario: Scenario, idle: str, guard: Guard | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._catalogue, self._scenario, self._idle, self._guard = catalogue, scenario, idle, guard

    def compose(self) -> ComposeResult:
        yield Static(self._idle, id="idle")
        panel = StepPanel(self._catalogue, FlowRun(self._scenario), guard=self._guard, id="panel")
        panel.display = False
        yield panel

    @property
    def panel(self) -> StepPanel | None:
        """The step panel of the record being served; None when idle."""
        panel = self.query_one(StepPanel)
        return panel if panel.display else None

    def open(self, run: FlowRun, values: Mapping[str, object]) -> StepPanel:
        """Serve a record: its flow, where it stands, with its slot values; the focus on the
        panel, or on its first field when the step asks."""
        panel = self.query_one(StepPanel)
        self.query_one("#idle").display = False
        panel.display = True
        panel.focus()
        panel.load(run, values)
        return panel

    def close(self) -> None:
        self.query_one(StepPanel).display = False
        self.query_one("#idle").display = True
