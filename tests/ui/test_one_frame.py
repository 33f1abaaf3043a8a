"""A layout is one frame (deskapp.screens.one_frame): Textual lays out again, a frame later, for
each widget whose size its layout set, and once more for a scroll bar it showed; the console's
screens do it all in the one frame. The plain Textual screen is measured alongside: if a Textual
upgrade changes either, these tests say so."""

from __future__ import annotations

import time
from typing import ClassVar

import pytest
from rich.text import Text
from textual import events, on
from textual._time import get_time
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList

from deskapp.screens.one_frame import OneFrameLayout
from deskapp.widgets.table import ListTable


class Plain(Screen):
    def compose(self) -> ComposeResult:
        yield Label("共 0 条", id="count")
        yield ListTable(id="rows")

    def on_mount(self) -> None:
        self.query_one(ListTable).add_columns("unit", "what")


class OneFrame(OneFrameLayout, Plain):
    pass


class FramesApp(App):
    CSS = "#rows { height: 8; }"

    def __init__(self, screen: type[Screen]) -> None:
        super().__init__()
        self.first = screen
        self.frames = 0

    def on_mount(self) -> None:
        self.push_screen(self.first())

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames += 1


async def _settle(pilot) -> None:
    for _ in range(6):
        await pilot.pause(0.03)


async def _frames_for(pilot, change) -> tuple[int, int]:
    """Frames drawn and layouts started (from the screen's update timer) after `change`."""
    app = pilot.app
    screen = app.screen
    before = app.frames
    layouts = 0
    real = screen._refresh_layout

    def counted(*args, **kwargs):
        nonlocal layouts
        layouts += 1
        return real(*args, **kwargs)

    screen._refresh_layout = counted
    change(screen)
    await _settle(pilot)
    del screen._refresh_layout
    return app.frames - before, layouts


def _longer_count(screen: Screen) -> None:
    screen.query_one("#count", Label).update(Text("共 12345 条，逾期 678 条"))


def _rows_past_the_height(screen: Screen) -> None:
    table = screen.query_one(ListTable)
    table.fill([(f"r{n}", (f"7-2-{n:04d}", "水管漏水" * (1 + n % 3))) for n in range(40)])


@pytest.mark.parametrize("change", [_longer_count, _rows_past_the_height], ids=["label grows", "list gets a scroll bar"])
async def test_a_change_of_size_is_one_layout_and_one_frame(change) -> None:
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, layouts = await _frames_for(pilot, change)
        assert (frames, layouts) == (1, 1)
        table = app.screen.query_one(ListTable)
        if change is _rows_past_the_height:
            assert table.show_vertical_scrollbar  # shown in that one frame
            assert "7-2-0000" in table.render_line(1).text


@pytest.mark.parametrize("change", [_longer_count, _rows_past_the_height], ids=["label grows", "list gets a scroll bar"])
async def test_textual_alone_takes_more_frames(change) -> None:
    """What OneFrameLayout is for: without it the same change is two or three layouts, each in a
    frame of its own. (If this fails after a Textual upgrade, the mixin may no longer be needed.)"""
    app = FramesApp(Plain)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, layouts = await _frames_for(pilot, change)
        assert frames >= 2 and layouts >= 2


async def test_a_repaint_asked_during_the_layout_is_in_its_frame() -> None:
    """The scroll bar's thumb moves when rows are added to a list that already scrolls: drawn in
    the layout's frame, not in one of its own after it."""
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        _rows_past_the_height(app.screen)
        await _settle(pilot)
        table = app.screen.query_one(ListTable)
        before = app.frames
        table.fill([(f"r{n}", (f"7-3-{n:04d}", "灯不亮")) for n in range(120)])
        await _settle(pilot)
        assert app.frames - before == 1
        assert table.vertical_scrollbar.window_virtual_size == 121  # the thumb is drawn for 120 rows and the header
        assert not any(w._repaint_required or w._layout_required for w in app.screen.walk_children())


def _told_before_a_layout(screen: Screen) -> None:
    """The label grows and tells the screen (its Layout and Update are queued), and the screen's
    frame timer lays out before the screen reads them: the timer does not wait for its queue."""
    label = screen.query_one("#count", Label)
    label.update(Text("共 12345 条，逾期 678 条"))
    label._check_refresh()  # what the label does on its idle turn
    screen._refresh_layout()


async def test_what_a_widget_told_before_the_layout_is_not_laid_out_and_drawn_again() -> None:
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, layouts = await _frames_for(pilot, _told_before_a_layout)
        assert (frames, layouts) == (1, 1)
        assert "逾期 678 条" in app.screen.query_one("#count", Label).render_line(0).text


async def test_textual_alone_lays_out_and_draws_again_for_what_was_told_before() -> None:
    app = FramesApp(Plain)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, layouts = await _frames_for(pilot, _told_before_a_layout)
        assert frames >= 2 and layouts >= 2


async def test_a_repaint_told_before_a_whole_screen_frame_is_not_drawn_again() -> None:
    """A change of focus repaints the whole screen: a field's repaint told to the screen before
    that frame and read after it would draw a second, identical frame."""
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        screen = app.screen
        label = screen.query_one("#count", Label)

        def repaint_then_whole_frame(screen: Screen) -> None:
            label.update(Text("共 0 条"), layout=False)
            label._check_refresh()  # its Update queued
            screen.refresh()  # the whole screen
            screen._on_timer_update()

        frames, _layouts = await _frames_for(pilot, repaint_then_whole_frame)
        assert frames == 1


def _told_then_the_timer(screen: Screen) -> None:
    """The label grows and tells the screen, and the screen's frame timer (a task of its own)
    fires before the screen has read what it was told."""
    label = screen.query_one("#count", Label)
    label.update(Text("共 12345 条，逾期 678 条"))
    label._check_refresh()  # its Layout and Update are in the screen's queue
    screen.refresh()  # something for the timer to draw
    screen._on_timer_update()


async def test_a_frame_waits_for_what_the_screen_was_told() -> None:
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, layouts = await _frames_for(pilot, _told_then_the_timer)
        assert (frames, layouts) == (1, 1)
        assert "逾期 678 条" in app.screen.query_one("#count", Label).render_line(0).text


async def test_textual_alone_draws_before_it_reads_what_it_was_told() -> None:
    app = FramesApp(Plain)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, _layouts = await _frames_for(pilot, _told_then_the_timer)
        assert frames >= 2


class PlainDialog(ModalScreen):
    DEFAULT_CSS = "PlainDialog { align: center middle; } PlainDialog > Vertical { width: 40; height: auto; border: round $primary; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("维修单 WO-000123", classes="title")
            with VerticalScroll():
                yield Label("\n".join(f"第 {n} 行" for n in range(30)))


class OneFrameDialog(OneFrameLayout, PlainDialog):
    pass


async def _frames_for_push(pilot, dialog: type[Screen]) -> tuple[int, int]:
    """Frames drawn, and calls of the dialog's _refresh_layout (one put off by the mixin counts),
    from its push until all is quiet."""
    app = pilot.app
    before = app.frames
    layouts = 0
    real = dialog._refresh_layout

    def counted(self, *args, **kwargs):
        nonlocal layouts
        layouts += 1
        return real(self, *args, **kwargs)

    dialog._refresh_layout = counted
    try:
        app.push_screen(dialog())
        await _settle(pilot)
    finally:
        dialog._refresh_layout = real
    return app.frames - before, layouts


async def test_a_dialog_pushed_is_drawn_in_fewer_frames() -> None:
    """Textual lays a pushed screen out as it resumes and draws it, again for its Resize (of the
    same size: and the screen under it, drawn through the dialog), and again for what its widgets
    told it as they mounted and showed: four frames for this dialog. The mixin lays it out once
    the screen's queue is read and skips the Resize of the same size; the dialog's mount, which
    completes after that, still asks for one more layout (two frames)."""
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, _calls = await _frames_for_push(pilot, OneFrameDialog)
        assert frames <= 2
        assert "WO-000123" in app.screen.query_one(".title", Label).render_line(0).text


async def test_textual_alone_draws_a_dialog_pushed_three_times_or_more() -> None:
    app = FramesApp(Plain)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        frames, _calls = await _frames_for_push(pilot, PlainDialog)
        assert frames >= 3


class PlainLookUp(Screen):
    """A field whose Changed fills a match list below it, shown once there are matches (the
    walk-in arrival's unit look-up)."""

    def compose(self) -> ComposeResult:
        yield Input(id="unit")
        yield OptionList(id="matches")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _look_up(self, event: Input.Changed) -> None:
        box = self.query_one(OptionList)
        box.clear_options()
        box.add_options([f"{event.value}-1-{n:02d}01  王先生" for n in range(1, 4)])
        box.display = True


class OneFrameLookUp(OneFrameLayout, PlainLookUp):
    pass


async def _frames_for_keys(pilot, *keys: str) -> list[int]:
    app = pilot.app
    counts = []
    for key in keys:
        before = app.frames
        await pilot.press(key)
        await _settle(pilot)
        counts.append(app.frames - before)
    return counts


async def test_a_key_whose_field_fills_a_list_is_one_frame() -> None:
    """The field's echo and the list its Changed filled (shown the first time, then refilled) are
    one frame: the frame waits for the Changed on its way from the field to the screen, for the
    list's Show and Resize, and measures the list's lines in the layout (it measured them as it
    was drawn, and asked for a layout after the frame)."""
    app = FramesApp(OneFrameLookUp)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        assert await _frames_for_keys(pilot, "7", "2") == [1, 1]
        box = app.screen.query_one(OptionList)
        assert box.display and box.option_count == 3
        assert "72-1-0101" in box.render_line(0).text


async def test_textual_alone_draws_the_echo_and_the_list_apart() -> None:
    app = FramesApp(PlainLookUp)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        first, second = await _frames_for_keys(pilot, "7", "2")
        assert first >= 2 and second >= 2


class AskDialog(ModalScreen[str]):
    BINDINGS: ClassVar[list[Binding]] = [Binding("enter", "dismiss('共 5 条')")]

    def compose(self) -> ComposeResult:
        yield Label("确认?")


class OneFrameAskDialog(OneFrameLayout, AskDialog):
    pass


async def _frames_to_close(pilot, dialog: type[Screen]) -> int:
    """Frames from the key that closes the dialog, whose result the screen under it shows."""
    app = pilot.app
    screen = app.screen
    app.push_screen(dialog(), lambda text: screen.query_one("#count", Label).update(text))
    await _settle(pilot)
    return (await _frames_for_keys(pilot, "enter"))[0]


async def test_a_dialog_closed_with_a_result_is_one_frame_with_the_result_shown() -> None:
    """The result is given to the screen that opened the dialog after its idle: the frame of the
    screen uncovered waits for it."""
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        assert await _frames_to_close(pilot, OneFrameAskDialog) == 1
        assert "共 5 条" in app.screen.query_one("#count", Label).render_line(0).text


async def test_textual_alone_draws_the_screen_uncovered_then_the_result() -> None:
    app = FramesApp(Plain)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        assert await _frames_to_close(pilot, AskDialog) >= 2


class PlainForm(Screen):
    """A key mounts a form (a step panel: a container with its lines and fields, composed as it
    mounts, over several turns of the loop)."""

    BINDINGS: ClassVar[list[Binding]] = [Binding("n", "new_form")]

    def compose(self) -> ComposeResult:
        yield Label("共 0 条", id="count")

    def action_new_form(self) -> None:
        self.mount(Form())


class SlowLabel(Label):
    def on_mount(self) -> None:
        time.sleep(0.002)  # with its siblings, the form's mount spans the frame timer's turns (~16 ms)


class Form(Vertical):
    DEFAULT_CSS = "Form { height: auto; }"

    def compose(self) -> ComposeResult:
        yield SlowLabel("报修登记", id="form-title")
        for n in range(20):
            yield SlowLabel(f"第 {n} 行")
        yield Input(id="form-unit")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


class OneFrameForm(OneFrameLayout, PlainForm):
    pass


async def test_a_key_that_mounts_a_form_is_one_frame_with_the_form() -> None:
    app = FramesApp(OneFrameForm)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        assert await _frames_for_keys(pilot, "n") == [1]
        assert "报修登记" in app.screen.query_one("#form-title", Label).render_line(0).text


async def test_textual_alone_draws_the_key_then_the_form_mounted() -> None:
    app = FramesApp(PlainForm)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        assert (await _frames_for_keys(pilot, "n"))[0] >= 2


async def test_a_frame_waits_for_the_message_the_loop_took_to_look_at() -> None:
    """Textual's loop looks at the next message by taking it from the queue (to merge it with the
    one it reads): a built screen switched to had its ScreenResume so taken when its frame came,
    and what it showed as it resumed was drawn in a second frame (F6 the first time: 14, 32 ms)."""
    app = FramesApp(OneFrame)
    async with app.run_test(size=(60, 16)) as pilot:
        await _settle(pilot)
        screen = app.screen
        screen._frame_due_at = get_time()
        assert not screen._on_the_way()
        screen._pending_message = events.ScreenResume()
        try:
            assert screen._on_the_way()
        finally:
            screen._pending_message = None


def test_every_screen_of_the_console_lays_out_so() -> None:
    from deskapp.screens.base import DeskScreen
    from deskapp.screens.dialog import Dialog
    from deskapp.screens.help import HelpScreen

    for screen in (DeskScreen, Dialog, HelpScreen):
        assert screen.__mro__.index(OneFrameLayout) < screen.__mro__.index(Screen), screen


def test_no_screen_hides_the_mixins_methods() -> None:
    """A screen's own method of the same name would be called in the mixin's place (the repair,
    release and complaints screens have a `_take_pending` of their own, for work handed over:
    the mixin's first name for its method was that)."""
    import importlib
    import pkgutil

    import deskapp.screens
    from deskapp.screens.base import DeskScreen
    from deskapp.screens.dialog import Dialog

    for module in pkgutil.iter_modules(deskapp.screens.__path__):
        importlib.import_module(f"deskapp.screens.{module.name}")

    def subclasses(cls: type) -> set[type]:
        return {cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))}

    screens = subclasses(DeskScreen) | subclasses(Dialog)
    assert len(screens) > 10
    for screen in screens:
        for name in ("_refresh_layout", "_take_requests", "_on_layout", "_compositor_refresh", "_on_timer_update", "_on_idle",
                     "_screen_resized", "_take_repaints", "_told_by_layout", "_on_the_way", "_wait_for_frame"):
            assert getattr(screen, name) is getattr(OneFrameLayout, name), (screen, name)
