"""The flow engine walks every branch of every shipped flow.

The walks are generated from the data: for each scenario, a set of walks from the start to an
end step that together take every edge (every `next`, every option key, every fact value). A
new scenario or a new branch is covered without touching this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deskapp.clock import FixedClock
from deskapp.standards.catalogue import check, shipped
from deskapp.standards.engine import FlowError, FlowRun, Taken
from deskapp.standards.model import Scenario
from deskapp.standards.registry import FACTS, OPTION_KEYS
from standards.walks import Edge, edges, facts_needed, walks

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _collectable() -> dict[str, Scenario]:
    """The shipped scenarios to generate tests from; none if the catalogue is broken, so that a
    typo in the data fails test_shipped.py with its file:line instead of stopping collection."""
    catalogue, problems = check()
    return {} if problems else catalogue.scenarios


SCENARIOS = _collectable()
WALKS = [(scenario_id, n, walk) for scenario_id, scenario in SCENARIOS.items() for n, walk in enumerate(walks(scenario))]


def test_walks_were_generated_for_every_scenario() -> None:
    assert SCENARIOS, "the shipped catalogue has problems: see test_shipped.py"
    assert {scenario_id for scenario_id, _n, _walk in WALKS} == set(SCENARIOS)


def run_walk(scenario: Scenario, walk: list[Edge], facts: Mapping[str, str] | None) -> FlowRun:
    """Take the walk: Enter for `next` and for a fact the domain knows; the key otherwise."""
    clock = FixedClock(NOW)
    run = FlowRun(scenario, facts, clock=clock, start=walk[0].step if walk else "")
    for n, edge in enumerate(walk, start=1):
        assert run.step.id == edge.step
        assert not run.finished
        clock.advance(seconds=30)
        if edge.kind == "next":
            assert run.choices() == [] and run.can_go_on()
            run.go_on()
            via = "next"
        elif edge.kind == "option":
            assert {c.key for c in run.choices()} == {o.key for o in run.step.options}
            assert not run.can_go_on()
            run.choose(edge.key)
            via = f"option:{edge.key}"
        elif facts is None:  # the domain cannot tell: the clerk answers with the value's key
            choices = run.choices()
            assert [c.fact_value for c in choices] == list(FACTS[run.step.fact])
            assert [c.key for c in choices] == list(OPTION_KEYS[: len(choices)])
            assert not run.can_go_on()
            run.choose(next(c.key for c in choices if c.fact_value == edge.key))
            via = f"answer:{edge.key}"
        else:  # the domain knows: no keys, Enter follows the computed case
            assert run.choices() == [] and run.can_go_on()
            assert run.fact_value() == edge.key
            run.go_on()
            via = f"fact:{edge.key}"
        assert run.step.id == edge.target
        assert run.position == n + 1
        assert run.trail[-1] == Taken(edge.step, via, clock.now())
    return run


@pytest.mark.parametrize(
    ("scenario_id", "walk"),
    [(scenario_id, walk) for scenario_id, _n, walk in WALKS],
    ids=[f"{scenario_id}-{n}" for scenario_id, n, _walk in WALKS],
)
@pytest.mark.parametrize("facts_known", [False, True], ids=["clerk_answers", "facts_given"])
def test_walk_reaches_an_end_and_back(scenario_id: str, walk: list[Edge], facts_known: bool) -> None:
    scenario = shipped().scenarios[scenario_id]
    facts: dict[str, str] | None = None
    if facts_known:
        needed = facts_needed(scenario, walk)
        if any(len(values) > 1 for values in needed.values()):
            pytest.skip("this walk needs a fact at two values; a mapping cannot give both")
        facts = {fact: values.pop() for fact, values in needed.items()}
    run = run_walk(scenario, walk, facts)

    assert run.finished and run.step.end
    assert run.choices() == [] and not run.can_go_on()
    with pytest.raises(FlowError):
        run.go_on()
    assert [taken.step for taken in run.trail] == [edge.step for edge in walk]
    begun = walk[0].step  # the start, or an entry (`scenario.entries`)
    assert begun == scenario.start or begun in scenario.entries
    assert run.steps_taken() == [begun] + [edge.target for edge in walk]

    for edge in reversed(walk):  # Esc all the way back
        assert run.back() is True
        assert run.step.id == edge.step
        assert [taken.step for taken in run.trail] == [e.step for e in walk[: len(run.trail)]]
    assert run.step.id == begun
    assert run.trail == []
    assert run.back() is False


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_the_walks_take_every_edge_of_the_flow(scenario_id: str) -> None:
    """The union of the edges the runs really took (read from their trails) is the whole flow."""
    scenario = shipped().scenarios[scenario_id]
    taken: set[tuple[str, str, str]] = set()
    for walk in walks(scenario):
        for taken_step in run_walk(scenario, walk, None).trail:
            kind, _, key = taken_step.via.partition(":")
            taken.add((taken_step.step, {"answer": "fact"}.get(kind, kind), key))
    assert taken == {(e.step, e.kind, e.key) for e in edges(scenario)}


def test_every_fact_value_is_taken_somewhere_by_a_given_fact() -> None:
    """Across the walks that can run with facts given, each fact step follows each of its cases."""
    followed: set[tuple[str, str, str]] = set()
    for scenario_id, _n, walk in WALKS:
        needed = facts_needed(shipped().scenarios[scenario_id], walk)
        if all(len(values) == 1 for values in needed.values()):
            followed |= {(scenario_id, e.step, e.key) for e in walk if e.kind == "fact"}
    every = {(s.id, e.step, e.key) for s in shipped().scenarios.values() for e in edges(s) if e.kind == "fact"}
    assert followed == every


# -- the engine, one behaviour at a time -------------------------------------------------


FIRST_FACT = "id_stamp"  # release: the first step that branches on a fact (owner or tenant)


def _release() -> Scenario:
    return shipped().scenarios["release"]


def test_choices_at_an_option_step_are_its_options_in_order() -> None:
    walk_in = shipped().scenarios["walk_in"]
    run = FlowRun(walk_in)
    run.go_on()  # greet → purpose
    step = run.step
    assert step.options
    choices = run.choices()
    assert [(c.key, c.goto, c.label) for c in choices] == [(o.key, o.goto, o.label) for o in step.options]
    assert all(c.fact_value == "" for c in choices)
    run.choose(choices[1].key)
    assert run.trail[-1].via == f"option:{choices[1].key}"
    assert run.step.id == choices[1].goto


def test_an_unknown_fact_is_asked_of_the_clerk() -> None:
    run = FlowRun(_release(), start=FIRST_FACT)
    assert run.step.fact == "visitor_kind"
    assert run.fact_value() is None
    assert [(c.key, c.fact_value, c.label) for c in run.choices()] == [("1", "owner", None), ("2", "tenant", None)]
    run.choose("2")
    assert run.step.id == _release().steps[FIRST_FACT].cases["tenant"]
    assert run.trail[-1].via == "answer:tenant"


def test_a_known_fact_goes_on_by_enter() -> None:
    run = FlowRun(_release(), {"visitor_kind": "owner"}, start=FIRST_FACT)
    assert run.fact_value() == "owner"
    assert run.choices() == []
    assert run.can_go_on()
    run.go_on()
    assert run.step.id == "owner_return_id"
    assert run.trail == [Taken(FIRST_FACT, "fact:owner", None)]  # no clock: no time


def test_a_fact_lookup_function_is_asked_by_name() -> None:
    asked: list[str] = []

    def lookup(name: str) -> str | None:
        asked.append(name)
        return "tenant"

    run = FlowRun(_release(), lookup, start=FIRST_FACT)
    run.go_on()
    assert asked[-1] == "visitor_kind"
    assert run.step.id == "tenant_fees"


def test_a_fact_value_the_fact_does_not_have_counts_as_unknown() -> None:
    run = FlowRun(_release(), {"visitor_kind": "landlord"}, start=FIRST_FACT)
    assert run.fact_value() is None
    assert [c.fact_value for c in run.choices()] == ["owner", "tenant"]
    with pytest.raises(FlowError):
        run.go_on()


def test_go_on_is_refused_where_enter_does_not_lead_on() -> None:
    run = FlowRun(_release(), start=FIRST_FACT)
    with pytest.raises(FlowError):  # an unknown fact
        run.go_on()
    run.choose("2")  # tenant
    run.choose("1")  # tenant_arrears: none → tenant_items
    run.go_on()  # → tenant_wait
    run.go_on()  # → owner_call
    run.go_on()  # → owner_answer: the clerk's choice
    assert run.step.options
    with pytest.raises(FlowError):
        run.go_on()
    run.choose("2")  # the owner does not agree: an end
    assert run.finished
    with pytest.raises(FlowError):
        run.go_on()


def test_a_key_that_is_not_offered_is_refused() -> None:
    run = FlowRun(_release(), start=FIRST_FACT)
    with pytest.raises(FlowError):
        run.choose("9")
    with pytest.raises(FlowError):
        FlowRun(_release(), {"visitor_kind": "owner"}, start=FIRST_FACT).choose("1")  # known fact: no keys
    assert run.trail == []


def test_back_at_the_start_returns_false() -> None:
    run = FlowRun(_release(), start=FIRST_FACT)
    assert run.back() is False
    assert run.step.id == FIRST_FACT
    assert run.position == 1
    run.choose("1")
    assert run.back() is True
    assert run.back() is False


def test_a_fact_is_asked_once_per_arrival_at_its_step() -> None:
    """Screens ask for choices and Enter on every redraw; a fact that reads the store is read once."""
    from deskapp.standards.catalogue import shipped
    from deskapp.standards.engine import FlowRun

    asked: list[str] = []

    def facts(name: str) -> str:
        asked.append(name)
        return "owner"

    run = FlowRun(shipped().scenarios["release"], facts, start=FIRST_FACT)
    assert run.step.fact == "visitor_kind"
    for _ in range(5):
        run.choices()
        run.can_go_on()
    assert asked == ["visitor_kind"]
    run.go_on()
    run.back()
    run.can_go_on()
    assert asked == ["visitor_kind", "visitor_kind"]  # asked again on coming back
