"""Text that is drawn again only when it changed.

A Static's update() repaints even when given what it already shows. After a reload that found
nothing new (a dialog closed, the timer's reload every few seconds) the screens' title and count
lines were such repaints, each a frame the clerk waited for at the end of the key.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


def shown_as(content: object) -> object:
    """What of a content shows, to compare: a Text's words, style and spans (rich's own equality
    looks only at the words and spans); another rich renderable (a table of the step's standard
    under a work order, a group of lines) as the lines it draws, else it never equals the same
    content made again and each reload drew it again (a frame 30 ms after F4's filter keys)."""
    if isinstance(content, Text):
        return (content.plain, str(content.style), tuple(content.spans))
    if isinstance(content, str | int | float | None) or not hasattr(content, "__rich_console__"):
        return content
    lines = _CONSOLE.render_lines(content, _CONSOLE.options, pad=False)
    return tuple(tuple((segment.text, str(segment.style)) for segment in line) for line in lines)


_CONSOLE = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False)
"""Draws a renderable to compare it, at a width wider than the console's panels."""


def set_text(widget: Static, content: VisualType, *, layout: bool = True) -> bool:
    """Show `content` in the widget unless it shows it already. True if it was drawn again."""
    if shown_as(widget.content) == shown_as(content):
        return False
    widget.update(content, layout=layout)
    return True
