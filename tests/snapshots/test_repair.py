"""Screenshots of the repair screen (F4) at 80×24 in zh and en, on the fixed clock: the open
work orders with their limits, a work order as printed with its history, and the intake at the
specialist directory.

The store is built here (two units, a short price list and directory), not the demo community,
so a change to data/demo/ does not move these pictures. After a deliberate change:
`.venv/bin/pytest tests/snapshots/test_repair.py --snapshot-update`, then read the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from ui.repair_helpers import settle

from deskapp.clock import FixedClock
from deskapp.services import work_orders as W
from deskapp.services.auth import hash_pin
from deskapp.store.tables import Building, Person, Referral, RepairPrice, Role, Setting, Staff, Unit

SIZE = (80, 24)
LANGS = ["zh", "en"]


@pytest.fixture
def repair_store(store):
    """The clerk (demo / 1234), the CS supervisor, units 3-2-1501 (owner 任荣华) and 1-1-302
    (owner 高梅), four price-list items and two specialists."""
    with store.session() as session:
        session.add(Setting(key="community.site", value="海悦花园管理处"))
        session.add(Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash=hash_pin("1234")))
        session.add(Staff(code="super", name="王建国", role=Role.SUPERVISOR, pin_hash=hash_pin("5678")))
        for code, floors in (("3", 18), ("1", 6)):
            session.add(Building(code=code, name=f"{code}栋", name_en=f"Building {code}", floors=floors, entrances=2))
        session.flush()
        session.add(Unit(code="3-2-1501", building_id=1, entrance="2", floor=15, room="1501", area_m2=88.05, monthly_fee_fen=24654))
        session.add(Unit(code="1-1-302", building_id=2, entrance="1", floor=3, room="302", area_m2=102.4, monthly_fee_fen=28672))
        session.flush()
        session.add(Person(unit_id=1, kind="owner", name="任荣华", gender="M", phone="15948680648"))
        session.add(Person(unit_id=2, kind="owner", name="高梅", gender="F", phone="15839835784"))
        for code, category, zh, en, unit_zh, unit_en, fen in (
            ("PL01", "plumbing", "更换水龙头", "Replace a tap", "个", "each", 2000),
            ("PL05", "plumbing", "地漏疏通", "Unblock a floor drain", "次", "job", 5000),
            ("EL02", "electrical", "更换灯管、灯泡", "Replace a tube or bulb", "个", "each", 2000),
            ("OT06", "other", "上门检查", "Call-out inspection", "次", "job", 2000),
        ):
            session.add(RepairPrice(code=code, category=category, item_zh=zh, item_en=en, unit_zh=unit_zh, unit_en=unit_en, price_fen=fen))
        session.add(Referral(trade_zh="燃气管道及燃气具", trade_en="Gas pipes and gas appliances", name="湾区燃气客户服务中心", phone="0755-83416218"))
        session.add(Referral(trade_zh="开锁、换锁", trade_en="Locksmith", name="安信开锁服务部", phone="0755-86093110"))
    return store


def _before(clock, minutes: float) -> FixedClock:
    return FixedClock(clock.now() - timedelta(minutes=minutes))


@pytest.fixture
def orders_store(repair_store, clock, policy):
    """Four open orders: a review started 40 minutes ago (overdue), a public-area arrival due in
    25 minutes, a household repair signed off (callback owed), and a request taken by phone not
    yet dispatched."""
    store = repair_store
    ago = _before(clock, 60)
    review = W.open_order(store, ago, 1, area="household", item="客厅天花板渗水", unit_code="3-2-1501", category="building")
    W.dispatch(store, ago, policy, 1, review, ago.now(), "3-2-1501 客厅天花板渗水")
    W.arrive(store, _before(clock, 50), 1, review, _before(clock, 50).now())
    W.start_review(store, _before(clock, 40), 1, review, "需班长判断是否楼上渗漏")
    due = W.open_order(store, _before(clock, 5), 1, area="public", item="3栋2单元电梯厅灯不亮", place="3栋2单元电梯厅", category="electrical")
    W.dispatch(store, _before(clock, 5), policy, 1, due, clock.now() + timedelta(minutes=10), "3栋2单元电梯厅 灯不亮")
    signed = W.open_order(store, _before(clock, 300), 1, area="household", item="厨房水龙头漏水", unit_code="1-1-302", category="plumbing")
    W.dispatch(store, _before(clock, 300), policy, 1, signed, _before(clock, 290).now(), "1-1-302 厨房水龙头漏水")
    W.arrive(store, _before(clock, 270), 1, signed, _before(clock, 272).now())
    W.finish(store, _before(clock, 250), 1, signed, [W.PartIn("更换水龙头", "DN15", 100, 2000)], 1000, "R-0101")
    W.sign(store, _before(clock, 245), 1, signed, "高女士", 4)
    W.open_order(store, _before(clock, 2), 1, area="household", item="卧室空调不制冷", unit_code="1-1-302", category="other", channel="phone")
    return store


def _on_repairs(sign_in, *keys: str):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f4")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_open_orders_with_their_limits(snap_compare, make_app, orders_store, sign_in, lang: str) -> None:
    """The overdue review first (10 min over), then the arrival due in 25 min, the callback due in
    about 20 h; the received phone order last. The first row's detail with its standard below."""
    assert snap_compare(make_app(orders_store, lang), terminal_size=SIZE, run_before=_on_repairs(sign_in))


@pytest.mark.parametrize("lang", LANGS)
def test_a_work_order_printed(snap_compare, make_app, orders_store, sign_in, lang: str) -> None:
    """The signed order (third row): Enter shows it as printed, with its parts, charges and history."""
    keys = ("down", "down", "enter")
    assert snap_compare(make_app(orders_store, lang), terminal_size=SIZE, run_before=_on_repairs(sign_in, *keys))


@pytest.mark.parametrize("lang", LANGS)
def test_intake_at_the_specialist_directory(snap_compare, make_app, repair_store, sign_in, lang: str) -> None:
    """Ctrl+N, household, 3-2-1501, other, the item, outside capability: the referral step with
    the directory beside it."""
    keys = ("ctrl+n", "1", *"3-2-1501", "enter", "5", "enter", *"燃气灶漏气", "enter", "2")
    assert snap_compare(make_app(repair_store, lang), terminal_size=SIZE, run_before=_on_repairs(sign_in, *keys))
