"""Months in arrears (欠费月数) and amount owed, and the month arithmetic under them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.domain.fees import Arrears, Charge, arrears, format_fen, parse_yuan
from deskapp.domain.months import add_months, due_date, month_start, months_between

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31))
due_days = st.integers(min_value=1, max_value=31)
shifts = st.integers(min_value=-240, max_value=240)


# --- month arithmetic -------------------------------------------------------------------------


@given(days, shifts)
def test_add_months_and_months_between_are_inverse(day: date, n: int) -> None:
    later = add_months(day, n)
    assert later.day == 1
    assert months_between(day, later) == n
    assert add_months(later, -n) == month_start(day)
    assert months_between(later, day) == -n


@given(days, days)
def test_months_between_counts_calendar_months(first: date, last: date) -> None:
    n = months_between(first, last)
    assert add_months(first, n) == month_start(last)


@given(days, due_days)
def test_due_date_falls_in_its_month_and_not_after_the_due_day(period: date, due_day: int) -> None:
    due = due_date(month_start(period), due_day)
    assert (due.year, due.month) == (period.year, period.month)
    assert 1 <= due.day <= due_day
    if due.day < due_day:  # only a month too short for the due day moves it, to its last day
        assert due == add_months(period, 1) - timedelta(days=1)


@pytest.mark.parametrize(
    ("period", "due_day", "due"),
    [
        (date(2026, 2, 1), 31, date(2026, 2, 28)),
        (date(2028, 2, 1), 31, date(2028, 2, 29)),
        (date(2026, 4, 1), 31, date(2026, 4, 30)),
        (date(2026, 11, 1), 15, date(2026, 11, 15)),
        (date(2026, 1, 1), 31, date(2026, 1, 31)),
    ],
)
def test_due_date_examples(period: date, due_day: int, due: date) -> None:
    assert due_date(period, due_day) == due


def test_month_examples() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 1)
    assert add_months(date(2026, 11, 24), -11) == date(2025, 12, 1)
    assert months_between(date(2025, 12, 31), date(2026, 1, 1)) == 1
    assert months_between(date(2026, 11, 30), date(2026, 11, 1)) == 0


# --- arrears ----------------------------------------------------------------------------------


@st.composite
def accounts(draw) -> tuple[list[Charge], date]:
    """A unit's monthly charges (each at least 1 fen) and a day on which to look at them."""
    first = month_start(draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 1))))
    due_day = draw(due_days)
    amounts = draw(st.lists(st.integers(min_value=1, max_value=500_000), max_size=30))
    charges = [
        Charge(period, due_date(period, due_day), amount)
        for period, amount in ((add_months(first, i), a) for i, a in enumerate(amounts))
    ]
    today = draw(st.dates(min_value=add_months(first, -1), max_value=add_months(first, len(amounts) + 2)))
    return draw(st.permutations(charges)), today  # order given must not matter


def _due(charges: list[Charge], today: date) -> list[Charge]:
    return [c for c in charges if c.due_on < today]


payments = st.integers(min_value=0, max_value=20_000_000)


@given(accounts(), payments)
def test_arrears_months_never_exceed_the_due_charges(account, paid: int) -> None:
    charges, today = account
    result = arrears(charges, paid, today)
    assert 0 <= result.months <= len(_due(charges, today))
    assert result.any == (result.months > 0)


@given(accounts(), payments)
def test_amount_owed_is_what_the_due_charges_exceed_the_payments_by(account, paid: int) -> None:
    charges, today = account
    due_total = sum(c.amount_fen for c in _due(charges, today))
    assert arrears(charges, paid, today).amount_fen == max(0, due_total - paid)


@given(accounts(), payments)
def test_paying_what_is_owed_clears_the_arrears(account, paid: int) -> None:
    charges, today = account
    owed = arrears(charges, paid, today).amount_fen
    assert arrears(charges, paid + owed, today) == Arrears(0, 0, None)


@given(accounts(), payments, st.integers(min_value=0, max_value=1_000_000))
def test_paying_more_never_increases_the_arrears(account, paid: int, more: int) -> None:
    charges, today = account
    before, after = arrears(charges, paid, today), arrears(charges, paid + more, today)
    assert after.months <= before.months
    assert after.amount_fen <= before.amount_fen


@given(accounts(), st.integers(min_value=1, max_value=499_999))
def test_a_part_paid_month_counts(account, short: int) -> None:
    charges, today = account
    due = sorted(_due(charges, today), key=lambda c: c.period)
    if not due or due[-1].amount_fen <= short:
        return
    result = arrears(charges, sum(c.amount_fen for c in due) - short, today)
    assert (result.months, result.amount_fen, result.oldest_period) == (1, short, due[-1].period)


@given(accounts(), payments)
def test_the_oldest_unpaid_month_is_the_first_due_one_not_covered(account, paid: int) -> None:
    charges, today = account
    result = arrears(charges, paid, today)
    if not result.any:
        assert result.oldest_period is None
        return
    remaining = paid
    for charge in sorted(charges, key=lambda c: c.period):
        if remaining < charge.amount_fen:
            assert result.oldest_period == charge.period
            break
        remaining -= charge.amount_fen


def _months(fees: list[int], first: date = date(2026, 7, 1), due_day: int = 31) -> list[Charge]:
    return [Charge(add_months(first, i), due_date(add_months(first, i), due_day), fee) for i, fee in enumerate(fees)]


def test_worked_example_two_months_behind() -> None:
    # July–November at 300.00; on 24 November, July to October are due (November is due on the 30th).
    charges = _months([30000] * 5)
    assert arrears(charges, 60000, date(2026, 11, 24)) == Arrears(2, 60000, date(2026, 9, 1))


def test_worked_example_a_month_falls_due_the_day_after_its_due_date() -> None:
    charges = _months([30000] * 5)
    assert arrears(charges, 120000, date(2026, 11, 30)).months == 0  # due today: not yet late
    assert arrears(charges, 120000, date(2026, 12, 1)) == Arrears(1, 30000, date(2026, 11, 1))


def test_worked_example_part_payment() -> None:
    charges = _months([25021, 25021, 25021])  # July–September
    result = arrears(charges, 25021 + 10000, date(2026, 11, 24))
    assert result == Arrears(2, 25021 - 10000 + 25021, date(2026, 8, 1))
    assert format_fen(result.amount_fen) == "400.42"


def test_worked_example_prepaid_and_nothing_due() -> None:
    charges = _months([30000] * 3, first=date(2026, 11, 1))
    assert arrears(charges, 90000, date(2026, 11, 24)) == Arrears(0, 0, None)
    assert arrears([], 0, date(2026, 11, 24)) == Arrears(0, 0, None)


# --- money ------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**12))
def test_format_and_parse_round_trip(fen: int) -> None:
    text = format_fen(fen)
    assert parse_yuan(text) == fen
    assert text[-3] == "."


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_parse_yuan_with_two_decimals(yuan: int, cents: int) -> None:
    assert parse_yuan(f"{yuan}.{cents:02d}") == yuan * 100 + cents


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (31250, "312.50"), (123456789, "1,234,567.89"), (-1050, "-10.50")],
)
def test_format_fen_examples(fen: int, text: str) -> None:
    assert format_fen(fen) == text


@pytest.mark.parametrize(
    ("text", "fen"),
    [("312.5", 31250), ("312.50", 31250), ("312", 31200), (" 1,234.56 ", 123456), ("0.05", 5), (".5", 50)],
)
def test_parse_yuan_examples(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["", "   ", "abc", "12a", "1.234", "1.2.3", "-1", "+1", "1e3", "1 000", "¥12", "12元", "."]
)
def test_parse_yuan_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError):
        parse_yuan(text)
