"""The console's frame: a top bar with the signed-in clerk and the clock, a translated footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Label, Static


class CounterBar(Widget):
    """One line: the console's name, the office, the clerk on duty, the local time."""

    DEFAULT_CSS = """
    CounterBar {
        dock: top;
        height: 1;
        layout: horizontal;
        background: $primary;
        color: $text;
    }
    CounterBar > Label { padding: 0 1; }
    CounterBar > #bar-title { text-style: bold; }
    CounterBar > #bar-clerk { width: 1fr; content-align: center middle; }
    """

    _clerk = None
    _clock = ""

    def compose(self) -> ComposeResult:
        yield Label(id="bar-title")
        yield Label(id="bar-clerk")
        yield Label(id="bar-clock")

    def on_mount(self) -> None:
        self.refresh_bar()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        if self.app.ctx.clerk != self._clerk:  # a shift handover changed the clerk on duty
            self.refresh_bar()
            return
        # Once a minute, and without a new layout of the screen (same width): a layout every
        # second made any key pressed at that moment wait for it.
        clock = self._clock_text()
        if clock != self._clock:
            self.query_one("#bar-clock", Label).update(clock, layout=len(clock) != len(self._clock))
            self._clock = clock

    def _clock_text(self) -> str:
        ctx = self.app.ctx
        return ctx.clock.now().astimezone(ctx.policy.timezone).strftime("%Y-%m-%d %H:%M")

    def refresh_bar(self) -> None:
        ctx = self.app.ctx
        t = ctx.t
        self.query_one("#bar-title", Label).update(t("app.title"))
        clerk = self._clerk = ctx.clerk
        who = t("bar.clerk", name=clerk.name, role=t(f"role.{clerk.role}")) if clerk else t("bar.signed_out")
        self.query_one("#bar-clerk", Label).update(who)
        self._tick()


class KeyBar(Static):
    """The footer: the keys that work now, each described in the UI language."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        # immediate: redrawn while the screen handles the key that changed its keys, so the new keys
        # go out in that key's frame, not in a frame of their own 16-33 ms later
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed, immediate=True)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    _shown: Text | None = None

    def _bindings_changed(self, screen: Screen) -> None:
        t = self.app.ctx.t
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        # The screen's own keys first: at 80 columns the bar cuts off the global ones (F1 lists all).
        ordered = sorted(screen.active_bindings.values(), key=lambda active: active[0] is self.app)
        for _namespace, binding, enabled, _tooltip in ordered:
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append(f" {self.app.get_key_display(binding)} ", style="bold reverse")
            text.append(f" {t(binding.description)} ")
        if text != self._shown:  # one line, docked: a new text needs no new layout of the screen
            self._shown = text
            self.update(text, layout=False)
            self._check_refresh()  # the repaint to the screen now, not on this widget's idle turn
