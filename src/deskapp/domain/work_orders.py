"""The repair work order's life (seed 001 第三章 报修管理流程) as a state machine, and its clocks.

received → dispatched → on site → (review by the team leader) → done → signed → closed.
A household repair is signed by the owner and then called back by a clerk (回访); a public-area
repair is signed by the area's customer-service officer and closes there (001 第三章 6 注意事项 1).
A failed callback reopens the order (received again, to be dispatched anew). A request outside
engineering's capability is referred to a specialist and ends at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from deskapp.errors import DeskappError


class State(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    REVIEW = "review"
    DONE = "done"
    SIGNED = "signed"
    CLOSED = "closed"
    REFERRED = "referred"


class Area(StrEnum):
    HOUSEHOLD = "household"  # 入户维修
    PUBLIC = "public"  # 公共维修


class Action(StrEnum):
    DISPATCH = "dispatch"
    REFER = "refer"
    ARRIVE = "arrive"
    REVIEW = "review"  # the repairman reports to the team leader (需要报告班长进行技术分析和评审)
    RESUME = "resume"  # back on site after the review
    FINISH = "finish"  # repaired: parts, labour, the total charged
    SIGN = "sign"
    CALLBACK_OK = "callback_ok"
    CALLBACK_FAILED = "callback_failed"
    RESCHEDULE = "reschedule"
    ESCALATE = "escalate"


ENDED = frozenset({State.CLOSED, State.REFERRED})
OPEN = frozenset(State) - ENDED

# action → the states it may be taken from. The target is in `target()`: most are fixed, sign
# depends on the area, reschedule and escalate keep or reset the visit.
ALLOWED: dict[Action, frozenset[State]] = {
    Action.DISPATCH: frozenset({State.RECEIVED}),
    Action.REFER: frozenset({State.RECEIVED}),
    Action.ARRIVE: frozenset({State.DISPATCHED}),
    Action.REVIEW: frozenset({State.ON_SITE}),
    Action.RESUME: frozenset({State.REVIEW}),
    Action.FINISH: frozenset({State.ON_SITE}),
    Action.SIGN: frozenset({State.DONE}),
    Action.CALLBACK_OK: frozenset({State.SIGNED}),
    Action.CALLBACK_FAILED: frozenset({State.SIGNED}),
    # A new appointment while a visit is still to come or under way (parts, a long review).
    Action.RESCHEDULE: frozenset({State.DISPATCHED, State.ON_SITE, State.REVIEW}),
    Action.ESCALATE: OPEN,
}

_FIXED: dict[Action, State] = {
    Action.DISPATCH: State.DISPATCHED,
    Action.REFER: State.REFERRED,
    Action.ARRIVE: State.ON_SITE,
    Action.REVIEW: State.REVIEW,
    Action.RESUME: State.ON_SITE,
    Action.FINISH: State.DONE,
    Action.CALLBACK_OK: State.CLOSED,
    Action.CALLBACK_FAILED: State.RECEIVED,
    Action.RESCHEDULE: State.DISPATCHED,
}


class TransitionRefused(DeskappError):
    """`action` cannot be taken from `state`."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__("work_order.refused", state=state, action=action)
        self.state = state
        self.action = action


def allowed(state: str, action: str) -> bool:
    return State(state) in ALLOWED[Action(action)]


def target(state: str, action: str, area: str) -> State:
    """The state after `action`; TransitionRefused when the action is not allowed from `state`."""
    if not allowed(state, action):
        raise TransitionRefused(state, action)
    act = Action(action)
    if act is Action.SIGN:
        return State.SIGNED if Area(area) is Area.HOUSEHOLD else State.CLOSED
    if act is Action.ESCALATE:
        return State(state)
    return _FIXED[act]


def actions_from(state: str) -> list[Action]:
    return [a for a in Action if State(state) in ALLOWED[a]]


# -- clocks ------------------------------------------------------------------------------------


class Limit(StrEnum):
    """What the order waits on, with a time limit."""

    ARRIVAL = "arrival"  # the repairman on site: the appointment + 15 minutes (001 第三章 2)
    REVIEW = "review"  # back on site within 30 minutes of the review (001 第三章 4)
    CALLBACK = "callback"  # the clerk calls the owner back (001 第三章 7; limit: a site setting)


@dataclass(frozen=True)
class Deadline:
    limit: Limit
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    def left(self, now: datetime) -> timedelta:
        return self.due_at - now


def deadline(
    state: str, *, promised_at: datetime | None, review_started_at: datetime | None, signed_at: datetime | None,
    review_limit: timedelta, callback_limit: timedelta,
) -> Deadline | None:
    """The time limit the order is running against in `state`, if any."""
    s = State(state)
    if s is State.DISPATCHED and promised_at is not None:
        return Deadline(Limit.ARRIVAL, promised_at)
    if s is State.REVIEW and review_started_at is not None:
        return Deadline(Limit.REVIEW, review_started_at + review_limit)
    if s is State.SIGNED and signed_at is not None:
        return Deadline(Limit.CALLBACK, signed_at + callback_limit)
    return None


def promised_arrival(appointment: datetime, arrival_limit: timedelta) -> datetime:
    """按照维修预约时间……在15分钟内到达现场: due the appointment plus the policy's minutes."""
    return appointment + arrival_limit


def late(arrived_at: datetime, promised_at: datetime | None) -> bool:
    return promised_at is not None and arrived_at > promised_at


# -- money ---------------------------------------------------------------------------------------


def part_cost_fen(quantity_centi: int, unit_price_fen: int) -> int:
    """Quantity in hundredths (2.5 m = 250) × unit price, rounded half up to the fen."""
    return (quantity_centi * unit_price_fen + 50) // 100


def total_fen(parts: list[tuple[int, int]], labour_fen: int) -> int:
    """The total charged: every part (quantity_centi, unit price) plus labour."""
    return sum(part_cost_fen(q, p) for q, p in parts) + labour_fen
