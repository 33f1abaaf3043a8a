"""The list and its detail panel (deskapp.widgets.table, deskapp.widgets.detail): a Down draws the
list's move and the panel's new text in one frame, a panel of fixed height never asks for a new
layout, the list keeps its drawn cells when only its height changes, and the screen hears of a
cursor move in the same turn as the key even with containers between them; the same rows or text
again draw nothing."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable

from deskapp.widgets.detail import Detail
from deskapp.widgets.table import ListTable
from deskapp.widgets.text import set_text

ROWS = [(f"7-{n}-{n:02d}01", f"业主{n}", "水管漏水" * (1 + n % 4)) for n in range(1, 40)]


class ListScreen(Screen):
    def compose(self) -> ComposeResult:
        app = self.app
        table = ListTable(cursor_type="row", id="rows", on_highlight=None if app.via_message else app.moved)
        if app.nested:
            with Vertical(), Vertical():
                yield table
        else:
            yield table
        yield Detail(id="detail")
        yield Detail(id="auto")

    def on_mount(self) -> None:
        table = self.query_one(ListTable)
        table.add_columns("unit", "who", "what")
        for row in ROWS:
            table.add_row(*row)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.app.via_message:
            self.app.moved()


class ListApp(App):
    """A list and its panels. `via_message`: the panel follows RowHighlighted, handled by the
    screen (as Today does); else the table's on_highlight (as the registers do)."""

    CSS = """
    #rows { height: 14; }
    #detail { height: 5; overflow-y: hidden; }
    #auto { height: auto; max-height: 8; }
    """

    def __init__(self, nested: bool = False, via_message: bool = False) -> None:
        super().__init__()
        self.nested = nested
        self.via_message = via_message
        self.frames = 0
        self.heard: list[int] = []

    def on_mount(self) -> None:
        self.push_screen(ListScreen())

    def moved(self) -> None:
        table = self.screen.query_one(ListTable)
        self.heard.append(table.cursor_row)
        unit, who, what = table.get_row_at(table.cursor_row)
        self.screen.query_one("#detail", Detail).show(f"{unit} · {who}\n{what}")

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames += 1


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


@pytest.mark.parametrize("how", ["on_highlight, tables nested", "RowHighlighted, handled by the screen"])
async def test_a_down_draws_the_list_and_the_detail_in_one_frame(how: str) -> None:
    app = ListApp(nested=True) if how.startswith("on_highlight") else ListApp(via_message=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for n in range(1, 6):
            before = app.frames
            await pilot.press("down")
            await settle(pilot)
            assert app.heard[-1] == n
            assert ROWS[n][1] in str(app.screen.query_one("#detail", Detail).render())
            assert app.frames - before == 1


async def test_the_screen_hears_of_the_move_before_the_key_is_done() -> None:
    app = ListApp(nested=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListTable)
        table.move_cursor(row=4)  # no message hop: the callback ran in this very call
        assert app.heard[-1] == 4
        table.move_cursor(row=4)
        assert app.heard.count(4) == 1  # not told of a cursor that did not move
        heard = len(app.heard)
        table.clear()  # the cursor goes back to the top of an empty list: nothing to tell
        assert len(app.heard) == heard


async def test_a_fixed_panel_never_asks_for_a_layout_and_an_auto_one_only_when_its_height_changes() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        layouts: list[int] = []
        layout = screen._refresh_layout

        def counted(*args, **kwargs):
            layouts.append(1)
            return layout(*args, **kwargs)

        screen._refresh_layout = counted
        fixed, auto = app.screen.query_one("#detail", Detail), app.screen.query_one("#auto", Detail)
        fixed.show("一\n二\n三\n四\n五\n六\n七")  # taller than the panel: cut, no layout
        await settle(pilot)
        assert (len(layouts), fixed.size.height) == (0, 5)
        assert "一" in str(fixed.render())
        auto.show("一\n二")
        await settle(pilot)
        grown = len(layouts)
        assert grown > 0 and auto.size.height == 2
        auto.show("三\n四")  # same height: no layout
        await settle(pilot)
        assert (len(layouts), auto.size.height) == (grown, 2)
        assert "四" in str(auto.render())
        auto.show("三\n四\n五")
        await settle(pilot)
        assert len(layouts) > grown and auto.size.height == 3
        assert "五" in str(auto.render())


async def test_the_same_text_again_draws_nothing() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#detail", Detail)
        detail.show("7-1-0101")
        await settle(pilot)
        before = app.frames
        detail.show("7-1-0101")
        await settle(pilot)
        assert app.frames == before


async def test_the_list_keeps_its_drawn_cells_when_only_its_height_changes() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListTable)
        drawn = table._update_count
        table.styles.height = 10
        await settle(pilot)
        assert table.size.height == 10
        assert table._update_count == drawn  # Textual's DataTable would have dropped every cell
        await pilot.resize_terminal(100, 24)
        await settle(pilot)
        assert table._update_count > drawn  # a new width: drawn again
        assert isinstance(table, DataTable)


async def test_a_column_widened_by_new_rows_is_drawn_in_full() -> None:
    app = ListApp()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListTable)
        table.clear()
        table.add_row("7-99-9901", "欧阳先生和他的家人", "水管漏水")  # wider than the headers
        before = table.render_line(1).text  # drawn (and kept) before the columns were measured
        assert "欧阳先生和他的家人" not in before
        await settle(pilot)
        line = table.render_line(1).text
        assert "7-99-9901" in line and "欧阳先生和他的家人" in line, line


async def test_the_same_rows_again_draw_nothing_and_keep_the_cursor() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListTable)
        rows = [(f"r{n}", (unit, Text(who, style="bold"), what)) for n, (unit, who, what) in enumerate(ROWS[:10])]
        assert table.fill(rows) is True
        await settle(pilot)
        table.move_cursor(row=6)
        await settle(pilot)
        before = app.frames
        again = [(key, (cells[0], Text(cells[1].plain, style="bold"), cells[2])) for key, cells in rows]  # equal, not the same objects
        assert table.fill(again) is False
        await settle(pilot)
        assert (app.frames, table.cursor_row, table.row_count) == (before, 6, 10)
        restyled = [*again[:9], ("r9", (ROWS[9][0], Text(ROWS[9][1], style="red"), ROWS[9][2]))]  # only a style differs
        assert table.fill(restyled) is True
        await settle(pilot)
        assert app.frames > before and table.row_count == 10
        table.clear()
        assert table.fill(restyled) is True  # cleared by hand: filled again


async def test_set_text_draws_only_what_changed() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        label = app.screen.query_one("#auto", Detail)
        assert set_text(label, Text("共 4 张", style="bold")) is True
        await settle(pilot)
        before = app.frames
        assert set_text(label, Text("共 4 张", style="bold")) is False
        await settle(pilot)
        assert app.frames == before
        assert set_text(label, Text("共 4 张", style="bold red")) is True
        assert set_text(label, "共 5 张") is True


def _cells(seed: int) -> list[tuple[str, list[object]]]:
    """Rows of every kind of cell the screens give: plain and styled Text, spans, wide (CJK)
    characters, empty cells, strings with and without markup, text with a tab or a line break,
    numbers."""
    import random

    pick = random.Random(seed)
    words = ["7-2-2402", "王女士", "水管漏水", "", " ", "已派单", "逾期 2 天", "Mr Lee", "[b]x[/b]", "a\tb", "两行\n文字", "⚠ 超时"]
    styles = ["", "bold", "bold red", "yellow", "dim", "reverse", "italic green"]
    rows = []
    for n in range(60):
        cells: list[object] = []
        for _column in range(5):
            kind = pick.randrange(6)
            word = pick.choice(words)
            if kind == 0:
                cells.append(word)
            elif kind == 1:
                cells.append(Text(word, style=pick.choice(styles)))
            elif kind == 2:
                text = Text(word)
                if word:
                    text.stylize(pick.choice(styles[1:]), 0, max(1, len(word) // 2))
                cells.append(text)
            elif kind == 3:
                cells.append(Text.assemble((word, pick.choice(styles)), " ", ("尾", pick.choice(styles))))
            elif kind == 4:
                cells.append(n * 7)
            else:
                cells.append(None)
        rows.append((f"k{n}", cells))
    return rows


class PlainListTable(DataTable):
    """Textual's own table, to draw the same rows rich's way."""


class TwoTablesApp(App):
    CSS = "DataTable { height: 12; }"
    AUTO_FOCUS = None  # a focused table draws its cursor brighter: the two are drawn alike

    def __init__(self, rows, **options) -> None:
        super().__init__()
        self.rows, self.options = rows, options

    def compose(self) -> ComposeResult:
        yield ListTable(id="fast", **self.options)
        yield PlainListTable(id="rich", **self.options)

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("a", "b", "c", "d", "e")
            for key, cells in self.rows:
                table.add_row(*cells, key=key)


@pytest.mark.parametrize("options", [
    {"cursor_type": "row", "zebra_stripes": True},
    {"cursor_type": "cell", "zebra_stripes": False, "fixed_columns": 1, "fixed_rows": 2},
    {"cursor_type": "row", "zebra_stripes": True, "cell_padding": 0},
])
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_one_line_cell_is_measured_and_drawn_as_rich_would(options: dict, seed: int, monkeypatch) -> None:
    """ListTable's short way to measure and draw a cell gives the columns and the segments of
    Textual's DataTable, for every kind of cell; the cursor on a cell, the hover, the fixed rows
    and columns and the zebra stripes included."""
    from rich.segment import Segment

    rich_way: list[str] = []
    drawn = DataTable._render_cell

    def counted(table, *args, **kwargs):
        rich_way.append(table.id)
        return drawn(table, *args, **kwargs)

    monkeypatch.setattr(DataTable, "_render_cell", counted)
    rows = _cells(seed)
    app = TwoTablesApp(rows, **options)
    async with app.run_test(size=(150, 30)) as pilot:
        await settle(pilot)
        fast, slow = app.query_one("#fast", ListTable), app.query_one("#rich", DataTable)
        assert [c.content_width for c in fast.ordered_columns] == [c.content_width for c in slow.ordered_columns]
        for table in (fast, slow):
            table.move_cursor(row=3, column=2)
        await settle(pilot)
        compared = 0
        for row in range(len(rows)):
            for column in range(5):
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    for table in (fast, slow):
                        table._cell_render_cache.clear()
                    width = fast.ordered_columns[column].get_render_width(fast)
                    style = fast.rich_style
                    ours = fast._render_cell(row, column, style, width, cursor, hover)
                    theirs = slow._render_cell(row, column, style, width, cursor, hover)
                    assert [list(Segment.simplify(line)) for line in ours] == [list(Segment.simplify(line)) for line in theirs], (row, column, rows[row][1][column])
                    compared += 1
        assert compared == len(rows) * 5 * 3
        # the short way was taken for most cells (rich's way for a tab, a line break, a number)
        assert 0 < rich_way.count("fast") < compared // 2 and rich_way.count("rich") >= compared
        for y in range(12):  # and whole lines, as the screen draws them
            assert fast.render_line(y).text == slow.render_line(y).text


async def test_a_str_cell_is_text_not_markup() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListTable)
        table.fill([("r1", ("7-1-0101", "[b]王[/b]", "[/oops"))])  # "[/oops" would be a markup error
        await settle(pilot)
        line = table.render_line(1).text
        assert "[b]王[/b]" in line and "[/oops" in line, line


def _standard(rule: str):
    """A work order's detail as F4 shows it: its lines over a grid of the step's standard."""
    from rich.console import Group
    from rich.table import Table

    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row("动作", Text("相应填写工作联系单或维修单,传递给相关人员处理。"))
    grid.add_row("规定", Text(rule))
    return Group(Text("WX000126 · 已派工", style="bold"), grid)


async def test_the_same_table_again_draws_nothing() -> None:
    """Made again by a reload, equal but not the same object: not drawn again; another rule is."""
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#detail", Detail)
        detail.show(_standard("15 分钟内到达现场"))
        await settle(pilot)
        before = app.frames
        detail.show(_standard("15 分钟内到达现场"))
        await settle(pilot)
        assert app.frames == before
        detail.show(_standard("30 分钟内到达现场"))
        await settle(pilot)
        assert app.frames == before + 1
