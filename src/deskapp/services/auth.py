"""Staff codes and PINs: signing in at the console, and the code and PIN of someone allowed to do
an act, given at the moment of the act (a supervisor voiding a slip). Argon2 hashes: the PIN
itself is never kept.

Failed PINs are rate-limited per staff code: `signin.failed_pins` wrong PINs within
`signin.failed_pin_window_minutes` lock the code for that long after the last of them. A locked
code is refused without its PIN being checked, at sign-in and at every act that asks for a PIN,
and a right PIN does not end the lock early. The count is read from the audit log (the
`signin.refused` events of the code), so it holds across consoles and restarts; a PIN accepted
while the code is not locked starts the count again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain.roles import Action, NotAllowed, may
from deskapp.errors import DeskappError, FieldError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, Staff

_hasher = PasswordHasher()


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    return _hasher.hash(pin)


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise DeskappError("signin.pin_format")


@dataclass(frozen=True)
class SignedIn:
    staff_id: int
    code: str
    name: str
    role: str


@dataclass(frozen=True)
class Credentials:
    """A staff code and PIN typed for an act (never stored)."""

    code: str
    pin: str

    def __repr__(self) -> str:  # a PIN never reaches a log or a traceback
        return f"Credentials(code={self.code!r}, pin='****')"


class SignInError(FieldError):
    """Refused code or PIN; `field` says which field the message belongs to."""

    def __init__(self, key: str, field: str, /, **params: object) -> None:
        super().__init__(field, key, **params)


@dataclass(frozen=True)
class PinLimit:
    failures: int  # 0: no limit
    window: timedelta

    @classmethod
    def of(cls, policy: Policy) -> PinLimit:
        return cls(int(policy.number("signin.failed_pins")), policy.duration("signin.failed_pin_window_minutes"))


def sign_in(store: Store, clock: Clock, policy: Policy, code: str, pin: str) -> SignedIn:
    """Sign in at the console: a right PIN, a code not locked, a role that uses the console."""
    return _check(store, clock, policy, code, pin, Action.CONSOLE)


def authorise(store: Store, clock: Clock, policy: Policy, code: str, pin: str, action: Action) -> SignedIn:
    """The code and PIN of someone allowed to do `action`, given for the act: whoever gave them,
    or a refusal at the field it concerns (NotAllowed at the code for someone not allowed)."""
    return _check(store, clock, policy, code, pin, Action(action))


def _check(store: Store, clock: Clock, policy: Policy, code: str, pin: str, action: Action) -> SignedIn:
    code = code.strip()
    if not code:
        raise SignInError("signin.code_required", "code")
    if not pin:
        raise SignInError("signin.pin_required", "pin")
    limit = PinLimit.of(policy)
    now = clock.now()
    refusal: DeskappError | None = None
    with store.session() as session:  # refusals are audited too, so it commits before raising
        staff = session.exec(select(Staff).where(Staff.code == code)).first()
        if staff is None or not staff.active:
            audit.record(session, clock, "signin.refused", code=code, reason="unknown_code", act=action)
            refusal = SignInError("signin.unknown_code", "code")
        elif (until := locked_until(session, staff.id, now, limit)) is not None:
            audit.record(session, clock, "signin.refused", entity="staff", entity_id=staff.id, reason="locked",
                         act=action, until=until.isoformat())
            refusal = SignInError("signin.locked", "pin", until=_shown(until, now, policy))
        elif not _verify(staff.pin_hash, pin):
            audit.record(session, clock, "signin.refused", entity="staff", entity_id=staff.id, reason="wrong_pin", act=action)
            session.flush()
            until = locked_until(session, staff.id, now, limit)  # this failure may be the one that locks
            if until is None:
                refusal = SignInError("signin.wrong_pin", "pin")
            else:
                refusal = SignInError("signin.locked", "pin", until=_shown(until, now, policy))
        elif not may(staff.role, action):
            audit.record(session, clock, "signin.refused", entity="staff", entity_id=staff.id, reason="role", act=action)
            refusal = NotAllowed(action)
        else:
            audit.record(session, clock, "signin", actor_id=staff.id, entity="staff", entity_id=staff.id, act=action)
            who = SignedIn(staff.id, staff.code, staff.name, staff.role)
    if refusal is not None:
        raise refusal
    return who


def locked_until(session: Session, staff_id: int, now: datetime, limit: PinLimit) -> datetime | None:
    """When the code's lock ends, if it is locked now.

    Walks the code's sign-in events of the last two windows (a lock now was made by failures no
    older than that): a PIN accepted starts the count again; `failures` wrong PINs within one
    window lock the code for a window after the last of them; nothing counts while locked."""
    if limit.failures <= 0:
        return None
    events = session.exec(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.detail)
        .where(AuditEvent.at > now - 2 * limit.window, AuditEvent.entity == "staff", AuditEvent.entity_id == staff_id,
               AuditEvent.action.in_(("signin", "signin.refused")))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    failed: list[datetime] = []
    until: datetime | None = None
    for at, action, detail in events:
        if until is not None and at < until:
            continue
        if action == "signin":
            failed = []
        elif _reason(detail) == "wrong_pin":
            failed = [f for f in failed if f > at - limit.window] + [at]
            if len(failed) >= limit.failures:
                until, failed = at + limit.window, []
    return until if until is not None and until > now else None


def _reason(detail: str) -> str:
    try:
        return str(json.loads(detail).get("reason", ""))
    except (ValueError, AttributeError):
        return ""


def _shown(until: datetime, now: datetime, policy: Policy) -> str:
    """The end of a lock in the site's time, to the minute after it (a clerk trying at the minute
    shown is let in): the hour, with the day when it is not today."""
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    local, today = until.astimezone(policy.timezone), now.astimezone(policy.timezone).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
