"""The demo community in data/demo/ keeps the promises of data/demo/README.md."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import tomllib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
SCRIPT = ROOT / "scripts" / "make_demo.py"

COLUMNS = {
    "buildings.csv": ["code", "name", "name_en", "floors", "entrances"],
    "units.csv": ["code", "building", "entrance", "floor", "room", "area_m2", "monthly_fee",
                  "vacant", "arrears_months"],
    "people.csv": ["unit", "kind", "name", "gender", "phone", "id_type", "id_masked", "since"],
    "staff.csv": ["code", "name", "role", "phone", "pin"],
    "repair_prices.csv": ["code", "category", "item_zh", "item_en", "unit_zh", "unit_en", "price"],
    "referrals.csv": ["trade_zh", "trade_en", "name", "phone", "note_zh", "note_en"],
    "promises.csv": ["kind", "unit", "customer", "phone", "owner", "due_in_minutes", "text"],
}
ROLES = {"clerk", "supervisor", "director", "engineering", "finance", "guard"}
TWO_DECIMALS = re.compile(r"^\d+\.\d{2}$")


def read(name: str) -> list[dict[str, str]]:
    with open(DEMO / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(name: str) -> list[str]:
    with open(DEMO / name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


@pytest.fixture(scope="module")
def units() -> list[dict[str, str]]:
    return read("units.csv")


@pytest.fixture(scope="module")
def people() -> list[dict[str, str]]:
    return read("people.csv")


def test_columns_exactly_as_documented() -> None:
    for name, columns in COLUMNS.items():
        assert header(name) == columns, name
        for row in read(name):
            assert None not in row and all(v is not None for v in row.values()), (name, row)


def test_files_are_utf8_with_unix_line_endings() -> None:
    for name in [*COLUMNS, "community.toml"]:
        data = (DEMO / name).read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name


def test_community() -> None:
    with open(DEMO / "community.toml", "rb") as f:
        community = tomllib.load(f)
    assert set(community) == {"name", "name_en", "site", "address", "hotline"}
    assert community["name"] == "海悦花园"
    assert community["name_en"] == "Haiyue Garden"
    assert community["site"].endswith("管理处")
    assert re.fullmatch(r"0755-\d{8}", community["hotline"])


def test_buildings() -> None:
    buildings = read("buildings.csv")
    assert [b["code"] for b in buildings] == [str(i) for i in range(1, len(buildings) + 1)]
    for b in buildings:
        assert int(b["floors"]) >= 1 and int(b["entrances"]) >= 1
        assert b["name"] == f"{b['code']}栋"
        assert b["name_en"] == f"Building {b['code']}"


def test_unit_codes_agree_with_their_parts(units) -> None:
    buildings = {b["code"]: b for b in read("buildings.csv")}
    codes = [u["code"] for u in units]
    assert len(codes) == len(set(codes))
    assert 300 <= len(units) <= 500
    for u in units:
        assert re.fullmatch(r"\d+-\d+-\d{3,4}", u["code"]), u
        assert u["code"] == f"{u['building']}-{u['entrance']}-{u['room']}"
        b = buildings[u["building"]]
        assert 1 <= int(u["entrance"]) <= int(b["entrances"])
        assert 1 <= int(u["floor"]) <= int(b["floors"])
        assert int(u["room"]) // 100 == int(u["floor"])
        assert 1 <= int(u["room"]) % 100 <= 9


def test_areas_and_fees(units) -> None:
    rates = defaultdict(set)
    for u in units:
        assert TWO_DECIMALS.match(u["area_m2"]) and TWO_DECIMALS.match(u["monthly_fee"]), u
        area, fee = Decimal(u["area_m2"]), Decimal(u["monthly_fee"])
        assert Decimal("55") <= area <= Decimal("185"), u
        rates[u["building"]].add((fee / area).quantize(Decimal("0.01")))
        assert u["vacant"] in {"0", "1"}
        assert int(u["arrears_months"]) >= 0
    for building, found in rates.items():
        assert len(found) == 1, (building, found)  # one fee rate per building
        assert Decimal("1.50") <= found.pop() <= Decimal("6.00")


def test_people_live_in_known_units(units, people) -> None:
    codes = {u["code"] for u in units}
    for p in people:
        assert p["unit"] in codes, p
        assert p["kind"] in {"owner", "tenant"}
        assert p["gender"] in {"M", "F"}
        assert p["id_type"] in {"resident_id", "passport"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["since"])
        assert "2015-01-01" <= p["since"] <= "2026-10-31", p


def test_vacant_and_occupied_units(units, people) -> None:
    by_unit = defaultdict(list)
    for p in people:
        by_unit[p["unit"]].append(p["kind"])
    vacant = [u for u in units if u["vacant"] == "1"]
    assert vacant, "some units are vacant"
    for u in vacant:
        assert u["code"] not in by_unit, u
        assert u["arrears_months"] == "0", u
    for u in units:
        if u["vacant"] == "0":
            kinds = Counter(by_unit[u["code"]])
            assert kinds["owner"] == 1, u
            assert kinds["tenant"] <= 1, u


def test_phones_are_mobiles_and_belong_to_one_person(people) -> None:
    by_phone = defaultdict(list)
    for p in people:
        assert re.fullmatch(r"1[3-9]\d{9}", p["phone"]), p
        by_phone[p["phone"]].append(p)
    shared = 0
    for phone, rows in by_phone.items():
        if len(rows) > 1:
            shared += 1
            # Only an owner of several units appears more than once, always as the same person.
            assert {r["kind"] for r in rows} == {"owner"}, rows
            assert len({(r["name"], r["gender"], r["id_masked"]) for r in rows}) == 1, rows
            assert len({r["unit"] for r in rows}) == len(rows), rows
    assert shared >= 1, "a few owners own two units"
    staff_phones = {s["phone"] for s in read("staff.csv")}
    assert not staff_phones & set(by_phone)


def test_ids_are_masked(people) -> None:
    for p in people:
        masked = p["id_masked"]
        if p["id_type"] == "resident_id":
            assert len(masked) == 18, p
            assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", masked), p
        else:
            assert len(masked) == 9 and masked[0] == "E", p
        assert masked[4:-4] == "*" * (len(masked) - 8), p
        assert "*" not in masked[:4] + masked[-4:], p
    assert Counter(p["id_type"] for p in people)["passport"] >= 1


def test_staff() -> None:
    staff = read("staff.csv")
    by_code = {s["code"]: s for s in staff}
    assert len(by_code) == len(staff)
    assert (by_code["demo"]["role"], by_code["demo"]["pin"]) == ("clerk", "1234")
    assert (by_code["super"]["role"], by_code["super"]["pin"]) == ("supervisor", "5678")
    assert {s["role"] for s in staff} == ROLES
    for s in staff:
        assert re.fullmatch(r"\d{4,6}", s["pin"]), s
        assert re.fullmatch(r"1[3-9]\d{9}", s["phone"]), s
    assert len({s["phone"] for s in staff}) == len(staff)


def test_arrears_cover_the_release_slip_rules(units, people) -> None:
    tenanted = {p["unit"] for p in people if p["kind"] == "tenant"}
    occupied = [u for u in units if u["vacant"] == "0"]
    months = Counter(int(u["arrears_months"]) for u in occupied)
    assert all(months[m] > 0 for m in (0, 1, 2, 3)), months
    assert sum(n for m, n in months.items() if m >= 4) > 0, months
    assert months[0] > len(occupied) // 2, "most owners pay on time"
    with_tenant = [int(u["arrears_months"]) for u in occupied if u["code"] in tenanted]
    owner_only = [int(u["arrears_months"]) for u in occupied if u["code"] not in tenanted]
    assert sum(1 for m in with_tenant if m >= 1) >= 3
    assert sum(1 for m in with_tenant if m == 0) >= 3
    assert sum(1 for m in owner_only if m > 3) >= 3


def test_repair_prices() -> None:
    prices = read("repair_prices.csv")
    assert 25 <= len(prices) <= 40
    assert len({p["code"] for p in prices}) == len(prices)
    assert {p["category"] for p in prices} <= {"plumbing", "electrical", "doors_windows",
                                                 "building", "other"}
    for p in prices:
        assert TWO_DECIMALS.match(p["price"]) and Decimal(p["price"]) > 0, p
        assert all(p[c] for c in COLUMNS["repair_prices.csv"]), p


def test_referrals() -> None:
    referrals = read("referrals.csv")
    assert 8 <= len(referrals) <= 12
    for r in referrals:
        assert all(r[c] for c in COLUMNS["referrals.csv"]), r
        assert re.fullmatch(r"0755-\d{8}|400-\d{3}-\d{4}", r["phone"]), r


def test_script_reproduces_the_files() -> None:
    spec = importlib.util.spec_from_file_location("make_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert set(built) == {*COLUMNS, "community.toml"}
    for name, text in built.items():
        assert (DEMO / name).read_bytes() == text.encode("utf-8"), f"{name} is stale: run scripts/make_demo.py"
    assert module.build() == built  # deterministic
    # The people file parses the same way the loader will read it.
    assert list(csv.DictReader(io.StringIO(built["people.csv"]))) == read("people.csv")


def test_resident_ids_are_well_formed(people) -> None:
    spec = importlib.util.spec_from_file_location("make_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # GB 11643 example numbers.
    assert module.id_check_digit("11010519491231002") == "X"
    assert module.id_check_digit("44052418800101001") == "4"
    assert module.mask("11010519491231002X") == "1101**********002X"
    # The 17th digit, still visible in the masked form, is odd for men and even for women.
    for p in people:
        if p["id_type"] == "resident_id":
            assert int(p["id_masked"][-2]) % 2 == (1 if p["gender"] == "M" else 0), p


def test_demo_promises_name_real_units_staff_and_kinds() -> None:
    from deskapp.standards.registry import PROMISE_KINDS

    units = {row["code"] for row in read("units.csv")}
    staff = {row["code"] for row in read("staff.csv")}
    rows = read("promises.csv")
    assert rows
    for row in rows:
        assert row["kind"] in PROMISE_KINDS, row
        assert row["unit"] in units and row["owner"] in staff, row
        int(row["due_in_minutes"])
    dues = [int(row["due_in_minutes"]) for row in rows]
    assert min(dues) < 0 < max(dues), "the demo shows overdue and open promises"
