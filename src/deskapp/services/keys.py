"""The key register (钥匙管理作业指导书): the labelled keys kept at the counter, what is lent and
to whom, what was issued to owners for good, and the periodic checks of keys and labels.

4.1 every key is labelled and kept by one person; 4.2 the keeper checks them and renews worn
labels; 4.4 an owner collecting or borrowing a key proves who they are and signs; 4.5 anyone else
is asked the purpose and the return date, a worker brings it back the same day, a sales person's
loan needs their manager's signature; 4.6 the keeper gets every lent key back — so a loan has a
holder, the clerk who must recover it, and goes into the handover while it is out.

Only masked ID numbers are kept (as for release slips).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from deskapp.clock import Clock
from deskapp.domain.inputs import parse_phone
from deskapp.domain.registers import Borrower, RefusedRule, key_due
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.identity import masked_id, one_line
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import KeyCheck, KeyLoan, KeyTag, Staff, Unit

KEY = "key"
LOAN = "key_loan"
CHECK = "key_check"

HELD, LENT, ISSUED, MISSING = "held", "lent", "issued", "missing"
OK, WORN = "ok", "worn"
KIND_LOAN, KIND_ISSUE = "loan", "issue"
SHOWS = ("all", "out", "overdue")

LABEL_MAX = 32


@dataclass(frozen=True)
class LoanView:
    id: int
    kind: str  # loan / issue
    borrower_kind: str  # domain.registers.Borrower
    borrower: str
    company: str
    phone: str
    purpose: str
    manager: str
    lent_at: datetime
    due_at: datetime | None
    holder: str  # the clerk who gets the key back ("" for an issue)
    holder_id: int | None
    returned_at: datetime | None
    overdue: bool
    key_id: int = 0
    label: str = ""
    unit: str = ""


@dataclass(frozen=True)
class KeyView:
    id: int
    label: str
    unit: str  # the unit's code, or ""
    what: str
    state: str  # held / lent / issued / missing
    label_state: str  # ok / worn
    loan: LoanView | None  # the open loan, or the issue record when issued


# -- reading ---------------------------------------------------------------------------------------


def _overdue(loan: KeyLoan, now: datetime) -> bool:
    return loan.kind == KIND_LOAN and loan.returned_at is None and loan.due_at is not None and loan.due_at < now


def _loan_view(loan: KeyLoan, holder: str | None, now: datetime, label: str = "", unit: str | None = "") -> LoanView:
    return LoanView(
        id=loan.id, kind=loan.kind, borrower_kind=loan.borrower_kind, borrower=loan.borrower, company=loan.company,
        phone=loan.phone, purpose=loan.purpose, manager=loan.manager, lent_at=loan.lent_at, due_at=loan.due_at,
        holder=holder or "", holder_id=loan.holder_id, returned_at=loan.returned_at, overdue=_overdue(loan, now),
        key_id=loan.key_id, label=label, unit=unit or "",
    )


def _order(view: KeyView) -> tuple:
    """Overdue first, then the lent keys by due time, then the rest by label."""
    loan = view.loan
    if loan is not None and loan.overdue:
        rank = 0
    elif view.state == LENT:
        rank = 1
    else:
        rank = 2
    due = loan.due_at if rank < 2 and loan is not None and loan.due_at is not None else None
    return rank, due is None, due or datetime.min, view.label, view.id


@dataclass(frozen=True)
class KeyCounts:
    total: int
    out: int  # lent
    overdue: int  # lent and past the due time


def list_keys(store: Store, clock: Clock, *, show: str = "all", search: str = "", limit: int | None = None) -> list[KeyView]:
    """The keys, with the open loan (or the issue record) of each that is out. `show`: all, out
    (lent), overdue; `search` matches the label, the unit's code, or the borrower's or the holding
    clerk's name. Only the rows shown are read: in `_order`'s order, the first `limit` of them."""
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    now = clock.now()
    holder = aliased(Staff)
    # A lent key's loan is looked up for the lent keys alone (CASE evaluates it only for them), and
    # the records not returned are read apart: joined to every key, SQLite searched all of them for
    # each key by their returned_at index.
    lent = KeyTag.state == LENT
    due = (select(KeyLoan.due_at).where(KeyLoan.key_id == KeyTag.id, KeyLoan.returned_at.is_(None), KeyLoan.kind == KIND_LOAN)
           .correlate(KeyTag).scalar_subquery())
    lent_due = case((lent, due), else_=None)
    query = select(KeyTag, Unit.code).outerjoin(Unit, Unit.id == KeyTag.unit_id)
    if show == "out":
        query = query.where(lent)
    elif show == "overdue":
        query = query.where(lent, due < now)
    text = search.strip()
    if text:
        named = (select(KeyLoan.key_id).outerjoin(holder, holder.id == KeyLoan.holder_id).where(
            KeyLoan.returned_at.is_(None), KeyLoan.borrower.contains(text, autoescape=True) | holder.name.contains(text, autoescape=True)))
        query = query.where(KeyTag.label.contains(text, autoescape=True) | Unit.code.contains(text, autoescape=True)
                            | KeyTag.id.in_(named))
    # `_order` in the store, so that a limit keeps the first rows: overdue, lent by due time, the rest by label.
    rank = case((lent, case((due < now, 0), else_=1)), else_=2)
    query = query.order_by(rank, case((lent_due.is_(None), 1), else_=0), lent_due, KeyTag.label, KeyTag.id).limit(limit)
    with store.read() as session:
        rows = session.exec(query).all()
        out = [tag.id for tag, _ in rows if tag.state in (LENT, ISSUED)]
        records = {loan.key_id: (loan, name) for loan, name in session.exec(
            select(KeyLoan, holder.name).outerjoin(holder, holder.id == KeyLoan.holder_id)
            .where(KeyLoan.key_id.in_(out), KeyLoan.returned_at.is_(None))
        ).all()} if out else {}
    views = []
    for tag, unit in rows:
        loan, holder_name = records.get(tag.id, (None, None)) if tag.state in (LENT, ISSUED) else (None, None)
        views.append(KeyView(
            id=tag.id, label=tag.label, unit=unit or "", what=tag.what, state=tag.state, label_state=tag.label_state,
            loan=_loan_view(loan, holder_name, now, tag.label, unit) if loan is not None else None,
        ))
    return sorted(views, key=_order)


def counts(store: Store, clock: Clock) -> KeyCounts:
    """How many keys there are, lent, and lent past their due time: counted in the store."""
    with store.read() as session:
        total = session.exec(select(func.count(KeyTag.id))).one()
        out = session.exec(select(func.count(KeyTag.id)).where(KeyTag.state == LENT)).one()
        overdue = session.exec(
            select(func.count(KeyLoan.id)).join(KeyTag, KeyTag.id == KeyLoan.key_id)
            .where(KeyLoan.returned_at.is_(None), KeyLoan.kind == KIND_LOAN, KeyLoan.due_at < clock.now(), KeyTag.state == LENT)
        ).one()
    return KeyCounts(total, out, overdue)


def open_loans(session: Session, clock: Clock, staff_id: int | None) -> list[LoanView]:
    """The keys lent and not back, held by the clerk (every holder's when `staff_id` is None), in
    due order: for the handover, inside its transaction. Issues to owners are never open."""
    holder = aliased(Staff)
    query = (
        select(KeyLoan, holder.name, KeyTag.label, Unit.code)
        .join(KeyTag, KeyTag.id == KeyLoan.key_id)
        .outerjoin(Unit, Unit.id == KeyTag.unit_id)
        .outerjoin(holder, holder.id == KeyLoan.holder_id)
        .where(KeyLoan.kind == KIND_LOAN, KeyLoan.returned_at.is_(None))
    )
    if staff_id is not None:
        query = query.where(KeyLoan.holder_id == staff_id)
    now = clock.now()
    rows = session.exec(query.order_by(KeyLoan.due_at.is_(None), KeyLoan.due_at, KeyLoan.id)).all()
    return [_loan_view(loan, name, now, label, unit) for loan, name, label, unit in rows]


def check_due(store: Store, clock: Clock, policy: Policy) -> datetime | None:
    """When the keys are next to be checked (4.2): the last check plus keys.check_days; now when
    they have never been checked; None while no key is held at the counter (nothing to check)."""
    with store.read() as session:
        return check_due_in(session, clock, policy)


def check_due_in(session: Session, clock: Clock, policy: Policy) -> datetime | None:
    """`check_due` inside a transaction already open (the handover's)."""
    if session.exec(select(KeyTag.id).where(KeyTag.state == HELD).limit(1)).first() is None:
        return None
    last = session.exec(select(func.max(KeyCheck.at))).one()
    if last is None:
        return clock.now()
    return last + policy.duration("keys.check_days")


# -- changing ---------------------------------------------------------------------------------------


def _key(session: Session, key_id: int) -> KeyTag:
    tag = session.get(KeyTag, key_id)
    if tag is None:
        raise DeskappError("keys.not_found", id=key_id)
    return tag


def _held(session: Session, key_id: int) -> KeyTag:
    tag = _key(session, key_id)
    if tag.state != HELD:
        raise DeskappError("keys.not_held", label=tag.label)
    return tag


def add_key(store: Store, clock: Clock, staff_id: int, *, label: str, unit_code: str = "", what: str = "") -> int:
    """A labelled key taken into keeping (4.1). The label is required and unique."""
    label = one_line(label)
    if not label:
        raise FieldError("label", "keys.label_required")
    if len(label) > LABEL_MAX:
        raise FieldError("label", "keys.label_too_long", max=LABEL_MAX)
    code = unit_code.strip()
    with store.session() as session:
        unit_id = None
        if code:
            unit_id = session.exec(select(Unit.id).where(Unit.code == code)).first()
            if unit_id is None:
                raise FieldError("unit", "keys.unknown_unit", unit=code)
        if session.exec(select(KeyTag.id).where(KeyTag.label == label)).first() is not None:
            raise FieldError("label", "keys.label_taken", label=label)
        tag = KeyTag(label=label, unit_id=unit_id, what=one_line(what)[:100], added_at=clock.now())
        session.add(tag)
        session.flush()
        audit.record(session, clock, "key.added", actor_id=staff_id, entity=KEY, entity_id=tag.id, label=label)
        return tag.id


def lend(
    store: Store, clock: Clock, policy: Policy, staff_id: int, key_id: int, *, borrower_kind: str, borrower: str,
    purpose: str = "", company: str = "", phone: str = "", due: datetime | None = None, manager: str = "",
    id_type: str = "", id_no: str = "", signed: bool = False, today: date,
) -> int:
    """A key lent (4.4, 4.5): an owner shows their ID and signs; a worker's key is due back the same
    day (keys.contractor_return_hour); a sales person's loan needs their manager; a sales person
    or anyone else gives the purpose and the return time. The clerk who lends it holds the loan
    until the key is back (4.6). Returns the loan's id."""
    try:
        kind = Borrower(borrower_kind)
    except ValueError:
        raise FieldError("borrower_kind", "keys.bad_borrower_kind") from None
    name = one_line(borrower)
    if not name:
        raise FieldError("borrower", "keys.borrower_required")
    purpose, company, manager = one_line(purpose), one_line(company), one_line(manager)
    phone = phone.strip()
    if phone:
        try:
            phone = parse_phone(phone)
        except DeskappError as e:
            raise FieldError("phone", e.key, **e.params) from None
    tz = policy.timezone
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=tz)  # typed at the counter: the site's local time
    masked = ""
    if kind == Borrower.OWNER:
        masked = masked_id(id_type, id_no, today)
        if not signed:
            raise FieldError("signed", "keys.signature_required")
    now = clock.now()
    if due is not None and due <= now:
        raise FieldError("due", "keys.due_past")  # key_due would take a worker's past time as asked
    if kind != Borrower.OWNER or due is not None:  # an owner need not say when (4.4)
        try:
            due = key_due(kind, now, tz, asked=due, return_by=time(int(policy.number("keys.contractor_return_hour"))),
                          manager=manager)
        except RefusedRule as rule:
            raise FieldError(rule.field, rule.key, **rule.params) from None
    if kind != Borrower.OWNER and not purpose:  # 4.5: ask every other borrower what it is for
        raise FieldError("purpose", "keys.purpose_required")
    with store.session() as session:
        tag = _held(session, key_id)
        loan = KeyLoan(
            key_id=tag.id, kind=KIND_LOAN, borrower_kind=kind, borrower=name[:64], company=company[:64], phone=phone[:32],
            purpose=purpose[:200], id_type=id_type if masked else "", id_masked=masked, manager=manager[:64],
            signed=signed, lent_at=now, lent_by_id=staff_id, holder_id=staff_id, due_at=due,
        )
        session.add(loan)
        tag.state = LENT
        session.flush()
        audit.record(session, clock, "key.lent", actor_id=staff_id, entity=LOAN, entity_id=loan.id, key=tag.label,
                     borrower_kind=str(kind), due=due)
        return loan.id


def issue_to_owner(
    store: Store, clock: Clock, staff_id: int, key_id: int, *, owner: str, id_type: str, id_no: str, signed: bool,
    today: date,
) -> int:
    """A key handed to its owner for good (业主领取, 4.4): ID checked, the owner signs the issue
    register. Nobody has to get it back, so it has no holder and no due time. Returns the record's id."""
    name = one_line(owner)
    if not name:
        raise FieldError("owner", "keys.owner_required")
    masked = masked_id(id_type, id_no, today)
    if not signed:
        raise FieldError("signed", "keys.signature_required")
    with store.session() as session:
        tag = _held(session, key_id)
        record = KeyLoan(
            key_id=tag.id, kind=KIND_ISSUE, borrower_kind=Borrower.OWNER, borrower=name[:64], id_type=id_type,
            id_masked=masked, signed=True, lent_at=clock.now(), lent_by_id=staff_id, holder_id=None, due_at=None,
        )
        session.add(record)
        tag.state = ISSUED
        session.flush()
        audit.record(session, clock, "key.issued", actor_id=staff_id, entity=LOAN, entity_id=record.id, key=tag.label)
        return record.id


def return_key(store: Store, clock: Clock, staff_id: int, loan_id: int) -> None:
    """A key back at the counter: the loan closed with who took it back, the key held again."""
    with store.session() as session:
        loan = session.get(KeyLoan, loan_id)
        if loan is None:
            raise DeskappError("keys.loan_not_found", id=loan_id)
        tag = _key(session, loan.key_id)
        if loan.returned_at is not None:
            raise DeskappError("keys.already_returned", label=tag.label)
        loan.returned_at, loan.returned_to_id = clock.now(), staff_id
        tag.state = HELD
        audit.record(session, clock, "key.returned", actor_id=staff_id, entity=LOAN, entity_id=loan.id, key=tag.label,
                     kind=loan.kind, overdue=_overdue_at(loan))


def _overdue_at(loan: KeyLoan) -> bool:
    """Whether a loan just returned came back after its due time."""
    return loan.kind == KIND_LOAN and loan.due_at is not None and loan.returned_at is not None and loan.returned_at > loan.due_at


def _labels(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        label = one_line(value)
        if label:
            seen.setdefault(label, None)
    return list(seen)


def record_check(store: Store, clock: Clock, staff_id: int, *, missing: list[str], worn: list[str], note: str = "") -> int:
    """A check of the keys held (4.2): the labels found missing, the labels worn or blurred. The
    missing keys (if held) are marked missing; every other held key's label is worn or ok as found.
    Returns the check's id."""
    missing, worn = _labels(missing), _labels(worn)
    with store.session() as session:
        named = {t.label: t for t in session.exec(select(KeyTag).where(KeyTag.label.in_(missing + worn))).all()}
        for field, labels in (("missing", missing), ("worn", worn)):
            for label in labels:
                if label not in named:
                    raise FieldError(field, "keys.unknown_label", label=label)
        for label in worn:
            if label in missing:
                raise FieldError("worn", "keys.missing_and_worn", label=label)
        held = session.exec(select(KeyTag).where(KeyTag.state == HELD)).all()
        for tag in held:
            if tag.label in missing:
                tag.state = MISSING
            elif tag.label not in worn:
                tag.label_state = OK
        for label in worn:
            named[label].label_state = WORN
        check = KeyCheck(at=clock.now(), by_id=staff_id, checked=len(held),
                         missing=json.dumps(missing, ensure_ascii=False), worn=json.dumps(worn, ensure_ascii=False),
                         note=one_line(note)[:400])
        session.add(check)
        session.flush()
        audit.record(session, clock, "key.checked", actor_id=staff_id, entity=CHECK, entity_id=check.id,
                     checked=len(held), missing=missing, worn=worn)
        return check.id


def relabel(store: Store, clock: Clock, staff_id: int, key_id: int) -> None:
    """A worn or blurred label renewed (4.2 及时更新)."""
    with store.session() as session:
        tag = _key(session, key_id)
        if tag.label_state != WORN:
            raise DeskappError("keys.label_not_worn", label=tag.label)
        before, tag.label_state = tag.label_state, OK
        audit.record(session, clock, "key.relabelled", actor_id=staff_id, entity=KEY, entity_id=tag.id, label=tag.label,
                     before=before, after=OK)
