"""DeskApp: one mode per scenario, the global F-keys, sign-in first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from deskapp.context import Context
from deskapp.heap import Heap
from deskapp.palette import RecordsProvider
from deskapp.screens.signin import SignInScreen

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import AwaitMount

    from deskapp.services.auth import SignedIn

    from deskapp.screens.complaints import Handed as ComplaintHanded
    from deskapp.screens.release import Handed
    from deskapp.screens.repair import Intake


HEAP_TIDY_S = 1.0
"""How often the idle check of the garbage collector runs (deskapp.heap)."""


WARM_UP_AFTER_S = 1.0
"""After sign-in, the screens' modules are imported in the background this long after Today shows."""

BUILD_IDLE_S = 0.5
"""Then each screen not yet opened is built (composed, mounted, laid out, its list read) once the
clerk has pressed no key for this long, one at a time: its F-key later only shows it."""

_SCREEN_MODULES: list[str] = []


def _later(module: str, name: str) -> Callable[[], Screen]:
    """A screen imported when its mode is first opened, or by the warm-up after sign-in; not at
    start-up (first paint sooner)."""
    _SCREEN_MODULES.append(f"deskapp.screens.{module}")

    def make() -> Screen:
        return getattr(import_module(f"deskapp.screens.{module}"), name)()

    return make


def _warm_up(done: threading.Event | None = None) -> None:
    """Import every screen's module (with its dialogs): 50-120 ms each that the first press of an
    F-key no longer waits for. In a thread, so the clerk's keys are handled meanwhile."""
    try:
        for module in _SCREEN_MODULES:
            try:
                import_module(module)
            except Exception:  # noqa: BLE001 - opening the screen imports it again and reports
                return
    finally:
        if done is not None:
            done.set()


class DeskApp(App):
    TITLE = "deskapp"
    MODES = {
        "signin": SignInScreen,
        "today": _later("today", "TodayScreen"),
        "walk_in": _later("walk_in", "WalkInScreen"),
        "phone": _later("phone", "PhoneScreen"),
        "repair": _later("repair", "RepairScreen"),
        "release": _later("release", "ReleaseScreen"),
        "complaints": _later("complaints", "ComplaintsScreen"),
        "handover": _later("handover", "HandoverScreen"),
        "registers": _later("registers", "RegistersScreen"),
    }
    DEFAULT_MODE = "signin"
    ENABLE_COMMAND_PALETTE = True  # Ctrl+P: a slip or a work order by its number
    COMMANDS = {RecordsProvider}

    BINDINGS = [
        Binding("f1", "help", "key.help", id="help"),
        Binding("f2", "switch_mode('walk_in')", "key.walk_in", id="walk_in"),
        Binding("f3", "switch_mode('phone')", "key.phone", id="phone"),
        Binding("f4", "switch_mode('repair')", "key.repair", id="repair"),
        Binding("f5", "switch_mode('release')", "key.release", id="release"),
        Binding("f6", "switch_mode('complaints')", "key.complaints", id="complaints"),
        Binding("f7", "switch_mode('handover')", "key.handover", id="handover"),
        Binding("f8", "switch_mode('today')", "key.today", id="today"),
        Binding("f9", "switch_mode('registers')", "key.registers", id="registers"),
        Binding("ctrl+o", "presence", "key.presence", id="presence"),
        Binding("ctrl+q", "quit", "key.quit", id="quit", priority=True),
    ]

    def __init__(self, ctx: Context, open_store: Callable[[], None] | None = None, heap: Heap | None = None,
                 build_ahead: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.store_ready = threading.Event()
        """Set once `ctx.store` can be used: at once when it was given, else after `open_store`."""
        self.store_error: BaseException | None = None
        self._open_store = open_store
        if open_store is None:
            self.store_ready.set()
        self.heap = heap or Heap()
        """The garbage collector kept out of the keys: the console passes an active one."""
        self._warmed = False
        self._imported = threading.Event()
        """Set once the warm-up thread has imported the screens' modules."""
        self._build_ahead = build_ahead
        """Build the screens not yet opened while the clerk is idle (the console; not the tests,
        where an app's screens are the ones the test opens)."""
        self._started_modes: set[str] = set()
        """Modes whose screen exists: switched to, or built ahead."""
        self._built_modes: set[str] = set()
        """Modes whose screen is composed and mounted (switched to without Textual's pause)."""
        self._showing_built = False
        self._building: str | None = None
        self.pending_intakes: list[Intake] = []  # repairs handed over, taken in turn by the repair screen
        self.pending_releases: list[Handed] = []  # releases handed over by walk-in
        self.pending_complaints: list[ComplaintHanded] = []  # complaints handed over by the phone

    def hand_off(self, scenario: str, handed: Intake | Handed | ComplaintHanded) -> bool:
        """A flow that ends in another screen's scenario (walk-in or phone → repair, walk-in →
        release): switch there with what is known. False for a scenario with no screen yet."""
        queues = {"repair": self.pending_intakes, "release": self.pending_releases, "complaint": self.pending_complaints}
        modes = {"complaint": "complaints"}
        if scenario not in queues:
            return False
        queues[scenario].append(handed)
        mode = modes.get(scenario, scenario)
        if self.current_mode == mode:
            self.screen._take_pending()
        else:
            self.switch_mode(mode)
        return True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.heap.key()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.heap.release()

    def on_mount(self) -> None:
        self.call_after_refresh(self.heap.settle)
        self.set_interval(HEAP_TIDY_S, self.heap.tidy, name="heap-tidy")
        if self._open_store is not None:
            # After the first paint, so the store's imports do not hold up the sign-in screen.
            self.call_after_refresh(lambda: threading.Thread(target=self._opening, name="open-store", daemon=True).start())

    def _opening(self) -> None:
        try:
            self._open_store()
        except BaseException as e:  # told by the command once the console has closed
            self.store_error = e
            self.call_from_thread(self.exit, None, 1)
        finally:
            self.store_ready.set()

    def switch_mode(self, mode: str) -> AwaitMount:
        """As Textual's, without its 50 ms pause for a screen already built: the pause hides a
        screen being composed, and a built one shows whole at once (its data as last read, then
        what its reload finds)."""
        if mode in self._built_modes:
            self._showing_built = True
        try:
            mounting = super().switch_mode(mode)
        finally:
            self._showing_built = False
        if mode not in self._started_modes:
            self._started_modes.add(mode)
            self.call_later(self._mark_built, mode, mounting)
        return mounting

    async def _mark_built(self, mode: str, mounting: AwaitMount) -> None:
        try:
            await mounting
            self._built_modes.add(mode)
            self.heap.settle()  # a screen built ahead is not drawn: what it made is frozen now
        finally:
            if self._building == mode:
                self._building = None

    async def _mark_kept_built(self, mounting: AwaitMount) -> None:
        try:
            await mounting
            self.heap.settle()
        finally:
            self._building = None

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._showing_built:
            super().delay_update(delay)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("switch_mode", "presence", "command_palette") and self.ctx.clerk is None:
            return False
        return True

    def signed_in(self, clerk: SignedIn) -> None:
        self.ctx.clerk = clerk
        self.switch_mode("today")
        if not self._warmed:
            self._warmed = True
            self.set_timer(WARM_UP_AFTER_S, lambda: threading.Thread(target=_warm_up, args=(self._imported,), name="warm-up", daemon=True).start())
            if self._build_ahead:
                self._build_timer = self.set_interval(BUILD_IDLE_S / 2, self._build_next, name="build-ahead")

    def _build_next(self) -> None:
        """From a timer: build the next screen not yet opened, or the next dialog a built screen
        keeps (DeskScreen.KEPT_AHEAD), if the clerk is idle and the modules are imported (not on
        this thread) and nothing else is being built."""
        if self._building is not None or not self._imported.is_set() or time.monotonic() - self.heap.last_key < BUILD_IDLE_S:
            return
        for mode in self.MODES:  # in the F-keys' order: each screen, then the dialogs it keeps
            if mode == "signin":
                continue
            if mode not in self._started_modes:
                self._started_modes.add(mode)
                self._building = mode
                # Textual's own first step of switch_mode: the mode's screen made, registered and
                # mounted with a ScreenResume (the screen reads its list), laid out at the app's
                # size, not shown.
                self.call_later(self._mark_built, mode, self._init_mode(mode))
                return
            build = getattr(self._screen_stacks[mode][0], "build_kept_ahead", None) if mode in self._built_modes else None
            mounting = build() if build is not None else None
            if mounting is not None:
                self._building = f"{mode}:kept"
                self.call_later(self._mark_kept_built, mounting)
                return
        if all(mode in self._built_modes for mode in self.MODES if mode != "signin"):
            self._build_timer.pause()  # (stopping a timer from its own callback cancels the callback)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=self.ctx.t("palette.placeholder"), id="--command-palette"))

    def open_slip(self, slip_no: int) -> None:
        """From the palette: the slip on the release screen (not a guard's check)."""
        self._then_on("release", lambda screen: screen.show_slip_no(slip_no))

    def open_order(self, order_id: int) -> None:
        """From the palette: the work order, as printed, on the repair screen."""
        self._then_on("repair", lambda screen: screen.show_order(order_id))

    def open_record(self, kind: str, record_id: int) -> None:
        """From Today or the handover: the screen where the record is dealt with."""
        if kind == "promise":
            from deskapp.services.promises import source_of

            kind, record_id = source_of(self.ctx.store, record_id)
        if kind == "work_order" and record_id:
            self.open_order(record_id)
            return
        mode = {"complaint": "complaints", "feedback": "complaints", "visit": "walk_in", "waiting": "walk_in",
                "call": "phone", "ringing": "phone", "missed": "phone", "release": "release",
                "key": "registers", "key_check": "registers", "vacancy": "registers", "vacancy_expiry": "registers", "renovation": "registers",
                "found": "registers"}.get(kind, "today")
        if self.current_mode != mode:
            self.switch_mode(mode)

    def _then_on(self, mode: str, do) -> None:
        """`do` on the mode's own screen, switching to it first. Not `self.screen`: a mode keeps
        its stack, and a dialog left open there (the clerk pressed an F-key in it) is on top."""

        def on_mode() -> None:
            if self.current_mode == mode:  # still there: another F-key may have come first
                do(self.screen_stack[0])

        if self.current_mode == mode:
            on_mode()
        else:
            self.switch_mode(mode)
            self.call_after_refresh(on_mode)

    def action_presence(self) -> None:
        from deskapp.screens.presence import PresenceDialog

        if not isinstance(self.screen, PresenceDialog):
            self.push_screen(PresenceDialog())

    def action_help(self) -> None:
        from deskapp.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        tips = getattr(self.screen, "current_tips", lambda: [])()
        self.push_screen(HelpScreen(self.screen, tips))
