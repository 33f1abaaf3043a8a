"""The repair work order's state machine and clocks (domain/work_orders.py), without a store:
every (state, action) pair against a table written out here, random action sequences through
`target()`, the time limits and the money."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from deskapp.domain.work_orders import (
    ALLOWED,
    ENDED,
    OPEN,
    Action,
    Area,
    Deadline,
    Limit,
    State,
    TransitionRefused,
    actions_from,
    allowed,
    deadline,
    late,
    part_cost_fen,
    promised_arrival,
    target,
    total_fen,
)
from deskapp.errors import DeskappError

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REVIEW = timedelta(minutes=30)
CALLBACK = timedelta(hours=24)

# -- the table ------------------------------------------------------------------------------------
# state → {action: the state after it}. A pair not listed is refused. SIGN is listed per area.
# Written out by hand from seed 001 第三章, not derived from ALLOWED.

S, A = State, Action
HOUSEHOLD_TABLE: dict[State, dict[Action, State]] = {
    S.RECEIVED: {A.DISPATCH: S.DISPATCHED, A.REFER: S.REFERRED, A.ESCALATE: S.RECEIVED},
    S.DISPATCHED: {A.ARRIVE: S.ON_SITE, A.RESCHEDULE: S.DISPATCHED, A.ESCALATE: S.DISPATCHED},
    S.ON_SITE: {A.REVIEW: S.REVIEW, A.FINISH: S.DONE, A.RESCHEDULE: S.DISPATCHED, A.ESCALATE: S.ON_SITE},
    S.REVIEW: {A.RESUME: S.ON_SITE, A.RESCHEDULE: S.DISPATCHED, A.ESCALATE: S.REVIEW},
    S.DONE: {A.SIGN: S.SIGNED, A.ESCALATE: S.DONE},
    S.SIGNED: {A.CALLBACK_OK: S.CLOSED, A.CALLBACK_FAILED: S.RECEIVED, A.ESCALATE: S.SIGNED},
    S.CLOSED: {},
    S.REFERRED: {},
}
PUBLIC_TABLE: dict[State, dict[Action, State]] = {
    state: dict(moves) for state, moves in HOUSEHOLD_TABLE.items()
}
PUBLIC_TABLE[S.DONE][A.SIGN] = S.CLOSED  # signed by the area's customer-service officer: closes there

TABLES = {Area.HOUSEHOLD: HOUSEHOLD_TABLE, Area.PUBLIC: PUBLIC_TABLE}

PAIRS = [(area, state, action) for area in Area for state in State for action in Action]


def test_the_table_names_every_state_action_and_area() -> None:
    """The expected table covers the whole enum: a new state or action must be added to it."""
    assert set(HOUSEHOLD_TABLE) == set(State) == set(PUBLIC_TABLE)
    assert {s.value for s in State} == {
        "received", "dispatched", "on_site", "review", "done", "signed", "closed", "referred",
    }
    assert {a.value for a in Action} == {
        "dispatch", "refer", "arrive", "review", "resume", "finish", "sign", "callback_ok",
        "callback_failed", "reschedule", "escalate",
    }
    assert {a.value for a in Area} == {"household", "public"}
    assert len(PAIRS) == 2 * 8 * 11


@pytest.mark.parametrize(("area", "state", "action"), PAIRS, ids=[f"{a}-{s}-{x}" for a, s, x in PAIRS])
def test_every_pair_against_the_table(area: Area, state: State, action: Action) -> None:
    """Allowed pairs go to exactly the table's state; every other pair raises TransitionRefused
    naming the state and the action."""
    expected = TABLES[area][state].get(action)
    assert allowed(state, action) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            target(state, action, area)
        assert refused.value.state == state
        assert refused.value.action == action
        assert refused.value.key == "work_order.refused"
        assert refused.value.params == {"state": state, "action": action}
    else:
        got = target(state, action, area)
        assert got == expected
        assert isinstance(got, State)


@pytest.mark.parametrize("state", list(State))
def test_actions_from_lists_the_table_row_in_enum_order(state: State) -> None:
    """actions_from() is the row of the table, in the order the actions are declared."""
    expected = [a for a in Action if a in HOUSEHOLD_TABLE[state]]
    assert actions_from(state) == expected
    assert actions_from(state.value) == expected  # a plain string from the store works too


def test_allowed_matches_the_declared_allowed_map() -> None:
    """ALLOWED (action → from-states) is the table read by column."""
    for action in Action:
        from_states = {s for s in State if action in HOUSEHOLD_TABLE[s]}
        assert ALLOWED[action] == from_states, action


def test_sign_goes_by_the_area() -> None:
    """001 第三章 6 注意事项 1: the owner signs a household repair (a callback is then owed);
    the customer-service officer signs a public-area repair, and it closes."""
    assert target("done", "sign", "household") is State.SIGNED
    assert target("done", "sign", "public") is State.CLOSED


def test_escalate_keeps_the_state_everywhere_open() -> None:
    """服务上移 never moves the order."""
    for state in OPEN:
        for area in Area:
            assert target(state, Action.ESCALATE, area) is state


def test_failed_callback_reopens_as_received() -> None:
    assert target("signed", "callback_failed", "household") is State.RECEIVED
    assert target("signed", "callback_ok", "household") is State.CLOSED


@pytest.mark.parametrize("state", sorted(ENDED))
@pytest.mark.parametrize("area", list(Area))
def test_ended_states_allow_nothing(state: State, area: Area) -> None:
    """Closed and referred are final: no action, not even escalate."""
    assert ENDED == {State.CLOSED, State.REFERRED}
    assert OPEN == set(State) - ENDED
    assert actions_from(state) == []
    for action in Action:
        assert not allowed(state, action)
        with pytest.raises(TransitionRefused):
            target(state, action, area)


def test_transition_refused_is_a_deskapp_error() -> None:
    """The console shows it as a message, never a traceback."""
    with pytest.raises(DeskappError):
        target("received", "arrive", "household")


def test_unknown_names_are_not_silently_allowed() -> None:
    """A state, action or area outside the enums is a ValueError, not a move."""
    with pytest.raises(ValueError):
        allowed("lost", "dispatch")
    with pytest.raises(ValueError):
        allowed("received", "teleport")
    with pytest.raises(ValueError):
        target("done", "sign", "garden")


# -- reachability ----------------------------------------------------------------------------------


def _reachable(area: Area) -> set[State]:
    seen, todo = {State.RECEIVED}, deque([State.RECEIVED])
    while todo:
        state = todo.popleft()
        for action in actions_from(state):
            nxt = target(state, action, area)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_state_is_reachable_from_received() -> None:
    """Household orders reach every state; public ones every state but signed (they close on sign)."""
    assert _reachable(Area.HOUSEHOLD) == set(State)
    assert _reachable(Area.PUBLIC) == set(State) - {State.SIGNED}
    assert _reachable(Area.HOUSEHOLD) | _reachable(Area.PUBLIC) == set(State)


def test_every_open_state_can_still_end() -> None:
    """No open state is a dead end: from each, some path reaches closed or referred."""
    for area in Area:
        for start in OPEN:
            seen, todo = {start}, deque([start])
            while todo:
                state = todo.popleft()
                for action in actions_from(state):
                    nxt = target(state, action, area)
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            assert seen & ENDED, (area, start)


# -- random sequences ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(area=st.sampled_from(list(Area)), actions=st.lists(st.sampled_from(list(Action)), max_size=60))
def test_random_action_sequences_keep_the_invariants(area: Area, actions: list[Action]) -> None:
    """From received, each action is applied if allowed and must be refused otherwise. The state
    is always a State, follows the table, and once ended never changes."""
    state = State.RECEIVED
    ended_at: State | None = None
    for action in actions:
        expected = TABLES[area][state].get(action)
        if allowed(state, action):
            assert expected is not None
            state = target(state, action, area)
            assert state == expected
        else:
            assert expected is None
            with pytest.raises(TransitionRefused):
                target(state, action, area)
        assert isinstance(state, State)
        if ended_at is not None:
            assert state == ended_at
        elif state in ENDED:
            ended_at = state
    if area is Area.PUBLIC:
        assert state is not State.SIGNED


class WorkOrderMachine(RuleBasedStateMachine):
    """One order driven by random actions, allowed or not, through target()."""

    def __init__(self) -> None:
        super().__init__()
        self.area: Area | None = None
        self.state = State.RECEIVED
        self.history: list[State] = [State.RECEIVED]

    @precondition(lambda self: self.area is None)
    @rule(area=st.sampled_from(list(Area)))
    def take_request(self, area: Area) -> None:
        self.area = area

    @precondition(lambda self: self.area is not None)
    @rule(action=st.sampled_from(list(Action)))
    def act(self, action: Action) -> None:
        assert self.area is not None
        before = self.state
        if action in actions_from(before):
            after = target(before, action, self.area)
            assert after == TABLES[self.area][before][action]
            self.state = after
        else:
            with pytest.raises(TransitionRefused):
                target(before, action, self.area)
            assert self.state == before  # a refused action changes nothing
        self.history.append(self.state)

    @invariant()
    def state_is_a_state(self) -> None:
        assert isinstance(self.state, State)

    @invariant()
    def ended_never_changes(self) -> None:
        for n, state in enumerate(self.history):
            if state in ENDED:
                assert set(self.history[n:]) == {state}
                break

    @invariant()
    def public_orders_are_never_signed(self) -> None:
        if self.area is Area.PUBLIC:
            assert State.SIGNED not in self.history

    @invariant()
    def allowed_and_actions_from_agree(self) -> None:
        listed = set(actions_from(self.state))
        assert listed == {a for a in Action if allowed(self.state, a)}
        assert (listed == set()) is (self.state in ENDED)


WorkOrderMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestWorkOrderMachine = WorkOrderMachine.TestCase


def test_random_walks_visit_every_state() -> None:
    """Driven only by allowed actions chosen at random (seeded), walks from received visit every
    state: the machine has no unreachable corner."""
    import random

    rng = random.Random(20261124)
    seen: set[State] = set()
    for _ in range(400):
        area = rng.choice(list(Area))
        state = State.RECEIVED
        seen.add(state)
        for _ in range(30):
            choices = actions_from(state)
            if not choices:
                break
            state = target(state, rng.choice(choices), area)
            seen.add(state)
    assert seen == set(State)


# -- clocks -------------------------------------------------------------------------------------------


def _deadline(state: str, **times: datetime | None) -> Deadline | None:
    return deadline(
        state, promised_at=times.get("promised_at"), review_started_at=times.get("review_started_at"),
        signed_at=times.get("signed_at"), review_limit=REVIEW, callback_limit=CALLBACK,
    )


def test_deadline_per_state() -> None:
    """Dispatched runs against the arrival promise, review against 30 minutes from its start,
    signed against the callback limit; other states against nothing."""
    t = NOW
    assert _deadline("dispatched", promised_at=t) == Deadline(Limit.ARRIVAL, t)
    assert _deadline("review", review_started_at=t) == Deadline(Limit.REVIEW, t + REVIEW)
    assert _deadline("signed", signed_at=t) == Deadline(Limit.CALLBACK, t + CALLBACK)
    every = {"promised_at": t, "review_started_at": t, "signed_at": t}
    for state in ("received", "on_site", "done", "closed", "referred"):
        assert _deadline(state, **every) is None, state


def test_deadline_needs_its_time() -> None:
    """Without the time the limit counts from, there is no deadline (not a crash)."""
    assert _deadline("dispatched") is None
    assert _deadline("review") is None
    assert _deadline("signed") is None
    # another stage's time does not stand in
    assert _deadline("dispatched", signed_at=NOW) is None
    assert _deadline("review", promised_at=NOW) is None
    assert _deadline("signed", review_started_at=NOW) is None


def test_deadline_overdue_and_left() -> None:
    """Overdue only strictly after the due time; left is what remains (negative when overdue)."""
    due = Deadline(Limit.REVIEW, NOW)
    assert not due.overdue(NOW)
    assert not due.overdue(NOW - timedelta(seconds=1))
    assert due.overdue(NOW + timedelta(seconds=1))
    assert due.left(NOW - timedelta(minutes=5)) == timedelta(minutes=5)
    assert due.left(NOW + timedelta(minutes=2)) == -timedelta(minutes=2)


def test_promised_arrival_is_the_appointment_plus_the_limit() -> None:
    """按照维修预约时间……在15分钟内到达现场."""
    assert promised_arrival(NOW, timedelta(minutes=15)) == NOW + timedelta(minutes=15)
    assert promised_arrival(NOW, timedelta(minutes=20)) == datetime(2026, 11, 24, 10, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_late_only_after_the_promise() -> None:
    promised = NOW + timedelta(minutes=15)
    assert late(promised + timedelta(seconds=1), promised) is True
    assert late(promised, promised) is False  # on the dot is on time
    assert late(promised - timedelta(minutes=10), promised) is False
    assert late(NOW + timedelta(days=3), None) is False  # no promise, nothing to break


def test_limits_compare_across_time_zones() -> None:
    """Times from the store come back in UTC; the local promise compares as the same instant."""
    promised = NOW + timedelta(minutes=15)  # 10:15 Shanghai = 02:15 UTC
    arrived_utc = datetime(2026, 11, 24, 2, 16, tzinfo=ZoneInfo("UTC"))
    assert late(arrived_utc, promised) is True
    assert late(arrived_utc - timedelta(minutes=2), promised) is False


# -- money --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity_centi", "unit_price_fen", "cost"),
    [
        (100, 2000, 2000),  # 1 × 20.00 yuan
        (250, 3000, 7500),  # 2.5 m × 30.00
        (250, 1999, 4998),  # 4997.5 fen: half rounds up
        (150, 1, 2),  # 1.5 fen → 2
        (149, 1, 1),  # 1.49 fen → 1
        (50, 1, 1),  # 0.5 fen → 1
        (49, 1, 0),  # 0.49 fen → 0
        (1, 49, 0),  # 0.49 fen → 0
        (1, 50, 1),  # 0.5 fen → 1
        (333, 333, 1109),  # 1108.89 → 1109
        (100, 0, 0),  # a free part
    ],
)
def test_part_cost_rounds_half_up_to_the_fen(quantity_centi: int, unit_price_fen: int, cost: int) -> None:
    assert part_cost_fen(quantity_centi, unit_price_fen) == cost


@given(q=st.integers(min_value=1, max_value=10**6), p=st.integers(min_value=0, max_value=10**7))
def test_part_cost_is_the_exact_product_rounded_half_up(q: int, p: int) -> None:
    """Against exact decimal arithmetic: within half a fen, and .5 goes up."""
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(q) * Decimal(p) / Decimal(100)
    assert part_cost_fen(q, p) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_total_is_the_rounded_parts_plus_labour() -> None:
    """Each part rounds on its own, then the parts and the labour add up."""
    parts = [(250, 1999), (100, 2000), (50, 1)]  # 4998 + 2000 + 1
    assert total_fen(parts, 3000) == 4998 + 2000 + 1 + 3000
    assert total_fen([], 5000) == 5000  # labour only
    assert total_fen([], 0) == 0  # nothing charged
    assert total_fen([(50, 1), (50, 1)], 0) == 2  # two half-fen parts round up each: not 1


@given(
    parts=st.lists(st.tuples(st.integers(1, 10**5), st.integers(0, 10**6)), max_size=10),
    labour=st.integers(0, 10**6),
)
def test_total_is_additive(parts: list[tuple[int, int]], labour: int) -> None:
    assert total_fen(parts, labour) == sum(part_cost_fen(q, p) for q, p in parts) + labour
    assert total_fen(parts, labour) >= labour

