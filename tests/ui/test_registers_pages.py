"""The registers (F9) on a store with more rows than a screen shows (issue 13: lists page, nothing
reads a whole table to draw a screen): each register shows its first PAGE rows — overdue or due
first, then the newest — says plainly that the list is cut, counts every row in its summary, and
/ (search) finds a row that was cut."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rich.text import Text
from sqlmodel import select
from textual.widgets import DataTable

from deskapp.screens.registers import PAGE
from deskapp.store.tables import FoundItem, KeyTag, MoveIn, Renovation, Vacancy
from repair_helpers import settle

MORE = PAGE + 5
CLERK = 1


def _rows(app, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(table_id, DataTable)
    return [[c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


def _summary(app) -> str:
    return str(app.screen.query_one("#reg-summary").content)


def _add(store, rows: list) -> None:
    with store.session() as session:
        session.add_all(rows)


async def _search(pilot, text: str) -> None:
    from textual.widgets import Input

    await pilot.press("slash")
    await settle(pilot)
    pilot.app.screen.query_one("#search", Input).value = text
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_keys_show_the_overdue_and_the_first_labels_and_count_every_key(demo_store, make_app, sign_in, clock, policy) -> None:
    from deskapp.services import keys

    _add(demo_store, [KeyTag(label=f"K{n:04d}", added_at=clock.now()) for n in range(MORE)])
    with demo_store.read() as session:
        last = session.exec(select(KeyTag.id).where(KeyTag.label == f"K{MORE - 1:04d}")).one()
    keys.lend(demo_store, clock, policy, CLERK, last, borrower_kind="worker", borrower="李师傅", purpose="更换水管",
              today=date(2026, 11, 24))  # the last label, lent: first on the list, whatever the page
    clock.advance(hours=9)  # 19:00: overdue
    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9")
        await settle(pilot)
        rows = _rows(app, "#reg-keys")
        assert len(rows) == PAGE and rows[0][0] == f"K{MORE - 1:04d}" and rows[1][0] == "K0000"
        assert f"钥匙 {MORE} 套 · 借出 1 · 逾期未还 1" in _summary(app)
        assert f"显示前 {PAGE} 条(其余的用 / 搜索)" in _summary(app)
        await _search(pilot, f"K{MORE - 2:04d}")  # cut from the page: found by search
        assert [r[0] for r in _rows(app, "#reg-keys")] == [f"K{MORE - 2:04d}"]
        assert "显示前" not in _summary(app)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_lost_and_found_keeps_the_items_due_first_and_counts_them_all(demo_store, make_app, sign_in, clock, lang) -> None:
    now = clock.now()
    due = [FoundItem(what=f"旧伞 {n}", found_at=now - timedelta(days=400 + n), registered_at=now, registered_by_id=CLERK,
                     kept_where="前台储物柜") for n in range(3)]  # the oldest: due for disposal
    new = [FoundItem(what=f"钱包 {n}", found_at=now - timedelta(hours=n + 1), registered_at=now, registered_by_id=CLERK,
                     kept_where="前台保险柜") for n in range(MORE)]
    _add(demo_store, due + new)
    app = make_app(demo_store, lang)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", "4")
        await settle(pilot)
        rows = _rows(app, "#reg-found")
        assert len(rows) == PAGE
        assert [r[1] for r in rows[:4]] == ["旧伞 0", "旧伞 1", "旧伞 2", "钱包 0"]  # due first, then the newest
        assert rows[-1][1] == f"钱包 {PAGE - 4}"
        if lang == "zh":
            assert f"拾遗物品 {MORE + 3} 件 · 到期待处理 3 · 显示最近 {PAGE} 条(更早的用 / 搜索)" in _summary(app)
        else:
            assert f"showing the newest {PAGE} (/ to search the older)" in _summary(app)
        await _search(pilot, f"钱包 {MORE - 1}")
        assert [r[1] for r in _rows(app, "#reg-found")] == [f"钱包 {MORE - 1}"]


async def test_renovations_vacancies_and_move_ins_show_the_newest_and_count_them_all(demo_store, make_app, sign_in, clock) -> None:
    now = clock.now()
    _add(demo_store, [Renovation(unit_id=1 + n % 400, permit_no=f"ZX-{n:04d}", opened_at=now - timedelta(days=MORE - n, hours=1),
                                 opened_by_id=CLERK, phase_since=now - timedelta(days=MORE - n, hours=1)) for n in range(MORE)])
    _add(demo_store, [Vacancy(unit_id=1 + n % 400, owner=f"业主{n}", start=date(2026, 12, 1), end=date(2027, 3, 1),
                              applied_at=now, applied_by_id=CLERK) for n in range(MORE)])
    _add(demo_store, [MoveIn(unit_id=1 + n % 400, owner=f"新业主{n}", started_at=now - timedelta(minutes=MORE - n),
                             started_by_id=CLERK) for n in range(MORE)])
    app = make_app(demo_store)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f9", "3")
        await settle(pilot)
        rows = _rows(app, "#reg-renovations")
        assert len(rows) == PAGE and rows[0][1] == f"ZX-{MORE - 1:04d}" and rows[-1][1] == f"ZX-{MORE - PAGE:04d}"
        assert f"装修 {MORE} 户 · 巡查到期 {MORE} · 显示最近 {PAGE} 条" in _summary(app)  # every patrol overdue, counted
        await pilot.press("2")
        await settle(pilot)
        rows = _rows(app, "#reg-vacancies")
        assert len(rows) == PAGE and rows[0][1] == f"业主{MORE - 1}"
        assert f"空置房 {MORE} 户" in _summary(app) and f"显示最近 {PAGE} 条" in _summary(app)
        await pilot.press("5")
        await settle(pilot)
        rows = _rows(app, "#reg-move_in")
        assert len(rows) == PAGE and rows[0][1] == f"新业主{MORE - 1}"
        assert f"入住办理 {MORE} 户 · 显示最近 {PAGE} 条" in _summary(app)
        await _search(pilot, "新业主0")  # the oldest, cut: found by search
        assert [r[1] for r in _rows(app, "#reg-move_in")] == ["新业主0"]
        assert "显示最近" not in _summary(app)
