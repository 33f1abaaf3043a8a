"""The shift handover (F7) on a store with more open items than a register's page (issue 13): the
preview and the handover list every open item — open work is never cut — and the handover counts
them all."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from deskapp.screens.registers import PAGE
from deskapp.services import handover as ho
from deskapp.store.tables import Renovation
from repair_helpers import settle

CLERK = 1
MORE = PAGE + 50


async def test_every_open_item_is_listed_and_counted(demo_store, make_app, sign_in, clock, policy) -> None:
    since = clock.now() - timedelta(days=2)  # plumbing, never patrolled: a patrol overdue on each
    with demo_store.session() as session:
        session.add_all([Renovation(unit_id=1 + n % 400, permit_no=f"ZX-{n:04d}", opened_at=since, opened_by_id=CLERK,
                                    phase_since=since) for n in range(MORE)])
    open_now = ho.open_items(demo_store, clock, policy, CLERK)
    assert sum(i.kind == "renovation" for i in open_now) == MORE
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f7")
        await settle(pilot)
        table = app.screen.query_one("#handover-items", DataTable)
        assert table.row_count == len(open_now) == MORE + 6  # and the demo's 6 promises
        assert {key.value for key in table.rows} == {f"{i.kind}:{i.record_id}" for i in open_now}
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("Input").value = "现金 0 元"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.phase == "open"
        assert table.row_count == MORE + 6
        assert f"共 {MORE + 6} 项" in str(app.screen.query_one("#handover-counts").content)
