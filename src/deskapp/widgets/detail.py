"""The panel under a list that shows the highlighted record in full.

It changes on every Up and Down. A Static's update() asks for a new layout of the whole screen
each time, and that layout, with the frames after it, was most of a key's time in the lists
(scripts/bench.py: three frames and ~50 ms a Down on a loaded 2-core machine, one frame without).
`Detail.show` asks for the layout only when the panel's height changes.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class Detail(Static):
    _shown_height: int | None = None

    def show(self, content: VisualType = "") -> None:
        self.update(content, layout=False)
        width = self.content_region.width
        height = self.get_content_height(self.parent.size if self.parent else self.size, self.app.size, width) if width else None
        if height is None or height != self._shown_height:
            self._shown_height = height
            self.refresh(layout=True, repaint=False)  # keeps the height just measured for the layout
