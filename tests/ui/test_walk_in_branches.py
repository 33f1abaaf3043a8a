"""Walk-in reception (F2) through every branch of the `walk_in` flow, by keys only.

The walks come from the catalogue (tests/standards/walks.py): together they take every edge of
the flow, so a new branch in data/catalogue/walk_in.toml is driven here without touching this
file. For each walk a visitor is registered (F2), served (Enter on the queue) and taken through
the walk: Enter for `next`, the option's key, Enter for a fact the screen computes from who is
in (the presence is set in the store just before), the fact value's key for one the clerk
answers; at a step with `ask`, a valid value of the slot's kind is typed into each field. At
the end: Enter, then the satisfaction dialog. Then the store must hold the visit done, with
the purpose and outcome of the walk, its steps replaying to the same path, and what each step
`does` and promises.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from textual.widgets import Input

from deskapp.domain.fees import parse_yuan
from deskapp.screens.escalate import EscalateDialog
from deskapp.screens.satisfaction import SatisfactionDialog
from deskapp.services.visit_actions import renovation_fees
from deskapp.standards.catalogue import check
from deskapp.standards.engine import FlowRun
from deskapp.standards.model import Scenario, Step
from deskapp.standards.registry import ACTIONS, ASKABLE, FACTS, OPTION_KEYS
from deskapp.store.tables import Escalation, FlowMove, FeePayment, MoveIn, Person, Promise, Renovation, Staff, Unit, Visit
from deskapp.widgets.visit_queue import VisitQueue
from standards.walks import Edge, edges, walks
from walk_in_helpers import open_walk_in, panel, panels_shown, settle

SCENARIO = "walk_in"
UNIT = "1-1-901"  # an owner and a tenant in the demo community; payments and residents need a unit
SIZE = (80, 24)

# Facts the screen computes from who is marked in (Staff.present of that role); the clerk
# answers every other fact with the key of its value (1, 2 … in registry order).
PRESENCE = {"finance_present": "finance", "director_present": "director"}

# What the clerk types for each kind of askable slot, and what must be kept.
TYPED: dict[str, tuple[str, object]] = {
    "text": ("测试内容", "测试内容"),
    "phone": ("010-6666 8888", "010-66668888"),
    "count": ("3", 3),
    "money": ("1,312.5", "1,312.50"),
    "time": ("14：30", "14:30"),
    "resident_kind": ("1", "owner"),
    "unit": ("3-2-1501", "3-2-1501"),
    "title": ("2", "女士"),
    "due": ("18:30", "2026-11-24 18:30"),  # later today on the tests' clock (10:00)
    "appointment": ("10:30", "2026-11-24 10:30"),
    "category": ("1", "plumbing"),
    "goods": ("沙发1、纸箱10", "沙发×1、纸箱×10"),
    "id_no": ("44030519900101123X", "44030519900101123X"),
    "id_type": ("1", "resident_id"),
    "plate": ("粤B12345", "粤B12345"),
}
TEXTS = {"name": "王小明", "receipt_no": "R-0001", "message": "地下车库照明不足", "reason": "开会"}


def typed(slot: str) -> tuple[str, object]:
    kind = ASKABLE[slot]
    if kind == "text" and slot in TEXTS:
        return TEXTS[slot], TEXTS[slot]
    return TYPED[kind]


def _walks() -> tuple[Scenario | None, list[list[Edge]]]:
    """The walk_in walks; none if the catalogue is broken (test_shipped.py names the line)."""
    catalogue, problems = check()
    scenario = None if problems else catalogue.scenarios.get(SCENARIO)
    return scenario, walks(scenario) if scenario else []


WALK_IN, WALKS = _walks()


def test_every_kind_of_askable_slot_has_a_value_to_type() -> None:
    assert set(ASKABLE.values()) <= set(TYPED)


def test_the_walks_take_every_edge_of_walk_in() -> None:
    assert WALK_IN is not None, "the shipped catalogue has problems: see test_shipped.py"
    taken = {edge for walk in WALKS for edge in walk}
    assert taken == set(edges(WALK_IN))


# -- taking one walk with the keyboard ----------------------------------------------------


def set_presence(store, role: str, present: bool) -> None:
    with store.session() as session:
        for staff in session.exec(select(Staff).where(Staff.role == role)).all():
            staff.present = present


def everyone_in(store) -> None:
    with store.session() as session:
        for staff in session.exec(select(Staff)).all():
            staff.present = True


def keys_for(app, step: Step, edge: Edge) -> list[str]:
    """The keys that take `edge` from `step`."""
    if edge.kind == "option":
        return [edge.key]
    if edge.kind == "fact":
        if step.fact in PRESENCE:
            return ["enter"]
        return [OPTION_KEYS[FACTS[step.fact].index(edge.key)]]
    if not step.ask:
        return ["enter"]
    fields = [f for f in app.screen.query("#step-inputs Input").results(Input) if f.parent.display]
    assert [f.name for f in fields] == list(step.ask)
    assert app.focused is fields[0], f"{step.id}: the first field has the focus"
    keys: list[str] = []
    for field, slot in zip(fields, step.ask, strict=True):  # Enter goes to the next field; in the last, on
        keys += ["home", "ctrl+k"] if field.value else []  # a value filled from the record: typed anew
        keys += [*typed(slot)[0], "enter"]
    return keys


async def register(pilot, store, surname: str) -> int:
    """F2: the unit, Enter, the surname, Enter, no title, Enter; returns the new visit's id."""
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press(*UNIT, "enter", surname, "enter", "enter")
    await settle(pilot)
    with store.session() as session:
        return session.exec(select(Visit.id).order_by(Visit.id.desc())).first()


async def take_walk(pilot, store, visit_id: int, walk: list[Edge], satisfaction: str) -> None:
    """Serve the first visitor in the queue (Enter), take the walk and finish."""
    app = pilot.app
    everyone_in(store)
    queue = app.screen.query_one(VisitQueue)
    assert queue.has_focus and queue.selected() is not None and queue.selected().id == visit_id
    await pilot.press("enter")
    await settle(pilot)
    run = panel(app).run
    assert run.step.id == WALK_IN.start

    for n, edge in enumerate(walk):
        step = run.step
        assert step.id == edge.step, f"edge {n}: on {step.id}, the walk expects {edge.step}"
        if n + 1 < len(walk) and (fact := WALK_IN.steps[edge.target].fact) in PRESENCE:
            set_presence(store, PRESENCE[fact], walk[n + 1].key == "yes")  # before the step shows
        if n == 0 and step.fact in PRESENCE:
            set_presence(store, PRESENCE[step.fact], edge.key == "yes")
        await pilot.press(*keys_for(app, step, edge))
        await settle(pilot)
        assert run.step.id == edge.target, f"{edge.step} --{edge.kind}:{edge.key}--> expected {edge.target}, on {run.step.id}"

    assert run.finished
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, SatisfactionDialog)
    await pilot.press(satisfaction)
    await settle(pilot)
    if run.step.handoff == "repair":  # the request goes on in the repair screen (test_repair.py)
        assert app.current_mode == "repair"
        await pilot.press("f2")
        await settle(pilot)
    if run.step.handoff == "release":  # the release screen asks who applies (test_release.py)
        assert app.current_mode == "release"
        await pilot.press("escape", "f2")
        await settle(pilot)
    assert not panels_shown(app), "the panel closes when the visit is done"
    assert visit_id not in {v.id for v in queue.visits}


# -- what the store must hold -------------------------------------------------------------


def marks(store) -> tuple[int, int]:
    """The last payment and resident ids before a walk: what the walk records comes after."""
    with store.session() as session:
        payment = session.exec(select(FeePayment.id).order_by(FeePayment.id.desc())).first() or 0
        person = session.exec(select(Person.id).order_by(Person.id.desc())).first() or 0
    return payment, person


def check_stored(store, policy, visit_id: int, walk: list[Edge], before: tuple[int, int], score: int | None) -> None:
    scenario = WALK_IN
    end = scenario.steps[walk[-1].target]
    purposes = [
        dict(option.sets)["purpose"]
        for edge in walk if edge.kind == "option"
        for option in scenario.steps[edge.step].options
        if option.key == edge.key and "purpose" in dict(option.sets)
    ]
    with store.session() as session:
        visit = session.get(Visit, visit_id)
        clerk = session.exec(select(Staff).where(Staff.code == "demo")).one()
        unit = session.exec(select(Unit).where(Unit.code == UNIT)).one()
        rows = session.exec(select(FlowMove).where(FlowMove.record_kind == "visit", FlowMove.record_id == visit_id).order_by(FlowMove.seq)).all()
        payments = session.exec(select(FeePayment).where(FeePayment.id > before[0])).all()
        residents = session.exec(select(Person).where(Person.unit_id == unit.id).order_by(Person.id)).all()
        promises = session.exec(
            select(Promise).where(Promise.source_kind == "visit", Promise.source_id == visit_id).order_by(Promise.id)
        ).all()
        ups = session.exec(select(Escalation).where(Escalation.visit_id == visit_id).order_by(Escalation.id)).all()
        roles = {s.id: s.role for s in session.exec(select(Staff)).all()}
        renovations = session.exec(select(Renovation).where(Renovation.source_kind == "visit", Renovation.source_id == visit_id)).all()
        moving_in = session.exec(select(MoveIn).where(MoveIn.unit_id == unit.id, MoveIn.completed_at.is_(None))).all()
        earlier_works = session.exec(select(Renovation).where(Renovation.unit_id == unit.id, Renovation.state == "active",
                                                              Renovation.source_id != visit_id)).all()

    assert (visit.state, visit.scenario, visit.satisfaction) == ("done", SCENARIO, score)
    assert visit.outcome == (end.outcome or ("handed_off" if end.handoff else "done"))
    assert visit.purpose == (purposes[-1] if purposes else "")
    assert visit.service_started_at is not None and visit.ended_at is not None

    # The recorded moves are the walk, and replay to the same path (as after a restart).
    expected_via = []
    for edge in walk:
        if edge.kind == "fact":
            computed = scenario.steps[edge.step].fact in PRESENCE
            expected_via.append(f"{'fact' if computed else 'answer'}:{edge.key}")
        else:
            expected_via.append(edge.kind if edge.kind == "next" else f"option:{edge.key}")
    assert [(r.scenario, r.step, r.via) for r in rows] == [
        (SCENARIO, edge.step, via) for edge, via in zip(walk, expected_via, strict=True)
    ]
    assert [r.seq for r in rows] == list(range(1, len(walk) + 1))
    assert all(r.actor_id == clerk.id for r in rows)
    replay = FlowRun(scenario)
    for row in rows:
        replay.apply(row.via)
    assert replay.steps_taken() == [scenario.start] + [edge.target for edge in walk]

    # What was asked is kept with the visit, checked and normalised.
    values = json.loads(visit.slot_values)
    left = [scenario.steps[edge.step] for edge in walk]
    reached = [scenario.steps[edge.target] for edge in walk]
    for step in left:
        for slot in step.ask:
            assert values[slot] == typed(slot)[1], (step.id, slot)

    # What the steps do.
    does_left = [s for s in left if s.does and ACTIONS[s.does][1] == "leave"]
    does_reached = [s for s in reached if s.does and ACTIONS[s.does][1] == "enter"]
    assert {s.does for s in does_left + does_reached} <= set(CHECKED_ACTIONS)
    taken = [s for s in does_left if s.does == "take_payment"]
    assert len(payments) == len(taken)
    for payment in payments:
        assert (payment.unit_id, payment.receipt_no, payment.taken_by_id) == (unit.id, values["receipt_no"], clerk.id)
        assert payment.amount_fen == parse_yuan(str(values["amount"]))
    registered = [s for s in does_left if s.does == "register_resident"]
    new = [p for p in residents if p.id > before[1]]
    assert len(new) == len(registered)
    if registered:
        [person] = new
        assert (person.name, person.kind, person.phone, person.active) == (
            values["name"], values["resident_kind"], values["phone"], True,
        )
        if person.kind == "owner":  # a new owner: the move-in checklist is open for the unit (F9)
            assert len(moving_in) == 1 and moving_in[0].owner in {p.name for p in residents if p.kind == "owner"}
        others = [p for p in residents if p.kind == person.kind and p.id != person.id]
        assert others and all(not p.active for p in others), "the earlier owner or tenant is kept, inactive"
    if any(s.does == "renovation_fees" for s in does_left):
        assert {k: values[k] for k in ("amount", "permit_fee", "pass_deposit")} == renovation_fees(
            policy, {"workers": values["workers"]}
        )
    opened = [s for s in does_reached if s.does == "open_renovation"]
    # One renovation at a time per unit: an earlier walk's permit for the same unit is still under way.
    assert len(renovations) == (len(opened) if not earlier_works else 0)
    assert not opened or renovations or earlier_works
    for works in renovations:  # the permit handed over: the renovation is under supervision, from its first phase
        assert (works.unit_id, works.phase, works.state, works.opened_by_id) == (unit.id, "plumbing", "active", clerk.id)
        assert works.workers == int(values["workers"]) and works.deposit_fen == parse_yuan(str(values["amount"]).replace(",", ""))
        assert works.owner == f"{visit.surname}{visit.title}"
    levels = [{"escalate_supervisor": "supervisor", "escalate_director": "director"}[s.does] for s in does_reached if s.does != "open_renovation"]
    assert [(e.level, roles[e.to_id]) for e in ups] == [(level, level) for level in levels]
    assert all(e.from_id == clerk.id for e in ups)

    # The promises made, one for each promising step left, owned by the clerk.
    assert [p.kind for p in promises] == [s.promise for s in left if s.promise]
    for promise in promises:
        assert (promise.owner_id, promise.state, promise.unit_id) == (clerk.id, "open", unit.id)
        assert promise.customer.startswith(visit.surname) and promise.due_at > promise.created_at


CHECKED_ACTIONS = ("take_payment", "register_resident", "renovation_fees", "open_renovation", "escalate_supervisor", "escalate_director")


REPAIR_ACTIONS = ("open_repair", "dispatch_repair", "refer_repair")  # checked in tests/ui/test_repair.py
RELEASE_ACTIONS = (  # checked in tests/ui/test_release.py and tests/unit/test_releases.py
    "check_id", "record_goods", "sign_release", "notify_director", "refuse_release", "owner_answer", "issue_slip",
)
FEEDBACK_ACTIONS = ("judge_invalid", "accept_feedback")  # checked in tests/ui/test_complaints.py


def test_every_action_a_step_may_do_is_checked_here() -> None:
    assert set(ACTIONS) == set(CHECKED_ACTIONS) | set(REPAIR_ACTIONS) | set(RELEASE_ACTIONS) | set(FEEDBACK_ACTIONS)


# -- the walks ----------------------------------------------------------------------------


def _satisfaction(n: int) -> tuple[str, int | None]:
    """Every other visitor gives a score (1–5 in turn); the others skip with Enter."""
    return ("enter", None) if n % 2 else (str(n // 2 % 5 + 1), n // 2 % 5 + 1)


def _purpose(walk: list[Edge]) -> str:
    """The purpose the visitor comes with: the first one the walk sets."""
    for edge in walk:
        for option in WALK_IN.steps[edge.step].options if edge.kind == "option" else ():
            if option.key == edge.key and (purpose := dict(option.sets).get("purpose")):
                return purpose
    return ""


# One app run per purpose, its visitors all in the queue at once, served one after another.
GROUPS: dict[str, list[tuple[int, list[Edge]]]] = {}
for _n, _walk in enumerate(WALKS):
    GROUPS.setdefault(_purpose(_walk), []).append((_n, _walk))
SURNAMES = "任李张王赵钱孙周吴郑冯陈褚卫蒋沈韩杨"


def test_the_groups_hold_every_walk() -> None:
    assert sorted(n for group in GROUPS.values() for n, _walk in group) == list(range(len(WALKS)))


@pytest.mark.parametrize("purpose", list(GROUPS), ids=[p or "none" for p in GROUPS])
async def test_walks_through_walk_in_by_keys(purpose: str, demo_store, make_app, sign_in, policy) -> None:
    group = GROUPS[purpose]
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_walk_in(pilot, sign_in)
        visit_ids = [await register(pilot, demo_store, SURNAMES[n % len(SURNAMES)]) for n, _walk in group]
        assert [v.id for v in app.screen.query_one(VisitQueue).visits] == visit_ids
        for visit_id, (n, walk) in zip(visit_ids, group, strict=True):
            before = marks(demo_store)
            key, score = _satisfaction(n)
            await take_walk(pilot, demo_store, visit_id, walk, key)
            check_stored(demo_store, policy, visit_id, walk, before, score)


async def test_the_escalation_key_works_at_a_step_with_fields(demo_store, make_app, sign_in) -> None:
    """Ctrl+E from the amount field of "finance away" (an Input binds Ctrl+E to "end")."""
    set_presence(demo_store, "finance", False)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, demo_store, "任")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "3", "enter")
        await settle(pilot)
        assert panel(app).run.step.id == "pay_clerk"
        assert isinstance(app.focused, Input)
        await pilot.press(*"12", "ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, EscalateDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert panel(app).run.step.id == "pay_clerk"
