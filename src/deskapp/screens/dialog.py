"""The dialog box every modal of the console uses: centred, a title, hints, field errors."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """Compose a `Vertical` holding the content; Escape dismisses with None."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    Dialog .title { text-style: bold; }
    Dialog .hint { color: $text-muted; width: 1fr; }
    Dialog .field-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)
