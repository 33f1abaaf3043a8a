"""Complaints, suggestions and staff feedback: intake, judged valid or not, classified and routed,
the three clocks, escalation, the handler's reply, the answer to the customer, the callback.

Each change is one transaction: the record, its event (who, when, from, to, details) and the
audit line. Bad input is a FieldError at its field; nothing is saved half-way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from deskapp.clock import Clock
from deskapp.domain import feedback as fb
from deskapp.domain.feedback import Action, Limits, State, Timing
from deskapp.domain.inputs import keepable
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import audit
from deskapp.services.visits import FieldError
from deskapp.store import versions
from deskapp.store.engine import Store
from deskapp.store.tables import Feedback, FeedbackEvent, Notice, Staff, Unit

RECORD = "feedback"
MAX_TEXT = 400


def number(record_id: int) -> str:
    """As said and printed: TS000012 (投诉)."""
    return f"TS{record_id:06d}"


def limits(policy: Policy) -> Limits:
    return Limits(
        handler_reply=policy.duration("feedback.handler_reply_hours"),
        escalate=policy.duration("feedback.handler_escalate_hours"),
        escalated_reply=policy.duration("feedback.handler_escalated_reply_hours"),
        reply_general=policy.duration("feedback.reply_general_hours"),
        reply_major=policy.duration("feedback.reply_major_hours"),
        warn=policy.duration("handover.promise_due_soon_minutes"),
    )


@dataclass(frozen=True)
class FeedbackView:
    id: int
    state: str
    kind: str
    channel: str
    unit: str
    customer: str
    phone: str
    what: str
    wants: str
    category: str
    severity: str
    department: str
    handler: str
    invalid_reason: str
    received_at: datetime
    received_by_id: int
    received_by: str
    owner_id: int
    owner: str  # the front desk's owner until closed (一票到底): received_by until a handover
    accepted_at: datetime | None
    escalated_at: datetime | None
    escalated_to: str
    handler_reply: str
    answer: str
    callback_result: str
    closed_at: datetime | None
    reopened: int
    group_id: int | None
    clocks: list[Timing] = field(default_factory=list)
    version: int = 1  # as read: an action taken from this view passes it (store.versions)

    @property
    def no(self) -> str:
        return number(self.id)

    @property
    def urgent(self) -> Timing | None:
        return fb.most_urgent(self.clocks)

    def overdue(self) -> bool:
        return any(t.status is fb.Status.OVERDUE for t in self.clocks)


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    detail: dict


def _text(value: str, field_name: str, required: bool = True) -> str:
    value = " ".join(keepable(value).split())
    if required and not value:
        raise FieldError(field_name, "feedback.required")
    if len(value) > MAX_TEXT:
        raise FieldError(field_name, "feedback.too_long", max=MAX_TEXT)
    return value


def _view(record: Feedback, unit: str | None, clerk: str, owner: str | None, now: datetime, lim: Limits) -> FeedbackView:
    # Once the customer is answered, only the callback is left: the handler's clocks stop there.
    handler_done = record.handler_replied_at or record.answered_at
    times = fb.Times(record.accepted_at, record.severity, record.escalated_at, handler_done, record.answered_at)
    running = record.state not in (State.INVALID, State.CLOSED)
    return FeedbackView(
        record.id, record.state, record.kind, record.channel, unit or "", record.customer, record.phone, record.what,
        record.wants, record.category, record.severity, record.department, record.handler, record.invalid_reason,
        record.received_at, record.received_by_id, clerk, record.owner_id or record.received_by_id, owner or clerk,
        record.accepted_at, record.escalated_at, record.escalated_to,
        record.handler_reply, record.answer, record.callback_result, record.closed_at, record.reopened, record.group_id,
        fb.clocks(times, now, lim) if running else [], record.version,
    )


_Owner = aliased(Staff)


def _query():
    return (
        select(Feedback, Unit.code, Staff.name, _Owner.name)
        .join(Staff, Staff.id == Feedback.received_by_id)
        .outerjoin(_Owner, _Owner.id == Feedback.owner_id)
        .outerjoin(Unit, Unit.id == Feedback.unit_id)
    )


FILTERS = ("open", "mine", "overdue", "all")


def list_feedback(
    store: Store, clock: Clock, policy: Policy, *, show: str = "open", staff_id: int | None = None, kind: str = "",
    limit: int = 300,
) -> list[FeedbackView]:
    """Open (or all) records, the most urgent clock first; `kind` one of the three logs."""
    lim, now = limits(policy), clock.now()
    query = _query()
    if show != "all":
        query = query.where(Feedback.state.not_in([State.INVALID, State.CLOSED]))
    if show == "mine":
        query = query.where(Feedback.owner_id == staff_id)
    if kind:
        query = query.where(Feedback.kind == kind)
    query = query.order_by(Feedback.id.desc()).limit(limit if show == "all" else None)
    with store.read() as session:
        views = [_view(*row, now, lim) for row in session.exec(query).all()]
    if show == "overdue":
        views = [v for v in views if v.overdue()]
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def order(v: FeedbackView):
        t = v.urgent
        return (t is None, fb.URGENCY[t.status] if t else 9, t.due_at if t else far, -v.id)

    return sorted(views, key=order)


def held_by(session: Session, clock: Clock, policy: Policy, staff_id: int | None) -> list[FeedbackView]:
    """Open records the clerk owns at the front desk (一票到底), for a shift handover (everyone's
    with no clerk: Today)."""
    owner = Feedback.owner_id == staff_id if staff_id is not None else Feedback.owner_id.is_not(None)
    rows = session.exec(_query().where(owner, Feedback.state.not_in([State.INVALID, State.CLOSED]))).all()
    now, lim = clock.now(), limits(policy)
    return [_view(*row, now, lim) for row in rows]


def due_feedback(store: Store, clock: Clock, policy: Policy) -> list[FeedbackView]:
    """For Today: open records with a clock due soon or overdue."""
    return [v for v in list_feedback(store, clock, policy, show="open", limit=10_000)
            if v.urgent is not None and v.urgent.status in (fb.Status.OVERDUE, fb.Status.DUE_SOON)]


def get(store: Store, clock: Clock, policy: Policy, record_id: int) -> tuple[FeedbackView, list[EventView]]:
    with store.read() as session:
        row = session.exec(_query().where(Feedback.id == record_id)).first()
        if row is None:
            raise DeskappError("feedback.not_found", no=number(record_id))
        events = session.exec(
            select(FeedbackEvent, Staff.name).join(Staff, Staff.id == FeedbackEvent.actor_id)
            .where(FeedbackEvent.feedback_id == record_id).order_by(FeedbackEvent.seq)
        ).all()
    return _view(*row, clock.now(), limits(policy)), [
        EventView(e.at, name, e.action, e.from_state, e.to_state, json.loads(e.detail)) for e, name in events
    ]


# -- changing -------------------------------------------------------------------------------------


def _load(session: Session, record_id: int, version: int | None = None) -> Feedback:
    """The record to change; refused as changed when the clerk acts on an older `version` of it."""
    record = session.get(Feedback, record_id)
    if record is None:
        raise DeskappError("feedback.not_found", no=number(record_id))
    versions.check(session, record, version)
    return record


def _event(session: Session, clock: Clock, record: Feedback, staff_id: int, action: str, to: str, **detail: object) -> None:
    seq = session.exec(select(func.count()).select_from(FeedbackEvent).where(FeedbackEvent.feedback_id == record.id)).one()
    session.add(FeedbackEvent(
        feedback_id=record.id, seq=seq + 1, at=clock.now(), actor_id=staff_id, action=action, from_state=record.state,
        to_state=to, detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    ))
    audit.record(session, clock, f"feedback.{action}", actor_id=staff_id, entity=RECORD, entity_id=record.id,
                 before=record.state or None, after=to, **detail)
    record.state = to


def receive(
    store: Store, clock: Clock, staff_id: int, *, what: str, wants: str = "", unit_code: str = "", customer: str = "",
    phone: str = "", channel: str = "counter", source_kind: str = "", source_id: int | None = None,
) -> int:
    """A complaint or request taken: what happened and what the customer wants."""
    if channel not in fb.CHANNELS:
        raise FieldError("channel", "feedback.bad_channel")
    what = _text(what, "what")
    wants = _text(wants, "wants", required=False)
    with store.session() as session:
        unit_id = None
        if unit_code.strip():
            unit = session.exec(select(Unit).where(Unit.code == unit_code.strip())).first()
            if unit is None:
                raise FieldError("unit", "feedback.unknown_unit", unit=unit_code.strip())
            unit_id = unit.id
        record = Feedback(
            received_at=clock.now(), received_by_id=staff_id, owner_id=staff_id, channel=channel, source_kind=source_kind, source_id=source_id,
            unit_id=unit_id, customer=customer[:64], phone=phone[:32], what=what, wants=wants, state="",
        )
        session.add(record)
        session.flush()
        _event(session, clock, record, staff_id, "receive", State.RECEIVED, channel=channel)
        return record.id


def judge_invalid(store: Store, clock: Clock, staff_id: int, record_id: int, reason: str, *, version: int | None = None) -> None:
    """Not a valid request: explained to the customer, closed with the reason."""
    reason = _text(reason, "reason")
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, Action.JUDGE_INVALID)
        record.invalid_reason, record.closed_at = reason, clock.now()
        _event(session, clock, record, staff_id, Action.JUDGE_INVALID, to, reason=reason)


def judge_valid(
    store: Store, clock: Clock, staff_id: int, record_id: int, *, kind: str, category: str, severity: str,
    department: str, handler: str = "", version: int | None = None,
) -> None:
    """A valid request, classified and routed to the responsible department: the clocks start."""
    if kind not in tuple(fb.Kind):
        raise FieldError("kind", "feedback.bad_kind")
    if category not in fb.CATEGORIES:
        raise FieldError("category", "feedback.bad_category")
    if severity not in fb.SEVERITIES:
        raise FieldError("severity", "feedback.bad_severity")
    department = _text(department, "department")
    handler = _text(handler, "handler", required=False)
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, Action.JUDGE_VALID)
        record.kind, record.category, record.severity = kind, category, severity
        record.department, record.handler = department[:64], handler[:64]
        record.accepted_at = clock.now()
        _event(session, clock, record, staff_id, Action.JUDGE_VALID, to, kind=kind, category=category,
               severity=severity, department=department, handler=handler)


def escalate(
    store: Store, clock: Clock, staff_id: int, record_id: int, to_whom: str, reason: str, *, version: int | None = None,
) -> None:
    """The handler cannot solve it: reported to the superior (who, when, why)."""
    to_whom = _text(to_whom, "to")
    reason = _text(reason, "reason")
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, Action.ESCALATE)
        record.escalated_at, record.escalated_to = clock.now(), to_whom[:64]
        _event(session, clock, record, staff_id, Action.ESCALATE, to, escalated_to=to_whom, reason=reason)


def handler_reply(store: Store, clock: Clock, staff_id: int, record_id: int, text: str, *, version: int | None = None) -> None:
    """The handler's result, reported to the clerk."""
    text = _text(text, "text")
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, Action.HANDLER_REPLY)
        record.handler_replied_at, record.handler_reply = clock.now(), text
        _event(session, clock, record, staff_id, Action.HANDLER_REPLY, to, text=text)


def answer(store: Store, clock: Clock, staff_id: int, record_id: int, text: str, *, version: int | None = None) -> None:
    """The clerk's reply to the customer (the answer the promise was for)."""
    text = _text(text, "text")
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, Action.ANSWER)
        record.answered_at, record.answer = clock.now(), text
        _event(session, clock, record, staff_id, Action.ANSWER, to, text=text)


def callback(store: Store, clock: Clock, staff_id: int, record_id: int, ok: bool, result: str, *, version: int | None = None) -> str:
    """回访: satisfied → closed; not satisfied → open again, the clocks started anew. Returns the state."""
    result = _text(result, "result", required=not ok)
    action = Action.CALLBACK_OK if ok else Action.CALLBACK_FAILED
    with store.session() as session:
        record = _load(session, record_id, version)
        to = fb.target(record.state, action)
        record.callback_result, record.callback_at = result, clock.now()
        if ok:
            record.closed_at = clock.now()
        else:
            record.reopened += 1
            record.accepted_at = clock.now()
            record.escalated_at = record.handler_replied_at = record.answered_at = None
            record.escalated_to = ""
        _event(session, clock, record, staff_id, action, to, result=result)
        return to.value


def link_group(store: Store, clock: Clock, staff_id: int, record_ids: list[int]) -> int:
    """A group complaint: several owners about one thing. Linked to the first record; returns its id."""
    ids = sorted(set(record_ids))
    if len(ids) < 2:
        raise FieldError("group", "feedback.group_needs_two")
    with store.session() as session:
        records = [_load(session, i) for i in ids]  # an unknown number: not found, nothing linked
        groups = {r.group_id for r in records if r.group_id is not None}
        if groups:  # the members of groups already linked come along: a group is never split
            records += [r for r in session.exec(select(Feedback).where(Feedback.group_id.in_(groups))).all() if r.id not in ids]
        group = min(r.group_id or r.id for r in records)
        for record in records:
            if record.group_id != group:
                record.group_id = group
                audit.record(session, clock, "feedback.grouped", actor_id=staff_id, entity=RECORD, entity_id=record.id, group=group)
        return group


NOTICE_CHANNELS = ("board", "letterbox", "sms")


def draft_notice(store: Store, clock: Clock, staff_id: int, title: str, text: str, record_id: int | None = None) -> int:
    title = _text(title, "title")[:100]
    body = text.strip()
    if not body:
        raise FieldError("text", "feedback.required")
    with store.session() as session:
        notice = Notice(created_at=clock.now(), created_by_id=staff_id, feedback_id=record_id, title=title, text=body)
        session.add(notice)
        session.flush()
        audit.record(session, clock, "notice.drafted", actor_id=staff_id, entity="notice", entity_id=notice.id)
        return notice.id


def publish_notice(store: Store, clock: Clock, staff_id: int, notice_id: int, channels: list[str]) -> None:
    """Recorded as published where it was put up or sent (nothing is sent from here)."""
    if not channels or any(c not in NOTICE_CHANNELS for c in channels):
        raise FieldError("channels", "feedback.bad_channels")
    with store.session() as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise DeskappError("feedback.no_notice", id=notice_id)
        notice.channels = json.dumps(sorted(set(channels)))
        notice.published_at = clock.now()
        audit.record(session, clock, "notice.published", actor_id=staff_id, entity="notice", entity_id=notice_id,
                     channels=sorted(set(channels)))
