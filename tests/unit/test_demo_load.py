"""`init --demo` into a real SQLite file: everything in data/demo/ arrives, with the arrears it describes."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.fees import Charge, arrears, parse_yuan
from deskapp.errors import DeskappError
from deskapp.services.auth import sign_in
from deskapp.services.setup import DEMO_MARK, load_demo
from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.tables import (
    AuditEvent,
    Building,
    FeeCharge,
    FeePayment,
    Person,
    Referral,
    RepairPrice,
    Setting,
    Staff,
    Unit,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def rows(name: str) -> list[dict[str, str]]:
    with open(DEMO / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def count(store: Store, table) -> int:
    with store.session() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def arrears_months_by_unit(store: Store, today) -> dict[str, tuple[int, int]]:
    """(months, amount in fen) per unit code, computed by domain.fees from the stored account."""
    with store.session() as session:
        codes = dict(session.exec(select(Unit.id, Unit.code)).all())
        charges: dict[int, list[Charge]] = defaultdict(list)
        for c in session.exec(select(FeeCharge)).all():
            charges[c.unit_id].append(Charge(c.period, c.due_on, c.amount_fen))
        paid: dict[int, int] = defaultdict(int)
        for p in session.exec(select(FeePayment)).all():
            paid[p.unit_id] += p.amount_fen
    found = {}
    for unit_id, code in codes.items():
        result = arrears(charges[unit_id], paid[unit_id], today)
        found[code] = (result.months, result.amount_fen)
    return found


def test_the_store_is_current_after_init(demo_store: Store) -> None:
    assert migrate.schema_state(demo_store.engine) == "current"


@pytest.mark.parametrize(
    ("table", "csv_name"),
    [
        (Building, "buildings.csv"),
        (Unit, "units.csv"),
        (Person, "people.csv"),
        (Staff, "staff.csv"),
        (RepairPrice, "repair_prices.csv"),
        (Referral, "referrals.csv"),
    ],
)
def test_every_row_is_loaded(demo_store: Store, table, csv_name: str) -> None:
    assert count(demo_store, table) == len(rows(csv_name))


def test_computed_arrears_match_units_csv(demo_store: Store, clock, policy) -> None:
    found = arrears_months_by_unit(demo_store, clock.now().astimezone(policy.timezone).date())
    expected = {
        r["code"]: (int(r["arrears_months"]), int(r["arrears_months"]) * parse_yuan(r["monthly_fee"]))
        for r in rows("units.csv")
    }
    assert found == expected
    assert {0, 1, 2, 3} <= {m for m, _ in found.values()} and max(found.values())[0] >= 4


def test_units_keep_their_parts(demo_store: Store) -> None:
    with demo_store.session() as session:
        unit, building = session.exec(
            select(Unit, Building).join(Building).where(Unit.code == rows("units.csv")[-1]["code"])
        ).one()
    row = rows("units.csv")[-1]
    assert (building.code, unit.entrance, str(unit.floor), unit.room) == (
        row["building"], row["entrance"], row["floor"], row["room"],
    )
    assert unit.monthly_fee_fen == parse_yuan(row["monthly_fee"])
    assert unit.vacant == (row["vacant"] == "1")


def test_community_settings_and_the_audit_trail(demo_store: Store) -> None:
    with demo_store.session() as session:
        assert session.get(Setting, "community.name").value == "海悦花园"
        assert session.get(Setting, DEMO_MARK) is not None
        actions = session.exec(select(AuditEvent.action)).all()
    assert actions == ["init.demo"]


def test_pins_are_hashed_and_the_demo_sign_ins_work(demo_store: Store, clock, policy) -> None:
    with demo_store.session() as session:
        hashes = session.exec(select(Staff.pin_hash)).all()
    pins = {r["pin"] for r in rows("staff.csv")}
    assert all(h.startswith("$argon2") and h not in pins for h in hashes)
    assert sign_in(demo_store, clock, policy, "demo", "1234").role == "clerk"
    assert sign_in(demo_store, clock, policy, "super", "5678").role == "supervisor"


def test_loading_twice_says_already(demo_store: Store, clock, policy) -> None:
    before = count(demo_store, Unit), count(demo_store, FeeCharge)
    assert load_demo(demo_store, clock, policy) == "already"
    assert (count(demo_store, Unit), count(demo_store, FeeCharge)) == before


def test_a_store_with_another_community_is_left_alone(store: Store, clock, policy) -> None:
    with store.session() as session:
        building = Building(code="A", name="A座", floors=30, entrances=1)
        session.add(building)
        session.flush()
        session.add(Unit(code="A-1-101", building_id=building.id, entrance="1", floor=1, room="101",
                         area_m2=60.0, monthly_fee_fen=15000))

    with pytest.raises(DeskappError) as refused:
        load_demo(store, clock, policy)

    assert refused.value.key == "init.store_not_empty"
    assert (count(store, Unit), count(store, Staff), count(store, Setting)) == (1, 0, 0)


def test_an_unreadable_demo_folder_is_one_clear_error(store: Store, clock, policy, tmp_path: Path) -> None:
    with pytest.raises(DeskappError) as refused:
        load_demo(store, clock, policy, folder=tmp_path / "missing")
    assert refused.value.key == "init.demo_unreadable"
    assert count(store, Setting) == 0  # nothing half-loaded


@pytest.mark.parametrize("day", ["2026-02-28", "2026-03-01", "2026-12-31", "2027-01-01", "2028-02-29"])
def test_arrears_hold_whatever_day_the_demo_is_loaded(day: str, store: Store, policy, tmp_path: Path) -> None:
    """Month ends and leap days: the loader and domain.fees agree on every unit."""
    folder = tmp_path / "demo"
    folder.mkdir()
    for path in DEMO.iterdir():
        if path.suffix in {".csv", ".toml"}:
            (folder / path.name).write_bytes(path.read_bytes())
    staff = (DEMO / "staff.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "staff.csv").write_text("".join(staff[:2]), encoding="utf-8")  # one PIN to hash: fast
    local_noon = datetime.combine(datetime.fromisoformat(day).date(), time(12), policy.timezone)

    assert load_demo(store, FixedClock(local_noon), policy, folder=folder) == "loaded"

    found = arrears_months_by_unit(store, local_noon.date())
    assert {code: months for code, (months, _) in found.items()} == {
        r["code"]: int(r["arrears_months"]) for r in rows("units.csv")
    }
