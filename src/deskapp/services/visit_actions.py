"""What a walk-in step records in the store (`does` in the catalogue) and the promises it makes.

Each function is one transaction; each is named in standards/registry.ACTIONS.
"""

from __future__ import annotations

import json
from datetime import tzinfo

from sqlmodel import select

from deskapp.clock import Clock
from deskapp.domain.fees import format_fen, parse_yuan
from deskapp.domain.roles import ANSWERING
from deskapp.domain.visits import Level
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit, promises, visits
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import FeePayment, Person, Unit, Visit

def _unit_of(store: Store, visit_id: int, field: str) -> int:
    with store.session() as session:
        visit = session.get(Visit, visit_id)
        if visit is None or visit.unit_id is None:
            raise FieldError(field, "visit.needs_unit")
        return visit.unit_id


def take_payment(store: Store, clock: Clock, visit_id: int, staff_id: int, values: dict) -> dict:
    """Finance away: the clerk takes the money and gives a receipt (代行收取,并开据收据)."""
    unit_id = _unit_of(store, visit_id, "amount")
    amount_fen = parse_yuan(str(values["amount"]))
    with store.session() as session:
        payment = FeePayment(
            unit_id=unit_id, amount_fen=amount_fen, paid_at=clock.now(),
            receipt_no=str(values["receipt_no"]), taken_by_id=staff_id, holder_id=staff_id,
        )
        session.add(payment)
        session.flush()
        audit.record(session, clock, "fee.taken_for_finance", actor_id=staff_id, entity="fee_payment",
                     entity_id=payment.id, visit=visit_id, amount_fen=amount_fen, receipt_no=payment.receipt_no)
    return {}


def register_resident(store: Store, clock: Clock, visit_id: int, staff_id: int, values: dict, *, tz: tzinfo) -> dict:
    """过户 / 迁入: the new owner or tenant is recorded against the unit; the one before is kept, inactive.

    `tz`: the site's time zone, for the day they are resident since (the clock is UTC)."""
    unit_id = _unit_of(store, visit_id, "name")
    kind = str(values.get("resident_kind") or "")
    if kind not in ("owner", "tenant"):
        raise FieldError("name", "visit.resident_kind_unknown")
    today = clock.now().astimezone(tz).date()
    with store.session() as session:
        for earlier in session.exec(select(Person).where(Person.unit_id == unit_id, Person.kind == kind, Person.active)).all():
            earlier.active = False
        person = Person(unit_id=unit_id, kind=kind, name=str(values["name"]), phone=str(values["phone"]), since=today)
        session.add(person)
        session.flush()
        audit.record(session, clock, f"resident.{kind}_registered", actor_id=staff_id, entity="person",
                     entity_id=person.id, visit=visit_id)
        unit_code = session.get(Unit, unit_id).code
    if kind == "owner":  # a new owner moves in: the move-in checklist (seed 001 ch. 1) starts on F9
        from deskapp.services import move_in

        try:
            move_in.start(store, clock, staff_id, unit_code=unit_code, owner=str(values["name"]))
        except FieldError as e:
            if e.key != "move_in.already_open":
                raise
    return {}


def renovation_fees(policy: Policy, values: dict) -> dict:
    """The renovation deposit, permit fee and pass deposit for the number of workers (标准3 场景二)."""
    workers = int(values["workers"])
    yuan = lambda key: int(round(policy.number(key) * 100))  # noqa: E731
    return {
        "amount": format_fen(yuan("renovation.deposit_yuan")),
        "permit_fee": format_fen(workers * yuan("renovation.permit_fee_per_worker_yuan")),
        "pass_deposit": format_fen(workers * yuan("renovation.pass_deposit_per_worker_yuan")),
    }


def open_renovation(store: Store, clock: Clock, visit_id: int, staff_id: int, values: dict) -> dict:
    """The permit is handed over (标准3 场景二): the renovation comes under supervision (装修监管),
    its patrols due by phase (F9). The deposit is the one the flow quoted."""
    from deskapp.services import renovation

    with store.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise DeskappError("visit.not_found", id=visit_id)
        if visit.unit_id is None:  # no unit named at the counter: nothing to supervise by unit
            return {}
        owner, unit = f"{visit.surname}{visit.title}", session.get(Unit, visit.unit_id).code
        values = {**json.loads(visit.slot_values), **values}  # the workers and the deposit, asked at earlier steps
    try:
        deposit = parse_yuan(str(values.get("amount") or "0").replace(",", ""))
    except ValueError:
        deposit = 0
    renovation.open_renovation(store, clock, staff_id, unit_code=unit, owner=owner, workers=int(values.get("workers") or 0),
                               deposit_fen=deposit, source_kind="visit", source_id=visit_id)
    return {}


def escalate_to_role(store: Store, clock: Clock, visit_id: int, staff_id: int, level: Level, reason: str = "") -> dict:
    """Std 5: the question goes up to the first colleague on duty who answers at that level."""
    on_duty = visits.staff_on_duty(store, ANSWERING[level], exclude=staff_id)
    if not on_duty:
        raise DeskappError(f"visit.nobody_{level.value}")
    visits.escalate(store, clock, visit_id, staff_id, on_duty[0].id, level, reason)
    return {"colleague": on_duty[0].name}


def perform(store: Store, clock: Clock, policy: Policy, action: str, visit_id: int, staff_id: int, values: dict) -> dict:
    """Run one catalogue action; returns slot values it adds to the visit."""
    if action == "take_payment":
        return take_payment(store, clock, visit_id, staff_id, values)
    if action == "register_resident":
        return register_resident(store, clock, visit_id, staff_id, values, tz=policy.timezone)
    if action == "renovation_fees":
        return renovation_fees(policy, values)
    if action == "open_renovation":
        return open_renovation(store, clock, visit_id, staff_id, values)
    if action == "escalate_supervisor":
        return escalate_to_role(store, clock, visit_id, staff_id, Level.SUPERVISOR)
    if action == "escalate_director":
        return escalate_to_role(store, clock, visit_id, staff_id, Level.DIRECTOR)
    raise DeskappError("visit.unknown_action", action=action)


def make_promise(
    store: Store, clock: Clock, policy: Policy, visit_id: int, staff_id: int, kind: str, text: str, phone: str = ""
) -> int:
    """A promise made at the counter, to the visitor, for their unit."""
    with store.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise DeskappError("visit.not_found", id=visit_id)
        customer, unit_id, phone = f"{visit.surname}{visit.title}", visit.unit_id, phone or visit.phone
    return promises.make(
        store, clock, policy, staff_id, kind, text, customer=customer, phone=phone, unit_id=unit_id,
        source_kind="visit", source_id=visit_id,
    )
