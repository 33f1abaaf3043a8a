"""Walk-in reception (F2) through the keyboard: the queue, three visitors at once, escalation,
the 3-minute and 3+3-minute timers on the fixed clock, bad input at the field, and a restart."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from deskapp.services import visits
from deskapp.store.tables import Escalation, FlowMove, FeePayment, Person, Promise, Staff, Visit
from deskapp.widgets.visit_queue import VisitQueue
from walk_in_helpers import (
    ask_error, open_walk_in, panel, panels_shown, register, serve_first, set_away, settle, shown, type_into_ask, until,
)


async def test_three_visitors_at_once_move_in_payment_and_a_question_escalated_twice(
    demo_store, make_app, sign_in, clock
) -> None:
    set_away(demo_store, "fin")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await register(pilot, "1-1-101", "李", "2")
        await register(pilot, "", "张")
        queue = app.screen.query_one(VisitQueue)
        assert queue.row_count == 3

        # 1. Moving in: greeting, purpose 1, tenancy agreement, the new tenant recorded.
        await serve_first(pilot)
        assert panel(app).run.step.id == "greet"
        assert "您好,请问有什么能帮您?" in shown(app, "#step-body")
        await pilot.press("enter", "1", "2", "enter", "enter")
        assert panel(app).run.step.id == "transfer_forms"
        await type_into_ask(pilot, "name", "王小明")
        await type_into_ask(pilot, "phone", "1381234")  # too short: refused at the field
        assert panel(app).run.step.id == "transfer_forms"
        assert "11位手机号" in ask_error(app, "phone")
        await type_into_ask(pilot, "phone", "13812345678")
        assert panel(app).run.step.id == "transfer_welcome"
        await pilot.press("enter", "enter", "enter", "n")
        assert panel(app).run.step.id == "farewell"
        await pilot.press("enter")  # farewell done: the satisfaction dialog
        await pilot.press("5")
        await settle(pilot)
        assert not panels_shown(app)

        # 2. Paying with finance away: money taken, receipt, the invoice a promise.
        await serve_first(pilot)
        await pilot.press("enter", "3")
        assert panel(app).run.step.id == "pay_start"
        await pilot.press("enter")  # finance away is computed from who is in
        assert panel(app).run.step.id == "pay_clerk"
        await type_into_ask(pilot, "amount", "abc")
        await type_into_ask(pilot, "receipt_no", "R-0001")
        assert "金额" in ask_error(app, "amount")
        await type_into_ask(pilot, "amount", "312.5")
        await type_into_ask(pilot, "receipt_no", "R-0001")
        assert panel(app).run.step.id == "farewell"
        await pilot.press("enter", "enter")  # no satisfaction given
        await settle(pilot)

        # 3. A question: colleague, then 3 minutes → supervisor, 3 more → director.
        await serve_first(pilot)
        await pilot.press("enter", "7", "enter")
        assert panel(app).run.step.id == "question_intro"
        clock.advance(minutes=3)
        assert await until(pilot, lambda: "客服主任" in shown(app, "#prompt")), shown(app, "#prompt")
        await pilot.press("n")
        assert panel(app).run.step.id == "question_supervisor"
        clock.advance(minutes=3)
        assert await until(pilot, lambda: "管理处主任" in shown(app, "#prompt")), shown(app, "#prompt")
        await pilot.press("n", "enter", "enter", "3")
        await settle(pilot)
        assert queue.row_count == 0

    with demo_store.session() as session:
        done = session.exec(select(Visit).order_by(Visit.id)).all()
        assert [(v.purpose, v.state, v.outcome) for v in done] == [
            ("transfer", "done", "done"), ("payment", "done", "done"), ("question", "done", "done"),
        ]
        assert all(v.service_started_at and v.ended_at for v in done)
        assert [v.satisfaction for v in done] == [5, None, 3]
        tenant = session.exec(select(Person).where(Person.name == "王小明")).one()
        assert (tenant.kind, tenant.phone, tenant.unit_id) == ("tenant", "13812345678", done[0].unit_id)
        payment = session.exec(select(FeePayment).where(FeePayment.receipt_no == "R-0001")).one()
        assert payment.amount_fen == 31250 and payment.unit_id == done[1].unit_id
        invoice = session.exec(select(Promise).where(Promise.source_kind == "visit")).one()
        assert invoice.kind == "invoice_delivery" and "R-0001" in invoice.text
        ups = session.exec(select(Escalation).where(Escalation.visit_id == done[2].id).order_by(Escalation.id)).all()
        assert [e.level for e in ups] == ["supervisor", "director"]
        assert (ups[1].at - ups[0].at).total_seconds() == 180
        assert session.exec(select(FlowMove).where(FlowMove.record_kind == "visit", FlowMove.record_id == done[2].id)).all()


async def test_bad_arrivals_are_refused_at_their_field(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"9-9-9999", "enter", *"王", "enter", "enter")
        await pilot.pause()
        assert "没有这个房号" in str(app.screen.query_one("#unit-error").render())
        app.screen.query_one("#unit").value = "3-2-1501"
        app.screen.query_one("#surname").value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "请输入客户的姓" in str(app.screen.query_one("#surname-error").render())
        await pilot.press("escape")
        await settle(pilot)
    with demo_store.session() as session:
        assert session.exec(select(Visit)).all() == []


async def test_the_unit_is_found_by_a_residents_name(demo_store, make_app, sign_in) -> None:
    with demo_store.session() as session:
        owner = session.exec(select(Person).where(Person.kind == "owner").order_by(Person.id)).first()
        name = owner.name
    app = make_app(demo_store, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*name)
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#surname").value == name[0]
        await pilot.press("enter", "2", "enter")
        await settle(pilot)
        assert app.screen.query_one(VisitQueue).row_count == 1


async def test_a_waiting_visitor_is_handed_to_a_colleague_after_three_minutes(
    demo_store, make_app, sign_in, clock
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await serve_first(pilot)
        await register(pilot, "1-1-101", "李", "3")
        # Std 2 scene 1: nod and seat B
        assert await until(pilot, lambda: "很抱歉,请您先坐下稍等一会" in shown(app, "#prompt")), shown(app, "#prompt")
        clock.advance(minutes=3)
        assert await until(pilot, lambda: "Ctrl+G" in shown(app, "#prompt")), shown(app, "#prompt")
        queue = app.screen.query_one(VisitQueue)
        queue.focus()
        queue.move_cursor(row=1)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("enter")  # the first colleague on duty
        await pilot.pause()
        body = shown(app, "#step-body")
        assert "请您稍等一下,我帮这位小姐安排其他人员接待,马上回来。" in body
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
    with demo_store.session() as session:
        b = session.exec(select(Visit).where(Visit.surname == "李")).one()
        handed = session.exec(select(Escalation).where(Escalation.visit_id == b.id)).one()
        assert handed.level == "colleague" and b.served_by_id == handed.to_id != handed.from_id


async def test_escalation_key_records_from_whom_to_whom_and_why(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "Ren")
        await serve_first(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert "服务上移" in str(app.screen.query_one(".title").render()) or "Escalate" in str(app.screen.query_one(".title").render())
        options = app.screen.query_one("#to")
        supervisor = next(
            n for n in range(options.option_count) if "CS supervisor" in str(options.get_option_at_index(n).prompt)
        )
        options.highlighted = supervisor
        await pilot.press("enter", *"wants the supervisor", "enter")
        await settle(pilot)
    with demo_store.session() as session:
        up = session.exec(select(Escalation)).one()
        supervisor = session.exec(select(Staff).where(Staff.code == "super")).one()
        assert (up.level, up.to_id, up.reason) == ("supervisor", supervisor.id, "wants the supervisor")


async def test_a_visit_resumes_where_it_was_after_a_restart(demo_store, make_app, sign_in) -> None:
    first = make_app(demo_store)
    async with first.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await serve_first(pilot)
        await pilot.press("enter", "2")  # renovation: the supervisor's presence is asked or computed
        await settle(pilot)
        where = panel(first).run.step.id
        path = panel(first).run.steps_taken()
    # A new process: the queue and the visit's place come back from the store.
    second = make_app(demo_store)
    async with second.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        assert second.screen.query_one(VisitQueue).row_count == 1
        await serve_first(pilot)
        assert panel(second).run.step.id == where
        assert panel(second).run.steps_taken() == path
        assert panel(second).values["purpose"] == "renovation"


def test_moves_are_stored_in_order_with_back(demo_store, clock) -> None:
    visit_id = visits.register_arrival(demo_store, clock, 1, unit_code="3-2-1501", surname="任")
    visits.record_move(demo_store, clock, visit_id, 1, "walk_in", "greet", "next")
    visits.record_move(demo_store, clock, visit_id, 1, "walk_in", "purpose", "option:3")
    visits.record_move(demo_store, clock, visit_id, 1, "walk_in", "purpose", "back")
    assert visits.moves(demo_store, visit_id) == [
        ("walk_in", "greet", "next"), ("walk_in", "purpose", "option:3"), ("walk_in", "purpose", "back"),
    ]
    merged = visits.set_values(demo_store, visit_id, purpose="payment", amount="1.00")
    assert merged["surname"] == "任" and merged["purpose"] == "payment"
    with demo_store.session() as session:
        visit = session.get(Visit, visit_id)
        assert visit.purpose == "payment" and json.loads(visit.slot_values)["amount"] == "1.00"


@pytest.mark.parametrize(
    ("unit", "surname", "field"),
    [("9-9-9999", "王", "unit"), ("3-2-1501", " ", "surname"), ("3-2-1501", "王" * 40, "surname")],
)
def test_register_arrival_refuses_bad_input_naming_the_field(demo_store, clock, unit, surname, field) -> None:
    with pytest.raises(visits.FieldError) as refused:
        visits.register_arrival(demo_store, clock, 1, unit_code=unit, surname=surname)
    assert refused.value.field == field


def test_renovation_fees_come_from_the_policy_and_the_number_of_workers(policy) -> None:
    from deskapp.services.visit_actions import renovation_fees

    assert renovation_fees(policy, {"workers": 3}) == {
        "amount": "2,000.00", "permit_fee": "30.00", "pass_deposit": "150.00",
    }


async def test_renovation_shows_the_fees_for_the_workers(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await serve_first(pilot)
        await pilot.press("enter", "2")
        step = panel(app).run.step.id
        if step == "reno_start":  # presence of the engineering supervisor is the clerk's answer
            await pilot.press("1")
        await pilot.press("enter", "enter", "enter")
        assert panel(app).run.step.id == "reno_in_forms"
        await type_into_ask(pilot, "workers", "0")
        assert "正整数" in ask_error(app, "workers")
        await type_into_ask(pilot, "workers", "3")
        assert panel(app).run.step.id == "reno_in_fees"
        body = shown(app, "#step-body")
        assert "您一共需要缴纳2,000.00元装修保证金" in body
        assert "您有3名装修人员,需要交纳30.00元的办证工本费和150.00元的装修出入证押金" in body


async def test_a_message_for_the_absent_director_is_a_promise_with_the_visitors_phone(
    demo_store, make_app, sign_in, clock
) -> None:
    set_away(demo_store, "dir")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await serve_first(pilot)
        await pilot.press("enter", "6", "enter")  # director out: computed from who is in
        assert panel(app).run.step.id == "director_out"
        await pilot.press("1")
        assert panel(app).run.step.id == "director_message"
        await type_into_ask(pilot, "message", "地下车库照明不足")
        await type_into_ask(pilot, "phone", "13900001111")
        assert panel(app).run.step.id == "farewell"
    with demo_store.session() as session:
        promise = session.exec(select(Promise).where(Promise.source_kind == "visit")).one()
        assert promise.kind == "director_message" and promise.phone == "13900001111"
        assert "地下车库照明不足" in promise.text
        assert (promise.due_at - clock.now()).total_seconds() == 24 * 3600


async def test_on_the_phone_the_hand_over_asks_the_caller_to_wait_twenty_seconds(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "1-1-101", "李", "3")
        queue = app.screen.query_one(VisitQueue)
        queue.focus()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "请您等我20秒好么?我会马上回来。" in shown(app, "#step-body")


async def test_a_visitor_who_left_leaves_the_queue(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "1-1-101", "李", "3")
        app.screen.query_one(VisitQueue).focus()
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert app.screen.query_one(VisitQueue).row_count == 0
    with demo_store.session() as session:
        visit = session.exec(select(Visit)).one()
        assert (visit.state, visit.outcome) == ("left", "left") and visit.ended_at is not None


async def test_esc_does_not_go_back_over_a_recorded_payment_and_a_withdrawn_promise_is_made_once(
    demo_store, make_app, sign_in
) -> None:
    set_away(demo_store, "fin")
    set_away(demo_store, "dir")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "1-1-101", "李", "2")
        await serve_first(pilot)
        await pilot.press("enter", "3", "enter")
        await type_into_ask(pilot, "amount", "100")
        await type_into_ask(pilot, "receipt_no", "R-9")
        assert panel(app).run.step.id == "farewell"
        await pilot.press("escape")
        assert panel(app).run.step.id == "farewell"  # the payment stays recorded once
        await register(pilot, "3-2-1501", "任")
    with demo_store.session() as session:
        assert len(session.exec(select(FeePayment).where(FeePayment.receipt_no == "R-9")).all()) == 1
        assert len(session.exec(select(Promise).where(Promise.source_kind == "visit", Promise.state == "open")).all()) == 1
