"""Shift handover (F7) by keyboard, and the case it exists for (seed 004): an owner reports a
power cut at 17:00 and is promised an electrician; the clerk hands over at 17:30; at 18:00 the
owner calls again and the next clerk sees the promise, its due time and its history."""

from __future__ import annotations

import json
from datetime import timedelta

from rich.text import Text
from sqlmodel import select
from textual.widgets import DataTable

from deskapp.services import calls
from deskapp.store.tables import AuditEvent, Handover, HandoverItem, Promise, WorkOrder
from repair_helpers import settle, shown, step, type_into_ask

CLERK, NEXT = 1, 2  # demo: 陈小雨 (demo/1234), 林晓婷 (c02/2468)


def _rows(app) -> list[list[str]]:
    table = app.screen.query_one("#handover-items", DataTable)
    return [[c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def _type(pilot, text: str) -> None:
    """Into the dialog's one field, then Enter."""
    field = pilot.app.screen.query_one("Input")
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


async def _next_clerk_signs_in(pilot, code: str = "c02", pin: str = "2468") -> None:
    await pilot.press("h")
    await settle(pilot)
    await pilot.press(*code, "enter", *pin, "enter")
    await settle(pilot)
    await settle(pilot)


async def test_the_power_cut_case_replayed_by_keyboard(demo_store, make_app, sign_in, clock) -> None:
    from phone_helpers import an_owner

    clock.advance(hours=7)  # 17:00 at the site
    owner = an_owner(demo_store)
    calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        # 17:00 — the owner calls: power cut; the clerk promises an electrician.
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f3")  # answer
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", "enter", "1")  # greeting, surname, title, unit; repair
        await type_into_ask(pilot, "item", "家里突然停电")
        await pilot.press("enter", "enter", "enter", "enter")  # repeat, number, arrange, goodbye
        await settle(pilot)
        assert app.current_mode == "repair"
        await pilot.press("1")
        await pilot.press("enter")
        await type_into_ask(pilot, "category", "2")
        await type_into_ask(pilot, "item", "家里突然停电")
        await pilot.press("1")  # within engineering's capability
        await pilot.press("enter")  # engineering called
        assert step(app) == "phone_appointment"
        await type_into_ask(pilot, "time", "现在")
        await pilot.press("enter")
        await settle(pilot)
        with demo_store.read() as session:
            order = session.exec(select(WorkOrder)).one()
            arrival = session.exec(select(Promise).where(Promise.kind == "repair_arrival", Promise.source_id == order.id)).one()
        assert (order.state, order.owner_id, arrival.owner_id) == ("dispatched", CLERK, CLERK)

        # 17:30 — the clerk goes off shift: F7 gathers everything they hold.
        clock.advance(minutes=30)
        await pilot.press("f7")
        await settle(pilot)
        rows = _rows(app)
        ours = sorted((r[2], r[4]) for r in rows if r[4] in (arrival.text, f"WX{order.id:06d} 家里突然停电"))
        assert ours == sorted([("维修到场", arrival.text), ("维修到场", f"WX{order.id:06d} 家里突然停电")])
        assert len(rows) == 8  # the demo's 6 promises, the arrival promise, the work order
        at = next(n for n, r in enumerate(rows) if r[4] == arrival.text)
        app.screen.query_one(DataTable).move_cursor(row=at)
        await pilot.press("n")
        await _type(pilot, "水管爆裂,维修主管已安排电工修完即去,请跟进")
        await pilot.press("s")
        await _type(pilot, "现金 0 元;钥匙 12 把已清点")
        await _next_clerk_signs_in(pilot)
        assert "接班 林晓婷" in str(app.screen.query_one("#handover-head").content)

        # The next clerk queries the arrival promise; the outgoing clerk answers.
        app.screen.query_one(DataTable).move_cursor(row=at)
        await pilot.press("q")
        await _type(pilot, "电工到了没有?")
        await pilot.press("a")  # refused: the query is not answered yet
        await settle(pilot)
        assert _rows(app)[at][0] == "询问中"
        await pilot.press("r")
        await _type(pilot, "还没到,18:00 前再催一次")

        # Completing with items unacknowledged is refused; nothing changes hands.
        app.screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        with demo_store.read() as session:
            assert session.get(Promise, arrival.id).owner_id == CLERK
            assert session.exec(select(Handover)).one().state == "presented"
        assert app.current_mode == "handover"

        # Acknowledge all is refused until each item was shown; then it works.
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert sum(r[0] == "已确认" for r in _rows(app)) == 1
        for _ in range(len(rows)):
            await pilot.press("down")
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert all(r[0] == "已确认" for r in _rows(app))
        await pilot.press("f10")
        await settle(pilot)
        document = shown(app, "#document")
        assert "交班:陈小雨" in document and "接班:林晓婷" in document and "电工到了没有?" in document
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "today" and app.ctx.clerk.name == "林晓婷"

        # 18:00 — the owner calls again: the next clerk sees the promise, its due time and history.
        clock.advance(minutes=30)
        calls.ring(demo_store, clock, owner.phone)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        pop = shown(app, "#pop")
        due = (arrival.due_at.astimezone(app.ctx.policy.timezone)).strftime("%m-%d %H:%M")
        line = next(line for line in pop.splitlines() if line.startswith("维修到场"))
        assert due in line and "已超时" in line and "林晓婷" in line and "家里突然停电" in line
        assert "17:00 陈小雨 承诺" in pop and "17:30 交接:陈小雨 交给 林晓婷" in pop

    with demo_store.read() as session:
        promise, order = session.get(Promise, arrival.id), session.get(WorkOrder, order.id)
        assert (promise.owner_id, promise.handovers, promise.state, order.owner_id) == (NEXT, 1, "open", NEXT)
        handed = session.exec(select(AuditEvent).where(AuditEvent.action == "ownership.handed_over",
                                                       AuditEvent.entity == "promise", AuditEvent.entity_id == arrival.id)).one()
        detail = json.loads(handed.detail)
        assert (detail["before"], detail["after"]) == (CLERK, NEXT)
        assert detail["note"].startswith("水管爆裂") and detail["answer"].startswith("还没到")
        assert handed.at == arrival.created_at + timedelta(minutes=30)
        item = session.exec(select(HandoverItem).where(HandoverItem.kind == "promise", HandoverItem.record_id == arrival.id)).one()
        assert item.state == "acknowledged"


async def test_a_promise_closed_first_is_not_handed_over_and_withdrawing_changes_nothing(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f7")
        await settle(pilot)
        assert len(_rows(app)) == 6
        first = _rows(app)[0][4]
        await pilot.press("ctrl+k")  # kept: it leaves the list before the handover
        await settle(pilot)
        assert len(_rows(app)) == 5 and first not in [r[4] for r in _rows(app)]
        await pilot.press("s")
        await _type(pilot, "Cash 0; keys 12")
        assert app.screen.phase == "open"
        await _next_clerk_signs_in(pilot, "demo", "1234")  # the same clerk cannot take over
        assert app.screen.phase == "open"
        await pilot.press("escape")
        await pilot.press("x")  # withdrawn: the clerk stays on
        await settle(pilot)
        assert app.screen.phase == "preview"
    with demo_store.read() as session:
        assert session.exec(select(Handover)).one().state == "cancelled"
        assert {p.owner_id for p in session.exec(select(Promise).where(Promise.state == "open")).all()} == {CLERK}
