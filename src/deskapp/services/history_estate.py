"""Growing the estate for a history: more buildings, units, residents and staff, in the demo
community's style (scripts/make_demo.py): building-entrance-room codes, fees by floor area at the
high- or low-rise rate, some units vacant, a fifth let to tenants, invented people whose names are
recombined from the residents already on record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlmodel import SQLModel

from deskapp.services.auth import hash_pin
from deskapp.services.history import bulk_insert
from deskapp.services.setup import _fee_history
from deskapp.store.engine import Store

# (floors, rooms' floor areas by entrance): the layouts new buildings take in turn.
LAYOUTS: tuple[tuple[int, tuple[tuple[str, ...], ...]], ...] = (
    (32, (("63.27", "95.40"), ("95.40", "63.27"))),
    (26, (("76.82", "118.64", "88.05"), ("88.05", "118.64", "76.82"))),
    (33, (("89.36", "126.58"), ("126.58", "89.36"), ("89.36", "126.58"))),
    (18, (("98.47", "132.15"), ("132.15", "98.47"))),
    (28, (("72.15", "101.30", "86.44"), ("86.44", "101.30", "72.15"))),
    (11, (("112.73", "136.29"), ("136.29", "112.73"))),
    (7, (("165.38", "178.92"), ("178.92", "165.38"))),
)
RATE_HIGH, RATE_LOW, HIGH_RISE_MIN_FLOORS = Decimal("2.80"), Decimal("2.30"), 10
VACANT_SHARE, TENANT_SHARE = 0.06, 0.20
ARREARS, ARREARS_WEIGHTS = (0, 1, 2, 3), (80, 11, 6, 3)  # months owed (3: three or more), as the demo
UNITS_PER_CLERK, UNITS_PER_ENGINEER = 2500, 2000
ADDED_STAFF_PIN = "2026"  # every clerk or engineer added for a larger estate signs in with this PIN
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "152", "155", "158", "159",
                  "176", "177", "180", "181", "185", "186", "187", "188", "189", "199")
ID_AREAS = ("4403", "4401", "4405", "4414", "4301", "4201", "3601", "4501", "5101")
FALLBACK_NAMES = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "黄磊", "赵丽", "吴婷", "周杰")


def _table(name: str):
    return SQLModel.metadata.tables[name]


def _fee(area: Decimal, floors: int) -> int:
    rate = RATE_HIGH if floors >= HIGH_RISE_MIN_FLOORS else RATE_LOW
    return int((area * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def extend(store: Store, rng: random.Random, target: int, first: date, today: date, due_day: int) -> dict[str, int]:
    """Buildings, units and residents until the estate has `target` units, their fee accounts
    (a year of charges, as the demo loads them: most paid, a few months owed) and the clerks and
    engineers an estate of that size needs. One transaction. Returns rows added by table."""
    building, unit, person, staff = _table("building"), _table("unit"), _table("person"), _table("staff")
    with store.engine.begin() as connection:
        have = connection.execute(select(func.count()).select_from(unit)).scalar_one()
        codes = [int(c) for c in connection.execute(select(building.c.code)).scalars() if str(c).isdigit()]
        names = list(connection.execute(select(person.c.name)).scalars()) or list(FALLBACK_NAMES)
        phones = set(connection.execute(select(person.c.phone)).scalars())
        next_building = max(codes, default=0) + 1
        ids = {t.name: connection.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one() + 1
               for t in (building, unit, person, staff)}
        buildings, units = [], []
        n = 0
        while have + len(units) < target:
            floors, areas = LAYOUTS[n % len(LAYOUTS)]
            floors = max(6, floors + rng.randint(-2, 2)) if floors > 10 else floors
            code, n = next_building + n, n + 1
            row = {"id": ids["building"] + len(buildings), "code": str(code), "name": f"{code}栋",
                   "name_en": f"Building {code}", "floors": floors, "entrances": len(areas)}
            top = 0
            for entrance, rooms in enumerate(areas, start=1):
                for floor in range(1, floors + 1):
                    for k, area in enumerate(rooms, start=1):
                        if have + len(units) >= target:
                            break
                        room = floor * 100 + k
                        units.append({
                            "id": ids["unit"] + len(units), "code": f"{code}-{entrance}-{room}", "building_id": row["id"],
                            "entrance": str(entrance), "floor": floor, "room": str(room), "area_m2": float(area),
                            "monthly_fee_fen": _fee(Decimal(area), floors), "vacant": rng.random() < VACANT_SHARE,
                        })
                        top = max(top, floor)
            row["floors"] = top
            buildings.append(row)
        people = _residents(rng, units, names, phones, ids["person"], first)
        added_staff = _staff(connection, rng, have + len(units), ids["staff"])
        charges, payments = _fees(rng, units, today, due_day)
        for table, rows in ((_table("fee_charge"), charges), (_table("fee_payment"), payments)):
            first_id = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
            for n, row in enumerate(rows):  # ids given, as for every row here (PostgreSQL's sequences follow)
                row["id"] = first_id + n
        added = ((building, buildings), (unit, units), (person, people), (staff, added_staff),
                 (_table("fee_charge"), charges), (_table("fee_payment"), payments))
        for table, rows in added:
            if rows:
                bulk_insert(connection, table.name, rows)
    return {table.name: len(rows) for table, rows in added}


def _fees(rng: random.Random, units: list[dict], today: date, due_day: int) -> tuple[list[dict], list[dict]]:
    """The demo's fee history (services.setup), with the demo's share of units in arrears."""
    rows = []
    for unit in units:
        owed = 0 if unit["vacant"] else rng.choices(ARREARS, weights=ARREARS_WEIGHTS)[0]
        if owed == ARREARS[-1]:
            owed = rng.randint(3, 8)
        fee = unit["monthly_fee_fen"]
        rows.append({"code": unit["code"], "monthly_fee": f"{fee // 100}.{fee % 100:02d}", "arrears_months": str(owed)})
    return _fee_history(rows, {u["code"]: u["id"] for u in units}, today, due_day)


def _residents(rng: random.Random, units: list[dict], names: list[str], phones: set[str], next_id: int,
               first: date) -> list[dict]:
    surnames = [n[0] for n in names]
    given = [n[1:] for n in names if len(n) > 1]
    earliest = date(2012, 1, 1)
    span = max((first - earliest).days, 1)
    people = []

    def phone() -> str:
        while True:
            number = rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
            if number not in phones:
                phones.add(number)
                return number

    def add(unit: dict, kind: str, since: date) -> None:
        people.append({
            "id": next_id + len(people), "unit_id": unit["id"], "kind": kind,
            "name": rng.choice(surnames) + rng.choice(given), "gender": rng.choice("MF"), "phone": phone(),
            "id_type": "resident_id", "id_masked": f"{rng.choice(ID_AREAS)}**********{rng.randint(0, 9999):04d}",
            "since": since, "active": True,
        })

    for unit in units:
        if unit["vacant"]:
            continue
        owner_since = earliest + timedelta(days=rng.randrange(span))
        add(unit, "owner", owner_since)
        if rng.random() < TENANT_SHARE:
            add(unit, "tenant", owner_since + timedelta(days=rng.randrange(max((first - owner_since).days, 1))))
    return people


def _staff(connection, rng: random.Random, units: int, next_id: int) -> list[dict]:
    """Clerks (one per UNITS_PER_CLERK units) and engineers (one per UNITS_PER_ENGINEER) beyond those
    on record; they share one PIN, hashed once."""
    staff = _table("staff")
    have = dict(connection.execute(select(staff.c.role, func.count()).group_by(staff.c.role)).all())
    codes = set(connection.execute(select(staff.c.code)).scalars())
    wanted = {"clerk": units // UNITS_PER_CLERK, "engineering": units // UNITS_PER_ENGINEER}
    rows: list[dict] = []
    pin_hash = None
    for role, prefix in (("clerk", "c"), ("engineering", "e")):
        for _ in range(wanted[role] - int(have.get(role, 0))):
            pin_hash = pin_hash or hash_pin(ADDED_STAFF_PIN)
            n = 1
            while f"{prefix}{n:02d}" in codes:
                n += 1
            code = f"{prefix}{n:02d}"
            codes.add(code)
            name = rng.choice(("王", "李", "张", "刘", "陈", "杨", "黄", "周")) + rng.choice(("静怡", "晓东", "嘉豪", "思琪", "志明", "丽华", "海波", "雅婷"))
            rows.append({"id": next_id + len(rows), "code": code, "name": name, "role": role,
                         "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
                         "pin_hash": pin_hash, "active": True, "present": True})
    return rows
