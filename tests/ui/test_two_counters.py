"""A record changes under the clerk's screen (another counter, a colleague at the next desk):
the clerk's action on the view they hold is refused with "changed by X at T — reload", shown
where they acted, and nothing the other counter wrote is overwritten."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import DataTable

from deskapp.services import feedback, visits, work_orders as W
from deskapp.store.tables import Feedback, FeedbackEvent, Visit, WorkOrder, WorkOrderEvent
from repair_helpers import dispatched, open_repairs, settle, shown, staff_id
from walk_in_helpers import open_walk_in, panels_shown, register, serve_first


def _said(app) -> list[str]:
    """Every notification the console shows from now on."""
    said: list[str] = []
    notify = app.notify

    def keep(message, *args, **kwargs):
        said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = keep
    return said


async def test_a_work_order_moved_on_at_another_counter_is_not_overwritten(demo_store, make_app, sign_in, clock, policy) -> None:
    order_id = dispatched(demo_store, clock, policy)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_repairs(pilot, sign_in)  # the list shows the order dispatched
        clock.advance(minutes=3)
        other = staff_id(demo_store, "c02")  # 林晓婷 records the repairman on site from her counter
        W.arrive(demo_store, clock, other, order_id, clock.now() - timedelta(minutes=1))
        await pilot.press("a")  # the clerk, on the list as she read it, records an arrival too
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown(app, "#form-error") == "此记录已被 林晓婷 于 10:03 修改,请重新载入\n"
        await pilot.press("escape")
        await settle(pilot)

    with demo_store.read() as session:
        order = session.get(WorkOrder, order_id)
        events = session.exec(select(WorkOrderEvent.action, WorkOrderEvent.actor_id).where(WorkOrderEvent.order_id == order_id)).all()
    assert (order.state, order.arrived_at) == ("on_site", clock.now() - timedelta(minutes=1))
    assert [a for a, _ in events] == ["receive", "dispatch", "arrive"] and events[-1][1] == other


async def test_a_waiting_visitor_served_at_another_counter_is_not_taken_over(demo_store, make_app, sign_in, clock) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "3-2-1501", "任")  # the queue shows 任先生 waiting
        said = _said(app)
        with demo_store.read() as session:
            visit_id = session.exec(select(Visit.id).where(Visit.surname == "任")).one()
        other = staff_id(demo_store, "c03")  # 吴嘉欣 calls him to her counter first
        visits.start_service(demo_store, clock, visit_id, other, "walk_in")
        await serve_first(pilot)  # Enter on the row as it was read: waiting
        assert said == ["此记录已被 吴嘉欣 于 10:00 修改,请重新载入"]
        assert not panels_shown(app)  # no flow opened for a visitor who is not hers

    with demo_store.read() as session:
        visit = session.get(Visit, visit_id)
    assert (visit.state, visit.served_by_id) == ("serving", other)


async def test_a_complaint_answered_at_another_counter_keeps_that_answer(demo_store, make_app, sign_in, clock) -> None:
    me, other = staff_id(demo_store, "demo"), staff_id(demo_store, "c02")
    record = feedback.receive(demo_store, clock, me, what="电梯异响", customer="王先生", phone="13900000000")
    feedback.judge_valid(demo_store, clock, me, record, kind="complaint", category="engineering_quality",
                         severity="general", department="工程部")
    feedback.handler_reply(demo_store, clock, me, record, "已更换导靴")
    app = make_app(demo_store, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one("#records", DataTable)
        table.move_cursor(row=table.get_row_index(str(record)))
        await pilot.pause()
        clock.advance(minutes=5)
        feedback.answer(demo_store, clock, other, record, "已告知王先生维修结果")  # 林晓婷 replies by phone
        await pilot.press("a")  # the clerk answers from the list as she read it
        await settle(pilot)
        await pilot.press(*"Told him", "enter")
        await settle(pilot)
        error = app.screen.query_one("#text-error")
        assert str(error.render()) == "Changed by 林晓婷 at 10:05 — reload"
        await pilot.press("escape")
        await settle(pilot)

    with demo_store.read() as session:
        answers = session.exec(select(FeedbackEvent.actor_id).where(
            FeedbackEvent.feedback_id == record, FeedbackEvent.action == "answer")).all()
        answer = session.get(Feedback, record).answer
    assert (answers, answer) == ([other], "已告知王先生维修结果")
