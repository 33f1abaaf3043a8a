"""Lost and found (物品拾遗作业指导书): an item handed in at the counter, where it is kept so it can
be found again, the owner who claims it, and what became of it once unclaimed past the policy's
keeping period (lost_found.keep_days).

States: held → claimed (the claimant proves who they are and signs), or held → disposed (only
once the keeping period is over, saying how: handed to the police station, donated …). An item
still held past its period may still be claimed until it is disposed of.

Only masked ID numbers are kept (as for release slips and keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, func, select

from deskapp.clock import Clock
from deskapp.domain.inputs import parse_phone
from deskapp.errors import DeskappError
from deskapp.policy import Policy, load_policy
from deskapp.services import audit
from deskapp.services.identity import masked_id, one_line
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import FoundItem

RECORD = "found_item"
KEEP = "lost_found.keep_days"

HELD, CLAIMED, DISPOSED = "held", "claimed", "disposed"
SHOWS = ("held", "all", "due")

WHAT_MAX, WHERE_MAX, FOUND_BY_MAX, KEPT_MAX, CLAIMANT_MAX, PHONE_MAX, HOW_MAX = 200, 200, 64, 100, 64, 32, 200
_NUMBER = re.compile(r"SW0*([0-9]{1,9})", re.IGNORECASE)


@dataclass(frozen=True)
class FoundView:
    id: int
    no: str  # SW000012
    what: str
    where_found: str
    found_at: datetime
    found_by: str
    kept_where: str
    state: str  # held / claimed / disposed
    claimant: str
    claimant_phone: str
    claimed_at: datetime | None
    disposed_at: datetime | None
    disposed_how: str
    dispose_after: datetime  # found_at + lost_found.keep_days
    due_for_disposal: bool  # held and dispose_after ≤ now


def number(item_id: int) -> str:
    """As said and printed: SW000012 (失物)."""
    return f"SW{item_id:06d}"


def _parse_number(text: str) -> int | None:
    match = _NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match else None


# -- reading ---------------------------------------------------------------------------------------


def _view(item: FoundItem, keep: timedelta, now: datetime) -> FoundView:
    after = item.found_at + keep
    return FoundView(
        id=item.id, no=number(item.id), what=item.what, where_found=item.where_found, found_at=item.found_at,
        found_by=item.found_by, kept_where=item.kept_where, state=item.state, claimant=item.claimant,
        claimant_phone=item.claimant_phone, claimed_at=item.claimed_at, disposed_at=item.disposed_at,
        disposed_how=item.disposed_how, dispose_after=after, due_for_disposal=item.state == HELD and after <= now,
    )


def _views(session: Session, clock: Clock, policy: Policy, where: list, *, due_first: bool = False,
           limit: int | None = None) -> list[FoundView]:
    keep = policy.duration(KEEP)
    now = clock.now()
    order = [FoundItem.found_at.desc(), FoundItem.id.desc()]
    if due_first:  # FoundView.due_for_disposal first, in the store, so that a limit keeps them
        order.insert(0, case(((FoundItem.state == HELD) & (FoundItem.found_at <= now - keep), 0), else_=1))
    rows = session.exec(select(FoundItem).where(*where).order_by(*order).limit(limit)).all()
    return [_view(item, keep, now) for item in rows]


def _shown(clock: Clock, policy: Policy, show: str) -> list:
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    if show == "held":
        return [FoundItem.state == HELD]
    if show == "due":
        return [FoundItem.state == HELD, FoundItem.found_at <= clock.now() - policy.duration(KEEP)]
    return []


def list_found(store: Store, clock: Clock, policy: Policy, *, show: str = "held", search: str = "",
               limit: int | None = None) -> list[FoundView]:
    """The register, newest found first with those due for disposal before the rest. `show`: held
    (not claimed or disposed of), all, due (held past the keeping period); `search` matches what,
    where it was found, where it is kept or the claimant (a substring), or the number (SW000012);
    the first `limit` of them in that order."""
    where = _shown(clock, policy, show)
    text = search.strip()
    if text:
        match = (FoundItem.what.contains(text, autoescape=True) | FoundItem.where_found.contains(text, autoescape=True)
                 | FoundItem.kept_where.contains(text, autoescape=True) | FoundItem.claimant.contains(text, autoescape=True))
        item_id = _parse_number(text)
        if item_id is not None:
            match = match | (FoundItem.id == item_id)
        where.append(match)
    with store.read() as session:
        views = _views(session, clock, policy, where, due_first=True, limit=limit)
    return sorted(views, key=lambda v: not v.due_for_disposal)  # stable: newest first within each


def counts(store: Store, clock: Clock, policy: Policy, *, show: str = "held") -> tuple[int, int]:
    """How many items `show` covers, and how many are due for disposal: counted in the store."""
    due = (FoundItem.state == HELD) & (FoundItem.found_at <= clock.now() - policy.duration(KEEP))
    with store.read() as session:
        count = session.exec(select(func.count(FoundItem.id)).where(*_shown(clock, policy, show))).one()
        overdue = session.exec(select(func.count(FoundItem.id)).where(due)).one()
    return count, overdue


def get(store: Store, clock: Clock, policy: Policy, item_id: int) -> FoundView:
    with store.read() as session:
        found = _views(session, clock, policy, [FoundItem.id == item_id])
    if not found:
        raise DeskappError("lost_found.not_found", id=item_id)
    return found[0]


def due_for_disposal(store: Store, clock: Clock, policy: Policy, *, within: timedelta = timedelta(days=1)) -> list[FoundView]:
    """Items still held whose keeping period ends within `within` (or has ended), longest due first:
    for Today and the handover."""
    latest = clock.now() + within - policy.duration(KEEP)
    with store.read() as session:
        views = _views(session, clock, policy, [FoundItem.state == HELD, FoundItem.found_at <= latest])
    return sorted(views, key=lambda v: (v.dispose_after, v.id))


# -- changing ---------------------------------------------------------------------------------------


def _load(session: Session, item_id: int) -> FoundItem:
    item = session.get(FoundItem, item_id)
    if item is None:
        raise DeskappError("lost_found.not_found", id=item_id)
    return item


def _held(session: Session, item_id: int) -> FoundItem:
    item = _load(session, item_id)
    if item.state == CLAIMED:
        raise DeskappError("lost_found.already_claimed", no=number(item.id))
    if item.state != HELD:
        raise DeskappError("lost_found.already_disposed", no=number(item.id))
    return item


def register(
    store: Store, clock: Clock, staff_id: int, *, what: str, where_found: str = "", found_at: datetime | None = None,
    found_by: str = "", kept_where: str = "",
) -> int:
    """An item handed in: what it is (required), where and when it was found (now when not given,
    never in the future; timezone-aware), who handed it in, and where it is kept (required, so it
    can be found again). Returns the item's id (its number is `number(id)`)."""
    what = one_line(what)
    if not what:
        raise FieldError("what", "lost_found.what_required")
    now = clock.now()
    if found_at is None:
        found_at = now
    elif found_at.tzinfo is None:
        raise ValueError("found_at must be timezone-aware (the site's local time, as typed)")
    if found_at > now:
        raise FieldError("found_at", "lost_found.in_future")
    kept = one_line(kept_where)
    if not kept:
        raise FieldError("kept_where", "lost_found.kept_where_required")
    with store.session() as session:
        item = FoundItem(
            what=what[:WHAT_MAX], where_found=one_line(where_found)[:WHERE_MAX], found_at=found_at,
            found_by=one_line(found_by)[:FOUND_BY_MAX], kept_where=kept[:KEPT_MAX], registered_at=now,
            registered_by_id=staff_id, state=HELD,
        )
        session.add(item)
        session.flush()
        audit.record(session, clock, "found_item.registered", actor_id=staff_id, entity=RECORD, entity_id=item.id,
                     no=number(item.id), what=item.what, found_at=found_at, kept_where=item.kept_where)
        return item.id


def claim(
    store: Store, clock: Clock, staff_id: int, item_id: int, *, claimant: str, phone: str = "", id_type: str, id_no: str,
    signed: bool, today: date,
) -> None:
    """A held item handed to its owner: their name, their phone if given, their ID checked (only
    the masked number kept) and their signature. Refused at the field, nothing saved, when any of
    it is missing or wrong; refused when the item was already claimed or disposed of."""
    name = one_line(claimant)
    if not name:
        raise FieldError("claimant", "lost_found.claimant_required")
    phone = phone.strip()
    if phone:
        try:
            phone = parse_phone(phone)
        except DeskappError as e:
            raise FieldError("phone", e.key, **e.params) from None
    masked = masked_id(id_type, id_no, today)
    if not signed:
        raise FieldError("signed", "lost_found.signature_required")
    with store.session() as session:
        item = _held(session, item_id)
        item.state, item.claimed_at, item.handed_by_id = CLAIMED, clock.now(), staff_id
        item.claimant, item.claimant_phone = name[:CLAIMANT_MAX], phone[:PHONE_MAX]
        item.claimant_id_type, item.claimant_id_masked, item.signed = id_type, masked, True
        audit.record(session, clock, "found_item.claimed", actor_id=staff_id, entity=RECORD, entity_id=item.id,
                     no=number(item.id), id_type=id_type)


def dispose(store: Store, clock: Clock, staff_id: int, item_id: int, *, how: str, policy: Policy | None = None) -> None:
    """An item unclaimed past its keeping period disposed of, saying how (handed to the police
    station, donated …). Refused for an item claimed or disposed of, or still in its period
    (lost_found.not_due, with the local date it becomes due). `policy`: the app's; the default
    policy files are read when it is not given."""
    if policy is None:
        policy = load_policy()
    keep = policy.duration(KEEP)
    how = one_line(how)
    now = clock.now()
    with store.session() as session:
        item = _held(session, item_id)
        after = item.found_at + keep
        if after > now:
            raise DeskappError("lost_found.not_due", no=number(item.id),
                               date=after.astimezone(policy.timezone).date().isoformat())
        if not how:
            raise FieldError("how", "lost_found.how_required")
        item.state, item.disposed_at, item.disposed_by_id, item.disposed_how = DISPOSED, now, staff_id, how[:HOW_MAX]
        audit.record(session, clock, "found_item.disposed", actor_id=staff_id, entity=RECORD, entity_id=item.id,
                     no=number(item.id), how=item.disposed_how)
