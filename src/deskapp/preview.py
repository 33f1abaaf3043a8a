"""Preview one scenario's flow without a store: `deskapp catalogue walk SCENARIO`.

For the quality department: edit a phrase in data/catalogue/, then walk the flow exactly as
the counter will show it, every branch by its key.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from deskapp.context import Context
from deskapp.screens.flow import FlowScreen
from deskapp.screens.help import HelpScreen
from deskapp.standards.engine import FlowRun


class PreviewApp(App[FlowRun]):
    BINDINGS = [
        Binding("f1", "help", "key.help", id="help"),
        Binding("ctrl+q", "quit", "key.quit", id="quit", priority=True),
    ]

    def __init__(self, ctx: Context, scenario_id: str, values: dict[str, str], facts: dict[str, str]) -> None:
        super().__init__()
        self.ctx = ctx
        self._flow = FlowScreen(scenario_id, values, facts)

    def on_mount(self) -> None:
        self.push_screen(self._flow, callback=self.exit)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen, getattr(self.screen, "current_tips", list)()))
