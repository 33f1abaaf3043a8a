"""The registers (F9) by keyboard, for what issue 11 is done by: a worker's key not returned by
evening is overdue on Today and in the handover; a vacancy shorter than three months is refused
with the reason at its field; a renovation in its plumbing phase has a patrol due every day until
the phase changes."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from sqlmodel import func, select
from textual.widgets import DataTable, Input

from deskapp.services import renovation
from deskapp.store.tables import KeyLoan, Vacancy
from repair_helpers import settle


def _rows(app, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(table_id, DataTable)
    return [[c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def _form(pilot, **values: str) -> None:
    """Fill the open form's fields by id and save (Ctrl+S)."""
    for field, value in values.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_a_workers_key_not_back_by_evening_is_overdue_on_today_and_handed_over(demo_store, make_app, sign_in, clock, policy) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await _form(pilot, label="1-1-201-A", unit="1-1-201", what="入户门 2 把")
        await pilot.press("l")
        await settle(pilot)
        await _form(pilot, kind="3", borrower="周经理", purpose="带客户看房")  # sales, no manager: refused
        assert "主管" in str(app.screen.query_one("#manager-error").content)
        await _form(pilot, kind="2", borrower="李师傅", company="安居装修", purpose="更换水管", manager="")
        assert _rows(app, "#reg-keys")[0][2:5] == ["借出", "李师傅", "11-24 18:00"]  # 10:00 now: due back at 18:00

        clock.advance(hours=8, minutes=30)  # 18:30: not returned
        await pilot.press("f8")
        await settle(pilot)
        key_row = next(r for r in _rows(app, "#promises") if r[2] == "借出钥匙")
        assert key_row[:2] == ["已超时", "11-24 18:00"] and key_row[4] == "陈小雨" and "李师傅" in key_row[5]

        await pilot.press("f7")
        await settle(pilot)
        handover = [r for r in _rows(app, "#handover-items") if r[2] == "借出钥匙"]
        assert len(handover) == 1 and "1-1-201-A" in handover[0][4]
        await pilot.press("h")
        await settle(pilot)
        await pilot.press(*"c02", "enter", *"2468", "enter")
        await settle(pilot)
        await settle(pilot)
        for _ in range(len(_rows(app, "#handover-items"))):
            await pilot.press("a")
            await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    with demo_store.read() as session:
        loan = session.exec(select(KeyLoan)).one()
        assert (loan.holder_id, loan.returned_at) == (2, None)  # 林晓婷 now gets it back


async def test_a_vacancy_under_three_months_is_refused_with_the_reason(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, lang="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", "2")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        values = dict(unit="1-1-201", owner="张伟", id_type="1", id_no="110101199003074514", start="2026-12-01",
                      end="2027-02-28", reason="出国", notice="y")
        await _form(pilot, **values)
        assert "3 months" in str(app.screen.query_one("#end-error").content)
        with demo_store.read() as session:
            assert session.exec(select(func.count()).select_from(Vacancy)).one() == 0
        await _form(pilot, end="2027-03-01")
        assert _rows(app, "#reg-vacancies")[0][:5] == ["1-1-201", "张伟", "2026-12-01", "2027-03-01", "to confirm"]


async def test_a_plumbing_renovation_is_patrolled_every_day_until_the_phase_changes(demo_store, make_app, sign_in, clock, policy) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", "3")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await _form(pilot, unit="1-1-201", permit="ZX-2026-031", owner="张伟", company="安居装修", workers="3", deposit="2000")
        assert _rows(app, "#reg-renovations")[0][:4] == ["1-1-201", "ZX-2026-031", "水电改造", "11-25 10:00"]
        for day in range(1, 4):  # three days of plumbing: each day's patrol makes the next due a day later
            clock.advance(days=1, hours=1)
            await pilot.press("f8")
            await settle(pilot)
            due = next(r for r in _rows(app, "#promises") if r[2] == "装修巡查")
            assert due[0] == "已超时"
            await pilot.press("f9")
            await settle(pilot)
            await pilot.press("v")
            await _form(pilot, ok="y")
            view = renovation.list_renovations(demo_store, clock, policy)[0]
            assert view.next_due == clock.now() + timedelta(days=1)
        await pilot.press("p")
        await _form(pilot, phase="2")  # carpentry and painting: every three days
        view = renovation.list_renovations(demo_store, clock, policy)[0]
        assert (view.phase, view.next_due) == ("carpentry", clock.now() + timedelta(days=3))
        assert _rows(app, "#reg-renovations")[0][2] == "木工粉墙"


async def test_a_move_in_is_ticked_step_by_step_until_complete(demo_store, make_app, sign_in, clock) -> None:
    import json

    from deskapp.services import move_in
    from deskapp.store.tables import AuditEvent, MoveIn

    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", "5")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await _form(pilot, unit="9-9-999", owner="高梅")
        assert "9-9-999" in str(app.screen.query_one("#unit-error").content)  # no such unit: at its field
        await _form(pilot, unit="1-1-201", owner="高梅")
        assert _rows(app, "#reg-move_in")[0][:4] == ["1-1-201", "高梅", "11-24 10:00", "0/11"]
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("space", "down", "space", "down", "space", "enter")  # the first three steps
        await settle(pilot)
        assert _rows(app, "#reg-move_in")[0][3:5] == ["3/11", "办理中"]
        clock.advance(minutes=20)
        await pilot.press("k")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("down")
        for _ in range(8):
            await pilot.press("space", "down")
        await pilot.press("enter")
        await settle(pilot)
        assert _rows(app, "#reg-move_in") == []  # complete: it leaves the open list
        await pilot.press("o")
        await settle(pilot)
        assert _rows(app, "#reg-move_in")[0][3:5] == ["11/11", "已完成"]
    with demo_store.read() as session:
        record = session.exec(select(MoveIn)).one()
        done = json.loads(record.done)
        assert set(done) == set(move_in.STEPS) and record.completed_at == clock.now()
        assert done["verify"] < done["checklist"]  # each tick keeps its own time
        ticks = session.exec(select(AuditEvent).where(AuditEvent.action == "move_in.ticked")).all()
        assert [json.loads(t.detail)["steps"] for t in ticks] == [list(move_in.STEPS[:3]), list(move_in.STEPS[3:])]


async def test_search_and_a_vacancy_ending_soon_is_on_today(demo_store, make_app, sign_in, clock, policy) -> None:
    from datetime import date

    from deskapp.services import keys, vacancy

    for label, unit in (("1-1-201-A", "1-1-201"), ("2-1-201-A", "2-1-201"), ("1-1-1202-A", "1-1-1202")):
        keys.add_key(demo_store, clock, 1, label=label, unit_code=unit)
    vacant = vacancy.apply(demo_store, clock, policy, 1, unit_code="1-1-201", owner="张伟", id_type="resident_id",
                           id_no="110101199003074514", start=date(2026, 11, 25), end=date(2027, 2, 25), reason="出国",
                           notice_given=True, today=date(2026, 11, 24))
    vacancy.confirm(demo_store, clock, policy, vacant, "super", "5678")
    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        assert not [r for r in _rows(app, "#promises") if r[2] == "空置到期提醒"]
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("slash")
        await _form(pilot, search="1-1-")
        assert [r[0] for r in _rows(app, "#reg-keys")] == ["1-1-1202-A", "1-1-201-A"]
        assert "搜索“1-1-”" in str(app.screen.query_one("#reg-summary").content)
        await pilot.press("slash")
        await _form(pilot, search="")
        assert len(_rows(app, "#reg-keys")) == 3
        clock.advance(days=88)  # 2027-02-20: five days before the vacancy ends
        await pilot.press("2")
        await settle(pilot)
        assert "5 天后到期" in _rows(app, "#reg-vacancies")[0][4]
        await pilot.press("f8")
        await settle(pilot)
        ending = [r for r in _rows(app, "#promises") if r[2] == "空置到期提醒"]
        assert len(ending) == 1 and ending[0][1] == "02-25 00:00" and ending[0][3] == "1-1-201"
