"""The phone queue (F3): rings from another process, answer / hold / resume / end by keyboard,
outcomes (a repair, a callback due tomorrow), missed calls, and callbacks after a restart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from phone_helpers import an_owner, panels_shown, settle, shown, step, type_into_ask, until
from sqlmodel import select

from deskapp.services import calls
from deskapp.store.tables import Call, Promise
from deskapp.widgets.call_queue import CallQueue

DESKAPP = str(Path(sys.executable).parent / "deskapp")


def ring_from_outside(store, number: str) -> None:
    done = subprocess.run([DESKAPP, "call", "ring", number, "--db", store.url], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


async def test_three_rings_from_another_terminal_answered_held_resumed_and_ended(
    demo_store, make_app, sign_in, clock
) -> None:
    owner = an_owner(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        for number in (owner.phone, "0755-86001234", "13900000000"):
            ring_from_outside(demo_store, number)
        queue = app.screen.query_one(CallQueue)
        await until(pilot, lambda: len(queue.calls) == 3, within=10)  # the console polls every second
        await settle(pilot)
        assert [c.number for c in queue.calls] == [owner.phone, "0755-86001234", "13900000000"]
        assert all(c.state == "ringing" for c in queue.calls)

        # 1. The owner: screen pop, identify (pre-filled), a repair request repeated back.
        await pilot.press("f3")
        await settle(pilot)
        assert step(app) == "answer"
        assert owner.name in shown(app, "#pop")
        await pilot.press("enter", "enter", "enter")  # surname, title pre-filled from the record
        assert step(app) == "identify_unit"
        await pilot.press("enter")
        await pilot.press("1")  # repair
        await type_into_ask(pilot, "item", "厨房水龙头漏水")
        assert step(app) == "repair_repeat"
        assert "厨房水龙头漏水" in shown(app, "#step-body")
        await pilot.press("ctrl+g")  # hold: the caller waits while the clerk checks
        await settle(pilot)
        assert [c.state for c in queue.calls][:1] == ["on_hold"]
        clock.advance(seconds=5)
        await pilot.press("ctrl+g")  # resume at the same step
        await settle(pilot)
        assert step(app) == "repair_repeat"
        await pilot.press("enter", "enter", "enter", "enter")
        await settle(pilot)
        # The call is over; the request goes on in the repair screen (tests/ui/test_repair.py).
        assert app.current_mode == "repair" and step(app) == "phone_intake"
        await pilot.press("f3")
        await settle(pilot)
        assert not panels_shown(app)

        # 2. The landline: an inquiry that needs a callback tomorrow.
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")
        await type_into_ask(pilot, "surname", "周")
        await type_into_ask(pilot, "title", "2")
        assert step(app) == "identify_unit"
        await type_into_ask(pilot, "unit", "9-9-9999")
        assert step(app) == "identify_unit"  # unknown unit refused at the field
        await type_into_ask(pilot, "unit", "3-2-1501")
        await pilot.press("2", "3")  # inquiry → needs looking into
        assert step(app) == "inquiry_callback"
        await type_into_ask(pilot, "message", "物业费发票抬头更改")
        await type_into_ask(pilot, "due", "明天 10:00")
        assert step(app) == "anything_else"
        await pilot.press("1", "enter")
        await settle(pilot)

        # 3. The third caller hangs up before anyone answers: missed, owed a call back.
        queue.focus()
        queue.move_cursor(row=0)
        await pilot.press("ctrl+x")
        await settle(pilot)

    with demo_store.session() as session:
        first, second, third = session.exec(select(Call).order_by(Call.id)).all()
        assert (first.state, first.outcome, first.holds, first.held_seconds) == ("ended", "repair", 1, 5)
        assert first.unit_id == owner.unit_id and "厨房水龙头漏水" in first.slot_values
        assert (second.state, second.outcome) == ("ended", "inquiry")
        assert third.state == "missed"
        callback = session.exec(select(Promise).where(Promise.source_kind == "call")).one()
        assert callback.kind == "callback" and callback.phone == "0755-86001234"
        shanghai = ZoneInfo("Asia/Shanghai")
        local_due = callback.due_at.astimezone(shanghai)
        assert (local_due.date() - clock.now().astimezone(shanghai).date()).days == 1 and local_due.hour == 10

    # After a restart the calls owed are still there, due tomorrow and the missed one.
    again = make_app(demo_store)
    async with again.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        owed = again.screen.query_one(CallQueue).owed
        assert any(o.missed_call_id == third.id for o in owed)
        assert any(o.promise_id == callback.id for o in owed)


async def test_a_missed_call_is_returned_and_a_callback_kept(demo_store, make_app, sign_in, clock) -> None:
    call_id = calls.ring(demo_store, clock, "13900000000")
    calls.mark_missed(demo_store, clock, call_id, 1)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        queue = app.screen.query_one(CallQueue)
        row = next(n for n, key in enumerate(queue.keys()) if key == f"missed:{call_id}")
        queue.focus()
        queue.move_cursor(row=row)
        await pilot.press("enter")  # ring back: an outgoing call, already talking
        await settle(pilot)
        assert step(app) == "answer"
        await pilot.press("ctrl+d")  # hang up
        await settle(pilot)
        assert all(key != f"missed:{call_id}" for key in queue.keys())
    with demo_store.session() as session:
        back = session.exec(select(Call).where(Call.direction == "out")).one()
        assert session.get(Call, call_id).returned_by_call_id == back.id
        assert back.state == "ended"


def test_never_two_calls_at_once(demo_store, clock) -> None:
    import pytest

    from deskapp.errors import DeskappError

    first = calls.ring(demo_store, clock, "13900000001")
    second = calls.ring(demo_store, clock, "13900000002")
    calls.answer(demo_store, clock, first, 1)
    with pytest.raises(DeskappError) as refused:
        calls.answer(demo_store, clock, second, 1)
    assert refused.value.key == "call.one_at_a_time"
    calls.hold(demo_store, clock, first, 1)
    calls.answer(demo_store, clock, second, 1)  # holding the first frees the line


def test_call_numbers_are_checked() -> None:
    import pytest

    from deskapp.services.visits import FieldError

    assert calls.normalise_number("+86 138 1234 5678") == "13812345678"
    assert calls.normalise_number("0755-8623 8866") == "0755-86238866"
    for bad in ("", "abc", "12", "1" * 25):
        with pytest.raises(FieldError):
            calls.normalise_number(bad)


async def test_a_note_typed_during_a_call_gets_the_forbidden_phrase_check(demo_store, make_app, sign_in, clock) -> None:
    from deskapp.standards.catalogue import shipped

    entry = next(iter(shipped().forbidden.values()))
    calls.ring(demo_store, clock, "13900000000")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")
        await type_into_ask(pilot, "surname", "周")
        await type_into_ask(pilot, "title", "1")
        await type_into_ask(pilot, "unit", "3-2-1501")
        await pilot.press("4")  # a message for someone
        field = next(i for i in app.screen.query("#step-inputs Input") if i.name == "message" and i.parent.display)
        field.focus()
        await pilot.press(*f"告诉业主:{entry.match_zh[0]}")
        await pilot.pause()
        warning = next(str(label.render()) for label in app.screen.query(".ask-error") if label.name == "message")
        assert entry.match_zh[0] in warning
