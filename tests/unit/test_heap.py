"""The garbage collector kept out of the clerk's keys (deskapp.heap): what exists is frozen, and a
full collection runs only while no key has come for a while, at most once a minute, and then
frees what was dropped since, frozen or not. Only the console's own app freezes (a test process
runs app after app), and it unfreezes as it closes."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from deskapp import heap
from deskapp.heap import Heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def thawed():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_what_exists_and_turns_the_collector_back_on() -> None:
    gc.unfreeze()
    gc.disable()  # as the console starts (deskapp.console)
    try:
        Heap(active=True).settle()
        assert gc.isenabled()
    finally:
        gc.enable()
    assert gc.get_freeze_count() > 0


def test_no_collection_while_the_clerk_types() -> None:
    h = Heap(active=True)
    h.last_tidy -= 2 * heap.TIDY_EVERY_S
    h.key()
    assert h.tidy() is False


def test_no_second_collection_within_the_minute_but_what_exists_is_frozen() -> None:
    h = Heap(active=True)
    h.last_key -= 2 * heap.FULL_IDLE_S
    gc.unfreeze()
    assert h.tidy() is False
    assert gc.get_freeze_count() > 0


def test_a_short_pause_frees_what_was_dropped_since_the_last_freeze_and_freezes_the_rest() -> None:
    h = Heap(active=True)
    h.settle()
    h.last_tidy -= 2 * heap.TIDY_EVERY_S  # a full collection is due, but only after FULL_IDLE_S
    young = Node()
    gone = weakref.ref(young)
    del young
    kept = Node()
    h.last_key = time.monotonic() - (heap.IDLE_S + heap.FULL_IDLE_S) / 2
    assert h.tidy() is False  # not the full collection
    assert gone() is None
    assert gc.is_tracked(kept) and gc.get_freeze_count() > 0


def test_an_active_heap_leaves_full_collections_to_the_idle_times_until_the_app_closes() -> None:
    before = gc.get_threshold()
    h = Heap(active=True)
    h.settle()
    assert gc.get_threshold()[2] == heap.NO_FULL_COLLECTIONS
    assert gc.get_threshold()[:2] == before[:2]  # the young generations as Python has them
    h.settle()  # a second screen drawn: the thresholds kept are still Python's own
    h.release()
    assert gc.get_threshold() == before
    Heap().settle()  # an inactive heap (the tests) changes nothing
    assert gc.get_threshold() == before


def test_a_collection_while_idle_frees_a_dropped_frozen_cycle() -> None:
    h = Heap(active=True)
    node = Node()
    gone = weakref.ref(node)
    h.settle()  # frozen: no collection would look at it now
    del node
    gc.collect()
    assert gone() is not None
    h.last_key = time.monotonic() - 2 * heap.FULL_IDLE_S
    h.last_tidy = time.monotonic() - 2 * heap.TIDY_EVERY_S
    assert h.tidy() is True
    assert gone() is None
    assert gc.get_freeze_count() > 0  # and what is left is frozen again


def test_an_inactive_heap_freezes_nothing_and_a_closing_app_unfreezes() -> None:
    gc.unfreeze()
    idle = Heap()  # as an app in a test process gets it: app after app, none may stay frozen
    idle.last_key -= 2 * heap.FULL_IDLE_S
    idle.last_tidy -= 2 * heap.TIDY_EVERY_S
    idle.settle()
    assert idle.tidy() is False
    assert gc.get_freeze_count() == 0
    active = Heap(active=True)
    active.settle()
    assert gc.get_freeze_count() > 0
    active.release()
    assert gc.get_freeze_count() == 0


def test_the_console_makes_its_app_with_an_active_heap() -> None:
    import inspect

    from deskapp import console

    assert "heap=Heap(active=True)" in inspect.getsource(console.main)
