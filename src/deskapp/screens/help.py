"""Help (F1): the keys of the screen underneath, and the tips of its current step."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from deskapp.screens.one_frame import OneFrameLayout


class HelpScreen(OneFrameLayout, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    HelpScreen .heading { text-style: bold; margin-top: 1; }
    """

    BINDINGS = [Binding("escape,f1", "dismiss_help", "key.close")]

    def __init__(self, under: Screen, tips: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self._under = under
        self._tips = tips or []

    def compose(self) -> ComposeResult:
        t = self.app.ctx.t
        keys = Text()
        seen: set[str] = set()
        for _ns, binding, enabled, _tip in self._under.active_bindings.values():
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append(f"{self.app.get_key_display(binding):>8}  ", style="bold")
            keys.append(f"{t(binding.description)}\n", style="" if enabled else "dim")
        with VerticalScroll():
            yield Label(t("help.keys"), classes="heading")
            yield Static(keys)
            if self._tips:
                yield Label(t("help.tips"), classes="heading")
                for title, text in self._tips:
                    yield Static(Text.assemble((title, "bold"), "\n", text))

    def action_dismiss_help(self) -> None:
        self.dismiss()
