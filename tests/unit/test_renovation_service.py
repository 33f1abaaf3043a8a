"""Renovation supervision in the store (第二章 装修管理流程): patrols by phase — plumbing and
tiling daily, carpentry every three days, installation on the spot — the completion check (初验),
the re-check (复验), and the deposit refunded only after a passed re-check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.registers import Phase
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import renovation as R
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, Renovation, RenovationPatrol

CLERK = 1
DAY = timedelta(days=1)


def _open(store: Store, clock: FixedClock, unit: str = "1-1-201", **more) -> int:
    values = {"unit_code": unit, "permit_no": "ZX-2026-031", "owner": "高梅", "company": "海城装饰", "workers": 4, "deposit_fen": 200000}
    values.update(more)
    return R.open_renovation(store, clock, CLERK, **values)


def _view(store: Store, clock: FixedClock, policy: Policy, renovation_id: int) -> R.RenovationView:
    return R.get(store, clock, policy, renovation_id)


def _due_ids(store: Store, clock: FixedClock, policy: Policy) -> list[int]:
    return [v.id for v in R.patrols_due(store, clock, policy)]


def _row(store: Store, renovation_id: int) -> Renovation:
    with store.read() as session:
        return session.get(Renovation, renovation_id)


def _actions(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.action.startswith("renovation."))
                                 .order_by(AuditEvent.id)).all())


def _error(call) -> DeskappError:
    with pytest.raises(DeskappError) as raised:
        call()
    return raised.value


def test_the_plan_follows_the_policy(policy) -> None:
    assert R.plan(policy).days == {Phase.PLUMBING: 1, Phase.CARPENTRY: 3, Phase.TILING: 1, Phase.INSTALLATION: 0}


def test_a_new_renovation_is_in_plumbing_with_a_patrol_due_a_day_later(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    view = _view(demo_store, clock, policy, renovation_id)
    assert (view.unit, view.permit_no, view.owner, view.company, view.workers, view.deposit_fen) == (
        "1-1-201", "ZX-2026-031", "高梅", "海城装饰", 4, 200000)
    assert (view.phase, view.phase_since, view.state, view.last_patrol) == ("plumbing", clock.now(), "active", None)
    assert (view.next_due, view.overdue, view.violations) == (clock.now() + DAY, False, 0)
    assert _actions(demo_store) == ["renovation.opened"]


def test_plumbing_is_patrolled_every_day_until_carpentry_then_every_three_days(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    for _ in range(5):  # each day's patrol makes the next one due a day later
        clock.advance(days=1)
        view = _view(demo_store, clock, policy, renovation_id)
        assert view.next_due == clock.now() and not view.overdue
        assert _due_ids(demo_store, clock, policy) == [renovation_id]
        R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)
        view = _view(demo_store, clock, policy, renovation_id)
        assert (view.last_patrol, view.next_due) == (clock.now(), clock.now() + DAY)

    clock.advance(hours=3)
    R.set_phase(demo_store, clock, CLERK, renovation_id, "carpentry")
    changed = clock.now()
    view = _view(demo_store, clock, policy, renovation_id)
    assert (view.phase, view.phase_since, view.next_due) == ("carpentry", changed, changed + 3 * DAY)
    assert _due_ids(demo_store, clock, policy) == []  # three days away
    clock.advance(days=2)
    assert _due_ids(demo_store, clock, policy) == [renovation_id]  # within a day
    clock.advance(days=1)
    R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)
    assert _view(demo_store, clock, policy, renovation_id).next_due == clock.now() + 3 * DAY
    with demo_store.read() as session:
        phases = session.exec(select(RenovationPatrol.phase).where(RenovationPatrol.renovation_id == renovation_id)
                              .order_by(RenovationPatrol.id)).all()
    assert phases == ["plumbing"] * 5 + ["carpentry"]


def test_a_missed_daily_patrol_is_overdue(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    clock.advance(days=1, minutes=1)
    view = _view(demo_store, clock, policy, renovation_id)
    assert view.overdue and view.next_due == clock.now() - timedelta(minutes=1)
    R.set_phase(demo_store, clock, CLERK, renovation_id, "tiling")  # tiling: daily again, from the change
    assert _view(demo_store, clock, policy, renovation_id).next_due == clock.now() + DAY


def test_installation_is_due_at_once_and_once(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    clock.advance(days=20)
    R.set_phase(demo_store, clock, CLERK, renovation_id, Phase.INSTALLATION)
    started = clock.now()
    view = _view(demo_store, clock, policy, renovation_id)
    assert view.next_due == started
    clock.advance(minutes=30)
    assert _view(demo_store, clock, policy, renovation_id).overdue
    assert _due_ids(demo_store, clock, policy) == [renovation_id]
    R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)
    view = _view(demo_store, clock, policy, renovation_id)
    assert (view.next_due, view.overdue) == (None, False)
    assert _due_ids(demo_store, clock, policy) == []


def test_patrols_due_come_due_first(demo_store, clock, policy) -> None:
    first = _open(demo_store, clock, unit="1-1-201")
    clock.advance(hours=2)
    second = _open(demo_store, clock, unit="1-1-202")
    R.set_phase(demo_store, clock, CLERK, second, "installation")  # due now: before the first's tomorrow
    R.set_phase(demo_store, clock, CLERK, _open(demo_store, clock, unit="1-1-301"), "carpentry")  # in 3 days
    assert _due_ids(demo_store, clock, policy) == [second, first]


def test_a_failed_patrol_needs_the_violation_and_is_counted(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    clock.advance(days=1)
    missing = _error(lambda: R.patrol(demo_store, clock, CLERK, renovation_id, ok=False, violation="  "))
    assert isinstance(missing, FieldError) and (missing.field, missing.key) == ("violation", "renovation.violation_required")
    patrol_id = R.patrol(demo_store, clock, CLERK, renovation_id, ok=False, violation="擅自改动承重墙")
    R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)
    with demo_store.read() as session:
        row = session.get(RenovationPatrol, patrol_id)
    assert (row.ok, row.violation, row.phase, row.by_id) == (False, "擅自改动承重墙", "plumbing", CLERK)
    assert _view(demo_store, clock, policy, renovation_id).violations == 1


def test_the_deposit_is_refunded_only_after_a_passed_recheck(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    refund = lambda: R.refund_deposit(demo_store, clock, CLERK, renovation_id)
    assert _error(refund).key == "renovation.not_rechecked"

    early = _error(lambda: R.complete(demo_store, clock, CLERK, renovation_id, ok=True))
    assert early.key == "renovation.not_finished"  # the work has not ended
    assert _error(lambda: R.recheck(demo_store, clock, CLERK, renovation_id, ok=True)).key == "renovation.not_completed"

    clock.advance(days=30)
    R.set_phase(demo_store, clock, CLERK, renovation_id, "finished")
    assert _view(demo_store, clock, policy, renovation_id).next_due is None  # no patrols once the work has ended
    R.complete(demo_store, clock, CLERK, renovation_id, ok=False, note="卫生间闭水试验渗漏")
    assert (_row(demo_store, renovation_id).state, _row(demo_store, renovation_id).completion_ok) == ("active", False)
    assert _error(refund).key == "renovation.not_rechecked"

    clock.advance(days=3)
    R.complete(demo_store, clock, CLERK, renovation_id, ok=True)
    assert _row(demo_store, renovation_id).state == "completed"
    assert _error(refund).key == "renovation.not_rechecked"  # 初验 alone is not enough
    R.recheck(demo_store, clock, CLERK, renovation_id, ok=False)
    assert (_row(demo_store, renovation_id).state, _row(demo_store, renovation_id).recheck_ok) == ("completed", False)
    assert _error(refund).key == "renovation.not_rechecked"

    clock.advance(days=7)
    R.recheck(demo_store, clock, CLERK, renovation_id, ok=True)
    refund()
    view = _view(demo_store, clock, policy, renovation_id)
    assert (view.state, view.completion_ok, view.recheck_ok, view.refunded_at) == ("refunded", True, True, clock.now())
    assert _error(refund).key == "renovation.already_refunded"
    assert _actions(demo_store) == [
        "renovation.opened", "renovation.phase", "renovation.completion_check", "renovation.completion_check",
        "renovation.recheck", "renovation.recheck", "renovation.refunded",
    ]


def test_a_completed_renovation_takes_no_patrols_or_phases(demo_store, clock, policy) -> None:
    renovation_id = _open(demo_store, clock)
    R.set_phase(demo_store, clock, CLERK, renovation_id, "finished")
    R.complete(demo_store, clock, CLERK, renovation_id, ok=True)
    assert _error(lambda: R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)).key == "renovation.not_active"
    assert _error(lambda: R.set_phase(demo_store, clock, CLERK, renovation_id, "tiling")).key == "renovation.not_active"
    assert _due_ids(demo_store, clock, policy) == []


def test_the_active_list_keeps_completed_ones_and_all_shows_the_refunded(demo_store, clock, policy) -> None:
    done = _open(demo_store, clock, unit="1-1-201")
    R.set_phase(demo_store, clock, CLERK, done, "finished")
    R.complete(demo_store, clock, CLERK, done, ok=True)
    R.recheck(demo_store, clock, CLERK, done, ok=True)
    R.refund_deposit(demo_store, clock, CLERK, done)
    completed = _open(demo_store, clock, unit="1-1-202")
    R.set_phase(demo_store, clock, CLERK, completed, "finished")
    R.complete(demo_store, clock, CLERK, completed, ok=True)
    active = _open(demo_store, clock, unit="1-1-301")
    assert [v.id for v in R.list_renovations(demo_store, clock, policy)] == [active, completed]
    assert [v.id for v in R.list_renovations(demo_store, clock, policy, show="all")] == [active, completed, done]
    assert _view(demo_store, clock, policy, completed).next_due is None


def test_opening_and_phases_refuse_what_is_wrong(demo_store, clock, policy) -> None:
    unknown = _error(lambda: _open(demo_store, clock, unit="9-9-999"))
    assert isinstance(unknown, FieldError) and (unknown.field, unknown.key) == ("unit", "renovation.unknown_unit")
    negative = _error(lambda: _open(demo_store, clock, workers=-1))
    assert isinstance(negative, FieldError) and negative.field == "workers"
    renovation_id = _open(demo_store, clock)
    twice = _error(lambda: _open(demo_store, clock))
    assert isinstance(twice, FieldError) and twice.key == "renovation.already_open"
    bad = _error(lambda: R.set_phase(demo_store, clock, CLERK, renovation_id, "demolition"))
    assert isinstance(bad, FieldError) and (bad.field, bad.key) == ("phase", "renovation.bad_phase")
    assert _error(lambda: R.patrol(demo_store, clock, CLERK, 999, ok=True)).key == "renovation.not_found"
    with demo_store.read() as session:
        assert len(session.exec(select(Renovation)).all()) == 1


def test_the_store_picks_the_same_patrols_due_and_overdue_as_the_plan(demo_store, clock, policy) -> None:
    """patrols_due and count_overdue ask the store; every phase, patrolled or not, at every moment
    around its due time, they agree with PatrolPlan.next_due on each renovation."""
    ids = []
    for unit, phase, patrolled in (("1-1-201", "plumbing", False), ("1-1-202", "plumbing", True), ("1-1-301", "carpentry", False),
                                   ("1-1-302", "carpentry", True), ("1-1-401", "tiling", True), ("1-1-402", "installation", False),
                                   ("1-1-501", "installation", True), ("1-1-502", "finished", False)):
        renovation_id = _open(demo_store, clock, unit=unit)
        if patrolled:
            R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)  # before the phase: does not count for it
        clock.advance(hours=1)
        R.set_phase(demo_store, clock, CLERK, renovation_id, phase)
        if patrolled:
            clock.advance(hours=1)
            R.patrol(demo_store, clock, CLERK, renovation_id, ok=True)
        ids.append(renovation_id)
    for step in (timedelta(0), timedelta(minutes=30), timedelta(hours=10), timedelta(hours=14), DAY, 2 * DAY, timedelta(hours=6)):
        clock.advance(seconds=step.total_seconds())
        views = R.list_renovations(demo_store, clock, policy)
        soon = clock.now() + DAY
        expected = sorted((v for v in views if v.next_due is not None and v.next_due <= soon), key=lambda v: (v.next_due, v.id))
        assert R.patrols_due(demo_store, clock, policy) == expected
        assert R.count_overdue(demo_store, clock, policy) == sum(v.overdue for v in views)
    assert R.count_overdue(demo_store, clock, policy) == 6  # all but the installation patrolled and the finished


def test_a_limit_keeps_the_newest_and_the_count_counts_them_all(demo_store, clock, policy) -> None:
    first = _open(demo_store, clock, unit="1-1-201")
    second = _open(demo_store, clock, unit="1-1-202", permit_no="ZX-2026-099")
    R.set_phase(demo_store, clock, CLERK, second, "finished")
    R.complete(demo_store, clock, CLERK, second, ok=True)
    R.recheck(demo_store, clock, CLERK, second, ok=True)
    third = _open(demo_store, clock, unit="1-1-301")
    assert [v.id for v in R.list_renovations(demo_store, clock, policy, limit=1)] == [third]
    assert [v.id for v in R.list_renovations(demo_store, clock, policy, show="all", limit=2)] == [third, second]
    assert (R.count_renovations(demo_store), R.count_renovations(demo_store, show="all")) == (2, 3)
    assert [v.id for v in R.list_renovations(demo_store, clock, policy, show="all", search="ZX-2026-099")] == [second]
    assert [v.id for v in R.list_renovations(demo_store, clock, policy, search="1-1-20")] == [first]
