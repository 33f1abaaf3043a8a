"""A unit's management-fee account: months in arrears (欠费月数) and amount owed.

Payments settle the oldest charges first. A charge is in arrears once its due date has passed
and it is not fully paid; a part-paid month counts as a month in arrears.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Charge:
    period: date
    due_on: date
    amount_fen: int


@dataclass(frozen=True)
class Arrears:
    months: int
    amount_fen: int
    oldest_period: date | None = None

    @property
    def any(self) -> bool:
        return self.months > 0


def arrears(charges: Iterable[Charge], paid_fen: int, today: date) -> Arrears:
    """What a unit owes on `today`, given all its charges and the sum of its payments."""
    remaining = paid_fen
    months = 0
    owed = 0
    oldest: date | None = None
    for charge in sorted(charges, key=lambda c: c.period):
        settled = min(remaining, charge.amount_fen)
        remaining -= settled
        unpaid = charge.amount_fen - settled
        if unpaid > 0 and charge.due_on < today:
            months += 1
            owed += unpaid
            oldest = oldest or charge.period
    return Arrears(months, owed, oldest)


def format_fen(fen: int) -> str:
    """Money as the clerk says it: 1,234.50."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """'312.5' or '312.50' yuan to fen; ValueError on anything else."""
    text = text.strip().replace(",", "")
    if not text or text.count(".") > 1 or not text.replace(".", "").isdigit():
        raise ValueError(text)
    yuan, _, cents = text.partition(".")
    if len(cents) > 2:
        raise ValueError(text)
    return int(yuan or "0") * 100 + int(cents.ljust(2, "0") or "0")
