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
- Measuring and drawing a one-line cell take a short way. DataTable measures each cell of new
  rows through rich (`measure`, ~60 µs a cell) and draws each visible cell through rich's
  Padding and Styled (~250 µs a cell): on the 5-year store a list of 200 work orders took 80 ms
  to measure and 45 ms to draw its screenful, in the key that changed the filter. A one-line
  Text's width is its cell length, and its drawing is its segments with the cell's padding and
  styles around them: the same segments rich makes (tests/ui/test_list_widgets.py compares the
  two ways cell by cell), at a tenth of the cost. Cells that are not one line of Text (a
  label, a wrapped row, a tab, text wider than its column) go rich's way as before.
- `fill` takes plain strings as text, never as markup: a str cell was parsed as rich markup
  each time it was measured or drawn, and a clerk's "[" in a note would have been read as a tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

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

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = self._widths()
        other = self._measure_one_line_rows(new_rows)
        if other:
            super()._update_dimensions(other)
        else:  # what DataTable's ends with
            columns_width = sum(column.get_render_width(self) for column in self.columns.values())
            header_height = self.header_height if self.show_header else 0
            self.virtual_size = Size(columns_width + self._row_label_column_width, self._total_row_height + header_height)
        self._redraw_if_wider(widths)

    def _measure_one_line_rows(self, new_rows: Iterable[RowKey]) -> list[RowKey]:
        """Widen the columns to the rows whose cells are one line each (their width is their cell
        length); the other rows are returned, for DataTable to measure its way."""
        other: list[RowKey] = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row = self.rows.get(row_key)
            cells = self._data.get(row_key)
            if row is None or cells is None or self._row_locations.get(row_key) is None:
                continue  # removed since (DataTable too skips these)
            if row.label is not None or row.auto_height:
                other.append(row_key)
                continue
            widths = [_one_line_width(cells.get(column.key)) for column in columns]
            if None in widths:
                other.append(row_key)
                continue
            for column, width in zip(columns, widths):
                column.content_width = max(column.content_width, width)
        return other

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

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        key = (row_key, self._column_locations.get_key(column_index), base_style, cursor, hover,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)  # DataTable's own cache key
        cached = self._cell_render_cache.get(key)
        if cached is not None:
            return cached
        row = self.rows[row_key]
        cell = self._get_row_renderables(row_index).cells[column_index]
        inner = width - 2 * self.cell_padding
        if (row.height != 1 or row.auto_height or not isinstance(cell, Text) or (cell.justify or "default") != "default"
                or not cell.plain.isprintable() or cell_len(cell.plain) > inner or self._console_justify() != "default"):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns, hover, cursor,
            self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        pad = " " * self.cell_padding
        # What rich's Padding(cell) in Styled(pre, post) gives for one line that fits: the text's
        # segments (its own style as a span, as rich joins lines), padded to the width.
        segments = [Segment(pad), *_JOIN.join([cell]).render(self.app.console), Segment(pad + " " * (inner - cell_len(cell.plain)))]
        lines = [list(Segment.apply_style([s for s in segments if s.text], style=pre_style, post_style=post_style))]
        self._cell_render_cache[key] = lines
        return lines

    def _console_justify(self) -> str:
        return self.app.console_options.justify or "default"

    _filled: tuple | None = None

    def fill(self, rows: Sequence[tuple[str, Sequence[object]]]) -> bool:
        """Show these rows (key, cells), in place of the ones shown. When they are the same as
        those already shown, nothing is done and False is returned: the reloads after a dialog
        and every few seconds then draw nothing, and the cursor stays where it is."""
        rows = [(key, [Text(cell) if isinstance(cell, str) else cell for cell in cells]) for key, cells in rows]
        filled = tuple((key, tuple(shown_as(cell) for cell in cells)) for key, cells in rows)
        if filled == self._filled:
            return False
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        # Measured now, not on the table's next idle: a frame could come first and draw the
        # rows in the columns of the old ones, then draw them all again once widened.
        self._require_update_dimensions = False
        new_rows, self._new_rows = self._new_rows, set()
        self._update_dimensions(new_rows)
        self._filled = filled
        return True

    def clear(self, columns: bool = False) -> ListTable:
        self._filled = None
        return super().clear(columns)


_JOIN = Text("\n")


def _one_line_width(cell: object) -> int | None:
    """The width of a cell that is one line of text (what rich would measure), else None."""
    if cell is None:
        return 0
    if isinstance(cell, Text):
        plain = cell.plain
    elif isinstance(cell, str) and "[" not in cell:  # DataTable reads a str as markup
        plain = cell
    else:
        return None
    return cell_len(plain) if plain.isprintable() else None
