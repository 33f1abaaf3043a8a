"""Today (F8): promises kept or broken by key leave the board, recorded with who and when."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable

from deskapp.store.tables import AuditEvent, Promise


async def test_a_promise_kept_and_one_broken_leave_today(demo_store, make_app, sign_in, clock) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6
        first = app.screen._highlighted()
        await pilot.press("ctrl+k")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 5
        second = app.screen._highlighted()
        await pilot.press("ctrl+b")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 4
    with demo_store.session() as session:
        kept, broken = session.get(Promise, first.record_id), session.get(Promise, second.record_id)
        assert (kept.state, broken.state) == ("kept", "broken")
        assert kept.closed_at == clock.now()
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "promise")).all()]
        assert "promise.kept" in actions and "promise.broken" in actions


async def test_enter_opens_the_record_of_a_work_order_and_of_a_waiting_visitor(demo_store, make_app, sign_in, clock, policy) -> None:
    from datetime import timedelta

    from rich.text import Text

    from deskapp.clock import FixedClock
    from deskapp.services import visits, work_orders

    earlier = FixedClock(clock.now() - timedelta(hours=1))
    order = work_orders.open_order(demo_store, earlier, 1, area="household", unit_code="1-1-201", item="阳台地漏堵塞",
                                   category="plumbing", customer="王先生")
    work_orders.dispatch(demo_store, earlier, policy, 1, order, earlier.now(), "1-1-201 阳台地漏堵塞")
    work_orders.arrive(demo_store, earlier, 1, order, earlier.now())
    work_orders.start_review(demo_store, FixedClock(clock.now() - timedelta(minutes=40)), 1, order, "需班长判断")
    visits.register_arrival(demo_store, FixedClock(clock.now() - timedelta(minutes=5)), 2, unit_code="1-1-201", surname="王", title="先生")
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        table = app.screen.query_one(DataTable)
        rows = [[c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert table.row_count == 8  # the demo's 6 promises, the review running late, the visitor waiting
        review = next(n for n, r in enumerate(rows) if r[5].startswith(f"WX{order:06d}"))
        assert rows[review][:3] == ["已超时", "11-24 09:50", "维修评审"]
        waiting = next(n for n, r in enumerate(rows) if r[2] == "等候来访")
        assert rows[waiting][0] == "已超时" and rows[waiting][4] == ""  # the desk's, no owner
        table.move_cursor(row=review)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "repair"
        assert type(app.screen).__name__ == "PrintDialog"  # the order as printed, with its history
        await pilot.press("escape", "f8")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one(DataTable).move_cursor(row=waiting)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "walk_in"
        await pilot.press("f8", "m")  # mine only: the visitor waiting stays (the desk's), the demo's promises are mine
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "只看我的" in str(app.screen.query_one("#today-summary").content)
