"""The complaints / feedback services (services/feedback.py) on the demo community, on the fixed
clock: a major complaint from intake to closed with its three clocks and its events, a request
judged invalid, what a clerk may not type (nothing saved), refused transitions, the append-only
event log, the list, group complaints and notices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.feedback import Clock, Limits, Status, TransitionRefused
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import feedback as svc
from deskapp.services.visits import FieldError
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, Feedback, FeedbackEvent, Notice

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the clock fixture's time, local
CLERK, COLLEAGUE, SUPERVISOR, ENGINEER = 1, 2, 4, 6  # demo: 陈小雨, 林晓婷, 黄丽娟, 王建华
CLERK_NAME, COLLEAGUE_NAME, SUPERVISOR_NAME, ENGINEER_NAME = "陈小雨", "林晓婷", "黄丽娟", "王建华"
UNIT = "1-1-201"
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

# -- helpers ------------------------------------------------------------------------------------------


def _receive(store: Store, clock: FixedClock, staff: int = CLERK, **kw: object) -> int:
    kw.setdefault("what", "楼上漏水到我家卫生间")
    kw.setdefault("wants", "尽快维修并赔偿")
    kw.setdefault("unit_code", UNIT)
    kw.setdefault("customer", "王先生")
    kw.setdefault("phone", "13800000001")
    return svc.receive(store, clock, staff, **kw)


def _open(store: Store, clock: FixedClock, staff: int = CLERK, *, kind: str = "complaint", severity: str = "general",
          **kw: object) -> int:
    record = _receive(store, clock, staff, **kw)
    svc.judge_valid(store, clock, staff, record, kind=kind, category="property_management", severity=severity,
                    department="工程部", handler=ENGINEER_NAME)
    return record


def _replied(store: Store, clock: FixedClock) -> int:
    record = _open(store, clock)
    svc.handler_reply(store, clock, ENGINEER, record, "已更换楼上水管")
    return record


def _answered(store: Store, clock: FixedClock) -> int:
    record = _replied(store, clock)
    svc.answer(store, clock, CLERK, record, "已维修，请您查看")
    return record


def _invalid(store: Store, clock: FixedClock) -> int:
    record = _receive(store, clock)
    svc.judge_invalid(store, clock, CLERK, record, "不属于物业管理范围")
    return record


def _closed(store: Store, clock: FixedClock) -> int:
    record = _answered(store, clock)
    assert svc.callback(store, clock, CLERK, record, True, "满意") == "closed"
    return record


def _record_in(state: str | None, store: Store, clock: FixedClock) -> int | None:
    if state is None:
        return None
    make = {
        "received": _receive, "open": _open, "handler_replied": _replied, "answered": _answered,
        "invalid": _invalid, "closed": _closed,
    }[state]
    record = make(store, clock)
    assert _row(store, record)["state"] == state
    return record


def _counts(store: Store) -> dict[str, int]:
    """Rows of every table a feedback call may write."""
    with store.read() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Feedback, FeedbackEvent, AuditEvent, Notice)
        }


def _row(store: Store, record_id: int) -> dict:
    with store.read() as session:
        return session.get(Feedback, record_id).model_dump()


def _timings(view: svc.FeedbackView) -> dict[Clock, tuple[datetime, datetime | None, Status]]:
    return {t.clock: (t.due_at, t.done_at, t.status) for t in view.clocks}


# -- the whole life -------------------------------------------------------------------------------------


def test_a_major_complaint_by_phone_from_intake_to_closed(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """received → open (three clocks) → escalated after the 2 h → handler's reply → answer → a failed
    callback opens it again with the clocks restarted → answer → callback satisfied → closed. Each
    step an event in order (who, from, to, details) and an audit line."""
    record = svc.receive(demo_store, clock, CLERK, what="  电梯  经常\n困人 ", wants="彻底检修", unit_code=UNIT,
                         customer="王先生", phone="13800000001", channel="phone")
    view, events = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.channel, view.what, view.wants) == ("received", "phone", "电梯 经常 困人", "彻底检修")
    assert (view.unit, view.customer, view.phone) == (UNIT, "王先生", "13800000001")
    assert (view.received_at, view.received_by_id, view.received_by) == (NOW, CLERK, CLERK_NAME)
    assert view.clocks == [] and view.urgent is None and view.accepted_at is None
    assert view.no == f"TS{record:06d}"

    svc.judge_valid(demo_store, clock, CLERK, record, kind="complaint", category="engineering_quality",
                    severity="major", department=" 工程部 ", handler=ENGINEER_NAME)
    view, _ = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.kind, view.category, view.severity) == ("open", "complaint", "engineering_quality", "major")
    assert (view.department, view.handler, view.accepted_at) == ("工程部", ENGINEER_NAME, NOW)
    assert _timings(view) == {
        Clock.HANDLER_REPLY: (NOW + 24 * H, None, Status.RUNNING),
        Clock.ESCALATION: (NOW + 2 * H, None, Status.RUNNING),
        Clock.CUSTOMER_REPLY: (NOW + 48 * H, None, Status.RUNNING),
    }
    assert [t.clock for t in view.clocks] == [Clock.HANDLER_REPLY, Clock.ESCALATION, Clock.CUSTOMER_REPLY]
    assert svc.due_feedback(demo_store, clock, policy) == []

    clock.advance(hours=1, minutes=30)  # 11:30: the escalation is due within the hour
    (due,) = svc.due_feedback(demo_store, clock, policy)
    assert due.id == record and due.urgent.clock is Clock.ESCALATION and due.urgent.status is Status.DUE_SOON

    clock.advance(minutes=31)  # 12:01: two hours passed without a reply from the handler
    view, _ = svc.get(demo_store, clock, policy, record)
    assert _timings(view)[Clock.ESCALATION] == (NOW + 2 * H, None, Status.OVERDUE)
    assert view.overdue() and view.urgent.clock is Clock.ESCALATION
    (due,) = svc.due_feedback(demo_store, clock, policy)
    assert due.id == record and due.urgent.status is Status.OVERDUE
    assert [v.id for v in svc.list_feedback(demo_store, clock, policy, show="overdue")] == [record]

    escalated_at = clock.now()
    svc.escalate(demo_store, clock, CLERK, record, "黄丽娟 客服主管", "需协调电梯维保公司")
    view, events = svc.get(demo_store, clock, policy, record)
    assert view.state == "open"
    assert (view.escalated_at, view.escalated_to) == (escalated_at, "黄丽娟 客服主管")
    assert events[-1].detail == {"escalated_to": "黄丽娟 客服主管", "reason": "需协调电梯维保公司"}
    timings = _timings(view)
    assert timings[Clock.ESCALATION] == (NOW + 2 * H, escalated_at, Status.LATE)  # done, a minute after the 2 h
    assert timings[Clock.HANDLER_REPLY] == (escalated_at + 24 * H, None, Status.RUNNING)  # 24 h from the escalation
    assert timings[Clock.CUSTOMER_REPLY] == (NOW + 48 * H, None, Status.RUNNING)
    assert not view.overdue()
    assert svc.due_feedback(demo_store, clock, policy) == []

    clock.advance(hours=20)  # tomorrow 08:01
    replied_at = clock.now()
    svc.handler_reply(demo_store, clock, ENGINEER, record, "已更换电梯门机板")
    view, _ = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.handler_reply) == ("handler_replied", "已更换电梯门机板")
    assert _timings(view)[Clock.HANDLER_REPLY] == (escalated_at + 24 * H, replied_at, Status.MET)
    assert _timings(view)[Clock.ESCALATION][1] == escalated_at  # the escalation came first

    clock.advance(hours=1)
    answered_at = clock.now()
    svc.answer(demo_store, clock, CLERK, record, "电梯已修复，请您试用")
    view, _ = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.answer) == ("answered", "电梯已修复，请您试用")
    assert _timings(view)[Clock.CUSTOMER_REPLY] == (NOW + 48 * H, answered_at, Status.MET)
    assert view.urgent is None

    clock.advance(hours=3)
    failed_at = clock.now()
    assert svc.callback(demo_store, clock, COLLEAGUE, record, False, "  还是 困人 ") == "open"
    view, _ = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.reopened, view.callback_result) == ("open", 1, "还是 困人")
    assert view.accepted_at == failed_at and view.escalated_at is None
    assert view.closed_at is None
    assert _timings(view) == {  # the clocks start again from the callback
        Clock.HANDLER_REPLY: (failed_at + 24 * H, None, Status.RUNNING),
        Clock.ESCALATION: (failed_at + 2 * H, None, Status.RUNNING),
        Clock.CUSTOMER_REPLY: (failed_at + 48 * H, None, Status.RUNNING),
    }

    clock.advance(hours=1)
    svc.answer(demo_store, clock, CLERK, record, "已请维保公司全面检修")  # straight from open
    assert svc.get(demo_store, clock, policy, record)[0].state == "answered"
    clock.advance(hours=2)
    assert svc.callback(demo_store, clock, COLLEAGUE, record, True, "满意") == "closed"

    view, events = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.closed_at, view.callback_result, view.reopened) == ("closed", clock.now(), "满意", 1)
    assert view.clocks == [] and view.urgent is None and not view.overdue()

    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in events]
    assert steps == [
        ("receive", "", "received", CLERK_NAME),
        ("judge_valid", "received", "open", CLERK_NAME),
        ("escalate", "open", "open", CLERK_NAME),
        ("handler_reply", "open", "handler_replied", ENGINEER_NAME),
        ("answer", "handler_replied", "answered", CLERK_NAME),
        ("callback_failed", "answered", "open", COLLEAGUE_NAME),
        ("answer", "open", "answered", CLERK_NAME),
        ("callback_ok", "answered", "closed", COLLEAGUE_NAME),
    ]
    times = [e.at for e in events]
    assert times == sorted(times) and times[0] == NOW and times[-1] == clock.now()
    assert times[2] == escalated_at and times[5] == failed_at
    assert events[0].detail == {"channel": "phone"}
    assert events[1].detail == {"kind": "complaint", "category": "engineering_quality", "severity": "major",
                                "department": "工程部", "handler": ENGINEER_NAME}
    assert events[3].detail == {"text": "已更换电梯门机板"}
    assert events[5].detail == {"result": "还是 困人"}
    assert events[7].detail == {"result": "满意"}

    with demo_store.read() as session:
        seqs = session.exec(select(FeedbackEvent.seq).where(FeedbackEvent.feedback_id == record)
                            .order_by(FeedbackEvent.id)).all()
        audited = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "feedback", AuditEvent.entity_id == record)
                               .order_by(AuditEvent.id)).all()
    assert seqs == list(range(1, 9))
    assert audited == [f"feedback.{action}" for action, *_ in steps]


def test_the_callback_time_is_kept_on_the_record(demo_store: Store, clock: FixedClock) -> None:
    """回访: when the customer was called back is kept (the record's callback_at), failed or not."""
    record = _answered(demo_store, clock)
    clock.advance(hours=5)
    svc.callback(demo_store, clock, CLERK, record, False, "不满意")
    assert _row(demo_store, record)["callback_at"] == clock.now()
    svc.answer(demo_store, clock, CLERK, record, "再次答复")
    clock.advance(hours=1)
    svc.callback(demo_store, clock, CLERK, record, True, "")
    assert _row(demo_store, record)["callback_at"] == clock.now()


def test_an_invalid_request_is_closed_with_its_reason(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Not a valid request: explained to the customer, closed with the reason; no clock, not open."""
    record = _receive(demo_store, clock, what="要求物业赔偿私家车划痕", unit_code="")
    clock.advance(minutes=10)
    svc.judge_invalid(demo_store, clock, COLLEAGUE, record, "  车辆为业主自行停放 \n 非物业责任 ")
    view, events = svc.get(demo_store, clock, policy, record)
    assert (view.state, view.invalid_reason, view.closed_at) == ("invalid", "车辆为业主自行停放 非物业责任", clock.now())
    assert view.accepted_at is None and view.clocks == [] and view.unit == ""
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in events] == [
        ("receive", "", "received", CLERK_NAME), ("judge_invalid", "received", "invalid", COLLEAGUE_NAME),
    ]
    assert events[1].detail == {"reason": "车辆为业主自行停放 非物业责任"}
    assert record not in [v.id for v in svc.list_feedback(demo_store, clock, policy, show="open")]
    assert record in [v.id for v in svc.list_feedback(demo_store, clock, policy, show="all")]
    with pytest.raises(TransitionRefused):
        svc.judge_valid(demo_store, clock, CLERK, record, kind="complaint", category="other", severity="general",
                        department="客服部")


def test_escalating_within_two_hours_meets_the_escalation_clock(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    record = _open(demo_store, clock)
    clock.advance(minutes=90)
    svc.escalate(demo_store, clock, CLERK, record, "客服主管", "业主情绪激动")
    view, events = svc.get(demo_store, clock, policy, record)
    timings = _timings(view)
    assert timings[Clock.ESCALATION] == (NOW + 2 * H, NOW + 90 * MIN, Status.MET)
    assert timings[Clock.HANDLER_REPLY][0] == NOW + 90 * MIN + 24 * H
    assert [e.action for e in events] == ["receive", "judge_valid", "escalate"]
    # escalating again (still open) is allowed and moves the handler clock again
    clock.advance(hours=5)
    svc.escalate(demo_store, clock, SUPERVISOR, record, "公司总经理", "主管无法协调")
    view, events = svc.get(demo_store, clock, policy, record)
    assert view.escalated_to == "公司总经理" and events[-1].actor == SUPERVISOR_NAME
    assert _timings(view)[Clock.HANDLER_REPLY][0] == clock.now() + 24 * H


def test_the_handlers_reply_meets_the_escalation_clock(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    record = _open(demo_store, clock)
    clock.advance(minutes=45)
    svc.handler_reply(demo_store, clock, ENGINEER, record, "已处理")
    timings = _timings(svc.get(demo_store, clock, policy, record)[0])
    assert timings[Clock.ESCALATION] == (NOW + 2 * H, NOW + 45 * MIN, Status.MET)
    assert timings[Clock.HANDLER_REPLY] == (NOW + 24 * H, NOW + 45 * MIN, Status.MET)
    assert timings[Clock.CUSTOMER_REPLY] == (NOW + 24 * H, None, Status.RUNNING)  # general: 24 h
    clock.advance(hours=24)
    timings = _timings(svc.get(demo_store, clock, policy, record)[0])
    assert timings[Clock.CUSTOMER_REPLY][2] is Status.OVERDUE
    assert [v.id for v in svc.due_feedback(demo_store, clock, policy)] == [record]


def test_the_record_keeps_what_was_taken_at_the_counter(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    record = svc.receive(demo_store, clock, COLLEAGUE, what="建议增加 儿童游乐设施", unit_code=" 1-1-202 ",
                         channel="letter", source_kind="call", source_id=7)
    with demo_store.read() as session:
        row = session.get(Feedback, record)
    assert (row.channel, row.source_kind, row.source_id, row.state) == ("letter", "call", 7, "received")
    assert (row.received_at, row.received_by_id, row.what, row.wants) == (NOW, COLLEAGUE, "建议增加 儿童游乐设施", "")
    view, (event,) = svc.get(demo_store, clock, policy, record)
    assert view.unit == "1-1-202" and view.received_by == COLLEAGUE_NAME
    assert (event.action, event.to_state, event.actor, event.detail) == ("receive", "received", COLLEAGUE_NAME,
                                                                          {"channel": "letter"})
    for channel in ("counter", "phone", "online"):
        other = _receive(demo_store, clock, channel=channel)
        assert _row(demo_store, other)["channel"] == channel


def test_the_limits_come_from_the_policy(policy: Policy) -> None:
    """data/policy.toml [feedback] and the promise warning window."""
    assert svc.limits(policy) == Limits(
        handler_reply=24 * H, escalate=2 * H, escalated_reply=24 * H, reply_general=24 * H, reply_major=48 * H,
        warn=60 * MIN,
    )


def test_record_numbers_print_with_six_digits() -> None:
    assert svc.number(12) == "TS000012"
    assert svc.number(1) == "TS000001"
    assert svc.number(1234567) == "TS1234567"


# -- what may not be typed ------------------------------------------------------------------------------

REFUSED_INPUT = {
    # case: (field, state of the record first made, the call)
    "empty what": ("what", None, lambda s, c, r: _receive(s, c, what=" \n ")),
    "too long what": ("what", None, lambda s, c, r: _receive(s, c, what="漏" * 401)),
    "too long wants": ("wants", None, lambda s, c, r: _receive(s, c, wants="x" * 401)),
    "unknown unit": ("unit", None, lambda s, c, r: _receive(s, c, unit_code="9-9-999")),
    "bad channel": ("channel", None, lambda s, c, r: _receive(s, c, channel="fax")),
    "bad kind": ("kind", "received", lambda s, c, r: svc.judge_valid(
        s, c, CLERK, r, kind="praise", category="other", severity="general", department="客服部")),
    "bad category": ("category", "received", lambda s, c, r: svc.judge_valid(
        s, c, CLERK, r, kind="complaint", category="noise", severity="general", department="客服部")),
    "bad severity": ("severity", "received", lambda s, c, r: svc.judge_valid(
        s, c, CLERK, r, kind="complaint", category="other", severity="urgent", department="客服部")),
    "empty department": ("department", "received", lambda s, c, r: svc.judge_valid(
        s, c, CLERK, r, kind="complaint", category="other", severity="general", department="   ")),
    "empty invalid reason": ("reason", "received", lambda s, c, r: svc.judge_invalid(s, c, CLERK, r, " \t ")),
    "empty escalation target": ("to", "open", lambda s, c, r: svc.escalate(s, c, CLERK, r, "  ", "处理不了")),
    "empty escalation reason": ("reason", "open", lambda s, c, r: svc.escalate(s, c, CLERK, r, "客服主管", "")),
    "empty handler reply": ("text", "open", lambda s, c, r: svc.handler_reply(s, c, ENGINEER, r, " ")),
    "empty answer": ("text", "handler_replied", lambda s, c, r: svc.answer(s, c, CLERK, r, "")),
    "failed callback without result": ("result", "answered", lambda s, c, r: svc.callback(s, c, CLERK, r, False, "  ")),
    "a group of one": ("group", "open", lambda s, c, r: svc.link_group(s, c, CLERK, [r])),
    "a group of the same one twice": ("group", "open", lambda s, c, r: svc.link_group(s, c, CLERK, [r, r])),
    "a notice without title": ("title", "open", lambda s, c, r: svc.draft_notice(s, c, CLERK, " ", "停水通知", r)),
    "a notice without text": ("text", "open", lambda s, c, r: svc.draft_notice(s, c, CLERK, "停水通知", " \n ", r)),
}


@pytest.mark.parametrize("case", list(REFUSED_INPUT))
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(case: str, demo_store: Store, clock: FixedClock) -> None:
    field, state, call = REFUSED_INPUT[case]
    record = _record_in(state, demo_store, clock)
    before = _counts(demo_store)
    row_before = _row(demo_store, record) if record else None

    with pytest.raises(FieldError) as refused:
        call(demo_store, clock, record)

    assert refused.value.field == field
    assert refused.value.key.startswith("feedback.")
    assert _counts(demo_store) == before
    if record:
        assert _row(demo_store, record) == row_before


def test_boundary_input_is_accepted(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The edges of the refusals above: 400 characters, no unit, no wants, no handler named, a
    satisfied callback with nothing to say."""
    record = _receive(demo_store, clock, what="漏" * 400, wants="", unit_code="  ")
    assert _row(demo_store, record)["unit_id"] is None
    svc.judge_valid(demo_store, clock, CLERK, record, kind="staff", category="other", severity="general", department="客服部")
    assert _row(demo_store, record)["handler"] == ""
    svc.answer(demo_store, clock, CLERK, record, "已答复")
    assert svc.callback(demo_store, clock, CLERK, record, True, "") == "closed"
    assert svc.get(demo_store, clock, policy, record)[0].callback_result == ""


def test_notice_channels_are_refused_unless_known(demo_store: Store, clock: FixedClock) -> None:
    notice = svc.draft_notice(demo_store, clock, CLERK, "停水通知", "明日 9:00-12:00 停水")
    before = _counts(demo_store)
    with demo_store.read() as session:
        row_before = session.get(Notice, notice).model_dump()
    for channels in ([], ["fax"], ["board", "fax"], ["Board"]):
        with pytest.raises(FieldError) as refused:
            svc.publish_notice(demo_store, clock, CLERK, notice, channels)
        assert refused.value.field == "channels"
    assert _counts(demo_store) == before
    with demo_store.read() as session:
        assert session.get(Notice, notice).model_dump() == row_before


# -- refused transitions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "call"),
    [
        ("received", lambda s, c, r: svc.escalate(s, c, CLERK, r, "客服主管", "x")),
        ("received", lambda s, c, r: svc.handler_reply(s, c, ENGINEER, r, "x")),
        ("received", lambda s, c, r: svc.answer(s, c, CLERK, r, "x")),
        ("received", lambda s, c, r: svc.callback(s, c, CLERK, r, True, "")),
        ("open", lambda s, c, r: svc.judge_valid(s, c, CLERK, r, kind="complaint", category="other",
                                                 severity="general", department="客服部")),
        ("open", lambda s, c, r: svc.judge_invalid(s, c, CLERK, r, "x")),
        ("open", lambda s, c, r: svc.callback(s, c, CLERK, r, True, "满意")),
        ("open", lambda s, c, r: svc.callback(s, c, CLERK, r, False, "不满意")),
        ("handler_replied", lambda s, c, r: svc.escalate(s, c, CLERK, r, "客服主管", "x")),
        ("handler_replied", lambda s, c, r: svc.handler_reply(s, c, ENGINEER, r, "x")),
        ("handler_replied", lambda s, c, r: svc.callback(s, c, CLERK, r, True, "")),
        ("answered", lambda s, c, r: svc.answer(s, c, CLERK, r, "x")),
        ("answered", lambda s, c, r: svc.escalate(s, c, CLERK, r, "客服主管", "x")),
        ("answered", lambda s, c, r: svc.handler_reply(s, c, ENGINEER, r, "x")),
        ("invalid", lambda s, c, r: svc.judge_invalid(s, c, CLERK, r, "x")),
        ("invalid", lambda s, c, r: svc.escalate(s, c, CLERK, r, "客服主管", "x")),
        ("invalid", lambda s, c, r: svc.answer(s, c, CLERK, r, "x")),
        ("closed", lambda s, c, r: svc.callback(s, c, CLERK, r, True, "")),
        ("closed", lambda s, c, r: svc.callback(s, c, CLERK, r, False, "又坏了")),
        ("closed", lambda s, c, r: svc.answer(s, c, CLERK, r, "x")),
        ("closed", lambda s, c, r: svc.judge_invalid(s, c, CLERK, r, "x")),
    ],
)
def test_a_refused_transition_writes_nothing(state: str, call, demo_store: Store, clock: FixedClock) -> None:
    record = _record_in(state, demo_store, clock)
    clock.advance(minutes=5)
    before, row_before = _counts(demo_store), _row(demo_store, record)
    with pytest.raises(TransitionRefused) as refused:
        call(demo_store, clock, record)
    assert refused.value.state == state
    assert refused.value.key == "feedback.refused"
    assert _counts(demo_store) == before
    assert _row(demo_store, record) == row_before


def test_an_unknown_record_is_not_found(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    before = _counts(demo_store)
    with pytest.raises(DeskappError) as missing:
        svc.get(demo_store, clock, policy, 4242)
    assert missing.value.key == "feedback.not_found" and missing.value.params == {"no": "TS004242"}
    with pytest.raises(DeskappError) as missing:
        svc.judge_invalid(demo_store, clock, CLERK, 4242, "x")
    assert missing.value.key == "feedback.not_found"
    record = _open(demo_store, clock)
    before = _counts(demo_store)
    with pytest.raises(DeskappError) as missing:
        svc.link_group(demo_store, clock, CLERK, [record, 4242])
    assert missing.value.key == "feedback.not_found"
    assert _counts(demo_store) == before and _row(demo_store, record)["group_id"] is None
    with pytest.raises(DeskappError) as missing:
        svc.publish_notice(demo_store, clock, CLERK, 4242, ["board"])
    assert missing.value.key == "feedback.no_notice"
    assert _counts(demo_store) == before


def test_a_change_is_all_or_nothing(demo_store: Store, clock: FixedClock, policy: Policy,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The state, the event and the audit line are one transaction: when the audit line cannot be
    written, neither the state nor the event is left behind."""
    record = _receive(demo_store, clock)
    before, row_before = _counts(demo_store), _row(demo_store, record)

    def fail(*args: object, **kw: object) -> None:
        raise RuntimeError("the audit line could not be written")

    monkeypatch.setattr(svc.audit, "record", fail)
    with pytest.raises(RuntimeError):
        svc.judge_valid(demo_store, clock, CLERK, record, kind="complaint", category="other", severity="major",
                        department="客服部")
    with pytest.raises(RuntimeError):
        _receive(demo_store, clock)
    assert _counts(demo_store) == before
    assert _row(demo_store, record) == row_before
    assert [e.action for e in svc.get(demo_store, clock, policy, record)[1]] == ["receive"]


def test_random_walks_through_the_service_follow_the_state_machine(demo_store: Store, clock: FixedClock,
                                                                   policy: Policy) -> None:
    """Seeded random calls, allowed or not, on a few records: an allowed one adds exactly one event
    from the state before to the state the domain names; a refused one writes nothing; the events
    of a record always chain (each from-state the previous to-state)."""
    import random

    from deskapp.domain import feedback as fb

    calls = {
        fb.Action.JUDGE_VALID: lambda r: svc.judge_valid(demo_store, clock, CLERK, r, kind="complaint", category="other",
                                                         severity="major", department="客服部"),
        fb.Action.JUDGE_INVALID: lambda r: svc.judge_invalid(demo_store, clock, CLERK, r, "无效"),
        fb.Action.ESCALATE: lambda r: svc.escalate(demo_store, clock, CLERK, r, "客服主管", "处理不了"),
        fb.Action.HANDLER_REPLY: lambda r: svc.handler_reply(demo_store, clock, ENGINEER, r, "已处理"),
        fb.Action.ANSWER: lambda r: svc.answer(demo_store, clock, CLERK, r, "已答复"),
        fb.Action.CALLBACK_OK: lambda r: svc.callback(demo_store, clock, CLERK, r, True, "满意"),
        fb.Action.CALLBACK_FAILED: lambda r: svc.callback(demo_store, clock, CLERK, r, False, "不满意"),
    }
    rng = random.Random(20261124)
    for _ in range(6):
        record = _receive(demo_store, clock)
        for _ in range(25):
            action = rng.choice(list(fb.Action))
            state = _row(demo_store, record)["state"]
            before = _counts(demo_store)
            clock.advance(minutes=rng.randint(1, 300))
            if action in fb.actions_from(state):
                calls[action](record)
                assert _row(demo_store, record)["state"] == fb.target(state, action)
                assert _counts(demo_store)["FeedbackEvent"] == before["FeedbackEvent"] + 1
            else:
                with pytest.raises(TransitionRefused):
                    calls[action](record)
                assert _counts(demo_store) == before
        view, events = svc.get(demo_store, clock, policy, record)
        assert [e.from_state for e in events[1:]] == [e.to_state for e in events[:-1]]
        assert events[-1].to_state == view.state
        assert (view.clocks == []) is (view.state in ("received", "invalid", "closed"))
        assert view.reopened == sum(e.action == "callback_failed" for e in events)


# -- the event log is append-only ----------------------------------------------------------------------------


def test_feedback_events_cannot_be_changed_or_removed(demo_store: Store, clock: FixedClock) -> None:
    record = _replied(demo_store, clock)
    with demo_store.read() as session:
        before = [e.model_dump() for e in session.exec(select(FeedbackEvent).order_by(FeedbackEvent.id)).all()]
    assert len(before) == 3

    for statement in (
        "UPDATE feedback_event SET to_state = 'closed'",
        f"UPDATE feedback_event SET actor_id = {SUPERVISOR} WHERE feedback_id = {record}",
        f"UPDATE feedback_event SET detail = '{{}}' WHERE feedback_id = {record} AND seq = 3",
        "DELETE FROM feedback_event",
        f"DELETE FROM feedback_event WHERE feedback_id = {record} AND seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), demo_store.engine.begin() as connection:
            connection.execute(text(statement))

    with demo_store.read() as session:
        after = [e.model_dump() for e in session.exec(select(FeedbackEvent).order_by(FeedbackEvent.id)).all()]
    assert after == before
    # the record itself may change (that is what the events are for)
    svc.answer(demo_store, clock, CLERK, record, "已答复")
    assert _counts(demo_store)["FeedbackEvent"] == 4


def test_the_event_detail_is_json(demo_store: Store, clock: FixedClock) -> None:
    record = _open(demo_store, clock)
    svc.escalate(demo_store, clock, CLERK, record, "客服主管", "需要协调")
    with demo_store.read() as session:
        raw = session.exec(select(FeedbackEvent.detail).where(FeedbackEvent.feedback_id == record,
                                                              FeedbackEvent.seq == 3)).one()
    assert json.loads(raw) == {"escalated_to": "客服主管", "reason": "需要协调"}
    assert "需要协调" in raw  # kept readable, not \u-escaped


# -- the list -----------------------------------------------------------------------------------------------


def test_the_list_filters_and_puts_the_most_urgent_first(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    waiting = _receive(demo_store, clock)  # received, not judged: no clock
    late = _open(demo_store, clock)  # escalation due 12:00
    escalated = _open(demo_store, clock, COLLEAGUE)  # escalated at 11:00: next due the customer's reply tomorrow 10:00
    invalid = _invalid(demo_store, clock)
    closed = _closed(demo_store, clock)
    clock.advance(hours=1)  # 11:00
    svc.escalate(demo_store, clock, COLLEAGUE, escalated, "客服主管", "处理不了")
    soon = _open(demo_store, clock, COLLEAGUE, kind="suggestion")  # escalation due 13:00
    clock.advance(hours=1)  # 12:00
    running = _open(demo_store, clock, kind="staff")  # escalation due 14:00
    clock.advance(minutes=30)  # 12:30

    def ids(**kw: object) -> list[int]:
        return [v.id for v in svc.list_feedback(demo_store, clock, policy, **kw)]

    assert ids(show="open") == [late, soon, running, escalated, waiting]
    assert ids() == ids(show="open")
    assert ids(show="all") == [late, soon, running, escalated, closed, invalid, waiting]
    assert ids(show="overdue") == [late]
    assert ids(show="mine", staff_id=CLERK) == [late, running, waiting]
    assert ids(show="mine", staff_id=COLLEAGUE) == [soon, escalated]
    assert ids(show="mine", staff_id=SUPERVISOR) == []
    assert ids(show="open", kind="suggestion") == [soon]
    assert ids(show="open", kind="staff") == [running]
    assert set(ids(show="open", kind="complaint")) == {late, escalated, waiting}  # not yet judged: the default log
    assert ids(show="all", kind="staff") == [running]
    assert len(ids(show="all", limit=2)) == 2

    rows = svc.list_feedback(demo_store, clock, policy)
    assert [(v.urgent.clock, v.urgent.status) for v in rows[:4]] == [
        (Clock.ESCALATION, Status.OVERDUE), (Clock.ESCALATION, Status.DUE_SOON), (Clock.ESCALATION, Status.RUNNING),
        (Clock.CUSTOMER_REPLY, Status.RUNNING),
    ]
    assert rows[4].urgent is None
    assert [v.id for v in svc.due_feedback(demo_store, clock, policy)] == [late, soon]


def test_an_overdue_record_comes_first_however_old(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A complaint whose customer reply is overdue comes before newer ones still in time, and an
    old overdue record is listed among the open ones whatever the limit."""
    old = _replied(demo_store, clock)  # customer reply due tomorrow 10:00
    clock.advance(hours=24, minutes=1)
    newer = [_open(demo_store, clock) for _ in range(3)]
    rows = svc.list_feedback(demo_store, clock, policy, show="open", limit=2)
    assert rows[0].id == old and rows[0].urgent.clock is Clock.CUSTOMER_REPLY and rows[0].overdue()
    assert {v.id for v in rows} == {old, *newer}
    assert [v.id for v in rows[1:]] == sorted(newer, reverse=True)  # same due time: the newest first
    # the limit cuts only the whole history (the newest first)
    assert [v.id for v in svc.list_feedback(demo_store, clock, policy, show="all", limit=2)] == [newer[-1], newer[-2]]


# -- group complaints -------------------------------------------------------------------------------------


def test_a_group_complaint_links_to_the_first_record(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    first, second, third = (_open(demo_store, clock, unit_code=u) for u in ("1-1-201", "1-1-202", "1-1-101"))
    alone = _open(demo_store, clock)
    audit_before = _counts(demo_store)["AuditEvent"]
    assert svc.link_group(demo_store, clock, CLERK, [third, first, second, third]) == first
    for record in (first, second, third):
        assert svc.get(demo_store, clock, policy, record)[0].group_id == first
    assert svc.get(demo_store, clock, policy, alone)[0].group_id is None
    with demo_store.read() as session:
        grouped = session.exec(select(AuditEvent.entity_id, AuditEvent.detail).where(AuditEvent.action == "feedback.grouped")
                               .order_by(AuditEvent.id)).all()
    assert [(i, json.loads(d)) for i, d in grouped] == [(r, {"group": first}) for r in (first, second, third)]
    assert _counts(demo_store)["AuditEvent"] == audit_before + 3

    # linking again changes nothing and writes nothing
    before = _counts(demo_store)
    assert svc.link_group(demo_store, clock, CLERK, [first, second]) == first
    assert _counts(demo_store) == before
    # a later record joins the group
    assert svc.link_group(demo_store, clock, CLERK, [alone, second]) == first
    assert svc.get(demo_store, clock, policy, alone)[0].group_id == first


def test_linking_into_an_earlier_record_keeps_the_whole_group_together(demo_store: Store, clock: FixedClock,
                                                                       policy: Policy) -> None:
    """Records 2 and 3 are a group; then 1 and 3 are found to be about the same thing: all three
    are one group, linked to the first record."""
    one, two, three = (_open(demo_store, clock) for _ in range(3))
    assert svc.link_group(demo_store, clock, CLERK, [two, three]) == two
    assert svc.link_group(demo_store, clock, CLERK, [one, three]) == one
    groups = {r: svc.get(demo_store, clock, policy, r)[0].group_id for r in (one, two, three)}
    assert groups == {one: one, two: one, three: one}


# -- notices ----------------------------------------------------------------------------------------------


def test_a_notice_is_drafted_then_recorded_as_published(demo_store: Store, clock: FixedClock) -> None:
    record = _open(demo_store, clock)
    notice = svc.draft_notice(demo_store, clock, CLERK, "  电梯 检修通知 ", "  11月25日 9:00-12:00 3栋电梯检修 \n", record)
    with demo_store.read() as session:
        row = session.get(Notice, notice)
    assert (row.title, row.text, row.feedback_id) == ("电梯 检修通知", "11月25日 9:00-12:00 3栋电梯检修", record)
    assert (row.created_at, row.created_by_id, row.channels, row.published_at) == (NOW, CLERK, "[]", None)

    clock.advance(minutes=20)
    svc.publish_notice(demo_store, clock, COLLEAGUE, notice, ["sms", "board", "sms", "letterbox"])
    with demo_store.read() as session:
        row = session.get(Notice, notice)
        audited = session.exec(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.detail)
                               .where(AuditEvent.entity == "notice", AuditEvent.entity_id == notice)
                               .order_by(AuditEvent.id)).all()
    assert json.loads(row.channels) == ["board", "letterbox", "sms"]
    assert row.published_at == NOW + 20 * MIN
    assert [(a, who) for a, who, _ in audited] == [("notice.drafted", CLERK), ("notice.published", COLLEAGUE)]
    assert json.loads(audited[1][2]) == {"channels": ["board", "letterbox", "sms"]}

    unattached = svc.draft_notice(demo_store, clock, CLERK, "t" * 150, "正文")
    with demo_store.read() as session:
        row = session.get(Notice, unattached)
    assert row.feedback_id is None and row.title == "t" * 100
