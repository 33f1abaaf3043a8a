"""Complaints and feedback (seed 001 第四章 信息反馈流程, 002, 003 第二章): the record's states
and its three clocks.

received → (judged not valid) invalid, or (valid, classified, routed) open → the handler replies
→ the clerk answers the customer → the callback: satisfied → closed; not satisfied → open again.
An open matter the handler cannot solve is escalated to the superior (who, when, why); it stays
open.

The clocks, all running at once from the moment the matter is accepted as valid:
- the handler's reply to the clerk: 24 h (after an escalation: 24 h from it) — 001 四.1, 四.2;
- the escalation: a handler who cannot solve it reports upward within 2 h — 001 四.2;
- the reply to the customer: 24 h for a general matter, 48 h for a major one — 001 五.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from deskapp.errors import DeskappError


class State(StrEnum):
    RECEIVED = "received"
    INVALID = "invalid"
    OPEN = "open"
    HANDLER_REPLIED = "handler_replied"
    ANSWERED = "answered"
    CLOSED = "closed"


class Action(StrEnum):
    JUDGE_VALID = "judge_valid"
    JUDGE_INVALID = "judge_invalid"
    ESCALATE = "escalate"
    HANDLER_REPLY = "handler_reply"
    ANSWER = "answer"  # the clerk replies to the customer
    CALLBACK_OK = "callback_ok"
    CALLBACK_FAILED = "callback_failed"


class Kind(StrEnum):
    """The three logs of 001 四.三, one list here."""

    COMPLAINT = "complaint"  # 业主投诉及建议记录表 (a complaint)
    SUGGESTION = "suggestion"  # 业主投诉及建议记录表 (a suggestion)
    STAFF = "staff"  # 信息反馈记录表 (feedback from company staff)


CATEGORIES = ("engineering_quality", "property_management", "planning_design", "customer_service", "other")
SEVERITIES = ("general", "major")
CHANNELS = ("counter", "phone", "letter", "online")

ENDED = frozenset({State.INVALID, State.CLOSED})

ALLOWED: dict[Action, frozenset[State]] = {
    Action.JUDGE_VALID: frozenset({State.RECEIVED}),
    Action.JUDGE_INVALID: frozenset({State.RECEIVED}),
    Action.ESCALATE: frozenset({State.OPEN}),
    Action.HANDLER_REPLY: frozenset({State.OPEN}),
    Action.ANSWER: frozenset({State.OPEN, State.HANDLER_REPLIED}),
    Action.CALLBACK_OK: frozenset({State.ANSWERED}),
    Action.CALLBACK_FAILED: frozenset({State.ANSWERED}),
}

TARGET: dict[Action, State] = {
    Action.JUDGE_VALID: State.OPEN,
    Action.JUDGE_INVALID: State.INVALID,
    Action.ESCALATE: State.OPEN,
    Action.HANDLER_REPLY: State.HANDLER_REPLIED,
    Action.ANSWER: State.ANSWERED,
    Action.CALLBACK_OK: State.CLOSED,
    Action.CALLBACK_FAILED: State.OPEN,
}


class TransitionRefused(DeskappError):
    def __init__(self, state: str, action: str) -> None:
        super().__init__("feedback.refused", state=state, action=action)
        self.state = state
        self.action = action


def target(state: str, action: str) -> State:
    """The state after `action`; TransitionRefused when it cannot be taken from `state`."""
    act = Action(action)
    if State(state) not in ALLOWED[act]:
        raise TransitionRefused(state, action)
    return TARGET[act]


def actions_from(state: str) -> list[Action]:
    return [a for a in Action if State(state) in ALLOWED[a]]


# -- the clocks ------------------------------------------------------------------------------------


class Clock(StrEnum):
    HANDLER_REPLY = "handler_reply"
    ESCALATION = "escalation"
    CUSTOMER_REPLY = "customer_reply"


class Status(StrEnum):
    RUNNING = "running"
    DUE_SOON = "due_soon"  # within the warning window
    OVERDUE = "overdue"
    MET = "met"  # done in time
    LATE = "late"  # done, but after the limit


@dataclass(frozen=True)
class Limits:
    handler_reply: timedelta  # 24 h
    escalate: timedelta  # 2 h
    escalated_reply: timedelta  # 24 h after the escalation
    reply_general: timedelta  # 24 h
    reply_major: timedelta  # 48 h
    warn: timedelta  # how long before a limit it shows as due soon


@dataclass(frozen=True)
class Timing:
    clock: Clock
    due_at: datetime
    done_at: datetime | None
    status: Status


@dataclass(frozen=True)
class Times:
    """What the clocks need to know of a record."""

    accepted_at: datetime | None  # judged valid (the clocks start); reset by a failed callback
    severity: str
    escalated_at: datetime | None
    handler_replied_at: datetime | None
    answered_at: datetime | None


def _status(due_at: datetime, done_at: datetime | None, now: datetime, warn: timedelta) -> Status:
    if done_at is not None:
        return Status.MET if done_at <= due_at else Status.LATE
    if now > due_at:
        return Status.OVERDUE
    return Status.DUE_SOON if due_at - now <= warn else Status.RUNNING


def clocks(times: Times, now: datetime, limits: Limits) -> list[Timing]:
    """The three clocks of an accepted matter (none before it is accepted). The escalation clock
    is met by an escalation or by the handler's reply, whichever comes first."""
    start = times.accepted_at
    if start is None:
        return []
    if times.escalated_at is not None:
        handler_due = times.escalated_at + limits.escalated_reply
    else:
        handler_due = start + limits.handler_reply
    escalation_done = min((t for t in (times.escalated_at, times.handler_replied_at) if t is not None), default=None)
    reply = limits.reply_major if times.severity == "major" else limits.reply_general
    return [
        Timing(Clock.HANDLER_REPLY, handler_due, times.handler_replied_at,
               _status(handler_due, times.handler_replied_at, now, limits.warn)),
        Timing(Clock.ESCALATION, start + limits.escalate, escalation_done,
               _status(start + limits.escalate, escalation_done, now, limits.warn)),
        Timing(Clock.CUSTOMER_REPLY, start + reply, times.answered_at,
               _status(start + reply, times.answered_at, now, limits.warn)),
    ]


URGENCY = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.RUNNING: 2, Status.LATE: 3, Status.MET: 4}


def most_urgent(timings: list[Timing]) -> Timing | None:
    """The running clock to look at first: overdue before due soon, then the soonest."""
    running = [t for t in timings if t.done_at is None]
    return min(running, key=lambda t: (URGENCY[t.status], t.due_at), default=None)
