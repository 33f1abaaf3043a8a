"""The complaint / feedback state machine and its three clocks (domain/feedback.py), without a
store: every (state, action) pair against a table written out here, random action sequences
through `target()`, and the clocks with an injected `now`."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from deskapp.domain.feedback import (
    ALLOWED,
    CATEGORIES,
    CHANNELS,
    ENDED,
    SEVERITIES,
    TARGET,
    URGENCY,
    Action,
    Clock,
    Kind,
    Limits,
    State,
    Status,
    Times,
    Timing,
    TransitionRefused,
    actions_from,
    clocks,
    most_urgent,
    target,
)
from deskapp.errors import DeskappError

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
UTC = ZoneInfo("UTC")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)

# data/policy.toml [feedback] and handover.promise_due_soon_minutes, written out by hand.
LIMITS = Limits(
    handler_reply=24 * H, escalate=2 * H, escalated_reply=24 * H, reply_general=24 * H, reply_major=48 * H, warn=60 * MIN,
)

# -- the table ------------------------------------------------------------------------------------
# state → {action: the state after it}. A pair not listed is refused. Written out by hand from
# seed 001 第四章, not derived from ALLOWED / TARGET.

S, A = State, Action
TABLE: dict[State, dict[Action, State]] = {
    S.RECEIVED: {A.JUDGE_VALID: S.OPEN, A.JUDGE_INVALID: S.INVALID},
    S.INVALID: {},
    S.OPEN: {A.ESCALATE: S.OPEN, A.HANDLER_REPLY: S.HANDLER_REPLIED, A.ANSWER: S.ANSWERED},
    S.HANDLER_REPLIED: {A.ANSWER: S.ANSWERED},
    S.ANSWERED: {A.CALLBACK_OK: S.CLOSED, A.CALLBACK_FAILED: S.OPEN},
    S.CLOSED: {},
}
PAIRS = [(state, action) for state in State for action in Action]


def test_the_table_names_every_state_and_action() -> None:
    """The expected table covers the whole enum: a new state or action must be added to it."""
    assert set(TABLE) == set(State)
    assert {s.value for s in State} == {"received", "invalid", "open", "handler_replied", "answered", "closed"}
    assert {a.value for a in Action} == {
        "judge_valid", "judge_invalid", "escalate", "handler_reply", "answer", "callback_ok", "callback_failed",
    }
    assert len(PAIRS) == 6 * 7
    assert sum(len(row) for row in TABLE.values()) == 8


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_pair_against_the_table(state: State, action: Action) -> None:
    """Allowed pairs go to exactly the table's state; every other pair raises TransitionRefused
    naming the state and the action."""
    expected = TABLE[state].get(action)
    assert (action in actions_from(state)) is (expected is not None)
    assert (state in ALLOWED[action]) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            target(state, action)
        assert refused.value.state == state
        assert refused.value.action == action
        assert refused.value.key == "feedback.refused"
        assert refused.value.params == {"state": state, "action": action}
    else:
        got = target(state, action)
        assert got == expected
        assert isinstance(got, State)
        # plain strings, as read from the store, work the same
        assert target(state.value, action.value) is got


@pytest.mark.parametrize("state", list(State))
def test_actions_from_lists_the_table_row_in_enum_order(state: State) -> None:
    expected = [a for a in Action if a in TABLE[state]]
    assert actions_from(state) == expected
    assert actions_from(state.value) == expected


def test_allowed_and_target_are_the_table_read_by_column() -> None:
    """ALLOWED (action → from-states) and TARGET (action → to-state) are the table by column: each
    action has one target state whatever it is taken from."""
    assert set(ALLOWED) == set(Action) == set(TARGET)
    for action in Action:
        from_states = {s for s in State if action in TABLE[s]}
        assert ALLOWED[action] == from_states, action
        assert {TABLE[s][action] for s in from_states} == {TARGET[action]}, action


@pytest.mark.parametrize("state", [State.INVALID, State.CLOSED])
def test_ended_states_allow_nothing(state: State) -> None:
    """Invalid and closed are final: no action, not even escalate or a callback."""
    assert ENDED == {State.INVALID, State.CLOSED}
    assert actions_from(state) == []
    for action in Action:
        with pytest.raises(TransitionRefused):
            target(state, action)


def test_escalation_keeps_the_matter_open() -> None:
    """An escalated matter stays open (001 四.2): escalating twice is allowed."""
    assert target("open", "escalate") is State.OPEN
    assert target(target("open", "escalate"), "escalate") is State.OPEN
    for state in State:
        if state is not State.OPEN:
            with pytest.raises(TransitionRefused):
                target(state, "escalate")


def test_a_failed_callback_opens_the_matter_again() -> None:
    assert target("answered", "callback_failed") is State.OPEN
    assert target("answered", "callback_ok") is State.CLOSED


def test_the_clerk_may_answer_without_the_handlers_reply_but_not_before_acceptance() -> None:
    assert target("open", "answer") is State.ANSWERED
    assert target("handler_replied", "answer") is State.ANSWERED
    with pytest.raises(TransitionRefused):
        target("received", "answer")
    with pytest.raises(TransitionRefused):
        target("answered", "answer")  # answered twice: a callback comes first


def test_transition_refused_is_a_deskapp_error() -> None:
    """The console shows it as a message, never a traceback."""
    with pytest.raises(DeskappError):
        target("received", "answer")


def test_unknown_names_are_not_silently_allowed() -> None:
    """A state or action outside the enums is a ValueError, not a move."""
    with pytest.raises(ValueError):
        target("lost", "judge_valid")
    with pytest.raises(ValueError):
        target("received", "teleport")
    with pytest.raises(ValueError):
        actions_from("lost")
    with pytest.raises(ValueError):
        target("", "judge_valid")  # a record not yet received is not a state


def test_the_reference_lists() -> None:
    """The three logs of 001 四.三, the categories, the two severities and the channels of intake."""
    assert [k.value for k in Kind] == ["complaint", "suggestion", "staff"]
    assert CATEGORIES == ("engineering_quality", "property_management", "planning_design", "customer_service", "other")
    assert SEVERITIES == ("general", "major")
    assert CHANNELS == ("counter", "phone", "letter", "online")
    assert [c.value for c in Clock] == ["handler_reply", "escalation", "customer_reply"]
    assert {s.value for s in Status} == {"running", "due_soon", "overdue", "met", "late"}


# -- reachability ----------------------------------------------------------------------------------


def _reach(start: State) -> set[State]:
    seen, todo = {start}, deque([start])
    while todo:
        state = todo.popleft()
        for action in actions_from(state):
            nxt = target(state, action)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_state_is_reachable_from_received() -> None:
    assert _reach(State.RECEIVED) == set(State)


def test_every_running_state_can_still_end() -> None:
    """No running state is a dead end; only the way to closed runs through the callback, and the
    invalid end is only reachable from received."""
    for start in set(State) - ENDED:
        assert State.CLOSED in _reach(start), start
    assert {s for s in State if State.INVALID in _reach(s)} == {State.RECEIVED, State.INVALID}


# -- random sequences ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(actions=st.lists(st.sampled_from(list(Action)), max_size=60))
def test_random_action_sequences_keep_the_invariants(actions: list[Action]) -> None:
    """From received, each action is applied if the table allows it and must be refused otherwise.
    The state is always a State, follows the table, and once ended never changes."""
    state = State.RECEIVED
    ended_at: State | None = None
    for action in actions:
        expected = TABLE[state].get(action)
        if expected is not None:
            state = target(state, action)
            assert state == expected
        else:
            with pytest.raises(TransitionRefused):
                target(state, action)
        assert isinstance(state, State)
        if ended_at is not None:
            assert state == ended_at
        elif state in ENDED:
            ended_at = state


@settings(max_examples=200, deadline=None)
@given(actions=st.lists(st.sampled_from(list(Action)), max_size=60))
def test_closed_only_after_an_answer_and_a_good_callback(actions: list[Action]) -> None:
    """Whatever the order tried: a closed matter was answered, then called back satisfied; an
    invalid one was never accepted."""
    state, taken = State.RECEIVED, []
    for action in actions:
        if action in actions_from(state):
            state = target(state, action)
            taken.append(action)
    if state is State.CLOSED:
        assert taken[-1] is Action.CALLBACK_OK and taken[-2] is Action.ANSWER
        assert taken[0] is Action.JUDGE_VALID
    if state is State.INVALID:
        assert taken == [Action.JUDGE_INVALID]
    assert taken.count(Action.CALLBACK_OK) <= 1
    assert taken.count(Action.JUDGE_VALID) <= 1
    # every callback was preceded by an answer since the last reopening
    answers = 0
    for action in taken:
        if action is Action.ANSWER:
            answers += 1
        if action in (Action.CALLBACK_OK, Action.CALLBACK_FAILED):
            assert answers == 1
            answers = 0


class FeedbackMachine(RuleBasedStateMachine):
    """One record driven by random actions, allowed or not, through target()."""

    def __init__(self) -> None:
        super().__init__()
        self.state = State.RECEIVED
        self.history: list[State] = [State.RECEIVED]

    @rule(action=st.sampled_from(list(Action)))
    def act(self, action: Action) -> None:
        before = self.state
        if action in TABLE[before]:
            self.state = target(before, action)
            assert self.state == TABLE[before][action]
        else:
            with pytest.raises(TransitionRefused):
                target(before, action)
            assert self.state == before
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
    def received_is_never_returned_to(self) -> None:
        first_other = next((n for n, s in enumerate(self.history) if s is not State.RECEIVED), None)
        if first_other is not None:
            assert State.RECEIVED not in self.history[first_other:]

    @invariant()
    def actions_from_agrees_with_the_table(self) -> None:
        assert set(actions_from(self.state)) == set(TABLE[self.state])
        assert (actions_from(self.state) == []) is (self.state in ENDED)


FeedbackMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestFeedbackMachine = FeedbackMachine.TestCase


def test_random_walks_visit_every_state() -> None:
    """Driven only by allowed actions chosen at random (seeded), walks from received visit every state."""
    import random

    rng = random.Random(20261124)
    seen: set[State] = set()
    for _ in range(300):
        state = State.RECEIVED
        seen.add(state)
        for _ in range(20):
            choices = actions_from(state)
            if not choices:
                break
            state = target(state, rng.choice(choices))
            seen.add(state)
    assert seen == set(State)


# -- the clocks ------------------------------------------------------------------------------------


def _times(accepted: datetime | None = NOW, severity: str = "general", *, escalated: datetime | None = None,
           replied: datetime | None = None, answered: datetime | None = None) -> Times:
    return Times(accepted_at=accepted, severity=severity, escalated_at=escalated, handler_replied_at=replied,
                 answered_at=answered)


def _by_clock(timings: list[Timing]) -> dict[Clock, Timing]:
    return {t.clock: t for t in timings}


def test_no_clocks_before_acceptance() -> None:
    """Received (or judged invalid) matters have no clock, whatever else is set."""
    assert clocks(_times(None), NOW, LIMITS) == []
    assert clocks(_times(None, "major", escalated=NOW, replied=NOW, answered=NOW), NOW + 72 * H, LIMITS) == []


@pytest.mark.parametrize(("severity", "reply"), [("general", 24 * H), ("major", 48 * H)])
def test_at_acceptance_all_three_clocks_run(severity: str, reply: timedelta) -> None:
    """From acceptance: the handler's reply in 24 h, the escalation in 2 h, the reply to the
    customer in 24 h (general) or 48 h (major); none done, none due within the hour."""
    timings = clocks(_times(NOW, severity), NOW, LIMITS)
    assert [t.clock for t in timings] == [Clock.HANDLER_REPLY, Clock.ESCALATION, Clock.CUSTOMER_REPLY]
    assert [t.due_at for t in timings] == [NOW + 24 * H, NOW + 2 * H, NOW + reply]
    assert [t.done_at for t in timings] == [None, None, None]
    assert [t.status for t in timings] == [Status.RUNNING] * 3


def test_the_due_times_do_not_depend_on_now() -> None:
    for now in (NOW - H, NOW, NOW + 5 * H, NOW + 100 * H):
        assert [t.due_at for t in clocks(_times(), now, LIMITS)] == [NOW + 24 * H, NOW + 2 * H, NOW + 24 * H]


def test_an_unknown_severity_counts_as_general() -> None:
    """Only "major" gets 48 h."""
    assert _by_clock(clocks(_times(NOW, ""), NOW, LIMITS))[Clock.CUSTOMER_REPLY].due_at == NOW + 24 * H


@pytest.mark.parametrize(
    ("before_due", "status"),
    [
        (61 * MIN, Status.RUNNING),
        (60 * MIN + SEC, Status.RUNNING),
        (60 * MIN, Status.DUE_SOON),  # the window's edge is inside
        (59 * MIN, Status.DUE_SOON),
        (SEC, Status.DUE_SOON),
        (timedelta(0), Status.DUE_SOON),  # on the dot: not yet overdue
        (-SEC, Status.OVERDUE),
        (-5 * H, Status.OVERDUE),
    ],
)
def test_the_warning_window_and_overdue(before_due: timedelta, status: Status) -> None:
    """Due soon within 60 minutes of the limit, overdue only strictly after it — for each clock."""
    due = {Clock.HANDLER_REPLY: NOW + 24 * H, Clock.ESCALATION: NOW + 2 * H, Clock.CUSTOMER_REPLY: NOW + 48 * H}
    for clock, due_at in due.items():
        timing = _by_clock(clocks(_times(NOW, "major"), due_at - before_due, LIMITS))[clock]
        assert timing.due_at == due_at
        assert timing.status is status, clock


def test_two_hours_without_escalation_or_reply() -> None:
    """At 11:00 the escalation clock warns; after 12:00 it is overdue while the others still run."""
    at_11 = _by_clock(clocks(_times(), NOW + H, LIMITS))
    assert at_11[Clock.ESCALATION].status is Status.DUE_SOON
    assert at_11[Clock.HANDLER_REPLY].status is Status.RUNNING
    after_12 = _by_clock(clocks(_times(), NOW + 2 * H + MIN, LIMITS))
    assert after_12[Clock.ESCALATION].status is Status.OVERDUE
    assert after_12[Clock.HANDLER_REPLY].status is Status.RUNNING
    assert after_12[Clock.CUSTOMER_REPLY].status is Status.RUNNING


@pytest.mark.parametrize(
    ("done_after", "status"),
    [(H, Status.MET), (24 * H - SEC, Status.MET), (24 * H, Status.MET), (24 * H + SEC, Status.LATE), (30 * H, Status.LATE)],
)
def test_done_in_time_is_met_and_after_is_late(done_after: timedelta, status: Status) -> None:
    """A done clock is met or late by when it was done, not by now: late stays late, met stays met."""
    done = NOW + done_after
    for now in (done, done + 100 * H):
        timings = _by_clock(clocks(_times(replied=done, answered=done), now, LIMITS))
        assert timings[Clock.HANDLER_REPLY].done_at == done
        assert timings[Clock.HANDLER_REPLY].status is status
        assert timings[Clock.CUSTOMER_REPLY].done_at == done
        assert timings[Clock.CUSTOMER_REPLY].status is status


def test_a_major_matter_answered_after_a_day_is_still_in_time() -> None:
    answered = NOW + 30 * H
    general = _by_clock(clocks(_times(NOW, "general", answered=answered), answered, LIMITS))
    major = _by_clock(clocks(_times(NOW, "major", answered=answered), answered, LIMITS))
    assert general[Clock.CUSTOMER_REPLY].status is Status.LATE
    assert major[Clock.CUSTOMER_REPLY].status is Status.MET


def test_escalation_moves_the_handler_clock_and_meets_the_escalation_clock() -> None:
    """001 四.2: escalated at 11:30, the handler now owes the clerk a reply by 11:30 tomorrow."""
    escalated = NOW + 90 * MIN
    timings = _by_clock(clocks(_times(escalated=escalated), NOW + 24 * H + MIN, LIMITS))
    handler = timings[Clock.HANDLER_REPLY]
    assert handler.due_at == escalated + 24 * H
    assert handler.done_at is None
    assert handler.status is Status.RUNNING  # 10:01 tomorrow: would be overdue without the escalation
    assert _by_clock(clocks(_times(escalated=escalated), escalated + 23 * H + 30 * MIN, LIMITS))[
        Clock.HANDLER_REPLY].status is Status.DUE_SOON
    assert _by_clock(clocks(_times(escalated=escalated), escalated + 24 * H + SEC, LIMITS))[
        Clock.HANDLER_REPLY].status is Status.OVERDUE
    escalation = timings[Clock.ESCALATION]
    assert (escalation.due_at, escalation.done_at, escalation.status) == (NOW + 2 * H, escalated, Status.MET)
    assert timings[Clock.CUSTOMER_REPLY].due_at == NOW + 24 * H  # the customer's promise does not move
    assert timings[Clock.CUSTOMER_REPLY].status is Status.OVERDUE


def test_a_late_escalation_is_late_and_still_moves_the_handler_clock() -> None:
    escalated = NOW + 3 * H
    timings = _by_clock(clocks(_times(escalated=escalated), escalated, LIMITS))
    assert timings[Clock.ESCALATION].status is Status.LATE
    assert timings[Clock.ESCALATION].done_at == escalated
    assert timings[Clock.HANDLER_REPLY].due_at == NOW + 27 * H


def test_the_handlers_reply_also_meets_the_escalation_clock() -> None:
    """A handler who solved it within 2 h need not escalate."""
    replied = NOW + 90 * MIN
    timings = _by_clock(clocks(_times(replied=replied), NOW + 5 * H, LIMITS))
    assert timings[Clock.ESCALATION].done_at == replied
    assert timings[Clock.ESCALATION].status is Status.MET
    assert timings[Clock.HANDLER_REPLY].done_at == replied
    assert timings[Clock.HANDLER_REPLY].status is Status.MET
    assert timings[Clock.CUSTOMER_REPLY].status is Status.RUNNING


def test_a_reply_after_two_hours_makes_the_escalation_clock_late() -> None:
    replied = NOW + 3 * H
    timings = _by_clock(clocks(_times(replied=replied), replied, LIMITS))
    assert timings[Clock.ESCALATION].status is Status.LATE
    assert timings[Clock.HANDLER_REPLY].status is Status.MET


def test_the_escalation_clock_is_done_by_whichever_came_first() -> None:
    replied, escalated = NOW + H, NOW + 90 * MIN
    timings = _by_clock(clocks(_times(replied=replied, escalated=escalated), NOW + 2 * H, LIMITS))
    assert timings[Clock.ESCALATION].done_at == replied
    timings = _by_clock(clocks(_times(replied=NOW + 5 * H, escalated=escalated), NOW + 5 * H, LIMITS))
    assert timings[Clock.ESCALATION].done_at == escalated
    assert timings[Clock.ESCALATION].status is Status.MET
    # the handler replied within a day of the escalation
    assert timings[Clock.HANDLER_REPLY].due_at == escalated + 24 * H
    assert timings[Clock.HANDLER_REPLY].status is Status.MET


def test_the_clocks_compare_across_time_zones() -> None:
    """Times from the store come back in UTC; a local now compares as the same instant."""
    accepted_utc = NOW.astimezone(UTC)
    timings = _by_clock(clocks(_times(accepted_utc), NOW + 2 * H + SEC, LIMITS))
    assert timings[Clock.ESCALATION].due_at == NOW + 2 * H
    assert timings[Clock.ESCALATION].status is Status.OVERDUE
    timings = _by_clock(clocks(_times(accepted_utc), (NOW + H).astimezone(UTC), LIMITS))
    assert timings[Clock.ESCALATION].status is Status.DUE_SOON


def test_the_limits_come_from_the_limits_given() -> None:
    """Nothing is hard-coded: other limits give other due times and another window."""
    other = Limits(handler_reply=12 * H, escalate=30 * MIN, escalated_reply=6 * H, reply_general=8 * H,
                   reply_major=16 * H, warn=10 * MIN)
    assert [t.due_at for t in clocks(_times(NOW, "major"), NOW, other)] == [NOW + 12 * H, NOW + 30 * MIN, NOW + 16 * H]
    esc = _by_clock(clocks(_times(escalated=NOW + 10 * MIN), NOW + 10 * MIN, other))
    assert esc[Clock.HANDLER_REPLY].due_at == NOW + 10 * MIN + 6 * H
    assert _by_clock(clocks(_times(), NOW + 19 * MIN, other))[Clock.ESCALATION].status is Status.RUNNING
    assert _by_clock(clocks(_times(), NOW + 20 * MIN, other))[Clock.ESCALATION].status is Status.DUE_SOON


@settings(max_examples=300, deadline=None)
@given(
    severity=st.sampled_from(SEVERITIES),
    escalated=st.none() | st.integers(min_value=0, max_value=72 * 60),
    replied=st.none() | st.integers(min_value=0, max_value=72 * 60),
    answered=st.none() | st.integers(min_value=0, max_value=72 * 60),
    now=st.integers(min_value=0, max_value=96 * 60),
)
def test_random_times_keep_the_clock_rules(
    severity: str, escalated: int | None, replied: int | None, answered: int | None, now: int,
) -> None:
    """For any times (minutes after acceptance): the three clocks in order, the due times by the
    rules, a done clock met or late by its done time, a running one overdue only after its due time
    and due soon only within the hour before."""

    def at(minutes: int | None) -> datetime | None:
        return None if minutes is None else NOW + minutes * MIN

    times = _times(NOW, severity, escalated=at(escalated), replied=at(replied), answered=at(answered))
    current = NOW + now * MIN
    handler, escalation, customer = clocks(times, current, LIMITS)
    assert (handler.clock, escalation.clock, customer.clock) == (Clock.HANDLER_REPLY, Clock.ESCALATION, Clock.CUSTOMER_REPLY)

    assert handler.due_at == (NOW + 24 * H if escalated is None else NOW + escalated * MIN + 24 * H)
    assert escalation.due_at == NOW + 2 * H
    assert customer.due_at == NOW + (48 * H if severity == "major" else 24 * H)
    assert handler.done_at == at(replied)
    assert customer.done_at == at(answered)
    firsts = [m for m in (escalated, replied) if m is not None]
    assert escalation.done_at == (at(min(firsts)) if firsts else None)

    for timing in (handler, escalation, customer):
        if timing.done_at is not None:
            assert timing.status in (Status.MET, Status.LATE)
            assert (timing.status is Status.MET) is (timing.done_at <= timing.due_at)
        else:
            assert timing.status in (Status.RUNNING, Status.DUE_SOON, Status.OVERDUE)
            assert (timing.status is Status.OVERDUE) is (current > timing.due_at)
            assert (timing.status is Status.DUE_SOON) is (timing.due_at - 60 * MIN <= current <= timing.due_at)

    urgent = most_urgent([handler, escalation, customer])
    running = [t for t in (handler, escalation, customer) if t.done_at is None]
    if not running:
        assert urgent is None
    else:
        assert urgent in running
        assert all(URGENCY[urgent.status] <= URGENCY[t.status] for t in running)


# -- the most urgent clock -------------------------------------------------------------------------


def _t(clock: Clock, due: timedelta, status: Status, done: bool = False) -> Timing:
    return Timing(clock, NOW + due, NOW if done else None, status)


def test_urgency_orders_overdue_due_soon_running_then_done() -> None:
    assert sorted(Status, key=URGENCY.__getitem__) == [
        Status.OVERDUE, Status.DUE_SOON, Status.RUNNING, Status.LATE, Status.MET,
    ]
    assert set(URGENCY) == set(Status)


def test_most_urgent_of_nothing_is_nothing() -> None:
    assert most_urgent([]) is None
    done = [_t(Clock.HANDLER_REPLY, -H, Status.LATE, done=True), _t(Clock.ESCALATION, H, Status.MET, done=True)]
    assert most_urgent(done) is None


def test_most_urgent_picks_overdue_before_due_soon_before_running() -> None:
    """The status decides first, even against an earlier due time; done clocks never count."""
    overdue = _t(Clock.CUSTOMER_REPLY, 10 * H, Status.OVERDUE)
    soon = _t(Clock.ESCALATION, 2 * H, Status.DUE_SOON)
    running = _t(Clock.HANDLER_REPLY, H, Status.RUNNING)
    late = _t(Clock.HANDLER_REPLY, -50 * H, Status.LATE, done=True)
    assert most_urgent([running, soon, overdue, late]) is overdue
    assert most_urgent([running, soon, late]) is soon
    assert most_urgent([running, late]) is running
    assert most_urgent([late, soon, running]) is soon  # order given does not matter


def test_most_urgent_then_the_soonest() -> None:
    first = _t(Clock.ESCALATION, 2 * H, Status.RUNNING)
    second = _t(Clock.HANDLER_REPLY, 24 * H, Status.RUNNING)
    third = _t(Clock.CUSTOMER_REPLY, 48 * H, Status.RUNNING)
    assert most_urgent([third, second, first]) is first
    older = _t(Clock.ESCALATION, -3 * H, Status.OVERDUE)
    newer = _t(Clock.HANDLER_REPLY, -H, Status.OVERDUE)
    assert most_urgent([newer, older]) is older


def test_most_urgent_on_real_clocks() -> None:
    """Right after acceptance the escalation (2 h) is first; once escalated, the handler's reply
    (due sooner than the customer's 48 h) is; past its due time it is overdue and first."""
    assert most_urgent(clocks(_times(NOW, "major"), NOW, LIMITS)).clock is Clock.ESCALATION
    escalated = _times(NOW, "major", escalated=NOW + H)
    assert most_urgent(clocks(escalated, NOW + H, LIMITS)).clock is Clock.HANDLER_REPLY
    general = _times(NOW, "general", escalated=NOW + H)
    # general: customer due at +24 h, before the handler's +25 h
    assert most_urgent(clocks(general, NOW + H, LIMITS)).clock is Clock.CUSTOMER_REPLY
    late = most_urgent(clocks(escalated, NOW + 25 * H + MIN, LIMITS))
    assert (late.clock, late.status) == (Clock.HANDLER_REPLY, Status.OVERDUE)
    answered = _times(NOW, "major", replied=NOW + H, answered=NOW + 2 * H)
    assert most_urgent(clocks(answered, NOW + 3 * H, LIMITS)) is None
