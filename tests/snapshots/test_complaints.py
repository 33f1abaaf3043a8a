"""Screenshots of the complaints screen (F6) at 80×24 in zh and en, on the fixed clock: the open
records, the most urgent clock first, the highlighted record with all three clocks below.

The store is built here (two units, the clerk), not the demo community. After a deliberate
change: `.venv/bin/pytest tests/snapshots/test_complaints.py --snapshot-update`, then read the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from ui.repair_helpers import settle

from deskapp.clock import FixedClock
from deskapp.services import feedback as F
from deskapp.services.auth import hash_pin
from deskapp.store.tables import Building, Role, Staff, Unit

SIZE = (80, 24)
LANGS = ["zh", "en"]


def _ago(clock, minutes: int) -> FixedClock:
    return FixedClock(clock.now() - timedelta(minutes=minutes))


@pytest.fixture
def complaints_store(store, clock):
    """A major complaint by phone accepted 2 h 10 min ago with no handler reply (its escalation
    overdue); a general one answered and waiting for its callback; an invalid request (closed)."""
    with store.session() as session:
        session.add(Staff(code="demo", name="陈小雨", role=Role.CLERK, pin_hash=hash_pin("1234")))
        session.add(Building(code="3", name="3栋", name_en="Building 3", floors=18, entrances=2))
        session.flush()
        session.add(Unit(code="3-2-1501", building_id=1, entrance="2", floor=15, room="1501", area_m2=88.05, monthly_fee_fen=24654))
        session.add(Unit(code="3-1-802", building_id=1, entrance="1", floor=8, room="802", area_m2=96.2, monthly_fee_fen=26936))
    major = F.receive(store, _ago(clock, 135), 1, what="楼上漏水到我家天花板", wants="尽快维修并赔偿", unit_code="3-2-1501",
                      customer="任先生", phone="15948680648", channel="phone")
    F.judge_valid(store, _ago(clock, 130), 1, major, kind="complaint", category="engineering_quality", severity="major", department="工程部")
    general = F.receive(store, _ago(clock, 600), 1, what="电梯厅灯不亮", unit_code="3-1-802", customer="高女士")
    F.judge_valid(store, _ago(clock, 595), 1, general, kind="complaint", category="property_management", severity="general", department="物业部")
    F.handler_reply(store, _ago(clock, 300), 1, general, "已更换灯管")
    F.answer(store, _ago(clock, 240), 1, general, "已告知高女士灯已修好")
    invalid = F.receive(store, _ago(clock, 60), 1, what="要求健身房通宵开放")
    F.judge_invalid(store, _ago(clock, 58), 1, invalid, "开放时间由业主大会决定")
    return store


@pytest.mark.parametrize("lang", LANGS)
def test_open_records_with_their_clocks(snap_compare, make_app, complaints_store, sign_in, lang: str) -> None:
    async def run_before(pilot) -> None:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f6")
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(make_app(complaints_store, lang), terminal_size=SIZE, run_before=run_before)
