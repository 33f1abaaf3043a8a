"""Repair intake and work orders (F4) through the keyboard: a request from the walk-in counter
and one from the phone, each taken to closed; a referral with the specialist's number; a
reschedule call; a failed callback reopening the order; late arrival and a missed review on
Today; bad input at its field with nothing saved."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from deskapp.services import calls, work_orders as W
from deskapp.store.tables import Call, Promise, Visit, WorkOrder, WorkOrderEvent, WorkOrderPart
from repair_helpers import (
    ask_error, dispatched, field_error, fill, open_repairs, rows, settle, shown, staff_id, step, type_into_ask,
)
from walk_in_helpers import open_walk_in, register, serve_first

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _order(store, order_id: int | None = None) -> WorkOrder:
    with store.session() as session:
        query = select(WorkOrder).order_by(WorkOrder.id.desc())
        if order_id is not None:
            query = query.where(WorkOrder.id == order_id)
        return session.exec(query).first()


def _events(store, order_id: int) -> list[tuple[str, str, str]]:
    with store.session() as session:
        found = session.exec(select(WorkOrderEvent).where(WorkOrderEvent.order_id == order_id).order_by(WorkOrderEvent.seq)).all()
        return [(e.action, e.from_state, e.to_state) for e in found]


def _promises(store, order_id: int) -> list[tuple[str, str]]:
    with store.session() as session:
        found = session.exec(select(Promise).where(Promise.source_kind == "work_order", Promise.source_id == order_id).order_by(Promise.id)).all()
        return [(p.kind, p.state) for p in found]


async def _stage(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


async def _save(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_a_counter_repair_from_walk_in_to_closed_with_a_failed_callback(demo_store, make_app, sign_in, clock) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")
        await serve_first(pilot)
        await pilot.press("enter", "4")  # greeting, purpose: repair → hand-over to the repair screen
        await pilot.press("enter")  # end of the walk-in flow: satisfaction
        await pilot.press("5")
        await settle(pilot)

        # The repair screen has the visitor's unit and name; the counter script starts.
        assert app.current_mode == "repair"
        assert step(app) == "intake"
        assert "请问您住在哪个单元" in shown(app, "#step-body")
        await pilot.press("escape")  # a handed-over request cannot be dropped
        assert step(app) == "intake"
        await pilot.press("1")  # household
        assert step(app) == "intake_household"
        assert app.screen.query("#step-inputs Input").first().value == "3-2-1501"
        await type_into_ask(pilot, "unit", "3-2-1501")
        await type_into_ask(pilot, "category", "1")
        await type_into_ask(pilot, "item", "卫生间水龙头漏水")
        assert step(app) == "capability"
        received = _order(demo_store)
        assert (received.state, received.area, received.category, received.customer) == ("received", "household", "plumbing", "任先生")
        assert received.source_kind == "visit" and received.channel == "counter"

        await pilot.press("1")  # within engineering's capability
        assert step(app) == "call_engineering"
        await pilot.press("enter")
        assert "3-2-1501需要维修卫生间水龙头漏水" in shown(app, "#step-body")
        await pilot.press("enter")  # taken at the counter: on to the promise
        assert step(app) == "promise_arrival"
        assert "我们会在15分钟内派专业人员进行查看" in shown(app, "#step-body")
        await pilot.press("enter")
        assert step(app) == "price_list"
        assert "PL01" in shown(app, "#aside") and "更换水龙头" in shown(app, "#aside")
        await pilot.press("enter")
        await type_into_ask(pilot, "time", "10:30")
        assert step(app) == "confirm_service"
        await pilot.press("enter", "enter")  # dispatch: the end of the intake
        await settle(pilot)
        order = _order(demo_store)
        assert order.state == "dispatched"
        assert order.promised_at.astimezone(SHANGHAI).strftime("%H:%M") == "10:45"
        assert _promises(demo_store, order.id) == [("repair_arrival", "open")]
        assert rows(app)[0][:2] == ["WX000001", "已派工"]
        assert "到场剩 45 分钟" in rows(app)[0][2]

        # On Today the arrival is a promise.
        await pilot.press("f8")
        await settle(pilot)
        table = app.screen.query_one("#promises")
        kinds = [str(table.get_row_at(n)[2]) for n in range(table.row_count)]
        assert "维修到场" in kinds
        await pilot.press("f4")
        await settle(pilot)

        # On site in time, a review within 30 minutes, repaired with a part from the price list.
        clock.advance(minutes=35)
        await _stage(pilot, "a")
        await fill(pilot, "at", "10:35")
        await _save(pilot)
        await _stage(pilot, "v")
        await _save(pilot)
        assert rows(app)[0][1] == "评审中"
        clock.advance(minutes=20)
        await _stage(pilot, "v")
        await _save(pilot)
        await _stage(pilot, "f")
        await fill(pilot, "part0_name", "PL01")
        assert app.screen.query_one("#part0_price").value == "20.00"
        await fill(pilot, "part0_spec", "DN15")
        await fill(pilot, "labour", "10")
        assert "30.00" in shown(app, "#total")
        await _save(pilot)  # no receipt for money charged: refused at the field
        assert "收据号" in field_error(app, "receipt")
        await fill(pilot, "receipt", "R-0101")
        await _save(pilot)
        assert _order(demo_store).total_fen == 3000

        # Signed off, then the callback: not satisfied → reopened, dispatched again.
        await _stage(pilot, "s")
        await fill(pilot, "satisfaction", "4")
        await _save(pilot)
        assert _order(demo_store).state == "signed"
        await _stage(pilot, "c")
        await fill(pilot, "outcome", "2")
        await _save(pilot)  # not satisfied needs the reason
        assert "原因" in field_error(app, "result")
        await fill(pilot, "result", "还在滴水")
        await _save(pilot)
        assert _order(demo_store).state == "received"
        await _stage(pilot, "d")  # dispatch again: the call to engineering, then the appointment
        assert step(app) == "engineering_call"
        await pilot.press("enter")
        assert step(app) == "phone_appointment"
        await type_into_ask(pilot, "time", "14:00")
        await pilot.press("enter")
        await settle(pilot)
        clock.advance(hours=4)
        await _stage(pilot, "a")
        await fill(pilot, "at", "14:05")
        await _save(pilot)
        await _stage(pilot, "f")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _stage(pilot, "s")
        await fill(pilot, "satisfaction", "5")
        await _save(pilot)
        await _stage(pilot, "c")
        await fill(pilot, "result", "已修好")
        await fill(pilot, "outcome", "1")
        await _save(pilot)

    order = _order(demo_store)
    assert order.state == "closed" and order.reopened == 1 and order.satisfaction == 5
    assert [a for a, _f, _t in _events(demo_store, order.id)] == [
        "receive", "dispatch", "arrive", "review", "resume", "finish", "sign", "callback_failed",
        "dispatch", "arrive", "finish", "sign", "callback_ok",
    ]
    assert _promises(demo_store, order.id) == [("repair_arrival", "kept"), ("repair_arrival", "kept")]
    with demo_store.session() as session:
        visit = session.exec(select(Visit)).one()
        assert (visit.purpose, visit.outcome) == ("repair", "handed_off")


async def test_a_phone_repair_handed_over_dispatched_and_closed(demo_store, make_app, sign_in, clock) -> None:
    from phone_helpers import an_owner

    owner = an_owner(demo_store)
    calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f3")  # answer: the caller is known by number
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", "enter", "1")  # greeting, surname, title, unit; repair
        await type_into_ask(pilot, "item", "客厅灯不亮")
        await pilot.press("enter", "enter", "enter", "enter")  # repeat, number, arrange, goodbye
        await settle(pilot)

        assert app.current_mode == "repair"
        assert step(app) == "phone_intake"
        await pilot.press("1")
        assert {i.name: i.value for i in app.screen.query("#step-inputs Input") if i.name}["item"] == "客厅灯不亮"
        await pilot.press("enter", "9", "enter", "enter")  # the unit from the call; category 9; the item
        await pilot.pause()
        assert step(app) == "phone_household"
        assert "类别" in ask_error(app, "category")
        assert _order(demo_store) is None  # nothing saved while a field is wrong
        await type_into_ask(pilot, "category", "2")
        await type_into_ask(pilot, "item", "客厅灯不亮")
        assert step(app) == "phone_capability"
        await pilot.press("1")
        assert step(app) == "engineering_call"
        await pilot.press("enter")  # by phone: no visitor at the counter, straight to the appointment
        assert step(app) == "phone_appointment"
        await type_into_ask(pilot, "time", "现在")
        await pilot.press("enter")
        await settle(pilot)
        order = _order(demo_store)
        assert order.state == "dispatched"

        # Then to closed, by keys alone: on site, repaired (nothing charged), signed, called back.
        clock.advance(minutes=12)
        for key in ("a", "f"):
            await _stage(pilot, key)
            await _save(pilot)
        await _stage(pilot, "s")
        await fill(pilot, "satisfaction", "5")
        await _save(pilot)
        await _stage(pilot, "c")
        await fill(pilot, "result", "灯已修好")
        await fill(pilot, "outcome", "1")
        await _save(pilot)

    order = _order(demo_store)
    with demo_store.session() as session:
        call = session.exec(select(Call)).one()
    assert (order.state, order.channel, order.source_kind, order.source_id) == ("closed", "phone", "call", call.id)
    assert not order.arrived_late and order.signed_by == order.customer
    assert [a for a, _f, _t in _events(demo_store, order.id)] == [
        "receive", "dispatch", "arrive", "finish", "sign", "callback_ok",
    ]
    assert order.unit_id == owner.unit_id and order.phone == owner.phone and order.category == "electrical"
    assert (order.promised_at - order.appointment_at) == timedelta(minutes=15)
    assert call.outcome == "repair"


async def test_a_request_outside_capability_gives_the_specialists_number(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_repairs(pilot, sign_in)
        await pilot.press("ctrl+n", "1")
        await type_into_ask(pilot, "unit", "9-9-9999")
        await type_into_ask(pilot, "category", "5")
        await type_into_ask(pilot, "item", "Gas hob smells of gas")
        assert step(app) == "intake_household"
        assert "No such unit" in ask_error(app, "unit")
        await type_into_ask(pilot, "unit", "3-2-1501")
        await type_into_ask(pilot, "item", "Gas hob smells of gas")
        await pilot.press("2")  # outside engineering's capability
        assert step(app) == "referral"
        assert "Gas pipes" in shown(app, "#aside")
        await type_into_ask(pilot, "referral", "99")
        assert step(app) == "referral"  # no such entry: refused at the field
        await type_into_ask(pilot, "referral", "1")
        assert step(app) == "referral_note"
        assert "0755-83416218" in shown(app, "#aside")
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        assert "0755-83416218" not in shown(app, "#detail")  # referred orders are not open
        await pilot.press("4")  # all orders
        await settle(pilot)
        assert rows(app)[0][1] == "Referred"
        assert "0755-83416218" in shown(app, "#detail")

    order = _order(demo_store)
    assert order.state == "referred" and order.referral_id == 1 and order.closed_at is not None
    with demo_store.session() as session:
        assert session.exec(select(func.count()).select_from(WorkOrder)).one() == 1


async def test_reschedule_call_moves_the_promise(demo_store, make_app, sign_in, clock, policy) -> None:
    order_id = dispatched(demo_store, clock, policy, minutes=30)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_repairs(pilot, sign_in)
        await _stage(pilot, "r")
        assert step(app) == "reschedule"
        await type_into_ask(pilot, "reason", "配件未到")
        await type_into_ask(pilot, "new_time", "15:00")
        assert step(app) == "reschedule_call"
        said = shown(app, "#step-body")
        assert "10:30您的报修服务我们因配件未到特殊情况无法按时上门" in said
        assert "我们会在15:00上门为您提供维修服务" in said
        await pilot.press("2")  # the customer wants another time
        await type_into_ask(pilot, "new_time", "明天 9:00")
        assert step(app) == "reschedule_agreed"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app)[0][1] == "已派工"
        assert "预约 11-25 09:00 · 应到场 11-25 09:15 前" in shown(app, "#detail")

    order = _order(demo_store, order_id)
    assert order.reschedules == 1
    assert order.appointment_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") == "11-25 09:00"
    assert _promises(demo_store, order_id) == [("repair_arrival", "cancelled"), ("repair_reschedule", "open")]
    assert [a for a, _f, _t in _events(demo_store, order_id)][-1] == "reschedule"


async def test_late_arrival_and_missed_review_are_overdue_on_today(demo_store, make_app, sign_in, clock, policy) -> None:
    late = dispatched(demo_store, clock, policy, "1-2-301", "入户门锁坏了")
    review = dispatched(demo_store, clock, policy, "2-1-502", "客厅天花板渗水")
    W.arrive(demo_store, clock, 1, review, clock.now())
    W.start_review(demo_store, clock, 1, review)
    clock.advance(minutes=40)
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        table = app.screen.query_one("#promises")
        today = [[c.plain if hasattr(c, "plain") else str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        arrival = next(r for r in today if "入户门锁坏了" in r[5])
        assert arrival[0] == "已超时" and arrival[2] == "维修到场"
        missed = next(r for r in today if r[2] == "维修评审")
        assert missed[0] == "已超时" and "WX000002" in missed[5]
        from deskapp.services.promises import open_promises

        counted = len(open_promises(demo_store, clock, policy)) + len(W.due_orders(demo_store, clock, policy))
        assert f"未完成 {counted} 项" in str(app.screen.query_one("#today-summary").render())
        assert counted == table.row_count

        await pilot.press("f4", "3")  # overdue only
        await settle(pilot)
        listed = rows(app)
        assert {r[0] for r in listed} == {W.number(late), W.number(review)}
        assert all("已超时" in r[2] for r in listed)

        # An overdue order escalated to the CS supervisor: who, when, why.
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("enter", "enter")  # the first offered, the CS supervisor; no reason typed
        await settle(pilot)

    with demo_store.session() as session:
        escalation = session.exec(select(WorkOrderEvent).where(WorkOrderEvent.action == "escalate")).one()
    assert escalation.to_state == escalation.from_state
    assert '"to_id": %d' % staff_id(demo_store, "super") in escalation.detail and "超时" in escalation.detail


async def test_bad_input_in_the_stage_dialogs_saves_nothing(demo_store, make_app, sign_in, clock, policy) -> None:
    order_id = dispatched(demo_store, clock, policy)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_repairs(pilot, sign_in)
        await _stage(pilot, "a")
        await fill(pilot, "at", "25:00")
        await _save(pilot)
        assert "14:30" in field_error(app, "at")
        await fill(pilot, "at", "09:00")  # before the order was dispatched
        await _save(pilot)
        assert "派工" in field_error(app, "at")
        await fill(pilot, "at", "10:00")
        await _save(pilot)
        await _stage(pilot, "f")
        await fill(pilot, "part0_name", "水管")
        await fill(pilot, "part0_qty", "-1")
        await fill(pilot, "part0_price", "12")
        await _save(pilot)
        assert "数量" in field_error(app, "part0")
        await fill(pilot, "part0_qty", "2")
        await fill(pilot, "part0_price", "abc")
        await _save(pilot)
        assert "金额" in field_error(app, "part0")
        with demo_store.session() as session:
            assert session.exec(select(func.count()).select_from(WorkOrderPart)).one() == 0
        assert _order(demo_store, order_id).state == "on_site"
        await pilot.press("escape")
        await settle(pilot)

    assert [a for a, _f, _t in _events(demo_store, order_id)] == ["receive", "dispatch", "arrive"]
