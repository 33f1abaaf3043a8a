"""Staff sign-in with a staff code and a PIN (argon2 hashes; the PIN itself is never kept)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from deskapp.clock import Clock
from deskapp.errors import DeskappError
from deskapp.services import audit
from deskapp.store.engine import Store
from deskapp.store.tables import Staff

_hasher = PasswordHasher()


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    return _hasher.hash(pin)


def check_pin_format(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise DeskappError("signin.pin_format")


@dataclass(frozen=True)
class SignedIn:
    staff_id: int
    code: str
    name: str
    role: str


class SignInError(DeskappError):
    """Refused sign-in; `field` says which field the message belongs to."""

    def __init__(self, key: str, field: str) -> None:
        super().__init__(key)
        self.field = field


def sign_in(store: Store, clock: Clock, code: str, pin: str) -> SignedIn:
    code = code.strip()
    if not code:
        raise SignInError("signin.code_required", "code")
    if not pin:
        raise SignInError("signin.pin_required", "pin")
    refusal: SignInError | None = None
    with store.session() as session:  # the refusal is audited too, so it commits before raising
        staff = session.exec(select(Staff).where(Staff.code == code)).first()
        if staff is None or not staff.active:
            audit.record(session, clock, "signin.refused", code=code, reason="unknown_code")
            refusal = SignInError("signin.unknown_code", "code")
        elif not _verify(staff.pin_hash, pin):
            audit.record(session, clock, "signin.refused", entity="staff", entity_id=staff.id, reason="wrong_pin")
            refusal = SignInError("signin.wrong_pin", "pin")
        else:
            audit.record(session, clock, "signin", actor_id=staff.id, entity="staff", entity_id=staff.id)
            signed_in = SignedIn(staff.id, staff.code, staff.name, staff.role)
    if refusal is not None:
        raise refusal
    return signed_in


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
