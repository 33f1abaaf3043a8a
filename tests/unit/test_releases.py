"""Release slips in the store: every branch of the fee check and the owner's answer, the slip's
number without gaps (two processes issuing at once), the guard's check, the supervisor's void.
Demo units: 1-1-201 owner clear, 1-1-1202 owner 2 months behind, 1-2-601 owner 3 months,
1-1-1002 tenant clear, 1-1-1101 tenant 2 months behind."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from sqlmodel import func, select

from deskapp.errors import DeskappError
from deskapp.services import releases as R
from deskapp.services.visits import FieldError
from deskapp.store.tables import AuditEvent, Person, Promise, ReleaseRequest

TODAY = date(2026, 11, 24)
CLERK = 1


def citizen_id(body17: str = "44030519900101123") -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights))
    return body17 + "10X98765432"[total % 11]


ID = citizen_id()
DRIVER = citizen_id("44030619850615201")


def _person(store, unit: str, kind: str) -> int:
    unit_id, people = R.residents(store, unit)
    return next(p.id for p in people if p.kind == kind)


def _ready(store, clock, policy, unit: str, kind: str = "owner") -> int:
    """An application with the ID, goods, vehicle and signature recorded."""
    request = R.start(store, clock, CLERK, unit_code=unit, kind=kind, person_id=_person(store, unit, kind), today=TODAY)
    R.record_arrears(store, clock, policy, CLERK, request, TODAY)
    R.record_id(store, clock, CLERK, request, "resident_id", ID, TODAY)
    R.record_goods(store, clock, CLERK, request, goods="沙发1、冰箱×1台、纸箱 10", plate="粤B·12345", driver="张师傅",
                   driver_id=DRIVER, today=TODAY)
    R.record_signature(store, clock, CLERK, request)
    return request


def _row(store, request_id: int) -> ReleaseRequest:
    with store.session() as session:
        return session.get(ReleaseRequest, request_id)


def test_an_owner_with_no_arrears_gets_slip_one(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-201")
    assert R.fee_facts(R.arrears_of(demo_store, request, TODAY), policy) == {"owner_arrears": "none", "tenant_arrears": "none"}
    assert R.issue(demo_store, clock, policy, CLERK, request, TODAY) == 1
    row = _row(demo_store, request)
    assert (row.outcome, row.slip_no, row.plate) == ("issued", 1, "粤B12345")
    assert json.loads(row.items) == [["沙发", 1], ["冰箱", 1], ["纸箱", 10]]
    assert ID not in row.id_masked and row.id_masked.startswith("4403") and row.id_masked.endswith(ID[-4:])
    assert "复件仅供" in row.stamp_text
    assert DRIVER not in row.driver_id_masked


def test_nothing_keeps_a_full_id_number(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-201")
    R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    with demo_store.session() as session:
        every = " ".join(str(v) for r in session.exec(select(ReleaseRequest)).all() for v in r.model_dump().values())
        every += " ".join(a.detail for a in session.exec(select(AuditEvent)).all())
    assert ID not in every and DRIVER not in every


def test_an_owner_in_arrears_is_reminded_and_still_gets_a_slip(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-1202")
    owed = R.arrears_of(demo_store, request, TODAY)
    assert owed.months == 2 and R.fee_facts(owed, policy)["owner_arrears"] == "some"
    assert R.issue(demo_store, clock, policy, CLERK, request, TODAY) == 1
    assert _row(demo_store, request).arrears_months == 2


def test_an_owner_three_months_behind_is_reported_to_the_director(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-2-601")
    assert R.fee_facts(R.arrears_of(demo_store, request, TODAY), policy)["owner_arrears"] == "over_limit"
    promise_id = R.notify_director(demo_store, clock, policy, CLERK, request, "跟进 1-2-601 欠费")
    R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    with demo_store.session() as session:
        promise = session.get(Promise, promise_id)
        notified = session.exec(select(AuditEvent).where(AuditEvent.action == "release.director_notified")).one()
    assert (promise.kind, promise.state, promise.source_kind) == ("arrears_follow_up", "open", "release")
    assert notified.entity_id == request and _row(demo_store, request).director_notified


def test_an_owner_in_a_hurry_needs_no_arrears(demo_store, clock, policy) -> None:
    clear = _ready(demo_store, clock, policy, "1-1-201")
    R.issue(demo_store, clock, policy, CLERK, clear, TODAY)
    R.notify_lobby(demo_store, clock, CLERK, clear, TODAY)
    assert _row(demo_store, clear).hurry
    behind = _ready(demo_store, clock, policy, "1-1-1202")
    R.issue(demo_store, clock, policy, CLERK, behind, TODAY)
    with pytest.raises(DeskappError) as refused:
        R.notify_lobby(demo_store, clock, CLERK, behind, TODAY)
    assert refused.value.key == "release.hurry_with_arrears" and not _row(demo_store, behind).hurry


def test_a_tenant_in_arrears_is_refused(demo_store, clock, policy) -> None:
    request = R.start(demo_store, clock, CLERK, unit_code="1-1-1101", kind="tenant",
                      person_id=_person(demo_store, "1-1-1101", "tenant"), today=TODAY)
    owed = R.record_arrears(demo_store, clock, policy, CLERK, request, TODAY)
    assert owed.months == 2 and R.fee_facts(owed, policy)["tenant_arrears"] == "some"
    R.refuse_for_arrears(demo_store, clock, CLERK, request)
    assert _row(demo_store, request).outcome == "refused"
    with pytest.raises(DeskappError):
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)


def test_a_tenant_in_arrears_cannot_get_a_slip_even_with_the_owners_yes(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-1101", "tenant")
    R.record_owner_answer(demo_store, clock, policy, CLERK, request, "agrees")
    with pytest.raises(DeskappError) as refused:
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    assert refused.value.key == "release.tenant_arrears" and _row(demo_store, request).slip_no is None


def test_a_clear_tenant_gets_a_slip_only_after_the_owner_agrees(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-1002", "tenant")
    with pytest.raises(DeskappError) as refused:
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    assert refused.value.key == "release.owner_not_agreed"
    R.record_owner_answer(demo_store, clock, policy, CLERK, request, "agrees")
    assert R.issue(demo_store, clock, policy, CLERK, request, TODAY) == 1
    row = _row(demo_store, request)
    assert (row.owner_answer, row.owner_answer_at) == ("agrees", clock.now())


def test_the_owner_refusing_ends_the_request(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-1002", "tenant")
    R.record_owner_answer(demo_store, clock, policy, CLERK, request, "refuses")
    assert _row(demo_store, request).outcome == "refused"
    with pytest.raises(DeskappError):
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)


def test_an_unreachable_owner_leaves_it_pending_with_a_promise_to_retry(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-1002", "tenant")
    R.record_owner_answer(demo_store, clock, policy, CLERK, request, "unreachable", "再联系业主")
    assert _row(demo_store, request).outcome == "pending"
    with demo_store.session() as session:
        promise = session.exec(select(Promise).where(Promise.source_kind == "release")).one()
    assert (promise.kind, promise.text) == ("callback", "再联系业主")
    with pytest.raises(DeskappError):
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)


def test_a_new_tenant_is_registered_with_the_application(demo_store, clock, policy) -> None:
    request = R.start(demo_store, clock, CLERK, unit_code="1-1-201", kind="tenant", new_name="刘 洋", new_phone="13800000001", today=TODAY)
    with demo_store.session() as session:
        tenant = session.get(Person, _row(demo_store, request).person_id)
    assert (tenant.kind, tenant.name, tenant.phone, tenant.active) == ("tenant", "刘 洋", "13800000001", True)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s, c, p, r: R.record_id(s, c, CLERK, r, "resident_id", ID[:-1] + ("0" if ID[-1] != "0" else "1"), TODAY), "id_no"),
        (lambda s, c, p, r: R.record_goods(s, c, CLERK, r, goods="沙发", plate="粤B12345", driver="张", driver_id=DRIVER, today=TODAY), "items"),
        (lambda s, c, p, r: R.record_goods(s, c, CLERK, r, goods="沙发0", plate="粤B12345", driver="张", driver_id=DRIVER, today=TODAY), "items"),
        (lambda s, c, p, r: R.record_goods(s, c, CLERK, r, goods="沙发1", plate="B12345", driver="张", driver_id=DRIVER, today=TODAY), "plate"),
        (lambda s, c, p, r: R.record_goods(s, c, CLERK, r, goods="沙发1", plate="粤B12345", driver=" ", driver_id=DRIVER, today=TODAY), "driver"),
        (lambda s, c, p, r: R.record_goods(s, c, CLERK, r, goods="沙发1", plate="粤B12345", driver="张", driver_id="12345", today=TODAY), "driver_id"),
    ],
    ids=["id-check-digit", "goods-no-count", "goods-zero", "plate-no-province", "no-driver", "driver-id"],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_kept(demo_store, clock, policy, call, field: str) -> None:
    request = R.start(demo_store, clock, CLERK, unit_code="1-1-201", kind="owner", person_id=_person(demo_store, "1-1-201", "owner"), today=TODAY)
    before = _row(demo_store, request).model_dump()
    with pytest.raises(FieldError) as refused:
        call(demo_store, clock, policy, request)
    assert refused.value.field == field
    assert _row(demo_store, request).model_dump() == before


def test_a_slip_needs_the_id_the_goods_and_the_signature(demo_store, clock, policy) -> None:
    request = R.start(demo_store, clock, CLERK, unit_code="1-1-201", kind="owner", person_id=_person(demo_store, "1-1-201", "owner"), today=TODAY)
    with pytest.raises(DeskappError) as refused:
        R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    assert refused.value.key == "release.missing_id"
    with demo_store.session() as session:
        assert session.exec(select(func.count()).select_from(ReleaseRequest).where(ReleaseRequest.slip_no.is_not(None))).one() == 0


def test_the_guard_check_valid_used_void_unknown(demo_store, clock, policy) -> None:
    first = _ready(demo_store, clock, policy, "1-1-201")
    second = _ready(demo_store, clock, policy, "1-1-1202")
    one = R.issue(demo_store, clock, policy, CLERK, first, TODAY)
    two = R.issue(demo_store, clock, policy, CLERK, second, TODAY)
    assert R.verify(demo_store, clock, one, "门岗李").status == "valid"
    used = R.verify(demo_store, clock, one, "门岗王")
    assert used.status == "used" and used.slip.checked_by == "门岗李"
    R.void(demo_store, clock, policy, two, "super", "5678", "物品登记错误")
    assert R.verify(demo_store, clock, two).status == "void"
    assert R.verify(demo_store, clock, 99).status == "unknown"


def test_only_a_supervisor_voids_and_numbers_are_not_reused(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-201")
    number = R.issue(demo_store, clock, policy, CLERK, request, TODAY)
    with pytest.raises(FieldError) as clerk:
        R.void(demo_store, clock, policy, number, "demo", "1234", "写错了")
    assert clerk.value.field == "code" and clerk.value.key == "roles.void_slip"
    with pytest.raises(FieldError) as wrong_pin:
        R.void(demo_store, clock, policy, number, "super", "0000", "写错了")
    assert wrong_pin.value.field == "pin"
    with pytest.raises(FieldError) as no_reason:
        R.void(demo_store, clock, policy, number, "super", "5678", "  ")
    assert no_reason.value.field == "reason"
    assert _row(demo_store, request).voided_at is None
    R.void(demo_store, clock, policy, number, "super", "5678", "写错了")
    later = _ready(demo_store, clock, policy, "1-1-1202")
    assert R.issue(demo_store, clock, policy, CLERK, later, TODAY) == number + 1


_ISSUER = """
import sys
from datetime import date
from deskapp.clock import SystemClock
from deskapp.policy import load_policy
from deskapp.services import releases as R
from deskapp.store.engine import Store
sys.path.insert(0, sys.argv[3])
from test_releases import _ready

store, clock, policy = Store(sys.argv[1]), SystemClock(), load_policy()
numbers = []
for _ in range(int(sys.argv[2])):
    request = _ready(store, clock, policy, "1-1-201")
    numbers.append(R.issue(store, clock, policy, 1, request, date(2026, 11, 24)))
print(" ".join(map(str, numbers)))
"""


def test_two_processes_issuing_at_once_number_without_gaps(demo_store, policy) -> None:
    here = str(__import__("pathlib").Path(__file__).parent)
    runs = [
        subprocess.Popen([sys.executable, "-c", _ISSUER, demo_store.url, "15", here], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _out, err in outputs]
    numbers = [int(n) for out, _err in outputs for n in out.split()]
    assert sorted(numbers) == list(range(1, 31))
    with demo_store.session() as session:
        kept = sorted(session.exec(select(ReleaseRequest.slip_no).where(ReleaseRequest.slip_no.is_not(None))).all())
    assert kept == list(range(1, 31))


def test_a_vacant_months_arrears_count_at_the_vacancy_rate(demo_store, clock, policy) -> None:
    """1-1-1202 owes two months; with both months inside a confirmed vacancy (50 %, 5.2.5) the
    owner is reminded of half the amount."""
    from datetime import date

    from deskapp.store.tables import Unit, Vacancy

    full = R.arrears_of(demo_store, _ready(demo_store, clock, policy, "1-1-1202", "owner"), TODAY)
    assert full.months == 2
    with demo_store.session() as session:
        unit = session.exec(select(Unit).where(Unit.code == "1-1-1202")).one()
        session.add(Vacancy(unit_id=unit.id, owner="业主", start=full.oldest_period, end=date(2027, 1, 1), state="confirmed",
                            applied_at=clock.now(), applied_by_id=CLERK, decided_at=clock.now(), decided_by_id=4))
    request = _ready(demo_store, clock, policy, "1-1-1202", "owner")
    owed = R.record_arrears(demo_store, clock, policy, CLERK, request, TODAY)
    assert owed.months == 2 and owed.amount_fen in (full.amount_fen // 2, (full.amount_fen + 1) // 2)
    assert R.arrears_of(demo_store, request, TODAY, vacancy_percent=R.vacancy_percent(policy)) == owed
