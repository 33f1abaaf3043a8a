"""A layout of the screen is one frame, not two or three.

Textual lays out a screen, draws the frame, and then lays out and draws again for every widget
whose size or scrollable size the layout itself has just set: `Widget._size_updated` sets the
widget's `virtual_size`, a reactive that asks for a layout and a repaint. For a label whose
text grew, a list that got rows, or the scroll bar of a list that got rows, the second layout
finds what the first found; each such round waited for Textual's next frame (at most 60 a
second) and took 15-45 ms of a key: in F9 the "o" key (all / open) drew its list in 40 ms and
finished at 90 ms, after two more frames for its title line and the list's scroll bar
(scripts/bench.py --only keys, 5-year store).

`OneFrameLayout._refresh_layout` first takes in what the screen's widgets have asked for and
not yet told the screen (a widget tells it on its own idle turn, often after the frame: a list
filled in the key's turn otherwise laid out again a frame later). It keeps Textual's layout and
holds back its frame; drops the layout requests that the layout itself raised with a widget's
new size; where the layout showed or hid a scroll bar (which changes what is laid out) lays out
again at once, in the same turn; and draws the widgets that asked for a repaint on the way (a
scroll bar's new thumb) in that same frame.

Textual 8.2.8 internals relied on: `Screen._refresh_layout`, `Screen._compositor_refresh`,
`Compositor.layers` / `update_widgets`, `Widget._layout_required` / `_layout_updates` /
`_repaint_required` / `_clear_arrangement_cache` / `_vertical_scrollbar` …, `Screen._dirty_widgets`.
tests/ui/test_one_frame.py fails if they stop behaving so.
"""

from __future__ import annotations

import asyncio

from textual import events, messages
from textual._time import get_time
from textual.geometry import Size
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.widgets import OptionList

RELAYOUTS = 2
"""Layouts again in the same turn, at most, for scroll bars the layout showed or hid."""
PATH_WAIT = 0.03
"""Seconds, at most, a frame waits for the messages the screen has not read yet (see _on_the_way)."""


class OneFrameLayout:
    """Mixin for a Screen (before Screen in the bases)."""

    _frame_held: bool | None = None
    _frame_due = False  # a frame waits for the screen's queue to be read
    _frame_due_at = 0.0  # when the frame waiting first came due (textual._time.get_time)
    _draw_held = False  # a layout's frame waits for what it told the widgets (_told_by_layout)
    _drawing = False  # in the frame timer's turn, past its waits
    _awaited: tuple[Widget, ...] = ()  # the widgets it told
    _resuming = False  # between the mixin's and Screen's handlers of ScreenResume
    _resume_size: Size | None = None  # the size of the layout put off at a resume
    _laid_out_at = float("-inf")  # when the last layout began (textual._time.get_time, as Message.time)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Before Screen's own (the dispatch calls it after this one, which does not call it):
        # the layout Screen's asks for at once is put off to the screen's idle, after the messages
        # its widgets send as they mount, show and take the focus (see _refresh_layout).
        self._resuming = True

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        if self._resuming:
            # A screen switched to or pushed (a dialog) was laid out and drawn at once, then again
            # for what its widgets told it as they mounted and showed: 2-3 frames, the last 20-40
            # ms after the first. Laid out once, when the screen's queue is read.
            self._resuming = False
            self._resume_size = size or self._resume_size
            self._layout_required = True
            self._frame_due = True  # drawn at the idle, not a frame interval after it
            self.check_idle()
            return
        if size is None and self._resume_size is not None:
            size = self._resume_size
        self._resume_size = None
        started = get_time()
        widgets = self.walk_children(Widget)
        scrollable = {widget: _scrollbars(widget) for widget in widgets if widget.is_scrollable}
        if self._take_requests(widgets):
            scroll = False  # a widget waits for a layout: the whole screen is laid out
        if not scroll or self._layout_widgets:  # not only a scroll: every widget is laid out
            self._laid_out_at = started
        repaint: set[Widget] = set()
        held = False
        for lap in range(1 + RELAYOUTS):
            self._frame_held = False
            try:
                super()._refresh_layout(size, scroll)
            finally:
                held, self._frame_held = held or bool(self._frame_held), None
            again: list[Widget] = []
            for widget, _geometry in self._compositor.layers:  # with the scroll bars (not in .widgets)
                if isinstance(widget, OptionList):
                    # It measures its lines as it is drawn, and a new measure asked for a layout
                    # after the frame (a match list shown: a second frame, a frame interval later).
                    widget._update_lines()
                if widget._layout_required:
                    if widget in scrollable and _scrollbars(widget) != scrollable[widget]:
                        again.append(widget)  # a scroll bar shown or hidden: laid out again
                        scrollable[widget] = _scrollbars(widget)
                    else:
                        widget._layout_required = False  # asked by the size the layout gave it
                if widget._repaint_required:
                    widget._repaint_required = False
                    repaint.add(widget)
            if not again or lap == RELAYOUTS:
                break
            for widget in again:
                widget._layout_required = False
                _ask_ancestors(widget)
            scroll = False
        if repaint:
            self._compositor.update_widgets(repaint)
        if held:
            if self._told_by_layout():
                self._draw_held = True  # drawn when they have read it (see _on_the_way)
                self._wait_for_frame()
            else:
                self._compositor_refresh()

    def _told_by_layout(self) -> bool:
        """The layout told the widgets it laid out what it did to them (a Resize, a Show) and they
        have not read it yet. A list shown or resized clears the lines it drew at its old size and
        asks to draw them again: drawn in a frame of its own, a frame interval after the layout's
        (the unit look-up's first match list: 17 and 37 ms). The top screen's frame waits for them."""
        if self is not self.app.screen:
            return False
        self._awaited = tuple(widget for widget, _ in self._compositor.layers if _has_messages(widget))
        return bool(self._awaited)

    def _take_requests(self, widgets: list[Widget]) -> bool:
        """Take into this layout and its frame what the screen's widgets have asked for and not
        yet told the screen (each tells it on its own idle turn, a frame later). True if one
        asked for a layout."""
        layout = False
        shown = self._compositor.visible_widgets
        for widget in _with_scrollbars(widgets):
            if widget._layout_required:
                widget._layout_required = False
                _ask_ancestors(widget)
                layout = True
            if widget._repaint_required and widget in shown:
                widget._repaint_required = False
                self._dirty_widgets.add(widget)
        return layout

    async def _on_layout(self, message: messages.Layout) -> None:
        # A widget that is not shown, and was not in the last layout either (in a tab not shown:
        # a list's scroll bar restyled as the list lost the focus), cannot change the layout;
        # Textual laid the screen out for it. (One just hidden can: the space it took closes.)
        # Nor can one that asked before the last layout began: that layout took it in. (A widget
        # tells the screen on its own turn; the screen's frame timer does not wait for the
        # messages already in its queue, so they came after the frame and made another.)
        hidden = not _displayed(message.widget) and message.widget not in self._compositor.widgets  # nor shown before
        if hidden or message.time <= self._laid_out_at:
            message.stop()
            message.prevent_default()
            return
        await super()._on_layout(message)

    def _screen_resized(self, size: Size) -> None:
        # A screen pushed is laid out as it resumes, then gets a Resize of the same size, which
        # laid it out again, and every screen under it too (a modal's background is drawn
        # through it): two more frames, 5-30 ms after the dialog's first. A real resize changes
        # the size, and a layout asked for meanwhile still comes (the timer's).
        if size == self._compositor.size:
            return
        super()._screen_resized(size)

    def _on_timer_update(self) -> None:
        self._resuming = False
        # The frame timer runs in a task of its own: it does not wait for what the widgets have
        # told the screen and the screen has not read yet (a step panel just shown asking for its
        # layout, a list its repaint). Drawn without them, they made a frame of their own after
        # it. So the frame waits, PATH_WAIT at most, for the screen's queue to be read, and for
        # what is still on its way to the screen (_on_the_way: a field's Changed, whose handler
        # fills a match list, made the field's echo a frame at 2 ms and the list one at 25-35 ms),
        # and is drawn at the screen's idle right after (the timer's next turn would be a frame
        # interval later).
        if not self._frame_due:
            self._frame_due_at = get_time()
        if self._on_the_way():
            self._wait_for_frame()
            return
        self._frame_due = False
        self._awaited = ()
        self._drawing = True
        try:
            super()._on_timer_update()
            if self._draw_held and not self._frame_due:
                self._compositor_refresh()
        finally:
            self._drawing = False

    def _wait_for_frame(self) -> None:
        """Put the frame off to the screen's idle (_on_idle), looked at again every PATH_WAIT / 10
        until nothing is on its way; PATH_WAIT counts from when it first came due."""
        if not self._frame_due:
            self._frame_due_at = get_time()
            self._frame_due = True
        self._update_timer.pause()
        asyncio.get_running_loop().call_later(PATH_WAIT / 10, self.check_idle)

    def _on_the_way(self) -> bool:
        """A message is in the screen's queue, or in that of the focused widget or one of its
        ancestors (on its way to the screen), or of a widget the layout told; or a callback waits
        for the screen's idle, or a widget is being mounted; and the frame has not waited
        PATH_WAIT for it yet."""
        if get_time() - self._frame_due_at > PATH_WAIT:
            return False
        if _has_messages(self):
            return True
        if self._next_callbacks or self.app._next_callbacks:  # a dialog's result, given as it closed,
            return True  # is read at the idle of the screen or app that opened it
        if any(_has_messages(widget) for widget in self._awaited):
            return True
        node = self.focused
        while node is not None and node is not self:
            if _has_messages(node):
                return True
            node = node._parent
        # a widget mounted in the key (a form's step panel) is drawn with what it shows once
        # mounted: the frame before showed the form without it, and it came a frame later
        return not all(widget._is_mounted for widget in self.walk_children(Widget))

    async def _on_idle(self, event: events.Idle) -> None:
        self._resuming = False
        if self._frame_due and not _has_messages(self):
            self._on_timer_update()
        await super()._on_idle(event)  # which stops the dispatch: Screen's is not called again

    def _compositor_refresh(self) -> None:
        if self._frame_held is not None:  # inside _refresh_layout: drawn once it is done
            self._frame_held = True
            return
        if self is self.app.screen and not self._drawing and (self._frame_due or _has_messages(self)):
            # Not the frame timer's (a layout for a screen switched to, drawn after the app's batch
            # of updates): a frame waits already, or it waits as the timer's would (its ScreenResume
            # is still to be read), and is drawn as that frame.
            self._draw_held = True
            self._wait_for_frame()
            return
        self._draw_held = False
        if self is self.app.screen:
            self._take_repaints()
        super()._compositor_refresh()

    def _take_repaints(self) -> None:
        """Draw in this frame what the shown widgets have asked to repaint and not yet told the
        screen. A widget tells the screen on its own idle turn: a field that took the focus in the
        key's turn told it after the frame, and was drawn again a frame (~30 ms) later.

        A frame that repaints the whole screen (a change of focus does) draws every widget as it
        is now: what they asked to repaint is done, and nothing is left to a frame after it."""
        compositor = self._compositor
        shown = compositor.visible_widgets
        whole = self.size.region in compositor._dirty_regions
        taken = set()
        for widget in _with_scrollbars(self.walk_children(Widget)):
            if widget not in shown:
                continue
            if whole:
                widget._repaint_required = False
                widget._exchange_repaint_regions()
            elif widget._repaint_required or widget._repaint_regions:  # asked, or told and not yet drawn
                widget._repaint_required = False
                taken.add(widget)
        if taken:
            compositor.update_widgets(taken)


def _has_messages(pump: MessagePump) -> bool:
    """Messages wait in the pump's queue, or one taken from it to be read next: Textual's loop
    looks at the next message (to merge it with the one it reads) by taking it from the queue,
    and a ScreenResume so taken was read after the frame drawn at the idle before it."""
    return pump._pending_message is not None or not pump._message_queue.empty()


def _ask_ancestors(widget: Widget) -> None:
    """What Widget._check_refresh does for a layout before it asks the screen for one."""
    for ancestor in widget.ancestors:
        if not isinstance(ancestor, Widget):
            break
        ancestor._clear_arrangement_cache()
        ancestor._layout_updates += 1
        if not ancestor.styles.auto_dimensions:
            break


def _with_scrollbars(widgets: list[Widget]) -> list[Widget]:
    """The widgets and their scroll bars (which are not among their children)."""
    found = []
    for widget in widgets:
        found.append(widget)
        for bar in (widget._vertical_scrollbar, widget._horizontal_scrollbar, widget._scrollbar_corner):
            if bar is not None:
                found.append(bar)
    return found


def _displayed(widget: Widget) -> bool:
    node = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def _scrollbars(widget: Widget) -> tuple[bool, bool]:
    return widget.show_horizontal_scrollbar, widget.show_vertical_scrollbar
