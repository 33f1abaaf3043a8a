"""Calendar-month arithmetic for fee periods."""

from __future__ import annotations

import calendar
from datetime import date

from dateutil.relativedelta import relativedelta


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    return month_start(period) + relativedelta(months=months)


def months_between(first: date, last: date) -> int:
    """Whole calendar months from first's month to last's month (negative if last is earlier)."""
    return (last.year - first.year) * 12 + (last.month - first.month)


def due_date(period: date, due_day: int) -> date:
    """The day a month's charge falls due: due_day, or the month's last day if it is shorter."""
    last = calendar.monthrange(period.year, period.month)[1]
    return period.replace(day=min(max(due_day, 1), last))
