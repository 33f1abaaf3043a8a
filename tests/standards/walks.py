"""Walks through a scenario's flow, generated from the catalogue data: together they take every
edge (every `next`, every option key, every fact value), so a new branch is covered without
touching the tests that use them (tests/standards/test_engine.py, tests/ui/test_walk_in_branches.py).

Imported as `standards.walks`: tests/ is on sys.path through its conftest.py.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from deskapp.standards.model import Scenario


@dataclass(frozen=True)
class Edge:
    step: str
    kind: str  # "next", "option" or "fact"
    key: str  # "" for next, the option key, the fact value
    target: str


def edges(scenario: Scenario) -> list[Edge]:
    """Every way on of every step, in file order."""
    return [
        Edge(step.id, kind, key, target)
        for step in scenario.steps.values()
        for (kind, key), target in step.targets()
    ]


def _shortest(scenario: Scenario, start: str, goal) -> list[Edge]:
    """Fewest edges from start to a step for which goal(step id) holds (breadth first)."""
    if goal(start):
        return []
    came: dict[str, Edge | None] = {start: None}
    todo = deque([start])
    while todo:
        here = todo.popleft()
        for (kind, key), target in scenario.steps[here].targets():
            if target in came:
                continue
            came[target] = Edge(here, kind, key, target)
            if goal(target):
                path = []
                while (edge := came[target]) is not None:
                    path.append(edge)
                    target = edge.step
                return path[::-1]
            todo.append(target)
    raise AssertionError(f"{scenario.id}: no path from {start}")


def _from_a_start(scenario: Scenario, goal) -> list[Edge]:
    """The shortest way to a goal step from the start, else from the first entry that leads there."""
    for start in (scenario.start, *scenario.entries):
        try:
            return _shortest(scenario, start, goal)
        except AssertionError:
            continue
    raise AssertionError(f"{scenario.id}: no path from any start")


def walks(scenario: Scenario) -> list[list[Edge]]:
    """Walks from the start (or one of the scenario's `entries`) to an end step that together
    take every edge. A walk begins at its first edge's step.

    For the first edge not yet taken: the shortest way to it, the edge, then on by edges not
    yet taken as long as one leads somewhere an end can be reached from, then the shortest way
    to an end.
    """
    is_end = lambda step_id: scenario.steps[step_id].end  # noqa: E731
    untaken = edges(scenario)
    found: list[list[Edge]] = []
    while untaken:
        first = untaken[0]
        walk = [*_from_a_start(scenario, lambda s: s == first.step), first]
        here = first.target
        taken = set(walk)
        while not is_end(here):
            fresh = [e for e in untaken if e.step == here and e not in taken]
            if not fresh:
                break
            walk.append(fresh[0])
            taken.add(fresh[0])
            here = fresh[0].target
        walk += _shortest(scenario, here, is_end)
        untaken = [e for e in untaken if e not in set(walk)]
        found.append(walk)
    return found


def facts_needed(scenario: Scenario, walk: list[Edge]) -> dict[str, set[str]]:
    """The values each fact must have for the walk (more than one when it branches both ways)."""
    needed: dict[str, set[str]] = {}
    for edge in walk:
        if edge.kind == "fact":
            needed.setdefault(scenario.steps[edge.step].fact, set()).add(edge.key)
    return needed
