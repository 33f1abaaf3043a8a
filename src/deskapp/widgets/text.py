"""Text that is drawn again only when it changed.

A Static's update() repaints even when given what it already shows. After a reload that found
nothing new (a dialog closed, the timer's reload every few seconds) the screens' title and count
lines were such repaints, each a frame the clerk waited for at the end of the key.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


def shown_as(content: object) -> object:
    """What of a content shows, to compare: a Text's words, style and spans (rich's own equality
    looks only at the words and spans)."""
    if isinstance(content, Text):
        return (content.plain, str(content.style), tuple(content.spans))
    return content


def set_text(widget: Static, content: VisualType, *, layout: bool = True) -> bool:
    """Show `content` in the widget unless it shows it already. True if it was drawn again."""
    if shown_as(widget.content) == shown_as(content):
        return False
    widget.update(content, layout=layout)
    return True
