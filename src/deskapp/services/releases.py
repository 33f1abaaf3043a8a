"""Release slips (放行条): the application, the fee check, the owner's answer for a tenant, the
numbered slip, the guard's check and the supervisor's void.

Numbers run without gaps: a slip's number is taken from `slip_counter` in the transaction that
issues it (BEGIN IMMEDIATE on SQLite, a row lock on PostgreSQL), so a failed issue takes none and
two counters issuing at once get consecutive numbers. Only masked ID numbers are ever stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain import facts
from deskapp.domain.fees import Arrears
from deskapp.domain.goods import parse_goods
from deskapp.domain.ids import check_id, mask, stamp_text
from deskapp.domain.plates import check_plate
from deskapp.domain.roles import Action
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.auth import authorise
from deskapp.services.fees import unit_arrears_in
from deskapp.services.visits import FieldError
from deskapp.store import versions
from deskapp.store.engine import Store
from deskapp.store.tables import (
    Person, PersonKind, Promise, ReleaseOutcome, ReleaseRequest, SlipCounter, Staff, Unit,
)

RECORD = "release"
COUNTER = "release"
STAMP_PURPOSE = "办理物品放行"


@dataclass(frozen=True)
class Resident:
    id: int
    kind: str
    name: str
    phone: str


@dataclass(frozen=True)
class ReleaseView:
    id: int
    created_at: datetime
    created_by: str
    unit: str
    applicant_kind: str
    applicant_name: str
    id_type: str
    id_masked: str
    stamp_text: str
    goods: list[tuple[str, int]]
    plate: str
    driver_name: str
    driver_id_masked: str
    arrears_months: int
    arrears_fen: int
    director_notified: bool
    hurry: bool
    owner_answer: str
    owner_answer_at: datetime | None
    signed_at: datetime | None
    outcome: str
    slip_no: int | None
    issued_at: datetime | None
    checked_at: datetime | None
    checked_by: str
    voided_at: datetime | None
    void_reason: str
    version: int = 1  # as read: a void from this view passes it (store.versions)

    @property
    def status(self) -> str:
        """For a slip: void, used or valid; else the request's outcome."""
        if self.slip_no is None:
            return self.outcome
        if self.voided_at is not None:
            return "void"
        return "used" if self.checked_at is not None else "valid"

    @property
    def number(self) -> str:
        return slip_number(self.slip_no) if self.slip_no is not None else ""


def slip_number(no: int) -> str:
    return f"{no:06d}"


# -- reading ---------------------------------------------------------------------------------------


def residents(store: Store, unit_code: str) -> tuple[int, list[Resident]]:
    """The unit's id and its active residents, owners first; FieldError for an unknown unit."""
    code = unit_code.strip()
    with store.read() as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            raise FieldError("unit", "release.unknown_unit", unit=code or "—")
        people = session.exec(select(Person).where(Person.unit_id == unit.id, Person.active).order_by(Person.kind, Person.id)).all()
    return unit.id, [Resident(p.id, p.kind, p.name, p.phone) for p in people]


def _view(request: ReleaseRequest, unit: str, clerk: str) -> ReleaseView:
    return ReleaseView(
        request.id, request.created_at, clerk, unit, request.applicant_kind, request.applicant_name, request.id_type,
        request.id_masked, request.stamp_text, [tuple(g) for g in json.loads(request.items)], request.plate,
        request.driver_name, request.driver_id_masked, request.arrears_months, request.arrears_fen,
        request.director_notified, request.hurry, request.owner_answer, request.owner_answer_at, request.signed_at,
        request.outcome, request.slip_no, request.issued_at, request.checked_at, request.checked_by,
        request.voided_at, request.void_reason, request.version,
    )


def _query():
    return select(ReleaseRequest, Unit.code, Staff.name).join(Unit, Unit.id == ReleaseRequest.unit_id).join(
        Staff, Staff.id == ReleaseRequest.created_by_id
    )


def get(store: Store, request_id: int) -> ReleaseView:
    with store.read() as session:
        row = session.exec(_query().where(ReleaseRequest.id == request_id)).first()
    if row is None:
        raise DeskappError("release.not_found", id=request_id)
    return _view(*row)


def find_slip(store: Store, slip_no: int) -> ReleaseView | None:
    with store.read() as session:
        row = session.exec(_query().where(ReleaseRequest.slip_no == slip_no)).first()
    return _view(*row) if row else None


def recent(store: Store, limit: int = 200) -> list[ReleaseView]:
    """The newest requests first (issued, refused, pending and open)."""
    with store.read() as session:
        rows = session.exec(_query().order_by(ReleaseRequest.id.desc()).limit(limit)).all()
    return [_view(*row) for row in rows]


def vacancy_percent(policy: Policy) -> int:
    """The share of the fee a vacant month is charged (001 空置房管理 5.2.5: 50 %)."""
    return int(policy.number("vacancy.fee_percent"))


def arrears_of(store: Store, request_id: int, today: date, *, vacancy_percent: int = 100) -> Arrears:
    with store.read() as session:
        request = _load(session, request_id)
        return unit_arrears_in(session, request.unit_id, today, vacancy_percent=vacancy_percent)


def fee_facts(arrears: Arrears, policy: Policy) -> dict[str, str | None]:
    """The flow's fee facts (owner_arrears, tenant_arrears) from the unit's account."""
    return {
        "owner_arrears": facts.owner_arrears(arrears, int(policy.number("release.director_notice_months"))),
        "tenant_arrears": facts.tenant_arrears(arrears, int(policy.number("release.tenant_max_arrears_months"))),
    }


# -- changing ---------------------------------------------------------------------------------------


def _load(session: Session, request_id: int) -> ReleaseRequest:
    request = session.get(ReleaseRequest, request_id)
    if request is None:
        raise DeskappError("release.not_found", id=request_id)
    return request


def _open(session: Session, request_id: int, version: int | None = None) -> ReleaseRequest:
    request = _load(session, request_id)
    versions.check(session, request, version)
    if request.outcome != ReleaseOutcome.OPEN:
        raise DeskappError("release.not_open", outcome=request.outcome)
    return request


def start(
    store: Store, clock: Clock, staff_id: int, *, unit_code: str, kind: str, person_id: int | None = None,
    new_name: str = "", new_phone: str = "", source_kind: str = "", source_id: int | None = None, today: date,
) -> int:
    """An application by a resident of the unit: an owner or tenant on record (`person_id`), or a
    tenant not yet on record, registered here (`new_name`, `new_phone`)."""
    if kind not in (PersonKind.OWNER, PersonKind.TENANT):
        raise FieldError("kind", "release.bad_kind")
    unit_id, people = residents(store, unit_code)
    with store.session() as session:
        if person_id is not None:
            person = session.get(Person, person_id)
            if person is None or person.unit_id != unit_id or not person.active or person.kind != kind:
                raise FieldError("person", "release.not_resident")
        else:
            if kind != PersonKind.TENANT:
                raise FieldError("person", "release.owner_on_record")
            name = " ".join(new_name.split())
            if not name:
                raise FieldError("new_name", "release.name_required")
            person = Person(unit_id=unit_id, kind=PersonKind.TENANT, name=name[:64], phone=new_phone.strip()[:32], since=today)
            session.add(person)
            session.flush()
            audit.record(session, clock, "resident.tenant_registered", actor_id=staff_id, entity="person", entity_id=person.id)
        request = ReleaseRequest(
            created_at=clock.now(), created_by_id=staff_id, source_kind=source_kind, source_id=source_id,
            unit_id=unit_id, person_id=person.id, applicant_kind=kind, applicant_name=person.name,
        )
        session.add(request)
        session.flush()
        audit.record(session, clock, "release.start", actor_id=staff_id, entity=RECORD, entity_id=request.id, kind=kind)
        return request.id


def record_id(store: Store, clock: Clock, staff_id: int, request_id: int, id_type: str, id_no: str, today: date) -> str:
    """The applicant's ID checked: its type and masked number kept with the stamp text (tip A3)."""
    try:
        number = check_id(id_type, id_no, today)
    except DeskappError as e:
        raise FieldError("id_no", e.key, **e.params) from None
    with store.session() as session:
        request = _open(session, request_id)
        request.id_type, request.id_masked, request.stamp_text = id_type, mask(number), stamp_text(STAMP_PURPOSE)
        audit.record(session, clock, "release.id_checked", actor_id=staff_id, entity=RECORD, entity_id=request_id, id_type=id_type)
        return request.id_masked


def record_goods(
    store: Store, clock: Clock, staff_id: int, request_id: int, *, goods: str, plate: str, driver: str, driver_id: str,
    today: date,
) -> None:
    """The goods with their counts, the vehicle's plate, the driver and their ID or licence."""
    try:
        items = parse_goods(goods)
    except DeskappError as e:
        raise FieldError("items", e.key, **e.params) from None
    try:
        plate = check_plate(plate)
    except DeskappError as e:
        raise FieldError("plate", e.key, **e.params) from None
    driver = " ".join(driver.split())
    if not driver:
        raise FieldError("driver", "release.driver_required")
    try:
        driver_number = check_id("driving_licence", driver_id, today)
    except DeskappError as e:
        raise FieldError("driver_id", e.key, **e.params) from None
    with store.session() as session:
        request = _open(session, request_id)
        request.items = json.dumps(items, ensure_ascii=False)
        request.plate, request.driver_name, request.driver_id_masked = plate, driver[:64], mask(driver_number)
        audit.record(session, clock, "release.goods", actor_id=staff_id, entity=RECORD, entity_id=request_id, count=len(items))


def record_signature(store: Store, clock: Clock, staff_id: int, request_id: int) -> None:
    """The applicant signed the slip (请您在这里签字)."""
    with store.session() as session:
        request = _open(session, request_id)
        request.signed_at = clock.now()
        audit.record(session, clock, "release.signed", actor_id=staff_id, entity=RECORD, entity_id=request_id)


def record_arrears(store: Store, clock: Clock, policy: Policy, staff_id: int, request_id: int, today: date) -> Arrears:
    """The fee check: the unit's arrears as found now, kept with the request."""
    with store.session() as session:
        request = _open(session, request_id)
        owed = unit_arrears_in(session, request.unit_id, today, vacancy_percent=vacancy_percent(policy))
        request.arrears_months, request.arrears_fen = owed.months, owed.amount_fen
        audit.record(session, clock, "release.fee_check", actor_id=staff_id, entity=RECORD, entity_id=request_id,
                     months=owed.months, fen=owed.amount_fen)
        return owed


def notify_director(store: Store, clock: Clock, policy: Policy, staff_id: int, request_id: int, text: str) -> int:
    """An owner at or over the notice limit (欠费三个月以上需通知管理处主任): the notification recorded,
    and a promise to follow the arrears up, owned by the clerk. Returns the promise's id."""
    from deskapp.services.promises import PROMISE_DUE

    with store.session() as session:
        request = _open(session, request_id)
        request.director_notified = True
        audit.record(session, clock, "release.director_notified", actor_id=staff_id, entity=RECORD, entity_id=request_id,
                     months=request.arrears_months, fen=request.arrears_fen)
        promise = Promise(
            kind="arrears_follow_up", text=text[:400], customer=request.applicant_name, unit_id=request.unit_id,
            owner_id=staff_id, created_by_id=staff_id, created_at=clock.now(),
            due_at=clock.now() + policy.duration(PROMISE_DUE["arrears_follow_up"]), source_kind=RECORD, source_id=request_id,
        )
        session.add(promise)
        session.flush()
        return promise.id


ANSWERS = ("agrees", "refuses", "unreachable")


def record_owner_answer(store: Store, clock: Clock, policy: Policy, staff_id: int, request_id: int, answer: str, retry_text: str = "") -> None:
    """The owner's answer on the phone for a tenant's release: agrees; refuses (the request is
    refused); cannot be reached (pending, and a promise to call again)."""
    from deskapp.services.promises import PROMISE_DUE

    if answer not in ANSWERS:
        raise FieldError("owner_answer", "release.bad_answer")
    with store.session() as session:
        request = _open(session, request_id)
        if request.applicant_kind != PersonKind.TENANT:
            raise DeskappError("release.owner_call_for_tenants")
        request.owner_answer, request.owner_answer_at = answer, clock.now()
        if answer == "refuses":
            request.outcome = ReleaseOutcome.REFUSED
        elif answer == "unreachable":
            request.outcome = ReleaseOutcome.PENDING
            session.add(Promise(
                kind="callback", text=retry_text[:400], customer=request.applicant_name, unit_id=request.unit_id,
                owner_id=staff_id, created_by_id=staff_id, created_at=clock.now(),
                due_at=clock.now() + policy.duration(PROMISE_DUE["callback"]), source_kind=RECORD, source_id=request_id,
            ))
        audit.record(session, clock, f"release.owner_{answer}", actor_id=staff_id, entity=RECORD, entity_id=request_id)


def refuse_for_arrears(store: Store, clock: Clock, staff_id: int, request_id: int) -> None:
    """A tenant with fees unpaid: no release (如欠费则不予放行), the refusal kept."""
    with store.session() as session:
        request = _open(session, request_id)
        request.outcome = ReleaseOutcome.REFUSED
        audit.record(session, clock, "release.refused_arrears", actor_id=staff_id, entity=RECORD, entity_id=request_id,
                     months=request.arrears_months)


def issue(
    store: Store, clock: Clock, policy: Policy, staff_id: int, request_id: int, today: date, *, version: int | None = None,
) -> int:
    """The slip: numbered, issued with the time and clerk. Refused unless everything the standard
    asks is there: ID, goods, vehicle, signature; for a tenant, no arrears and the owner's
    "agrees". An owner in a hurry is `notify_lobby`, once the slip is issued. Returns the number.

    The number is the counter's row raised in this transaction under a row lock (SELECT … FOR
    UPDATE): a second counter issuing at once waits for this commit and takes the next number, and
    an issue that fails takes none."""
    with store.session() as session:
        request = _open(session, request_id, version)
        if not request.id_masked:
            raise DeskappError("release.missing_id")
        if request.items == "[]" or not request.plate:
            raise DeskappError("release.missing_goods")
        if request.signed_at is None:
            raise DeskappError("release.missing_signature")
        owed = unit_arrears_in(session, request.unit_id, today, vacancy_percent=vacancy_percent(policy))
        if request.applicant_kind == PersonKind.TENANT:
            if fee_facts(owed, policy)["tenant_arrears"] != "none":
                raise DeskappError("release.tenant_arrears", months=owed.months)
            if request.owner_answer != "agrees":
                raise DeskappError("release.owner_not_agreed")
        counter = session.exec(select(SlipCounter).where(SlipCounter.name == COUNTER).with_for_update()).first()
        if counter is None:
            counter = SlipCounter(name=COUNTER, last_no=0)
            session.add(counter)
        counter.last_no += 1
        request.slip_no = counter.last_no
        request.outcome = ReleaseOutcome.ISSUED
        request.issued_at = clock.now()
        audit.record(session, clock, "release.issued", actor_id=staff_id, entity=RECORD, entity_id=request_id,
                     slip=request.slip_no)
        return request.slip_no


def notify_lobby(store: Store, clock: Clock, staff_id: int, request_id: int, today: date, *, vacancy_percent: int = 100) -> None:
    """若业主时间紧急,核实业主无欠费现象后,办理放行条同时通知大堂放行: only for an issued slip of a
    unit with no arrears."""
    with store.session() as session:
        request = _load(session, request_id)
        if request.outcome != ReleaseOutcome.ISSUED or request.voided_at is not None:
            raise DeskappError("release.not_issued")
        owed = unit_arrears_in(session, request.unit_id, today, vacancy_percent=vacancy_percent)
        if owed.any:
            raise DeskappError("release.hurry_with_arrears", months=owed.months)
        request.hurry = True
        audit.record(session, clock, "release.lobby_notified", actor_id=staff_id, entity=RECORD, entity_id=request_id,
                     slip=request.slip_no)


def void(
    store: Store, clock: Clock, policy: Policy, slip_no: int, supervisor_code: str, pin: str, reason: str, *,
    version: int | None = None,
) -> None:
    """Only someone allowed to void (the CS supervisor or the director: domain.roles), with their
    code and PIN at the counter, voids a slip, giving a reason. The number is never reused.
    `version`: the slip as the list showed it; refused as changed if the guard checked it since."""
    reason = " ".join(reason.split())
    if not reason:
        raise FieldError("reason", "release.reason_required")
    who = authorise(store, clock, policy, supervisor_code, pin, Action.VOID_SLIP)
    with store.session() as session:
        request = session.exec(select(ReleaseRequest).where(ReleaseRequest.slip_no == slip_no)).first()
        if request is None:
            raise FieldError("slip", "release.unknown_slip", no=slip_number(slip_no))
        versions.check(session, request, version)
        if request.voided_at is not None:
            raise FieldError("slip", "release.already_void", no=slip_number(slip_no))
        request.voided_at, request.voided_by_id, request.void_reason = clock.now(), who.staff_id, reason[:200]
        audit.record(session, clock, "release.voided", actor_id=who.staff_id, entity=RECORD, entity_id=request.id,
                     slip=slip_no, reason=reason)


@dataclass(frozen=True)
class Check:
    """What the guard is told: valid (now marked used), used (when and by whom), void, unknown."""

    status: str
    slip: ReleaseView | None


def verify(store: Store, clock: Clock, slip_no: int, guard: str = "") -> Check:
    """The lobby guard checks a slip by its number. A valid slip is marked used by this check."""
    with store.session() as session:
        row = session.exec(_query().where(ReleaseRequest.slip_no == slip_no)).first()
        if row is None:
            audit.record(session, clock, "release.check_unknown", slip=slip_no, guard=guard)
            return Check("unknown", None)
        request, unit, clerk = row
        before = _view(request, unit, clerk)
        status = before.status
        if status == "valid":
            request.checked_at, request.checked_by = clock.now(), guard.strip()[:64]
        audit.record(session, clock, "release.checked", entity=RECORD, entity_id=request.id, slip=slip_no, guard=guard, status=status)
        return Check(status, before)
