"""The core tables. Scenario records (visits, calls, work orders …) arrive with their screens.

Money is kept in integer fen (分); times are timezone-aware UTC instants.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from deskapp.domain.roles import Role  # noqa: F401  (Staff.role; the table of what each may do is there)
from deskapp.store.types import UTCDateTime


class PersonKind(StrEnum):
    OWNER = "owner"
    TENANT = "tenant"


class PromiseState(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


def _utc() -> Column:
    return Column(UTCDateTime(), nullable=False)


VERSIONED = declared_attr.directive(lambda cls: {"version_id_col": cls.__table__.c.version})
"""`__mapper_args__` of a record two clerks can change: every ORM UPDATE checks and raises its
`version`, so the second of two writers gets StaleDataError instead of overwriting (SQLModel needs
the Column object, hence the lambda: the table exists when the mapper reads it)."""


def _version() -> object:
    return Field(default=1, sa_column_kwargs={"server_default": "1"})


class Setting(SQLModel, table=True):
    """Site facts loaded with the community: its name, the 管理处, the hotline."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=400)


class Building(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=64)
    name_en: str = Field(default="", max_length=64)
    floors: int
    entrances: int


class Unit(SQLModel, table=True):
    """A dwelling, known at the counter by its code: building-entrance-room, e.g. 3-2-1501."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    entrance: str = Field(max_length=8)
    floor: int
    room: str = Field(max_length=8)
    area_m2: float
    monthly_fee_fen: int
    vacant: bool = False


class Person(SQLModel, table=True):
    """An owner (业主) or tenant (租户) of a unit. Only a masked ID number is ever kept."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=16)  # PersonKind
    name: str = Field(max_length=64)
    gender: str = Field(default="", max_length=1)
    phone: str = Field(default="", max_length=32, index=True)
    id_type: str = Field(default="", max_length=16)
    id_masked: str = Field(default="", max_length=32)
    since: date | None = None
    active: bool = True


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16)  # Role
    phone: str = Field(default="", max_length=32)
    pin_hash: str = Field(max_length=200)
    active: bool = True
    present: bool = True


class FeeCharge(SQLModel, table=True):
    """One month's management fee (物业管理服务费) charged to a unit."""

    __tablename__ = "fee_charge"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: date  # first day of the month charged
    due_on: date
    amount_fen: int


class FeePayment(SQLModel, table=True):
    __tablename__ = "fee_payment"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    amount_fen: int
    paid_at: datetime = Field(sa_column=_utc())
    receipt_no: str = Field(default="", max_length=32)
    taken_by_id: int | None = Field(default=None, foreign_key="staff.id")
    # Money a clerk took for finance (代行收取) is held by a clerk until handed to finance;
    # a handover moves it to the next clerk with the cash counted.
    holder_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    handed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    handed_to: str = Field(default="", max_length=64)


class Promise(SQLModel, table=True):
    """Something promised to a customer, owned by a clerk until kept (一票到底)."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    kind: str = Field(max_length=32)
    text: str = Field(max_length=400)
    customer: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32, index=True)  # the screen pop finds the caller's by it
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    created_by_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # the report counts by it
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    state: str = Field(default=PromiseState.OPEN, max_length=16, index=True)  # PromiseState
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    source_kind: str = Field(default="", max_length=32)
    source_id: int | None = None
    handovers: int = 0  # times it changed hands at a shift handover


class AuditEvent(SQLModel, table=True):
    """Who did what and when. Append-only: the migrations forbid UPDATE and DELETE.

    Hash-chained in id order: ``hash`` is services.audit.event_hash over ``prev_hash`` (the
    previous event's hash, "" for the first) and the fields above it."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),  # a record's history
        Index("ix_audit_event_action_at", "action", "at"),  # the report's counts of one action over a day
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=64)
    entity: str = Field(default="", max_length=32)
    entity_id: int | None = None
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    hash: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


class RepairPrice(SQLModel, table=True):
    """The approved repair price list (经过物价局审批后的维修价目表)."""

    __tablename__ = "repair_price"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    category: str = Field(max_length=32)
    item_zh: str = Field(max_length=64)
    item_en: str = Field(max_length=96)
    unit_zh: str = Field(max_length=8)
    unit_en: str = Field(max_length=16)
    price_fen: int


class Referral(SQLModel, table=True):
    """Specialists for repairs outside engineering's capability."""

    id: int | None = Field(default=None, primary_key=True)
    trade_zh: str = Field(max_length=32)
    trade_en: str = Field(max_length=64)
    name: str = Field(max_length=96)
    phone: str = Field(max_length=32)
    note_zh: str = Field(default="", max_length=200)
    note_en: str = Field(default="", max_length=200)


class VisitState(StrEnum):
    WAITING = "waiting"
    SERVING = "serving"
    DONE = "done"
    LEFT = "left"  # gave up waiting


class Visit(SQLModel, table=True):
    """A walk-in visitor (来访), from arrival at the counter to farewell."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    arrived_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    surname: str = Field(default="", max_length=32)
    title: str = Field(default="", max_length=8)  # 先生 / 女士 / 小姐
    phone: str = Field(default="", max_length=32)
    purpose: str = Field(default="", max_length=32)
    urgent: bool = False
    state: str = Field(default=VisitState.WAITING, max_length=16, index=True)  # VisitState
    registered_by_id: int = Field(foreign_key="staff.id")
    served_by_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    service_started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    scenario: str = Field(default="", max_length=32)
    outcome: str = Field(default="", max_length=16)
    satisfaction: int | None = None  # 1–5, when the visitor gives one
    slot_values: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON


class Escalation(SQLModel, table=True):
    """服务上移: a visit handed up, from whom to whom, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # the report counts by it
    level: str = Field(max_length=16)  # colleague / supervisor / director
    from_id: int = Field(foreign_key="staff.id")
    to_id: int | None = Field(default=None, foreign_key="staff.id")
    reason: str = Field(default="", max_length=200)


class FlowMove(SQLModel, table=True):
    """One move in a record's flow (a visit, a call …): the trail survives a restart."""

    __tablename__ = "flow_move"
    __table_args__ = (Index("ix_flow_move_record", "record_kind", "record_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=16)  # "visit", "call", …
    record_id: int
    seq: int
    at: datetime = Field(sa_column=_utc())
    scenario: str = Field(max_length=32)
    step: str = Field(max_length=64)
    via: str = Field(max_length=64)
    actor_id: int = Field(foreign_key="staff.id")


class CallState(StrEnum):
    RINGING = "ringing"
    TALKING = "talking"
    ON_HOLD = "on_hold"
    ENDED = "ended"
    MISSED = "missed"


class Call(SQLModel, table=True):
    """A telephone call at the hotline: ringing, answered, held, ended — or missed and owed."""

    __mapper_args__ = VERSIONED
    __table_args__ = (Index("ix_call_owed", "state", "returned_by_call_id"),)  # the missed calls not yet returned

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    direction: str = Field(default="in", max_length=4)  # in / out (a callback)
    number: str = Field(max_length=32, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    rang_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    state: str = Field(default=CallState.RINGING, max_length=16, index=True)  # CallState
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    answered_by_id: int | None = Field(default=None, foreign_key="staff.id")
    hold_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    held_seconds: int = 0
    holds: int = 0
    longest_hold_seconds: int = 0  # the longest single hold: each is held to the policy's 7 s
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    outcome: str = Field(default="", max_length=16)
    returned_by_call_id: int | None = Field(default=None, foreign_key="call.id")  # a missed call called back
    promise_id: int | None = Field(default=None, foreign_key="promise.id")  # the callback this call keeps
    slot_values: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON


class WorkOrder(SQLModel, table=True):
    """A repair request (报修) and its work order (维修单), from intake to closed.

    The current state and the times of its stages are kept here for the list and the report;
    every change is also a `WorkOrderEvent`, which is never changed or removed."""

    __tablename__ = "work_order"
    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    received_by_id: int = Field(foreign_key="staff.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="staff.id", index=True)  # the desk's owner (一票到底)
    channel: str = Field(default="counter", max_length=8)  # counter / phone
    source_kind: str = Field(default="", max_length=16)  # "visit", "call"
    source_id: int | None = None
    area: str = Field(max_length=16)  # household / public
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    place: str = Field(default="", max_length=200)  # where, for a public-area repair
    category: str = Field(default="", max_length=32)  # repair_price.category, or other
    item: str = Field(max_length=200)  # what is wrong, as the customer says it
    customer: str = Field(default="", max_length=64)  # 王先生
    phone: str = Field(default="", max_length=32, index=True)  # the screen pop finds the caller's by it
    state: str = Field(max_length=16, index=True)  # domain.work_orders.State
    appointment_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    promised_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    dispatched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    arrived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    arrived_late: bool = False
    review_started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    review_ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    review_late: bool = False
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    labour_fen: int = 0
    total_fen: int = 0
    receipt_no: str = Field(default="", max_length=32)
    signed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    signed_by: str = Field(default="", max_length=64)
    satisfaction: int | None = None  # 1–5
    callback_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    callback_result: str = Field(default="", max_length=200)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    reschedules: int = 0
    reopened: int = 0
    escalations: int = 0


class WorkOrderPart(SQLModel, table=True):
    """A part or material used (名称、规格型号、数量、单价), written on the order as it is used."""

    __tablename__ = "work_order_part"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    name: str = Field(max_length=64)
    spec: str = Field(default="", max_length=64)
    quantity_centi: int  # hundredths: 2.5 metres = 250
    unit_price_fen: int
    cost_fen: int


class WorkOrderEvent(SQLModel, table=True):
    """One change of a work order: who, when, from which state to which, and the details.
    Append-only: the migrations forbid UPDATE and DELETE."""

    __tablename__ = "work_order_event"
    __table_args__ = (Index("ix_work_order_event_order", "order_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id")
    seq: int
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: int = Field(foreign_key="staff.id")
    action: str = Field(max_length=32)
    from_state: str = Field(default="", max_length=16)
    to_state: str = Field(max_length=16)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON


class ReleaseOutcome(StrEnum):
    OPEN = "open"  # being taken at the counter
    ISSUED = "issued"  # a slip was issued (its number in slip_no)
    REFUSED = "refused"  # a tenant in arrears, or the owner did not agree
    PENDING = "pending"  # the owner could not be reached: no slip until they agree


class ReleaseRequest(SQLModel, table=True):
    """An application to move goods out (物品放行), and the numbered slip (放行条) if issued.

    Only the masked ID numbers are kept. A slip is void once voided_at is set, used once a guard
    has checked it (checked_at); numbers come from `slip_counter`, without gaps."""

    __tablename__ = "release_request"
    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    created_by_id: int = Field(foreign_key="staff.id")
    source_kind: str = Field(default="", max_length=16)
    source_id: int | None = None
    unit_id: int = Field(foreign_key="unit.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    applicant_kind: str = Field(max_length=16)  # owner / tenant
    applicant_name: str = Field(max_length=64)
    id_type: str = Field(default="", max_length=16)
    id_masked: str = Field(default="", max_length=32)
    stamp_text: str = Field(default="", max_length=64)
    items: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON [[name, count], …]
    plate: str = Field(default="", max_length=16)
    driver_name: str = Field(default="", max_length=64)
    driver_id_masked: str = Field(default="", max_length=32)
    arrears_months: int = 0
    arrears_fen: int = 0
    director_notified: bool = False
    hurry: bool = False  # the owner in a hurry: the lobby told at once
    owner_answer: str = Field(default="", max_length=16)  # agrees / refuses / unreachable (tenants)
    owner_answer_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    signed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    outcome: str = Field(default=ReleaseOutcome.OPEN, max_length=16, index=True)
    slip_no: int | None = Field(default=None, unique=True)
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    checked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    checked_by: str = Field(default="", max_length=64)
    voided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str = Field(default="", max_length=200)


class SlipCounter(SQLModel, table=True):
    """The last release-slip number issued: taken and raised in the issuing transaction, so
    numbers run without gaps (the row is locked while a slip is issued)."""

    __tablename__ = "slip_counter"

    name: str = Field(primary_key=True, max_length=16)  # "release"
    last_no: int = 0


class Feedback(SQLModel, table=True):
    """A complaint, suggestion or staff feedback (信息反馈), from intake to closed after the callback.

    The clocks run from `accepted_at` (judged valid; a failed callback starts them again); every
    change is also a `FeedbackEvent`, never changed or removed."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    received_by_id: int = Field(foreign_key="staff.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="staff.id", index=True)  # the desk's owner (一票到底)
    channel: str = Field(default="counter", max_length=8)  # counter / phone / letter / online
    source_kind: str = Field(default="", max_length=16)
    source_id: int | None = None
    kind: str = Field(default="complaint", max_length=16)  # complaint / suggestion / staff
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    customer: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32, index=True)  # the screen pop finds the caller's by it
    what: str = Field(max_length=400)  # what happened
    wants: str = Field(default="", max_length=400)  # what they want
    state: str = Field(max_length=16, index=True)  # domain.feedback.State
    invalid_reason: str = Field(default="", max_length=400)
    category: str = Field(default="", max_length=32)
    severity: str = Field(default="", max_length=8)  # general / major
    department: str = Field(default="", max_length=64)  # the responsible department (端口)
    handler: str = Field(default="", max_length=64)  # the responsible person, if named
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    escalated_to: str = Field(default="", max_length=64)
    handler_replied_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    handler_reply: str = Field(default="", max_length=400)
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    answer: str = Field(default="", max_length=400)
    callback_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    callback_result: str = Field(default="", max_length=400)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    reopened: int = 0
    group_id: int | None = Field(default=None, index=True)  # a group complaint: the first record's id


class FeedbackEvent(SQLModel, table=True):
    """One change of a feedback record: who, when, from which state to which, the details.
    Append-only: the migrations forbid UPDATE and DELETE."""

    __tablename__ = "feedback_event"
    __table_args__ = (Index("ix_feedback_event_record", "feedback_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id")
    seq: int
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: int = Field(foreign_key="staff.id")
    action: str = Field(max_length=32)
    from_state: str = Field(default="", max_length=16)
    to_state: str = Field(max_length=16)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON


class Notice(SQLModel, table=True):
    """A notice to owners (通知) drafted at the counter and recorded as published on the board,
    in the letterboxes or by SMS (002 五(二)3(5): recorded here, not sent)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=_utc())
    created_by_id: int = Field(foreign_key="staff.id")
    feedback_id: int | None = Field(default=None, foreign_key="feedback.id")
    title: str = Field(max_length=100)
    text: str = Field(sa_column=Column(Text, nullable=False))
    channels: str = Field(default="[]", max_length=100)  # JSON: board / letterbox / sms
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class HandoverState(StrEnum):
    OPEN = "open"  # the outgoing clerk is writing it
    PRESENTED = "presented"  # the incoming clerk signed in and is acknowledging
    DONE = "done"
    CANCELLED = "cancelled"


class Handover(SQLModel, table=True):
    """A shift handover (交接班): what the outgoing clerk held, their notes, and the incoming
    clerk's acknowledgement — kept as the shift's document."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    outgoing_id: int = Field(foreign_key="staff.id", index=True)
    incoming_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    presented_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    state: str = Field(default=HandoverState.OPEN, max_length=16, index=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))  # cash and keys counted, anything unusual


class HandoverItem(SQLModel, table=True):
    """One open item of a handover: the record, what it was when handed over, the notes, and
    whether the incoming clerk acknowledged it (or queried it, and the answer)."""

    __tablename__ = "handover_item"
    __table_args__ = (
        UniqueConstraint("handover_id", "kind", "record_id"),
        Index("ix_handover_item_record", "kind", "record_id"),
    )

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    handover_id: int = Field(foreign_key="handover.id", index=True)
    kind: str = Field(max_length=16)  # promise / work_order / complaint / visit / call / payment / waiting / ringing / missed
    record_id: int
    tag: str = Field(default="", max_length=32)  # the promise's kind, the order's limit, the complaint's clock
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    label: str = Field(max_length=200)  # what it is, as it stood
    who: str = Field(default="", max_length=100)  # unit and customer
    note: str = Field(default="", max_length=400)  # the outgoing clerk's note
    state: str = Field(default="pending", max_length=16)  # pending / queried / acknowledged / closed
    question: str = Field(default="", max_length=400)
    answer: str = Field(default="", max_length=400)
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class KeyTag(SQLModel, table=True):
    """A labelled key (set) kept at the counter for a unit (钥匙管理 4.1: 标识应标注清楚)."""

    __tablename__ = "key_tag"
    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    label: str = Field(max_length=32, unique=True)  # what the tag says, e.g. 1-1-201-A
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    what: str = Field(default="", max_length=100)  # 入户门 2 把、信箱 1 把
    state: str = Field(default="held", max_length=16, index=True)  # held / lent / issued / missing
    label_state: str = Field(default="ok", max_length=16)  # ok / worn (标签破损或模糊) — from the last check
    added_at: datetime = Field(sa_column=_utc())


class KeyLoan(SQLModel, table=True):
    """A key lent (借用) or issued to its owner for good (领取), and its return."""

    __tablename__ = "key_loan"
    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    key_id: int = Field(foreign_key="key_tag.id", index=True)
    kind: str = Field(default="loan", max_length=8)  # loan / issue
    borrower_kind: str = Field(max_length=16)  # domain.registers.Borrower
    borrower: str = Field(max_length=64)
    company: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    purpose: str = Field(default="", max_length=200)
    id_type: str = Field(default="", max_length=16)
    id_masked: str = Field(default="", max_length=32)
    manager: str = Field(default="", max_length=64)  # the sales manager who signed
    signed: bool = False
    lent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    lent_by_id: int = Field(foreign_key="staff.id")
    holder_id: int | None = Field(default=None, foreign_key="staff.id", index=True)  # the clerk who gets it back (4.6)
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    returned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    returned_to_id: int | None = Field(default=None, foreign_key="staff.id")


class KeyCheck(SQLModel, table=True):
    """A periodic check of the keys held (4.2): which were missing, which labels were worn."""

    __tablename__ = "key_check"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    by_id: int = Field(foreign_key="staff.id")
    checked: int = 0
    missing: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON labels
    worn: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON labels
    note: str = Field(default="", max_length=400)


class Vacancy(SQLModel, table=True):
    """A vacant-unit application (空置房申请) and, once confirmed, the vacancy itself."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    unit_id: int = Field(foreign_key="unit.id", index=True)
    owner: str = Field(max_length=64)
    id_type: str = Field(default="", max_length=16)
    id_masked: str = Field(default="", max_length=32)
    start: date
    end: date
    reason: str = Field(default="", max_length=200)
    notice_given: bool = False  # what vacancy means was read to the owner
    state: str = Field(default="applied", max_length=16, index=True)  # applied / confirmed / refused / occupied / ended
    applied_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # the report counts by it
    applied_by_id: int = Field(foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    refused_reason: str = Field(default="", max_length=200)


class VacancyInspection(SQLModel, table=True):
    """A monthly (or after-storm) inspection of a vacant or unsold unit, with the meter readings."""

    __tablename__ = "vacancy_inspection"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    vacancy_id: int | None = Field(default=None, foreign_key="vacancy.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    by_id: int = Field(foreign_key="staff.id")
    after_storm: bool = False
    facilities_ok: bool = True
    clean_ok: bool = True
    cracks_or_leaks: bool = False
    water_reading: float | None = None  # the meter (t)
    power_reading: float | None = None  # the meter (kWh)
    water_used: float | None = None  # since the previous reading
    power_used: float | None = None
    lived_in: bool = False
    note: str = Field(default="", max_length=400)


class Renovation(SQLModel, table=True):
    """A renovation under supervision (装修监管): opened when the permit is issued at the counter."""

    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    unit_id: int = Field(foreign_key="unit.id", index=True)
    permit_no: str = Field(default="", max_length=32)
    owner: str = Field(default="", max_length=64)
    company: str = Field(default="", max_length=64)
    workers: int = 0
    deposit_fen: int = 0
    source_kind: str = Field(default="", max_length=16)
    source_id: int | None = None
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # the report counts by it
    opened_by_id: int = Field(foreign_key="staff.id")
    phase: str = Field(default="plumbing", max_length=16)  # domain.registers.Phase
    phase_since: datetime = Field(sa_column=_utc())
    state: str = Field(default="active", max_length=16, index=True)  # active / completed / rechecked / refunded
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    completion_ok: bool | None = None  # 初验
    rechecked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    recheck_ok: bool | None = None  # 复验
    refunded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))  # the report counts by it


class RenovationPatrol(SQLModel, table=True):
    """One patrol of a renovation: its phase then, and any violation found."""

    __tablename__ = "renovation_patrol"

    id: int | None = Field(default=None, primary_key=True)
    renovation_id: int = Field(foreign_key="renovation.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    by_id: int = Field(foreign_key="staff.id")
    phase: str = Field(max_length=16)
    ok: bool = True
    violation: str = Field(default="", max_length=400)


class FoundItem(SQLModel, table=True):
    """Lost and found (物品拾遗): an item handed in, where it is kept, and who claimed it — or
    how it was disposed of once unclaimed past the policy's period."""

    __tablename__ = "found_item"
    __mapper_args__ = VERSIONED

    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()  # raised by every change: see VERSIONED
    what: str = Field(max_length=200)
    where_found: str = Field(default="", max_length=200)
    found_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    found_by: str = Field(default="", max_length=64)  # who handed it in
    kept_where: str = Field(default="", max_length=100)
    registered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # the report counts by it
    registered_by_id: int = Field(foreign_key="staff.id")
    state: str = Field(default="held", max_length=16, index=True)  # held / claimed / disposed
    claimant: str = Field(default="", max_length=64)
    claimant_phone: str = Field(default="", max_length=32)
    claimant_id_type: str = Field(default="", max_length=16)
    claimant_id_masked: str = Field(default="", max_length=32)
    signed: bool = False
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    handed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    disposed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    disposed_how: str = Field(default="", max_length=200)
    disposed_by_id: int | None = Field(default=None, foreign_key="staff.id")


class MoveIn(SQLModel, table=True):
    """A unit's move-in (入住) at the counter: the steps of seed 001 chapter 1 ticked as done."""

    __tablename__ = "move_in"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    owner: str = Field(max_length=64)
    started_at: datetime = Field(sa_column=_utc())
    started_by_id: int = Field(foreign_key="staff.id")
    done: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON: step id → ISO time ticked
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))


class Draft(SQLModel, table=True):
    """A form the clerk was filling in, kept as they type, so a crash or a power cut loses nothing.

    One per clerk and form; removed when the form is saved or cancelled. PINs are never kept."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("staff_id", "key", name="uq_draft_staff_key"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    key: str = Field(max_length=200)  # which form: the dialog's kind and the record it is about
    title: str = Field(default="", max_length=200)  # as the form showed it, to list it on sign-in
    fields: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON: field id → text
    saved_at: datetime = Field(sa_column=_utc())
