"""Screenshots of walk-in reception (F2) at 80×24, in zh and en, on the fixed clock.

The queue with several visitors and the Std 2 prompt, one step of each purpose, the arrival
dialog with the unit look-up, and the escalation dialog. The store is the demo community
(names, units and phones in these pictures come from data/demo/); the clock only moves when a
test moves it, so the live waits show fixed values.

After a deliberate change to the screen, a phrase or the demo data:
`.venv/bin/pytest tests/snapshots/test_walk_in.py --snapshot-update`, then read the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from deskapp.services import visits
from deskapp.store.tables import Staff
from ui.walk_in_helpers import open_walk_in, set_away, settle, shown, until

SIZE = (80, 24)
LANGS = ["zh", "en"]


def _staff_id(store, code: str) -> int:
    with store.session() as session:
        return session.exec(select(Staff.id).where(Staff.code == code)).one()


def _arrive(store, clock, unit: str, surname: str, title: str = "先生", **kwargs) -> int:
    return visits.register_arrival(
        store, clock, _staff_id(store, "demo"), unit_code=unit, surname=surname, title=title, **kwargs
    )


def _serving(sign_in, *keys: str, advance: timedelta | None = None, clock=None):
    """Sign in, F2, Enter on the first visitor in the queue, then the keys of the walk."""

    async def run_before(pilot) -> None:
        await open_walk_in(pilot, sign_in)
        await pilot.press("enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if advance:
            clock.advance(seconds=advance.total_seconds())
            # the screen's one-second tick shows the new time and the prompt it brings; the top
            # bar's clock has a tick of its own
            now = clock.now().astimezone(pilot.app.ctx.policy.timezone).strftime("%H:%M")
            assert await until(pilot, lambda: shown(pilot.app, "#prompt").strip() and now in shown(pilot.app, "#bar-clock"))
        await settle(pilot)

    return run_before


@pytest.fixture
def one_visitor(demo_store, clock):
    """任先生 of 3-2-1501, just arrived."""
    _arrive(demo_store, clock, "3-2-1501", "任")
    return demo_store


# -- (a) the queue ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_queue_three_visitors_one_urgent_one_over_three_minutes(
    snap_compare, make_app, demo_store, clock, sign_in, lang: str
) -> None:
    """任 arrived 6 minutes ago and is served by the clerk; 李 has waited 4 minutes (red, over the
    policy's 3); 张, not a resident, came a minute ago and is urgent: the prompt hands over 张."""
    clock.advance(minutes=-6)
    _arrive(demo_store, clock, "3-2-1501", "任")
    clock.advance(minutes=2)
    _arrive(demo_store, clock, "1-1-201", "李", "女士")
    clock.advance(minutes=3)
    _arrive(demo_store, clock, "", "张", "小姐", urgent=True)
    clock.advance(minutes=1)
    assert snap_compare(make_app(demo_store, lang), terminal_size=SIZE, run_before=_serving(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_queue_nod_to_a_visitor_who_just_came(snap_compare, make_app, demo_store, clock, sign_in, lang: str) -> None:
    """Serving 任; 李 came 30 seconds ago: the prompt is Std 2's nod and the phrase to say to 李."""
    clock.advance(minutes=-2)
    _arrive(demo_store, clock, "3-2-1501", "任")
    clock.advance(seconds=90)
    _arrive(demo_store, clock, "1-1-201", "李", "女士")
    clock.advance(seconds=30)
    assert snap_compare(make_app(demo_store, lang), terminal_size=SIZE, run_before=_serving(sign_in))


# -- (b) one step of each purpose ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_transfer_forms_with_its_inputs(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Ownership transfer: the forms step asks for the new owner's name (typed) and phone."""
    keys = ("enter", "1", "1", "enter", "enter", *"王小明")
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_renovation_fees_for_three_workers(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Renovation, the engineering supervisor in (the clerk's answer, 1): the deposit, the permit
    fee and the pass deposit for 3 workers, from the policy; finance in, so Enter goes on."""
    keys = ("enter", "2", "1", "enter", "enter", "enter", "3", "enter")
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_payment_with_finance_away(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Paying fees, finance away: the clerk takes the money; amount typed, the receipt number next."""
    set_away(one_visitor, "fin")
    keys = ("enter", "3", "enter", *"312.5", "enter")
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_director_out(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Meeting the director, who is out: the phrase and the three ways on."""
    set_away(one_visitor, "dir")
    keys = ("enter", "6", "enter")
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_question_after_three_minutes(snap_compare, make_app, one_visitor, clock, sign_in, lang: str) -> None:
    """A question with the colleague for 3 minutes: the prompt to pass it up to the CS supervisor."""
    keys = ("enter", "7", "enter")
    run_before = _serving(sign_in, *keys, advance=timedelta(minutes=3), clock=clock)
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_repair_hands_off(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """A repair request: the end step that continues on the repair screen."""
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, "enter", "4"))


@pytest.mark.parametrize("lang", LANGS)
def test_release_hands_off(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Moving things out: the end step that continues on the release-slip screen."""
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=_serving(sign_in, "enter", "5"))


# -- (c) the arrival dialog, (d) the escalation dialog ---------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_arrival_with_unit_matches(snap_compare, make_app, demo_store, sign_in, lang: str) -> None:
    """F2 on the walk-in screen, "3-2-150" typed: the units that match, with their residents."""

    async def run_before(pilot) -> None:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"3-2-150")
        await settle(pilot)

    assert snap_compare(make_app(demo_store, lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_escalation_dialog(snap_compare, make_app, one_visitor, sign_in, lang: str) -> None:
    """Ctrl+E while serving 任先生: the standard sentence, who can take over, and the reason."""
    reason = {"zh": "客户要求主管接待", "en": "wants the supervisor"}[lang]
    run_before = _serving(sign_in, "ctrl+e", "enter", *reason)
    assert snap_compare(make_app(one_visitor, lang), terminal_size=SIZE, run_before=run_before)
