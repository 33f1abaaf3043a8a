"""A unit's management-fee account, read from the store."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from deskapp.domain.fees import Arrears, Charge, arrears
from deskapp.services.vacancy import vacant_periods
from deskapp.store.engine import Store
from deskapp.store.tables import FeeCharge, FeePayment


def _share(amount_fen: int, percent: int) -> int:
    """`percent` of an amount, rounded half up to the fen."""
    return (amount_fen * percent + 50) // 100


def unit_arrears_in(session: Session, unit_id: int, today: date, *, vacancy_percent: int = 100) -> Arrears:
    """The unit's arrears; a month whose first day lies in one of its vacant periods (a confirmed
    vacancy, services.vacancy.vacant_periods) is charged at `vacancy_percent` (policy
    vacancy.fee_percent; the default 100 leaves every month in full)."""
    charges = session.exec(select(FeeCharge).where(FeeCharge.unit_id == unit_id)).all()
    paid = session.exec(select(func.coalesce(func.sum(FeePayment.amount_fen), 0)).where(FeePayment.unit_id == unit_id)).one()
    periods = []
    if vacancy_percent != 100:
        periods = vacant_periods(session, unit_id)

    def amount(charge: FeeCharge) -> int:
        if any(start <= charge.period < end for start, end in periods):
            return _share(charge.amount_fen, vacancy_percent)
        return charge.amount_fen

    return arrears([Charge(c.period, c.due_on, amount(c)) for c in charges], int(paid), today)


def unit_arrears(store: Store, unit_id: int, today: date, *, vacancy_percent: int = 100) -> Arrears:
    """Months in arrears and the amount owed on `today` (the site's local date)."""
    with store.read() as session:
        return unit_arrears_in(session, unit_id, today, vacancy_percent=vacancy_percent)
