"""Creating and upgrading a store, and loading the demo community (data/demo/)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from deskapp.clock import Clock
from deskapp.domain.fees import parse_yuan
from deskapp.domain.months import add_months, due_date, month_start
from deskapp.errors import DeskappError
from deskapp.paths import data_dir
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.auth import hash_pin
from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.tables import (
    Building,
    FeeCharge,
    FeePayment,
    Person,
    Promise,
    PromiseState,
    Referral,
    RepairPrice,
    Setting,
    Staff,
    Unit,
)

DEMO_MARK = "demo_loaded_at"
FEE_HISTORY_MONTHS = 12


@dataclass(frozen=True)
class InitResult:
    revision: str
    demo: str  # "loaded", "already", or "" when not asked for


def init_store(store: Store, clock: Clock, policy: Policy, demo: bool = False) -> InitResult:
    revision = migrate.upgrade(store.engine)
    if not demo:
        return InitResult(revision, "")
    return InitResult(revision, load_demo(store, clock, policy))


def load_demo(store: Store, clock: Clock, policy: Policy, folder: Path | None = None) -> str:
    """Load the demo community once; a store that holds another community is left alone."""
    folder = folder or data_dir() / "demo"
    with store.session() as session:
        if session.get(Setting, DEMO_MARK) is not None:
            return "already"
        if session.exec(select(func.count()).select_from(Unit)).one()[0]:
            raise DeskappError("init.store_not_empty")
        today = clock.now().astimezone(policy.timezone).date()
        _load(session, folder, today, int(policy.number("site.fee_due_day")))
        _load_promises(session, folder, clock)
        session.add(Setting(key=DEMO_MARK, value=clock.now().isoformat()))
        audit.record(session, clock, "init.demo", folder=str(folder))
    return "loaded"


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        raise DeskappError("init.demo_unreadable", path=str(path), reason=e.strerror or str(e)) from None


def _load(session, folder: Path, today: date, due_day: int) -> None:
    try:
        with (folder / "community.toml").open("rb") as f:
            community = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DeskappError("init.demo_unreadable", path=str(folder / "community.toml"), reason=str(e)) from None
    for key, value in community.items():
        session.add(Setting(key=f"community.{key}", value=str(value)))

    building_ids: dict[str, int] = {}
    for row in _rows(folder, "buildings.csv"):
        building = Building(
            code=row["code"], name=row["name"], name_en=row["name_en"],
            floors=int(row["floors"]), entrances=int(row["entrances"]),
        )
        session.add(building)
        session.flush()
        building_ids[row["code"]] = building.id

    unit_rows = _rows(folder, "units.csv")
    session.execute(insert(Unit), [
        {
            "code": r["code"], "building_id": building_ids[r["building"]], "entrance": r["entrance"],
            "floor": int(r["floor"]), "room": r["room"], "area_m2": float(r["area_m2"]),
            "monthly_fee_fen": parse_yuan(r["monthly_fee"]), "vacant": r["vacant"] == "1",
        }
        for r in unit_rows
    ])
    unit_ids = dict(session.execute(select(Unit.code, Unit.id)).all())

    session.execute(insert(Person), [
        {
            "unit_id": unit_ids[r["unit"]], "kind": r["kind"], "name": r["name"], "gender": r["gender"],
            "phone": r["phone"], "id_type": r["id_type"], "id_masked": r["id_masked"],
            "since": date.fromisoformat(r["since"]) if r["since"] else None, "active": True,
        }
        for r in _rows(folder, "people.csv")
    ])

    session.execute(insert(Staff), [
        {
            "code": r["code"], "name": r["name"], "role": r["role"], "phone": r["phone"],
            "pin_hash": hash_pin(r["pin"]), "active": True, "present": True,
        }
        for r in _rows(folder, "staff.csv")
    ])

    session.execute(insert(RepairPrice), [
        {
            "code": r["code"], "category": r["category"], "item_zh": r["item_zh"], "item_en": r["item_en"],
            "unit_zh": r["unit_zh"], "unit_en": r["unit_en"], "price_fen": parse_yuan(r["price"]),
        }
        for r in _rows(folder, "repair_prices.csv")
    ])
    session.execute(insert(Referral), [dict(r) for r in _rows(folder, "referrals.csv")])

    charges, payments = _fee_history(unit_rows, unit_ids, today, due_day)
    session.execute(insert(FeeCharge), charges)
    if payments:
        session.execute(insert(FeePayment), payments)


def _load_promises(session, folder: Path, clock: Clock) -> None:
    """Open promises due relative to now, so the Today board has work on first start."""
    path = folder / "promises.csv"
    if not path.exists():
        return
    now = clock.now()
    staff_ids = dict(session.execute(select(Staff.code, Staff.id)).all())
    unit_ids = dict(session.execute(select(Unit.code, Unit.id)).all())
    rows = []
    for r in _rows(folder, "promises.csv"):
        if r["owner"] not in staff_ids or r["unit"] not in unit_ids:
            raise DeskappError("init.demo_bad_reference", path=str(path), unit=r["unit"], staff=r["owner"])
        rows.append({
            "kind": r["kind"], "text": r["text"], "customer": r["customer"], "phone": r["phone"],
            "unit_id": unit_ids[r["unit"]], "owner_id": staff_ids[r["owner"]],
            "created_by_id": staff_ids[r["owner"]], "created_at": now,
            "due_at": now + timedelta(minutes=int(r["due_in_minutes"])), "state": PromiseState.OPEN,
            "source_kind": "demo",
        })
    session.execute(insert(Promise), rows)


def _fee_history(unit_rows, unit_ids, today: date, due_day: int) -> tuple[list[dict], list[dict]]:
    """A year of monthly charges per unit, paid except the last `arrears_months` due ones.

    The current month's charge is not yet due on `today` unless its due day has passed, so the
    unpaid months are counted back from the latest month that is due.
    """
    this_month = month_start(today)
    periods = [add_months(this_month, -back) for back in range(FEE_HISTORY_MONTHS - 1, -1, -1)]
    due_periods = [p for p in periods if due_date(p, due_day) < today]
    charges: list[dict] = []
    payments: list[dict] = []
    for row in unit_rows:
        unit_id = unit_ids[row["code"]]
        fee = parse_yuan(row["monthly_fee"])
        owed = int(row["arrears_months"] or 0)
        unpaid = set(due_periods[len(due_periods) - owed:]) if owed else set()
        for period in periods:
            charges.append({"unit_id": unit_id, "period": period, "due_on": due_date(period, due_day), "amount_fen": fee})
            if period in due_periods and period not in unpaid:
                paid_on = datetime.combine(period.replace(day=min(10, due_date(period, due_day).day)), time(2), UTC)
                payments.append({"unit_id": unit_id, "amount_fen": fee, "paid_at": paid_on, "receipt_no": "", "taken_by_id": None})
    return charges, payments
