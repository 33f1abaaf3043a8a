"""Python's garbage collector, kept out of the clerk's keys.

A full collection walks every object the console holds: the UI strings, the catalogue, the
screens, their lists and the store's mappings, some 200 000 objects after a few screens. It
took 170-230 ms on a 2-core machine, and Python starts one whenever enough objects have piled
up, in the middle of whatever key is being handled (scripts/bench.py saw single Downs of 300+ ms).

So the objects that are there to stay are frozen (`gc.freeze`: left out of every collection),
and collections of more than the youngest objects run only while the clerk is not typing:

- `settle()`, when a screen has been drawn or built: freeze what exists (and turn the collector
  on: the console starts without it, deskapp.console). It costs microseconds. An active heap
  also stops Python from starting full collections itself: with the screens built ahead and
  their lists read ahead, what had piled up since the last freeze made Python's own full
  collections take 70-190 ms, eight times in one benchmark session, each inside a key.
  Python still collects its two young generations as it goes (a few ms).
- `tidy()`, from a timer: when no key has come for `IDLE_S`, collect what is not frozen (what
  was made since the last freeze: the cycles dropped since are freed) and freeze the rest; and
  after `FULL_IDLE_S` without a key, at most once every `TIDY_EVERY_S` (so memory stays
  bounded), first unfreeze and collect everything (frees the cycles among frozen objects that
  have since been dropped: closed dialogs, old rows).
"""

from __future__ import annotations

import gc
import time

IDLE_S = 1.0
FULL_IDLE_S = 3.0
TIDY_EVERY_S = 60.0
NO_FULL_COLLECTIONS = 1_000_000
"""Python's threshold for its third generation while a heap is active: never reached."""


class Heap:
    """`active`: freeze and tidy (the console, one app in its process). Inactive (the default, as
    in the tests, where one process runs app after app) it only turns the collector back on:
    frozen objects are never collected, so each app the process had run would stay in memory."""

    def __init__(self, active: bool = False) -> None:
        self.active = active
        self.last_key = time.monotonic()
        self.last_tidy = time.monotonic()
        self._thresholds: tuple[int, int, int] | None = None

    def key(self) -> None:
        self.last_key = time.monotonic()

    def settle(self) -> None:
        gc.enable()  # the console's start (deskapp.console) runs without the collector
        if self.active:
            if self._thresholds is None:
                self._thresholds = gc.get_threshold()
                gc.set_threshold(self._thresholds[0], self._thresholds[1], NO_FULL_COLLECTIONS)
            gc.freeze()

    def tidy(self) -> bool:
        """From a timer: while the clerk is away, collect what is not frozen and freeze the rest;
        and collect everything if the clerk has been away longer and the last full collection is
        old enough. True if it collected everything."""
        now = time.monotonic()
        if not self.active or now - self.last_key < IDLE_S:
            return False
        if now - self.last_key < FULL_IDLE_S or now - self.last_tidy < TIDY_EVERY_S:
            gc.collect()
            gc.freeze()
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.last_tidy = time.monotonic()
        return True

    def release(self) -> None:
        """The app is closing: what it froze is collected as usual again."""
        if self.active:
            gc.unfreeze()
            if self._thresholds is not None:
                gc.set_threshold(*self._thresholds)
                self._thresholds = None
