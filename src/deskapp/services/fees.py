"""A unit's management-fee account, read from the store."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from deskapp.domain.fees import Arrears, Charge, arrears
from deskapp.store.engine import Store
from deskapp.store.tables import FeeCharge, FeePayment


def unit_arrears_in(session: Session, unit_id: int, today: date) -> Arrears:
    charges = session.exec(select(FeeCharge).where(FeeCharge.unit_id == unit_id)).all()
    paid = session.exec(select(func.coalesce(func.sum(FeePayment.amount_fen), 0)).where(FeePayment.unit_id == unit_id)).one()
    return arrears([Charge(c.period, c.due_on, c.amount_fen) for c in charges], int(paid), today)


def unit_arrears(store: Store, unit_id: int, today: date) -> Arrears:
    """Months in arrears and the amount owed on `today` (the site's local date)."""
    with store.read() as session:
        return unit_arrears_in(session, unit_id, today)
