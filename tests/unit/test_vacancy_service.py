"""Vacant units in the store (空置房管理作业指导书 5.1–5.2): the application (three months at
least, the owner told, the ID checked), the CS supervisor's decision, the monthly inspections with
the meter readings (over 1 t or 5 kWh in a month = lived in), the fee account at 50 % for the
vacant months. Demo unit 1-1-201 (owner 高梅, 250.21 a month, nothing owed but November, which
falls due on the 30th); 1-1-101 is unsold."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import func, select

from deskapp.clock import FixedClock
from deskapp.domain.months import add_months, due_date
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import vacancy as V
from deskapp.services.fees import unit_arrears
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, FeeCharge, Unit, Vacancy, VacancyInspection

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)  # the clock fixture's local date
CLERK = 1
UNIT = "1-1-201"
FEE = 25021  # 1-1-201's monthly fee in fen


def citizen_id(body17: str = "44030519800101123") -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights))
    return body17 + "10X98765432"[total % 11]


ID = citizen_id()


def _apply(store: Store, clock: FixedClock, policy: Policy, *, start: date = TODAY, end: date | None = None,
           unit: str = UNIT, notice: bool = True, today: date = TODAY, **more) -> int:
    values = {"unit_code": unit, "owner": "高梅", "id_type": "resident_id", "id_no": ID, "start": start,
              "end": end or start + relativedelta(months=3), "reason": "长期在外地工作", "notice_given": notice, "today": today}
    values.update(more)
    return V.apply(store, clock, policy, CLERK, **values)


def _confirmed(store: Store, clock: FixedClock, policy: Policy, **kw) -> int:
    vacancy_id = _apply(store, clock, policy, **kw)
    V.confirm(store, clock, policy, vacancy_id, "super", "5678")
    return vacancy_id


def _row(store: Store, vacancy_id: int) -> Vacancy:
    with store.read() as session:
        return session.get(Vacancy, vacancy_id)


def _count(store: Store, table) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def _actions(store: Store, prefix: str = "vacancy.") -> list[str]:
    with store.read() as session:
        rows = session.exec(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)).all()
    return list(rows)


def _unit_id(store: Store, code: str = UNIT) -> int:
    with store.read() as session:
        return session.exec(select(Unit.id).where(Unit.code == code)).one()


def _error(call) -> DeskappError:
    with pytest.raises(DeskappError) as raised:
        call()
    return raised.value


# -- the application --------------------------------------------------------------------------------


def test_two_months_and_29_days_are_refused_at_the_end_date_and_nothing_is_saved(demo_store, clock, policy) -> None:
    end = TODAY + relativedelta(months=2, days=29)
    assert end < TODAY + relativedelta(months=3)
    refused = _error(lambda: _apply(demo_store, clock, policy, end=end))
    assert isinstance(refused, FieldError)
    assert (refused.field, refused.key, refused.params) == ("end", "vacancy.too_short", {"months": 3})
    assert _count(demo_store, Vacancy) == 0
    assert _actions(demo_store) == []


def test_exactly_three_months_are_accepted_as_applied_with_the_id_masked(demo_store, clock, policy) -> None:
    vacancy_id = _apply(demo_store, clock, policy, end=date(2027, 2, 24))
    row = _row(demo_store, vacancy_id)
    assert (row.state, row.start, row.end, row.owner, row.notice_given) == ("applied", TODAY, date(2027, 2, 24), "高梅", True)
    assert row.id_masked == ID[:4] + "*" * 10 + ID[-4:] and ID not in row.id_masked
    assert row.applied_by_id == CLERK and row.decided_at is None
    with demo_store.read() as session:
        details = " ".join(session.exec(select(AuditEvent.detail)).all())
    assert ID not in details
    assert _actions(demo_store) == ["vacancy.applied"]


@pytest.mark.parametrize(
    ("change", "field", "key"),
    [
        ({"unit": "9-9-999"}, "unit", "vacancy.unknown_unit"),
        ({"owner": "  "}, "owner", "vacancy.owner_required"),
        ({"id_no": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, "id_no", "input.id_resident_check"),
        ({"notice": False}, "notice", "vacancy.notice_required"),
        ({"reason": ""}, "reason", "vacancy.reason_required"),
        ({"start": TODAY - timedelta(days=1)}, "start", "vacancy.start_past"),
        ({"end": TODAY}, "end", "vacancy.end_before_start"),
    ],
)
def test_an_incomplete_application_is_refused_at_its_field(demo_store, clock, policy, change, field, key) -> None:
    refused = _error(lambda: _apply(demo_store, clock, policy, **change))
    assert isinstance(refused, FieldError) and (refused.field, refused.key) == (field, key)
    assert _count(demo_store, Vacancy) == 0


def test_an_application_overlapping_an_open_one_is_refused(demo_store, clock, policy) -> None:
    first = _apply(demo_store, clock, policy)  # 24 Nov – 24 Feb
    overlapping = _error(lambda: _apply(demo_store, clock, policy, start=date(2027, 2, 1)))
    assert isinstance(overlapping, FieldError) and overlapping.key == "vacancy.overlaps"
    assert overlapping.params == {"start": "2026-11-24", "end": "2027-02-24"}
    after = _apply(demo_store, clock, policy, start=date(2027, 2, 24))  # starts as the first ends
    V.refuse(demo_store, clock, policy, first, "super", "5678", "未装修的不用申请")
    again = _apply(demo_store, clock, policy, end=date(2027, 2, 24))  # the refused one no longer counts
    assert {_row(demo_store, i).state for i in (after, again)} == {"applied"}


# -- the supervisor's decision ----------------------------------------------------------------------


def test_a_clerk_cannot_confirm_and_the_supervisor_can(demo_store, clock, policy) -> None:
    vacancy_id = _apply(demo_store, clock, policy)
    by_clerk = _error(lambda: V.confirm(demo_store, clock, policy, vacancy_id, "demo", "1234"))
    assert isinstance(by_clerk, FieldError) and (by_clerk.field, by_clerk.key) == ("code", "roles.decide_vacancy")
    wrong_pin = _error(lambda: V.confirm(demo_store, clock, policy, vacancy_id, "super", "0000"))
    assert isinstance(wrong_pin, FieldError) and (wrong_pin.field, wrong_pin.key) == ("pin", "signin.wrong_pin")
    assert _row(demo_store, vacancy_id).state == "applied"

    V.confirm(demo_store, clock, policy, vacancy_id, "super", "5678")
    row = _row(demo_store, vacancy_id)
    assert (row.state, row.decided_by_id, row.decided_at) == ("confirmed", 4, clock.now())
    view = V.get(demo_store, clock, policy, vacancy_id)
    assert (view.decided_by, view.unit, view.expires_in_days) == ("黄丽娟", UNIT, (date(2027, 2, 24) - TODAY).days)
    again = _error(lambda: V.confirm(demo_store, clock, policy, vacancy_id, "dir", "8642"))
    assert again.key == "vacancy.not_applied"
    assert _actions(demo_store) == ["vacancy.applied", "vacancy.confirmed"]


def test_the_director_may_refuse_with_a_reason(demo_store, clock, policy) -> None:
    vacancy_id = _apply(demo_store, clock, policy)
    no_reason = _error(lambda: V.refuse(demo_store, clock, policy, vacancy_id, "dir", "8642", " "))
    assert isinstance(no_reason, FieldError) and no_reason.field == "reason"
    V.refuse(demo_store, clock, policy, vacancy_id, "dir", "8642", "业主已入住")
    row = _row(demo_store, vacancy_id)
    assert (row.state, row.refused_reason, row.decided_by_id) == ("refused", "业主已入住", 5)
    assert [v.id for v in V.list_vacancies(demo_store, clock, policy)] == []
    [shown] = V.list_vacancies(demo_store, clock, policy, show="all")
    assert (shown.state, shown.refused_reason, shown.decided_by, shown.next_inspection) == ("refused", "业主已入住", "郑国强", None)
    with demo_store.read() as session:
        assert V.vacant_periods(session, _unit_id(demo_store)) == []


# -- inspections --------------------------------------------------------------------------------------


def test_the_first_inspection_is_due_a_month_after_the_start_then_a_month_after_the_last(demo_store, clock, policy) -> None:
    vacancy_id = _confirmed(demo_store, clock, policy)
    start = datetime(2026, 11, 24, tzinfo=TZ)
    assert V.get(demo_store, clock, policy, vacancy_id).next_inspection == start + timedelta(days=30)
    assert V.inspections_due(demo_store, clock, policy) == []

    first = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.0, power_reading=3000.0)
    assert (first.lived_in, first.water_used, first.power_used, first.vacancy_id) == (False, None, None, vacancy_id)
    inspected_at = clock.now()
    view = V.get(demo_store, clock, policy, vacancy_id)
    assert (view.last_inspection, view.next_inspection) == (inspected_at, inspected_at + timedelta(days=30))

    clock.advance(days=28, hours=23)  # due in 25 hours: not yet on the list
    assert V.inspections_due(demo_store, clock, policy) == []
    clock.advance(hours=1)  # due within a day
    assert [v.id for v in V.inspections_due(demo_store, clock, policy)] == [vacancy_id]
    clock.advance(days=1)
    second = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.5, power_reading=3002.0)
    assert not second.lived_in
    assert V.get(demo_store, clock, policy, vacancy_id).next_inspection == clock.now() + timedelta(days=30)
    assert V.inspections_due(demo_store, clock, policy) == []


def test_a_month_within_the_limits_stays_vacant_and_over_them_is_occupied(demo_store, clock, policy) -> None:
    vacancy_id = _confirmed(demo_store, clock, policy)
    V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.0, power_reading=3000.0)
    clock.advance(days=30)
    quiet = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.8, power_reading=3004.0)
    assert (quiet.lived_in, quiet.water_used, quiet.power_used) == (False, 0.8, 4.0)
    assert _row(demo_store, vacancy_id).state == "confirmed"

    clock.advance(days=30)  # 23 January 2027
    used = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=122.0, power_reading=3006.0)
    assert (used.lived_in, used.water_used) == (True, 1.2)
    row = _row(demo_store, vacancy_id)
    assert (row.state, row.end) == ("occupied", date(2027, 1, 23))  # vacant for fees until found lived in
    assert V.get(demo_store, clock, policy, vacancy_id).next_inspection is None
    assert V.list_vacancies(demo_store, clock, policy) == []
    assert _actions(demo_store)[-2:] == ["vacancy.inspected", "vacancy.occupied"]


def test_power_alone_over_5_kwh_counts_as_lived_in(demo_store, clock, policy) -> None:
    vacancy_id = _confirmed(demo_store, clock, policy)
    V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=10.0, power_reading=500.0)
    clock.advance(days=30)
    found = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=10.0, power_reading=505.5)
    assert found.lived_in and _row(demo_store, vacancy_id).state == "occupied"


def test_use_over_more_than_a_month_is_prorated(demo_store, clock, policy) -> None:
    vacancy_id = _confirmed(demo_store, clock, policy)
    V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=10.0, power_reading=500.0)
    clock.advance(days=60)  # 1.6 t in two months is 0.8 t a month
    found = V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=11.6, power_reading=508.0)
    assert (found.lived_in, found.water_used) == (False, 1.6)
    assert _row(demo_store, vacancy_id).state == "confirmed"


def test_a_reading_below_the_previous_one_is_refused_at_its_field(demo_store, clock, policy) -> None:
    _confirmed(demo_store, clock, policy)
    V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.0, power_reading=3000.0)
    clock.advance(days=30)
    water = _error(lambda: V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=119.9, power_reading=3001.0))
    assert isinstance(water, FieldError)
    assert (water.field, water.key, water.params) == ("water_reading", "vacancy.reading_below", {"previous": "120"})
    power = _error(lambda: V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=120.0, power_reading=2999.0))
    assert isinstance(power, FieldError) and power.field == "power_reading"
    negative = _error(lambda: V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=-1.0, power_reading=3001.0))
    assert isinstance(negative, FieldError) and negative.key == "vacancy.bad_reading"
    assert _count(demo_store, VacancyInspection) == 1


def test_an_unsold_unit_is_inspected_without_a_vacancy_and_after_a_storm(demo_store, clock, policy) -> None:
    first = V.inspect(demo_store, clock, policy, CLERK, "1-1-101", water_reading=0.0, power_reading=0.0)
    clock.advance(days=2)
    storm = V.inspect(demo_store, clock, policy, CLERK, "1-1-101", water_reading=0.0, power_reading=0.0,
                      after_storm=True, cracks_or_leaks=True, note="阳台窗边渗水")
    assert (first.vacancy_id, storm.vacancy_id, storm.lived_in, storm.water_used) == (None, None, False, 0.0)
    with demo_store.read() as session:
        row = session.get(VacancyInspection, storm.id)
    assert (row.after_storm, row.cracks_or_leaks, row.note) == (True, True, "阳台窗边渗水")
    assert row.unit_id == _unit_id(demo_store, "1-1-101")
    unknown = _error(lambda: V.inspect(demo_store, clock, policy, CLERK, "1-1-9999", water_reading=0.0, power_reading=0.0))
    assert isinstance(unknown, FieldError) and unknown.field == "unit"


# -- the fee account ----------------------------------------------------------------------------------


def _charge_months(store: Store, first: date, count: int) -> None:
    """The monthly charges after the demo's year (it ends with November 2026)."""
    with store.session() as session:
        unit_id = session.exec(select(Unit.id).where(Unit.code == UNIT)).one()
        for n in range(count):
            period = add_months(first, n)
            session.add(FeeCharge(unit_id=unit_id, period=period, due_on=due_date(period, 31), amount_fen=FEE))


HALF = (FEE * 50 + 50) // 100  # 125.11 (half of 250.21, rounded half up)


def test_vacant_months_are_charged_at_50_percent(demo_store, clock, policy) -> None:
    _charge_months(demo_store, date(2026, 12, 1), 4)  # December – March
    unit_id = _unit_id(demo_store)
    percent = int(policy.number("vacancy.fee_percent"))
    later = date(2027, 4, 5)  # November – March all due, none paid
    vacancy_id = _apply(demo_store, clock, policy, start=date(2026, 12, 1), end=date(2027, 3, 1))
    assert unit_arrears(demo_store, unit_id, later, vacancy_percent=percent).amount_fen == 5 * FEE  # not yet confirmed

    V.confirm(demo_store, clock, policy, vacancy_id, "super", "5678")
    with demo_store.read() as session:
        assert V.vacant_periods(session, unit_id) == [(date(2026, 12, 1), date(2027, 3, 1))]
    owed = unit_arrears(demo_store, unit_id, later, vacancy_percent=percent)
    assert percent == 50 and HALF == 12511
    assert (owed.months, owed.amount_fen) == (5, 2 * FEE + 3 * HALF)  # November and March in full
    assert unit_arrears(demo_store, unit_id, later).amount_fen == 5 * FEE  # the default: no reduction


def test_a_vacancy_found_lived_in_is_charged_in_full_from_that_month_on(demo_store, clock, policy) -> None:
    _charge_months(demo_store, date(2026, 12, 1), 4)
    unit_id = _unit_id(demo_store)
    _confirmed(demo_store, clock, policy, start=date(2026, 12, 1), end=date(2027, 3, 1))
    V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=50.0, power_reading=800.0)
    clock.advance(days=47)  # 10 January 2027
    assert V.inspect(demo_store, clock, policy, CLERK, UNIT, water_reading=53.0, power_reading=801.0).lived_in
    with demo_store.read() as session:
        assert V.vacant_periods(session, unit_id) == [(date(2026, 12, 1), date(2027, 1, 10))]
    owed = unit_arrears(demo_store, unit_id, date(2027, 4, 5), vacancy_percent=50)
    assert owed.amount_fen == 3 * FEE + 2 * HALF  # December and January at half


def test_ending_a_vacancy_early_charges_in_full_from_then_on(demo_store, clock, policy) -> None:
    _charge_months(demo_store, date(2026, 12, 1), 4)
    unit_id = _unit_id(demo_store)
    vacancy_id = _confirmed(demo_store, clock, policy, start=date(2026, 12, 1), end=date(2027, 3, 1))
    clock.advance(days=40)  # 3 January 2027
    V.end_vacancy(demo_store, clock, CLERK, vacancy_id, today=date(2027, 1, 3))
    row = _row(demo_store, vacancy_id)
    assert (row.state, row.end) == ("ended", date(2027, 1, 3))
    assert unit_arrears(demo_store, unit_id, date(2027, 4, 5), vacancy_percent=50).amount_fen == 3 * FEE + 2 * HALF
    assert V.list_vacancies(demo_store, clock, policy) == []
    assert _error(lambda: V.end_vacancy(demo_store, clock, CLERK, vacancy_id)).key == "vacancy.not_open"


def test_a_withdrawn_application_never_counts_for_fees(demo_store, clock, policy) -> None:
    vacancy_id = _apply(demo_store, clock, policy)
    V.end_vacancy(demo_store, clock, CLERK, vacancy_id)
    assert _row(demo_store, vacancy_id).state == "ended"
    with demo_store.read() as session:
        assert V.vacant_periods(session, _unit_id(demo_store)) == []


def test_the_open_list_shows_applied_and_confirmed_newest_first(demo_store, clock, policy) -> None:
    confirmed = _confirmed(demo_store, clock, policy)
    applied = _apply(demo_store, clock, policy, unit="1-1-202", end=date(2027, 6, 1))
    views = V.list_vacancies(demo_store, clock, policy)
    assert [(v.id, v.state, v.unit) for v in views] == [(applied, "applied", "1-1-202"), (confirmed, "confirmed", UNIT)]
    assert views[0].next_inspection is None and views[1].next_inspection is not None
    assert views[0].expires_in_days == (date(2027, 6, 1) - TODAY).days
    with pytest.raises(ValueError):
        V.list_vacancies(demo_store, clock, policy, show="closed")


def test_empty_units_are_due_a_monthly_inspection_until_inspected(demo_store, clock, policy) -> None:
    from sqlmodel import select

    from deskapp.store.tables import Unit

    with demo_store.read() as session:
        empty = sorted(session.exec(select(Unit.code).where(Unit.vacant)).all())
    assert empty and V.unsold_uninspected(demo_store, clock, policy) == empty
    V.inspect(demo_store, clock, policy, 1, empty[0], water_reading=10.0, power_reading=100.0)
    assert V.unsold_uninspected(demo_store, clock, policy) == empty[1:]
    clock.advance(days=30, minutes=1)  # a month on: due again
    assert V.unsold_uninspected(demo_store, clock, policy) == empty


def test_a_vacancy_never_inspected_is_due_a_month_after_its_first_midnight(demo_store, clock, policy) -> None:
    vacancy_id = _confirmed(demo_store, clock, policy)  # from 2026-11-24: due 2026-12-24 00:00 in Shanghai
    clock.advance(days=28, hours=12, minutes=59)  # 12-22 22:59: due in 25 hours and a minute
    assert V.inspections_due(demo_store, clock, policy) == []
    clock.advance(hours=1, minutes=1)  # 12-23 00:00: due within a day
    assert [v.id for v in V.inspections_due(demo_store, clock, policy)] == [vacancy_id]


def test_a_limit_keeps_the_newest_and_the_count_counts_them_all(demo_store, clock, policy) -> None:
    confirmed = _confirmed(demo_store, clock, policy)
    applied = _apply(demo_store, clock, policy, unit="1-1-202")
    refused = _apply(demo_store, clock, policy, unit="1-1-301")
    V.refuse(demo_store, clock, policy, refused, "super", "5678", "材料不全")
    assert [v.id for v in V.list_vacancies(demo_store, clock, policy, limit=1)] == [applied]
    assert [v.id for v in V.list_vacancies(demo_store, clock, policy, show="all", limit=2)] == [refused, applied]
    assert (V.count_vacancies(demo_store), V.count_vacancies(demo_store, show="all")) == (2, 3)
    assert [v.id for v in V.list_vacancies(demo_store, clock, policy, search="1-1-2")] == [applied, confirmed]
    assert [v.id for v in V.list_vacancies(demo_store, clock, policy, show="all", search="1-1-301")] == [refused]


def test_a_confirmed_vacancy_ending_within_the_notice_is_expiring(demo_store, clock, policy) -> None:
    ending = _confirmed(demo_store, clock, policy)  # ends 2027-02-24
    _apply(demo_store, clock, policy, unit="1-1-202", end=date(2027, 2, 25))  # applied, not confirmed: not reminded
    clock.advance(days=84)  # 2027-02-16: a week and a day before the end
    assert V.expiring(demo_store, clock, policy) == []
    clock.advance(days=1)  # 2027-02-17: a week before
    assert [v.id for v in V.expiring(demo_store, clock, policy)] == [ending]


def test_the_unsold_units_uninspected_are_counted_with_the_first(demo_store, clock, policy) -> None:
    empty = V.unsold_uninspected(demo_store, clock, policy)
    assert V.count_unsold_uninspected(demo_store, clock, policy) == (len(empty), empty[0])
    for code in empty:
        V.inspect(demo_store, clock, policy, 1, code, water_reading=10.0, power_reading=100.0)
    assert V.count_unsold_uninspected(demo_store, clock, policy) == (0, "")
