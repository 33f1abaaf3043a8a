"""The console's lists: a DataTable that keeps its drawn cells when only its height changes, and
can tell its screen at once that its cursor moved.

- Textual's DataTable throws away every drawn cell on any resize. A Down that changed the height
  of the detail panel under the list made the list draw all its visible cells again: ~45 ms of a
  60 ms frame in F4 on a 2-core machine (scripts/bench.py). A cell's drawing depends on the
  columns' widths, never on the table's height, and the table's line cache already keys on its
  width; so a resize that keeps the width and the content's size keeps the cells.
- `on_highlight` is called as the cursor moves, in the same turn as the key. RowHighlighted
  reaches the screen one message hop per container between them; in F9 (tables in a
  ContentSwitcher) the screen had drawn the list's move before it heard, and the detail panel
  went out in a second frame 16-33 ms later.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.coordinate import Coordinate
from textual.widgets import DataTable


class ListTable(DataTable):
    _drawn_for: tuple[int, object] | None = None

    def __init__(self, *args, on_highlight: Callable[[], None] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._on_highlight = on_highlight

    def _on_resize(self, event: events.Resize) -> None:
        # A Resize also comes when the table's content changed size (columns widened to fit new
        # rows): then DataTable's handler must run, it is what makes the cells be drawn again.
        drawn_for = (event.size.width, self.virtual_size)
        if drawn_for == self._drawn_for:
            event.prevent_default()  # only the height changed: DataTable would drop every drawn cell
        self._drawn_for = drawn_for

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if (old_coordinate != new_coordinate and self._on_highlight is not None and self.is_mounted
                and 0 <= new_coordinate.row < self.row_count):  # as RowHighlighted: not while cleared or half filled
            self._on_highlight()
