"""The dialog box every modal of the console uses: centred, a title, hints, field errors.

Every dialog keeps what the clerk types as a draft (services/drafts.py), a second after the last
key: a console killed mid-form loses at most that second. Opening the same form again brings the
text back; saving or cancelling it removes the draft. PIN fields are never kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import wraps
from typing import TypeVar

from textual import events, on
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from deskapp.screens.one_frame import OneFrameLayout

ResultType = TypeVar("ResultType")

DRAFT_DELAY = 1.0  # seconds after the last key before the text is kept

log = logging.getLogger(__name__)

_writer: ThreadPoolExecutor | None = None


def _draft_writer() -> ThreadPoolExecutor:
    """One thread for every draft write and removal, so they reach the store in the order made:
    a removal on save can never be overtaken by the last keep of the same form."""
    global _writer
    if _writer is None:
        _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deskapp-drafts")
    return _writer


def settle_drafts(timeout: float = 10.0) -> None:
    """Wait until every draft write asked for so far is in the store (tests, and the harness)."""
    _draft_writer().submit(lambda: None).result(timeout)


def _in_order(work) -> Future:
    def guarded() -> None:
        try:
            work()
        except Exception:  # a draft is a safety net: it never trips the clerk
            log.exception("draft not written")

    return _draft_writer().submit(guarded)


def while_open(handler: Callable[..., object]) -> Callable[..., object]:
    """For a dialog's handler that saves or closes it: not run once the dialog is dismissed. Enter
    pressed twice in quick succession reaches the form twice (both are on their way before the
    first closes it): the form is saved once, not twice."""

    @wraps(handler)
    def guarded(self: Dialog, *args: object, **kwargs: object) -> object:
        if self.dismissed:
            return None
        return handler(self, *args, **kwargs)

    return guarded


class Dialog(OneFrameLayout, ModalScreen[ResultType]):
    """Compose a `Vertical` holding the content; Escape dismisses with None."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    Dialog .title { text-style: bold; }
    Dialog .hint { color: $text-muted; width: 1fr; }
    Dialog .field-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    KEEPS_DRAFT = True
    """False for a dialog whose text is not worth keeping (a search, a PIN alone)."""

    _draft_timer: Timer | None = None
    _draft_baseline: dict[str, str] | None = None
    _dismissed = False

    @property
    def dismissed(self) -> bool:
        """True once dismissed (it may still be on its way off the screen)."""
        return self._dismissed

    def action_cancel(self) -> None:
        self.dismiss(None)

    # --- kept and opened again (DeskScreen.open_kept) -------------------------------------------

    def reset(self) -> None:
        """Put the form back as it is composed: a dialog kept by its screen is opened again this way
        instead of being composed and mounted anew. Changed messages are not sent meanwhile."""
        raise NotImplementedError(f"{type(self).__name__} cannot be kept: it has no reset")

    def on_screen_resume(self) -> None:
        if not self._dismissed:
            return  # opened the first time, or shown again as a dialog opened over it closes
        self._dismissed = False
        self._draft_baseline = None
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed, Checkbox.Changed):
            self.reset()
        self._restore_draft()

    # --- drafts -------------------------------------------------------------------------------

    def _drafting(self):
        """(store, clock, staff id) when this dialog keeps drafts, else None."""
        ctx = getattr(self.app, "ctx", None)
        if not self.KEEPS_DRAFT or ctx is None or ctx.store is None or ctx.clerk is None:
            return None
        return ctx.store, ctx.clock, ctx.clerk.staff_id

    def draft_title(self) -> str:
        title = self.query(".title").first(Label) if self.query(".title") else None
        return str(title.content) if title is not None else type(self).__name__

    def draft_key(self) -> str:
        return f"{type(self).__module__.rsplit('.', 1)[-1]}.{type(self).__qualname__}:{self.draft_title()}"

    def _draft_fields(self) -> dict[str, str]:
        fields = {widget.id: widget.value for widget in self.query(Input) if widget.id and not widget.password}
        fields.update({widget.id: widget.text for widget in self.query(TextArea) if widget.id and not widget.read_only})
        return fields

    @on(events.Mount)
    def _restore_draft(self) -> None:
        drafting = self._drafting()
        if drafting is None or not self.is_current:  # built ahead, not shown: restored as it opens
            return
        self._draft_baseline = self._draft_fields()
        from deskapp.services import drafts

        store, _clock, staff_id = drafting
        try:
            draft = drafts.load(store, staff_id, self.draft_key())
        except Exception:  # a draft is a convenience: a store that cannot give it never stops the form
            log.exception("draft not loaded")
            return
        if draft is None:
            return
        restored = 0
        for widget in self.query(Input):
            if widget.id in draft.fields and not widget.password:
                widget.value = draft.fields[widget.id]
                restored += 1
        for widget in self.query(TextArea):
            if widget.id in draft.fields and not widget.read_only:
                widget.text = draft.fields[widget.id]
                restored += 1
        if restored:
            ctx = self.app.ctx
            at = draft.saved_at.astimezone(ctx.clock.now().tzinfo).strftime("%H:%M")
            self.notify(ctx.t("drafts.restored", at=at), timeout=6)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _typed(self, event) -> None:
        if self._draft_baseline is None or getattr(event, "input", None) is not None and event.input.password:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._keep_draft)

    def _keep_draft(self) -> None:
        drafting = self._drafting()
        if drafting is None or self._draft_baseline is None:
            return
        from deskapp.services import drafts

        current = self._draft_fields()
        # A form as it opened (its defaults, what the screen filled in) is no draft: nothing typed.
        fields = current if current != self._draft_baseline else {}
        store, clock, staff_id = drafting
        key, title = self.draft_key(), self.draft_title()
        _in_order(lambda: drafts.save(store, clock, staff_id, key, title, fields))

    def dismiss(self, result=None):
        if self._dismissed:  # a second Enter's save: the first closed it, and popping again would close the screen under it
            return AwaitComplete.nothing()
        self._dismissed = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        drafting = self._drafting()
        if drafting is not None and self._draft_baseline is not None:
            from deskapp.services import drafts

            store, _clock, staff_id = drafting
            key = self.draft_key()
            _in_order(lambda: drafts.discard(store, staff_id, key))
        return super().dismiss(result)
