"""The panel under a list that shows the highlighted record in full.

It changes on every Up and Down, so it must cost one repaint of itself and nothing more:

- A Static's update() asks for a new layout of the whole screen each time; a layout, and the
  list drawn again after it, was most of a key's time (scripts/bench.py: 40-60 ms a Down in F4
  on a 2-core machine, one frame of ~10 ms without). The screens give the panel a fixed height
  (the list under the cursor does not jump either), and `show` then never asks for a layout.
  A panel of `height: auto` gets one only when its height changes.
- The repaint goes to the screen while it still handles the key (see `show`), so the list's
  move and the panel's new text leave in one frame.

The panel is a preview: text taller than it is cut (Enter opens the record in full).
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static

from deskapp.widgets.text import shown_as


class Detail(Static):
    _shown_height: int | None = None
    _shown: object = None

    def show(self, content: VisualType = "") -> None:
        shown = shown_as(content)
        if shown == self._shown:
            return  # the same record again (its list told the screen twice): nothing to draw
        self._shown = shown
        self.update(content, layout=False)
        height = self.styles.height
        if height is None or height.is_auto:
            width = self.content_region.width
            measured = self.get_content_height(self.parent.size if self.parent else self.size, self.app.size, width) if width else None
            if measured is None or measured != self._shown_height:
                self._shown_height = measured
                self.refresh(layout=True, repaint=False)  # keeps the height just measured for the layout
        # Hand the repaint to the screen now, while it is still handling the list's key: left to
        # this widget's own idle turn, it missed the screen's frame for the list's move and went
        # out one to two frames (16-33 ms) later in a frame of its own.
        self._check_refresh()
