"""The console's lists: a DataTable that keeps its drawn cells when only its height changes, can
tell its screen at once that its cursor moved, and is not redrawn when a reload finds the same
rows (`fill`).

- Textual's DataTable throws away every drawn cell on any resize. A Down that changed the height
  of the detail panel under the list made the list draw all its visible cells again: ~45 ms of a
  60 ms frame in F4 on a 2-core machine (scripts/bench.py). A cell's drawing depends on the
  columns' widths, never on the table's height, and the table's line cache already keys on its
  width; so a resize that keeps the width keeps the cells (and columns widened by new rows
  still drop them).
- `on_highlight` is called as the cursor moves, in the same turn as the key. RowHighlighted
  reaches the screen one message hop per container between them; in F9 (tables in a
  ContentSwitcher) the screen had drawn the list's move before it heard, and the detail panel
  went out in a second frame 16-33 ms later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import events
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from deskapp.widgets.text import shown_as


class ListTable(DataTable):
    _drawn_width: int | None = None

    def __init__(self, *args, on_highlight: Callable[[], None] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._on_highlight = on_highlight

    def _on_resize(self, event: events.Resize) -> None:
        if event.size.width == self._drawn_width:
            event.prevent_default()  # only the height changed: DataTable would drop every drawn cell
        self._drawn_width = event.size.width

    # DataTable also counted on that Resize to drop the cells drawn before the columns widened to
    # fit new rows (the table's content grew, so a Resize came). Now the widening itself does it.

    def _update_dimensions(self, new_rows) -> None:
        widths = self._widths()
        super()._update_dimensions(new_rows)
        self._redraw_if_wider(widths)

    def _update_column_widths(self, updated_cells) -> None:
        widths = self._widths()
        super()._update_column_widths(updated_cells)
        self._redraw_if_wider(widths)

    def _widths(self) -> tuple[int, ...]:
        return (self._label_column.content_width, *(column.content_width for column in self.columns.values()))

    def _redraw_if_wider(self, widths: tuple[int, ...]) -> None:
        if self._widths() != widths:
            self._update_count += 1  # what DataTable's Resize handler does: every cell drawn again
            self.refresh()

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if (old_coordinate != new_coordinate and self._on_highlight is not None and self.is_mounted
                and 0 <= new_coordinate.row < self.row_count):  # as RowHighlighted: not while cleared or half filled
            self._on_highlight()

    _filled: tuple | None = None

    def fill(self, rows: Sequence[tuple[str, Sequence[object]]]) -> bool:
        """Show these rows (key, cells), in place of the ones shown. When they are the same as
        those already shown, nothing is done and False is returned: the reloads after a dialog
        and every few seconds then draw nothing, and the cursor stays where it is."""
        filled = tuple((key, tuple(shown_as(cell) for cell in cells)) for key, cells in rows)
        if filled == self._filled:
            return False
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self._filled = filled
        return True

    def clear(self, columns: bool = False) -> ListTable:
        self._filled = None
        return super().clear(columns)
