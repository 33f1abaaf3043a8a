"""Each way a call ends, through the keyboard on the phone screen (F3) — an inquiry answered, a
referral, a complaint, a message, an invalid request, a second purpose — and the queue's live
parts: the three-ring countdown and the hold limit on the fixed clock, a call logged by hand
(Ctrl+N), a call answered at another console, and Escape back one step of the script."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from phone_helpers import (
    an_owner,
    answer_oldest,
    cell,
    open_phone,
    panels_shown,
    queue,
    settle,
    shown,
    staff_id,
    step,
    to_purpose,
    type_into_ask,
    until,
)
from sqlmodel import select

from deskapp.screens.log_call import LogCallDialog
from deskapp.services import calls, flows
from deskapp.store.tables import Call, Promise
from deskapp.widgets.step_panel import AskField

SIZE = (80, 24)

# The moves every call of a known caller makes before the purpose: (step, via).
TO_PURPOSE = [("answer", "next"), ("identify", "next"), ("identify_unit", "next")]


def stored(store, call_id: int) -> Call:
    with store.session() as session:
        return session.get(Call, call_id)


def promises_of(store, call_id: int) -> list[Promise]:
    with store.session() as session:
        return list(session.exec(
            select(Promise).where(Promise.source_kind == "call", Promise.source_id == call_id).order_by(Promise.id)
        ).all())


def moves(store, call_id: int) -> list[tuple[str, str]]:
    return [(step_id, via) for _scenario, step_id, via in flows.moves(store, "call", call_id)]


def owner_title(owner) -> str:
    return {"M": "先生", "F": "女士"}[owner.gender]


async def hang_up_at_end(pilot) -> None:
    """Enter at an end step: the call ends and the panel closes."""
    await pilot.press("enter")
    await settle(pilot)
    assert not panels_shown(pilot.app)


async def test_an_inquiry_answered_within_our_remit(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("2")
        assert step(app) == "inquiry"
        await pilot.press("1")
        assert step(app) == "inquiry_answer"
        assert "当然可以,我们马上替您查询。" in shown(app, "#step-body")
        await pilot.press("enter")
        assert step(app) == "anything_else"
        assert "请问还有什么可以帮到您?" in shown(app, "#step-body")
        await pilot.press("1")
        assert step(app) == "close"
        assert "感谢您的来电,祝您生活愉快,再见!" in shown(app, "#step-body")
        await hang_up_at_end(pilot)

    call = stored(demo_store, call_id)
    assert (call.state, call.outcome, call.answered_by_id) == ("ended", "inquiry", staff_id(demo_store, "demo"))
    assert call.ended_at is not None
    assert promises_of(demo_store, call_id) == []
    assert moves(demo_store, call_id) == [
        *TO_PURPOSE, ("purpose", "option:2"), ("inquiry", "option:1"), ("inquiry_answer", "next"),
        ("anything_else", "option:1"),
    ]


async def test_an_inquiry_outside_our_remit_gets_a_referral_number(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("2", "2")
        assert step(app) == "referral_find"  # the clerk looks the number up first
        await type_into_ask(pilot, "referral_name", "燃气公司")
        await type_into_ask(pilot, "referral_phone", "0755-83000000")
        assert step(app) == "referral"
        body = shown(app, "#step-body")
        assert f"对不起{owner_title(owner)},我给您提供一个燃气公司的客服电话,你看可以吗?" in body
        await pilot.press("enter")
        assert step(app) == "referral_repeat"
        body = shown(app, "#step-body")
        assert "燃气公司电话号码是:0755-83000000" in body and "请问您记好了吗?" in body
        assert "将记录承诺:提供电话" in body
        await pilot.press("enter")
        assert step(app) == "anything_else"
        await pilot.press("1")
        await hang_up_at_end(pilot)

    (promise,) = promises_of(demo_store, call_id)
    assert (promise.kind, promise.phone, promise.unit_id) == ("referral_number", owner.phone, owner.unit_id)
    assert promise.customer == f"{owner.name[0]}{owner_title(owner)}"
    assert promise.owner_id == staff_id(demo_store, "demo") and promise.state == "open"
    assert promise.due_at == clock.now() + timedelta(hours=24)  # policy phone.callback_hours
    assert promise.text == f"为 {promise.customer} 提供 燃气公司 电话 0755-83000000"
    assert stored(demo_store, call_id).outcome == "inquiry"
    assert ("inquiry", "option:2") in moves(demo_store, call_id)


async def test_a_complaint_ends_the_call_handed_to_the_complaint_screen(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("3")
        assert step(app) == "complaint"
        assert "接到客户抱怨时,要有同理心" in shown(app, "#step-body")
        ways = shown(app, "#step-ways")
        assert f"将转到:{app.ctx.catalogue.scenarios['complaint'].title('zh')}" in ways and "Enter 完成" in ways
        await hang_up_at_end(pilot)

    call = stored(demo_store, call_id)
    assert (call.state, call.outcome) == ("ended", "complaint")
    assert moves(demo_store, call_id)[-1] == ("purpose", "option:3")


async def test_a_message_for_someone_is_promised_with_the_callers_number(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    message = "请转告王师傅明天上午来修门锁"
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("4")
        assert step(app) == "message"
        await type_into_ask(pilot, "message", message)
        assert step(app) == "message_repeat"  # read back as noted, then promised
        await pilot.press("enter")
        await settle(pilot)
        assert step(app) == "anything_else"
        await pilot.press("1")
        await hang_up_at_end(pilot)

    (promise,) = promises_of(demo_store, call_id)
    assert (promise.kind, promise.phone, promise.unit_id) == ("message", owner.phone, owner.unit_id)
    assert promise.customer == f"{owner.name[0]}{owner_title(owner)}"
    assert message in promise.text and owner.phone in promise.text
    call = stored(demo_store, call_id)
    assert (call.state, call.outcome) == ("ended", "message")
    assert json.loads(call.slot_values)["message"] == message


async def test_the_message_is_repeated_back_as_typed(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    calls.ring(demo_store, clock, owner.phone)
    message = "请转告王师傅明天上午来修门锁"
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("4")
        await pilot.pause()
        await pilot.press(*message)  # typed, not yet entered
        while_typing = shown(app, "#step-body")
        await pilot.press("enter")
        await settle(pilot)
        after_enter = shown(app, "#step-body")
    assert f"我给您重复一遍:{message}。" in while_typing + after_enter


async def test_an_invalid_request_is_explained_and_closed(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("5")
        assert step(app) == "invalid"
        assert "对于无效诉求,则向客户做出解释至客户满意,必要时可向地产客服组成员求助" in shown(app, "#step-body")
        await pilot.press("enter")
        assert step(app) == "close"
        await hang_up_at_end(pilot)

    call = stored(demo_store, call_id)
    assert (call.state, call.outcome) == ("ended", "invalid")
    assert promises_of(demo_store, call_id) == []
    assert moves(demo_store, call_id)[-2:] == [("purpose", "option:5"), ("invalid", "next")]


async def test_something_else_goes_back_to_the_purpose_and_records_a_second_one(
    demo_store, make_app, sign_in, clock
) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("2", "1", "enter")
        assert step(app) == "anything_else"
        await pilot.press("2")  # 还有
        assert step(app) == "purpose"
        await pilot.press("3")
        assert step(app) == "complaint"
        await hang_up_at_end(pilot)

    assert moves(demo_store, call_id) == [
        *TO_PURPOSE, ("purpose", "option:2"), ("inquiry", "option:1"), ("inquiry_answer", "next"),
        ("anything_else", "option:2"), ("purpose", "option:3"),
    ]
    call = stored(demo_store, call_id)
    assert (call.state, call.outcome) == ("ended", "complaint")
    assert json.loads(call.slot_values)["purpose"] == "complaint"


async def test_the_ring_countdown_turns_overdue_after_three_rings(demo_store, make_app, sign_in, clock) -> None:
    call_id = calls.ring(demo_store, clock, "13900000000")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        timer = lambda: cell(app, f"call:{call_id}", "timer")
        assert (timer().plain, str(timer().style)) == ("9 秒内接听", "yellow")  # 3 rings × 3 s
        clock.advance(seconds=8)
        await until(pilot, lambda: timer().plain != "9 秒内接听")  # the 1 s tick redraws the timers
        assert (timer().plain, str(timer().style)) == ("1 秒内接听", "yellow")
        clock.advance(seconds=2)
        await until(pilot, lambda: timer().plain != "1 秒内接听")
        assert (timer().plain, str(timer().style)) == ("已响 00:10,超过3声", "bold red")


async def test_the_hold_timer_turns_red_past_the_hold_limit(demo_store, make_app, sign_in, clock) -> None:
    call_id = calls.ring(demo_store, clock, "13900000000")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        timer = lambda: cell(app, f"call:{call_id}", "timer")
        assert (timer().plain, str(timer().style)) == ("保留 00:00", "yellow")
        clock.advance(seconds=7)  # policy phone.hold_seconds: at the limit, not past it
        await until(pilot, lambda: timer().plain != "保留 00:00")
        assert (timer().plain, str(timer().style)) == ("保留 00:07", "yellow")
        clock.advance(seconds=1)
        await until(pilot, lambda: timer().plain != "保留 00:07")
        assert (timer().plain, str(timer().style)) == ("保留 00:08", "bold red")
    assert stored(demo_store, call_id).state == "on_hold"


async def test_ctrl_n_logs_a_call_by_hand_and_refuses_a_bad_number(demo_store, make_app, sign_in, clock) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, LogCallDialog)
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LogCallDialog)
        assert shown(app, "#number-error").strip() == "来电号码无效:12"
        with demo_store.session() as session:
            assert session.exec(select(Call)).all() == []
        await pilot.press("backspace", "backspace", *"0755-8600 1234", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, LogCallDialog)
        (call,) = queue(app).calls
        assert (call.number, call.state, call.rang_at) == ("0755-86001234", "ringing", clock.now())
        assert cell(app, f"call:{call.id}", "caller").plain == "未知来电"


async def test_a_call_answered_at_another_console_shows_the_colleague_within_a_second(
    demo_store, make_app, sign_in, clock
) -> None:
    call_id = calls.ring(demo_store, clock, "13900000000")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        assert cell(app, f"call:{call_id}", "state").plain == "响铃"
        calls.answer(demo_store, clock, call_id, staff_id(demo_store, "c02"))  # 林晓婷, at her console
        waited = await until(pilot, lambda: cell(app, f"call:{call_id}", "state").plain != "响铃")
        assert cell(app, f"call:{call_id}", "state").plain == "通话中 林晓婷"
        assert waited < 1.5  # the console polls the store every second (+ the reload's own time)
        assert "响铃 0 · 通话中 1" in shown(app, "#phone-title")
        await pilot.press("f3")  # nothing left ringing: F3 answers nothing
        await settle(pilot)
        assert not panels_shown(app)
    assert stored(demo_store, call_id).answered_by_id == staff_id(demo_store, "c02")


async def test_escape_goes_back_a_step_and_the_move_is_recorded(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await pilot.press("enter")
        assert step(app) == "identify"
        await pilot.press("escape")
        await settle(pilot)
        assert step(app) == "answer"
        assert moves(demo_store, call_id) == [("answer", "next"), ("answer", "back")]
        await pilot.press("enter", "enter", "enter")
        assert step(app) == "identify_unit"
        # A held call resumes where it was: the trail is replayed, back move included.
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert step(app) == "identify_unit"
        assert panels_shown(app)[0].run.position == 3
    assert moves(demo_store, call_id) == [("answer", "next"), ("answer", "back"), ("answer", "next"), ("identify", "next")]


async def test_going_back_over_a_promise_withdraws_it_and_going_on_makes_it_anew(
    demo_store, make_app, sign_in, clock
) -> None:
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await to_purpose(pilot)
        await pilot.press("4")
        await type_into_ask(pilot, "message", "请转告王师傅明天上午来修门锁")
        await pilot.press("enter")  # message_repeat: the promise is made as the clerk goes on
        assert step(app) == "anything_else"
        await pilot.press("escape")  # the clerk wants to correct the message
        await settle(pilot)
        assert step(app) == "message_repeat"
        assert [p.state for p in promises_of(demo_store, call_id)] == ["cancelled"]
        await pilot.press("escape")
        await type_into_ask(pilot, "message", "请转告王师傅明天下午来修门锁")
        await pilot.press("enter")
        assert step(app) == "anything_else"
        await pilot.press("1")
        await hang_up_at_end(pilot)

    withdrawn, made = promises_of(demo_store, call_id)
    assert (withdrawn.state, withdrawn.closed_at) == ("cancelled", clock.now())
    assert "上午" in withdrawn.text
    assert (made.kind, made.state) == ("message", "open") and "下午" in made.text
    assert ("message_repeat", "back") in moves(demo_store, call_id)


async def test_in_english_the_title_is_said_as_mr_or_ms(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await pilot.press("enter", "enter", "enter")
        assert step(app) == "identify_unit"
        body = shown(app, "#step-body")
        word = {"先生": "Mr", "女士": "Ms"}[owner_title(owner)]
        assert f"Hello, {word} {owner.name[0]}." in body and "先生" not in body and "女士" not in body


async def test_a_caller_who_is_not_a_resident_gets_through_with_no_unit(demo_store, make_app, sign_in, clock) -> None:
    call_id = calls.ring(demo_store, clock, "0755-86001234")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await pilot.press("enter")
        await type_into_ask(pilot, "surname", "周")
        await type_into_ask(pilot, "title", "1")
        await type_into_ask(pilot, "unit", "")
        assert step(app) == "purpose"
        await pilot.press("2", "1", "enter", "1")
        await hang_up_at_end(pilot)
    assert stored(demo_store, call_id).outcome == "inquiry"


async def test_hold_and_hang_up_work_while_typing_in_a_steps_field(demo_store, make_app, sign_in, clock) -> None:
    """At a step that asks (the unit), the field has the focus; an Input takes Ctrl+D as delete,
    so the screen's keys go first."""
    owner = an_owner(demo_store)
    call_id = calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_phone(pilot, sign_in)
        await answer_oldest(pilot)
        await pilot.press("enter", "enter", "enter")
        assert step(app) == "identify_unit"
        assert isinstance(app.focused, AskField) and app.focused.name == "unit"
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert stored(demo_store, call_id).state == "on_hold"
        assert not panels_shown(app)
        await pilot.press("ctrl+g")  # resumed, at the same step and field
        await settle(pilot)
        assert stored(demo_store, call_id).state == "talking"
        assert step(app) == "identify_unit" and isinstance(app.focused, AskField)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert stored(demo_store, call_id).state == "ended"
        assert not panels_shown(app)
