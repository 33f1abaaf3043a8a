"""Walk-in visits without the screen: the rules of seed 000 (domain/visits.py), what a clerk
may type (domain/inputs.py), and the visit services (services/visits.py, visit_actions.py)
on the demo community, on the fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from deskapp.domain import inputs
from deskapp.domain.inputs import InputError, parse
from deskapp.domain.visits import Level, mm_ss, needs_handoff, question_escalation_due, waited
from deskapp.errors import DeskappError
from deskapp.services import visit_actions, visits
from deskapp.services.promises import PROMISE_DUE
from deskapp.services.visits import FieldError
from deskapp.standards.registry import ASKABLE, PROMISE_KINDS
from deskapp.store.tables import FeePayment, Person, Promise, Staff, Unit, Visit

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the clock fixture's time, local
LIMIT = timedelta(minutes=3)

# -- the 3-minute wait (Std 2) ----------------------------------------------------------------


def test_waited_is_never_negative() -> None:
    assert waited(NOW, NOW - timedelta(seconds=5)) == timedelta(0)
    assert waited(NOW, NOW + timedelta(seconds=95)) == timedelta(seconds=95)


@pytest.mark.parametrize(
    ("after", "urgent", "due"),
    [
        (timedelta(0), False, False),
        (LIMIT - timedelta(seconds=1), False, False),
        (LIMIT, False, True),  # at exactly 3 minutes: 已等待3分钟
        (LIMIT + timedelta(seconds=1), False, True),
        (timedelta(0), True, True),  # urgent: at once (事情紧急)
        (LIMIT - timedelta(seconds=1), True, True),
    ],
)
def test_needs_handoff_at_the_limit_or_when_urgent(after: timedelta, urgent: bool, due: bool) -> None:
    assert needs_handoff(NOW, urgent, NOW + after, LIMIT) is due


# -- the 3 + 3 minutes of a question (Std 5) --------------------------------------------------

TO_SUPERVISOR, TO_DIRECTOR = timedelta(minutes=3), timedelta(minutes=5)  # different, to tell them apart


@pytest.mark.parametrize(
    ("level", "after", "due"),
    [
        (Level.COLLEAGUE, timedelta(0), None),
        (Level.COLLEAGUE, TO_SUPERVISOR - timedelta(seconds=1), None),
        (Level.COLLEAGUE, TO_SUPERVISOR, Level.SUPERVISOR),
        (Level.COLLEAGUE, TO_DIRECTOR + timedelta(hours=1), Level.SUPERVISOR),  # one level at a time
        (Level.SUPERVISOR, TO_SUPERVISOR, None),  # the supervisor has the director's limit
        (Level.SUPERVISOR, TO_DIRECTOR - timedelta(seconds=1), None),
        (Level.SUPERVISOR, TO_DIRECTOR, Level.DIRECTOR),
        (Level.DIRECTOR, timedelta(hours=5), None),  # nobody above the office director
    ],
)
def test_question_escalation_goes_up_one_level_at_its_limit(level: Level, after: timedelta, due: Level | None) -> None:
    assert question_escalation_due(NOW, level, NOW + after, TO_SUPERVISOR, TO_DIRECTOR) == due


def test_question_escalation_counts_from_when_the_level_took_it() -> None:
    handed = NOW + timedelta(minutes=3)  # the supervisor took it at 3 minutes
    assert question_escalation_due(handed, Level.SUPERVISOR, NOW + timedelta(minutes=7), LIMIT, LIMIT) is Level.DIRECTOR
    assert question_escalation_due(handed, Level.SUPERVISOR, NOW + timedelta(minutes=5), LIMIT, LIMIT) is None


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "00:00"), (0.9, "00:00"), (59, "00:59"), (60, "01:00"), (179.9, "02:59"), (180, "03:00"),
        (3599, "59:59"), (3600, "1h00"), (3725, "1h02"), (10 * 3600 + 59 * 60 + 59, "10h59"),
    ],
)
def test_mm_ss(seconds: float, shown: str) -> None:
    assert mm_ss(timedelta(seconds=seconds)) == shown


# -- what the clerk types --------------------------------------------------------------------

GOOD: list[tuple[str, str, object]] = [
    ("count", "3", 3),
    ("count", " 12 ", 12),
    ("count", "999", 999),
    ("count", "３", 3),  # a full-width digit from the IME
    ("money", "1200", "1,200.00"),
    ("money", "1,200.5", "1,200.50"),
    ("money", " 312.50 ", "312.50"),
    ("money", "0.01", "0.01"),
    ("money", "12,345,678", "12,345,678.00"),
    ("phone", "13812345678", "13812345678"),
    ("phone", "138 1234 5678", "13812345678"),
    ("phone", "+86 138 1234 5678", "13812345678"),  # the country code is dropped
    ("phone", "１３８１２３４５６７８", "13812345678"),  # full-width digits of a Chinese IME
    ("phone", "19912345678", "19912345678"),
    ("phone", "0755-12345678", "0755-12345678"),  # a landline with its area code
    ("phone", "010 6666 8888", "01066668888"),
    ("phone", "0755-1234567", "0755-1234567"),
    ("phone", "075512345678", "075512345678"),
    ("time", "14:30", "14:30"),
    ("time", "14：30", "14:30"),  # the full-width colon of a Chinese IME
    ("time", "9:05", "09:05"),
    ("time", " 0:00 ", "00:00"),
    ("time", "23:59", "23:59"),
    ("text", "  漏水  ", "漏水"),
    ("text", "a  b\nc", "a b c"),
    ("text", "字" * inputs.MAX_TEXT, "字" * inputs.MAX_TEXT),
    ("resident_kind", "1", "owner"),
    ("resident_kind", "Owner", "owner"),
    ("resident_kind", "业主", "owner"),
    ("resident_kind", "2", "tenant"),
    ("resident_kind", "租户", "tenant"),
    ("unit", " 3-2-1501 ", "3-2-1501"),
    ("unit", "12-1-101", "12-1-101"),
    ("title", "1", "先生"),
    ("title", "女士", "女士"),
    ("title", "3", "小姐"),
    ("due", "14:30", "2026-11-24 14:30"),
    ("appointment", "14:30", "2026-11-24 14:30"),
    ("appointment", "现在", "2026-11-24 10:00"),
    ("appointment", "now", "2026-11-24 10:00"),
    ("appointment", "09:56", "2026-11-24 09:56"),  # a few minutes gone: still meant for now
    ("appointment", "09:00", "2026-11-25 09:00"),  # long gone today: tomorrow
    ("appointment", "明天 8:00", "2026-11-25 08:00"),
    ("appointment", "2026-11-26 10:00", "2026-11-26 10:00"),
    ("appointment", "１４：３０", "2026-11-24 14:30"),
    ("category", "1", "plumbing"),
    ("goods", "沙发1、冰箱×1台、纸箱 10", "沙发×1、冰箱×1、纸箱×10"),
    ("goods", "书柜２", "书柜×2"),
    ("goods", "沙发1冰箱2", "沙发×1、冰箱×2"),
    ("id_no", "4403 0519 9001 0112 3x", "44030519900101123X"),
    ("id_type", "1", "resident_id"),
    ("id_type", "护照", "passport"),
    ("plate", "粤b·12345", "粤B12345"),
    ("plate", "粤BD12345", "粤BD12345"),
    ("category", "5", "other"),
    ("category", "electrical", "electrical"),
    ("due", "09:30", "2026-11-25 09:30"),  # already past today: tomorrow
    ("due", "明天 10:00", "2026-11-25 10:00"),
    ("due", "今天 18：00", "2026-11-24 18:00"),
    ("due", "2026-11-30 08:00", "2026-11-30 08:00"),
]

BAD: list[tuple[str, str, str]] = [
    ("count", "0", "input.count"),
    ("count", "-1", "input.count"),
    ("count", "1.5", "input.count"),
    ("count", "three", "input.count"),
    ("count", "", "input.count"),
    ("count", "1000", "input.count_too_big"),
    ("money", "0", "input.money"),
    ("money", "0.00", "input.money"),
    ("money", "-5", "input.money"),
    ("money", "12.345", "input.money"),
    ("money", "1.2.3", "input.money"),
    ("money", "¥100", "input.money"),
    ("money", "一百", "input.money"),
    ("money", "", "input.money"),
    ("money", ".", "input.money"),
    ("phone", "1381234", "input.phone"),  # too short
    ("phone", "138123456789", "input.phone"),  # too long
    ("phone", "12812345678", "input.phone"),  # no mobile starts 12
    ("phone", "0755-123456", "input.phone"),
    ("phone", "phone", "input.phone"),
    ("phone", "", "input.phone"),
    ("time", "24:00", "input.time"),
    ("time", "14:60", "input.time"),
    ("time", "1430", "input.time"),
    ("time", "14.30", "input.time"),
    ("time", "2pm", "input.time"),
    ("time", "", "input.time"),
    ("text", "", "input.required"),
    ("text", " \n ", "input.required"),
    ("text", "字" * (inputs.MAX_TEXT + 1), "input.too_long"),
    ("resident_kind", "3", "input.resident_kind"),
    ("resident_kind", "", "input.resident_kind"),
    ("unit", "3-2", "input.unit"),
    ("unit", "三栋", "input.unit"),
    ("title", "4", "input.title"),
    ("title", "", "input.title"),
    ("due", "25:00", "input.due"),
    ("appointment", "25:00", "input.appointment"),
    ("appointment", "soon", "input.appointment"),
    ("appointment", "", "input.appointment"),
    ("appointment", "今天 09:00", "input.due_past"),
    ("appointment", "2026-11-20 10:00", "input.due_past"),
    ("category", "0", "input.category"),
    ("goods", "", "input.goods"),
    ("goods", "沙发", "input.goods_count"),
    ("goods", "纸箱0", "input.goods_count"),
    ("goods", "纸箱1000", "input.goods_count"),
    ("id_no", "1234", "input.id_no"),
    ("id_no", "身份证号", "input.id_no"),
    ("id_type", "9", "input.id_type"),
    ("plate", "B12345", "input.plate"),
    ("plate", "粤B1234O", "input.plate"),
    ("category", "6", "input.category"),
    ("category", "水", "input.category"),
    ("due", "2026-02-30 10:00", "input.due"),
    ("due", "今天 09:00", "input.due_past"),
    ("due", "2026-11-01 10:00", "input.due_past"),
]


@pytest.mark.parametrize(("kind", "typed", "kept"), GOOD, ids=[f"{k}-{t.strip()[:16]}" for k, t, _ in GOOD])
def test_a_good_value_is_kept_normalised(kind: str, typed: str, kept: object) -> None:
    assert parse(kind, typed, NOW) == kept


@pytest.mark.parametrize(("kind", "typed", "key"), BAD, ids=[f"{k}-{t[:16]}" for k, t, _ in BAD])
def test_a_bad_value_is_refused_with_the_fields_message(kind: str, typed: str, key: str) -> None:
    with pytest.raises(InputError) as refused:
        parse(kind, typed, NOW)
    assert refused.value.key == key


def test_every_askable_kind_has_good_and_bad_examples() -> None:
    kinds = set(ASKABLE.values())
    assert kinds <= {kind for kind, _t, _k in GOOD}
    assert kinds <= {kind for kind, _t, _k in BAD}


def test_a_time_relative_to_now_needs_now() -> None:
    with pytest.raises(InputError):
        parse("due", "14:30")


@pytest.mark.parametrize("typed", ["²", "²³", "1²"])
def test_a_count_of_digit_like_characters_is_refused_not_a_crash(typed: str) -> None:
    """'²'.isdigit() is true but int('²') fails: the clerk gets the field's message."""
    with pytest.raises(InputError):
        parse("count", typed)


# -- the visit services ----------------------------------------------------------------------


def clerk_id(store, code: str = "demo") -> int:
    with store.session() as session:
        return session.exec(select(Staff.id).where(Staff.code == code)).one()


def arrive(store, clock, surname: str, unit: str = "3-2-1501", **kwargs) -> int:
    return visits.register_arrival(store, clock, clerk_id(store), unit_code=unit, surname=surname, **kwargs)


def test_open_visits_in_order_of_arrival_with_their_escalations(demo_store, clock) -> None:
    me, supervisor, director = clerk_id(demo_store), clerk_id(demo_store, "super"), clerk_id(demo_store, "dir")
    first = arrive(demo_store, clock, "任")
    clock.advance(minutes=2)
    third = arrive(demo_store, clock, "张", unit="")
    clock.advance(minutes=-1)  # registered after 张, but arrived before: the queue is by arrival
    second = arrive(demo_store, clock, "李", title="女士", urgent=True)
    same_time = arrive(demo_store, clock, "王")  # the same minute as 李: by registration
    done = arrive(demo_store, clock, "赵")
    visits.start_service(demo_store, clock, first, me, "walk_in")
    visits.escalate(demo_store, clock, first, me, supervisor, Level.SUPERVISOR, "wants the supervisor")
    visits.escalate(demo_store, clock, first, supervisor, director, Level.DIRECTOR)
    visits.escalate(demo_store, clock, second, me, clerk_id(demo_store, "c02"), Level.COLLEAGUE, "std2")
    visits.start_service(demo_store, clock, done, me, "walk_in")
    visits.finish(demo_store, clock, done, me, "done")

    queue = visits.open_visits(demo_store)
    assert [v.id for v in queue] == [first, second, same_time, third]
    assert [v.escalations for v in queue] == [2, 1, 0, 0]
    assert [v.state for v in queue] == ["serving", "serving", "waiting", "waiting"]
    by_id = {v.id: v for v in queue}
    assert by_id[first].served_by_id == director and by_id[first].served_by
    assert (by_id[second].who, by_id[second].urgent, by_id[second].unit) == ("李女士", True, "3-2-1501")
    assert (by_id[third].unit, by_id[third].who) == ("", "张")
    assert by_id[second].service_started_at == clock.now()  # the hand-over started the service


def test_start_service_keeps_the_first_start_and_scenario(demo_store, clock) -> None:
    visit = arrive(demo_store, clock, "任")
    visits.start_service(demo_store, clock, visit, clerk_id(demo_store), "walk_in")
    started = clock.now()
    clock.advance(minutes=5)
    visits.start_service(demo_store, clock, visit, clerk_id(demo_store, "c02"), "other")
    [view] = visits.open_visits(demo_store)
    assert (view.service_started_at, view.scenario) == (started, "walk_in")
    assert view.served_by_id == clerk_id(demo_store, "c02")


def test_escalate_records_from_whom_to_whom_when_and_why(demo_store, clock) -> None:
    me, supervisor = clerk_id(demo_store), clerk_id(demo_store, "super")
    visit = arrive(demo_store, clock, "任")
    visits.start_service(demo_store, clock, visit, me, "walk_in")
    clock.advance(minutes=3)
    visits.escalate(demo_store, clock, visit, me, supervisor, Level.SUPERVISOR, "  not answered  ")
    [up] = visits.escalations(demo_store, visit)
    assert (up.level, up.from_id, up.to_id, up.at) == ("supervisor", me, supervisor, clock.now())
    assert up.reason == "not answered"


def test_escalate_on_a_closed_visit_is_refused(demo_store, clock) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "任")
    visits.start_service(demo_store, clock, visit, me, "walk_in")
    visits.finish(demo_store, clock, visit, me, "done")
    with pytest.raises(DeskappError) as refused:
        visits.escalate(demo_store, clock, visit, me, clerk_id(demo_store, "super"), Level.SUPERVISOR)
    assert refused.value.key == "visit.closed"
    assert visits.escalations(demo_store, visit) == []
    with pytest.raises(DeskappError):
        visits.start_service(demo_store, clock, visit, me, "walk_in")


def test_escalate_to_nobody_and_an_unknown_visit_are_refused(demo_store, clock) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "任")
    with pytest.raises(FieldError) as refused:
        visits.escalate(demo_store, clock, visit, me, 9999, Level.COLLEAGUE)
    assert refused.value.field == "to"
    with pytest.raises(DeskappError) as missing:
        visits.escalate(demo_store, clock, 9999, me, me, Level.COLLEAGUE)
    assert missing.value.key == "visit.not_found"
    [view] = visits.open_visits(demo_store)
    assert (view.state, view.escalations) == ("waiting", 0)


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 10])
def test_finish_with_satisfaction_out_of_range_is_refused(demo_store, clock, satisfaction: int) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "任")
    visits.start_service(demo_store, clock, visit, me, "walk_in")
    with pytest.raises(FieldError) as refused:
        visits.finish(demo_store, clock, visit, me, "done", satisfaction)
    assert (refused.value.field, refused.value.key) == ("satisfaction", "visit.bad_satisfaction")
    assert [v.state for v in visits.open_visits(demo_store)] == ["serving"]  # nothing saved


@pytest.mark.parametrize("satisfaction", [1, 5, None])
def test_finish_records_the_end_the_outcome_and_the_satisfaction(demo_store, clock, satisfaction) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "任")
    visits.start_service(demo_store, clock, visit, me, "walk_in")
    clock.advance(minutes=7)
    visits.finish(demo_store, clock, visit, me, "pending", satisfaction)
    with demo_store.session() as session:
        done = session.get(Visit, visit)
    assert (done.state, done.outcome, done.satisfaction) == ("done", "pending", satisfaction)
    assert done.ended_at == clock.now()
    assert visits.open_visits(demo_store) == []


# -- what steps do in the store --------------------------------------------------------------


def unit_id(store, code: str) -> int:
    with store.session() as session:
        return session.exec(select(Unit.id).where(Unit.code == code)).one()


def test_take_payment_records_the_money_against_the_unit(demo_store, clock) -> None:
    visit = arrive(demo_store, clock, "任")
    me, unit = clerk_id(demo_store), unit_id(demo_store, "3-2-1501")
    visit_actions.take_payment(demo_store, clock, visit, me, {"amount": "1,312.50", "receipt_no": "R-7"})
    with demo_store.session() as session:
        [payment] = session.exec(select(FeePayment).where(FeePayment.receipt_no == "R-7")).all()
    assert (payment.unit_id, payment.amount_fen, payment.taken_by_id) == (unit, 131250, me)
    assert payment.paid_at == clock.now()


def test_take_payment_without_a_unit_is_refused_at_the_amount(demo_store, clock, policy) -> None:
    visit = arrive(demo_store, clock, "张", unit="")  # not a resident
    with demo_store.session() as session:
        before = len(session.exec(select(FeePayment)).all())
    with pytest.raises(FieldError) as refused:
        visit_actions.perform(
            demo_store, clock, policy, "take_payment", visit, clerk_id(demo_store),
            {"amount": "100.00", "receipt_no": "R-8"},
        )
    assert (refused.value.field, refused.value.key) == ("amount", "visit.needs_unit")
    with demo_store.session() as session:
        assert len(session.exec(select(FeePayment)).all()) == before


def residents(store, unit: str) -> list[tuple[str, str, bool]]:
    with store.session() as session:
        rows = session.exec(select(Person).where(Person.unit_id == unit_id(store, unit)).order_by(Person.id)).all()
    return [(p.kind, p.name, p.active) for p in rows]


def test_register_resident_keeps_the_earlier_tenant_inactive(demo_store, clock, policy) -> None:
    unit = "1-1-901"  # an owner and a tenant in the demo community
    before = residents(demo_store, unit)
    assert {kind for kind, _name, active in before if active} == {"owner", "tenant"}
    visit = arrive(demo_store, clock, "王", unit=unit)
    visit_actions.perform(
        demo_store, clock, policy, "register_resident", visit, clerk_id(demo_store),
        {"name": "王小明", "phone": "13812345678", "resident_kind": "tenant"},
    )
    after = residents(demo_store, unit)
    assert after[:-1] == [(kind, name, active and kind == "owner") for kind, name, active in before]
    assert after[-1] == ("tenant", "王小明", True)
    with demo_store.session() as session:
        new = session.exec(select(Person).where(Person.name == "王小明")).one()
        assert (new.phone, new.since) == ("13812345678", NOW.date())


def test_register_resident_dates_the_resident_by_the_sites_day(demo_store, clock, policy) -> None:
    """07:30 in Shanghai is still the day before in UTC: the resident is since the local day."""
    clock.advance(hours=-2, minutes=-30)  # 2026-11-24 07:30 local, 2026-11-23 23:30 UTC
    visit = arrive(demo_store, clock, "王", unit="1-1-901")
    visit_actions.perform(
        demo_store, clock, policy, "register_resident", visit, clerk_id(demo_store),
        {"name": "王小明", "phone": "13812345678", "resident_kind": "owner"},
    )
    with demo_store.session() as session:
        assert session.exec(select(Person.since).where(Person.name == "王小明")).one() == NOW.date()


def test_register_resident_needs_a_unit_and_a_kind(demo_store, clock, policy) -> None:
    values = {"name": "王小明", "phone": "13812345678"}
    no_unit = arrive(demo_store, clock, "王", unit="")
    with pytest.raises(FieldError) as refused:
        visit_actions.perform(
            demo_store, clock, policy, "register_resident", no_unit, clerk_id(demo_store),
            {**values, "resident_kind": "owner"},
        )
    assert (refused.value.field, refused.value.key) == ("name", "visit.needs_unit")
    with_unit = arrive(demo_store, clock, "王")
    with pytest.raises(FieldError) as unknown:
        visit_actions.perform(demo_store, clock, policy, "register_resident", with_unit, clerk_id(demo_store), values)
    assert unknown.value.key == "visit.resident_kind_unknown"
    with demo_store.session() as session:
        assert session.exec(select(Person).where(Person.name == "王小明")).all() == []


def test_escalate_to_role_goes_to_the_first_on_duty_or_is_refused(demo_store, clock, policy) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "任")
    added = visit_actions.perform(demo_store, clock, policy, "escalate_supervisor", visit, me, {})
    with demo_store.session() as session:
        supervisor = session.exec(select(Staff).where(Staff.code == "super")).one()
        session.exec(select(Staff).where(Staff.code == "dir")).one().present = False
    assert added == {"colleague": supervisor.name}
    with pytest.raises(DeskappError) as nobody:
        visit_actions.perform(demo_store, clock, policy, "escalate_director", visit, me, {})
    assert nobody.value.key == "visit.nobody_director"
    assert [(e.level, e.to_id) for e in visits.escalations(demo_store, visit)] == [("supervisor", supervisor.id)]


def test_an_unknown_action_is_refused(demo_store, clock, policy) -> None:
    with pytest.raises(DeskappError) as refused:
        visit_actions.perform(demo_store, clock, policy, "refund", 1, 1, {})
    assert refused.value.key == "visit.unknown_action"


def test_every_promise_kind_has_a_time_limit_in_the_policy(policy) -> None:
    assert set(PROMISE_KINDS) <= set(PROMISE_DUE)
    for key in PROMISE_DUE.values():
        assert policy.duration(key) > timedelta(0)


@pytest.mark.parametrize("kind", PROMISE_KINDS)
def test_make_promise_is_due_by_the_policys_limit_for_its_kind(demo_store, clock, policy, kind: str) -> None:
    me = clerk_id(demo_store)
    visit = arrive(demo_store, clock, "李", title="女士")
    promise_id = visit_actions.make_promise(demo_store, clock, policy, visit, me, kind, "text", phone="13900001111")
    with demo_store.session() as session:
        promise = session.get(Promise, promise_id)
    assert promise.due_at - promise.created_at == policy.duration(PROMISE_DUE[kind])
    assert promise.created_at == clock.now()
    assert (promise.kind, promise.customer, promise.phone, promise.owner_id, promise.state) == (
        kind, "李女士", "13900001111", me, "open",
    )
    assert (promise.source_kind, promise.source_id) == ("visit", visit)
    assert promise.unit_id == unit_id(demo_store, "3-2-1501")


def test_the_walk_in_limits_of_the_policy(policy) -> None:
    """The seed's 3 minutes (Std 2) and 3 + 3 minutes (Std 5), and the 24 hours of the promises."""
    assert policy.duration("reception.wait_handoff_minutes") == timedelta(minutes=3)
    assert policy.duration("reception.question_supervisor_minutes") == timedelta(minutes=3)
    assert policy.duration("reception.question_director_minutes") == timedelta(minutes=3)
