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
