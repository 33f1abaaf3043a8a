"""What the history generator says (data/demo/history.toml) and how it walks the catalogue's flows.

A record's flow moves are a walk through its scenario, as a clerk would take it: the record's own
facts force some choices (the visitor's purpose, the complaint's category), the rest follow the
weights below — most questions are answered by the colleague, most finance staff are in.
"""

from __future__ import annotations

import itertools
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from deskapp.errors import DeskappError
from deskapp.paths import data_dir
from deskapp.standards.catalogue import shipped
from deskapp.standards.model import Scenario

# How often each way on is taken where the record does not decide it: (scenario, step) → weights.
OPTION_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {
    ("walk_in", "transfer_kind"): {"1": 0.35, "2": 0.65},
    ("walk_in", "transfer_reno_offer"): {"y": 0.15, "n": 0.85},
    ("walk_in", "reno_out_sorry"): {"1": 0.2, "2": 0.8},
    ("walk_in", "director_in"): {"1": 0.6, "2": 0.4},
    ("walk_in", "director_out"): {"1": 0.75, "2": 0.2, "3": 0.05},
    ("walk_in", "question_intro"): {"y": 0.9, "n": 0.1},
    ("walk_in", "question_supervisor"): {"y": 0.85, "n": 0.15},
    ("phone", "inquiry"): {"1": 0.75, "2": 0.1, "3": 0.15},
    ("phone", "anything_else"): {"1": 0.9, "2": 0.1},
    ("complaint", "judge"): {"1": 0.9, "2": 0.1},
    ("complaint", "category"): {"1": 0.3, "2": 0.45, "3": 0.05, "4": 0.12, "5": 0.08},
    ("complaint", "severity"): {"1": 0.9, "2": 0.1},
    ("complaint", "track"): {"1": 0.9, "2": 0.1},
    ("complaint", "callback"): {"1": 0.92, "2": 0.08},
    ("release", "owner_tear"): {"1": 0.9, "2": 0.1},
    ("release", "owner_answer"): {"1": 0.85, "2": 0.05, "3": 0.1},
    ("repair", "intake"): {"1": 0.85, "2": 0.15},
    ("repair", "phone_intake"): {"1": 0.8, "2": 0.2},
    ("repair", "reschedule_call"): {"1": 0.7, "2": 0.3},
}
FACT_WEIGHTS: dict[str, dict[str, float]] = {
    "engineering_supervisor_present": {"yes": 0.7, "no": 0.3},
    "finance_present": {"yes": 0.85, "no": 0.15},
    "director_present": {"yes": 0.4, "no": 0.6},
    "visitor_kind": {"owner": 0.7, "tenant": 0.3},
    "owner_arrears": {"none": 0.85, "some": 0.12, "over_limit": 0.03},
    "tenant_arrears": {"none": 0.92, "some": 0.08},
    "repair_in_house": {"yes": 0.96, "no": 0.04},
    "repair_channel": {"counter": 0.5, "phone": 0.5},
}
MAX_MOVES = 40


@dataclass(frozen=True)
class Walk:
    """A flow as taken: each move (the step left, how), the steps seen, what the options set."""

    moves: list[tuple[str, str]]
    seen: set[str]
    sets: dict[str, str]
    facts: dict[str, str]  # step → the fact's value taken there
    last: str  # the step the walk ended at


class Walker:
    """Random walks through the shipped catalogue's scenarios, compiled once."""

    def __init__(self, scenarios: dict[str, Scenario]) -> None:
        self.scenarios = scenarios
        # (scenario, step) → how it is left: ("next", target) / ("option", keys, gotos, sets, cumulative
        # weights) / ("fact", values, cumulative weights, cases) / ("end",)
        self.ways: dict[tuple[str, str], tuple] = {}
        for sc in scenarios.values():
            for step in sc.steps.values():
                self.ways[sc.id, step.id] = self._way(sc.id, step)

    @staticmethod
    def _way(scenario: str, step) -> tuple:
        if step.end:
            return ("end",)
        if step.next:
            return ("next", step.next)
        if step.options:
            keys = [o.key for o in step.options]
            weights = OPTION_WEIGHTS.get((scenario, step.id), {})
            return ("option", keys, {o.key: o.goto for o in step.options},
                    {o.key: {k: str(v) for k, v in dict(o.sets).items()} for o in step.options},
                    list(itertools.accumulate(weights.get(k, 1.0) for k in keys)))
        if step.fact:
            weights = FACT_WEIGHTS.get(step.fact) or dict.fromkeys(step.cases, 1.0)
            values = [v for v in weights if v in step.cases]
            return ("fact", values, list(itertools.accumulate(weights[v] for v in values)), dict(step.cases))
        return ("end",)

    def walk(self, rng: random.Random, scenario: str, start: str | None = None, *,
             force: dict[str, str] | None = None) -> Walk:
        """From `start` (the scenario's) to an end step. `force` maps a step to the option key or
        the fact value the record decides there."""
        here = start or self.scenarios[scenario].start
        force = force or {}
        moves: list[tuple[str, str]] = []
        seen = {here}
        sets: dict[str, str] = {}
        facts: dict[str, str] = {}
        ways = self.ways
        while len(moves) < MAX_MOVES:
            way = ways[scenario, here]
            kind = way[0]
            if kind == "next":
                via, goto = "next", way[1]
            elif kind == "option":
                _, keys, gotos, option_sets, cumulative = way
                key = force.get(here)
                if key is None:
                    fresh = [k for k in keys if gotos[k] not in seen]  # no going round in circles
                    if len(fresh) == len(keys) or not fresh:
                        key = rng.choices(keys, cum_weights=cumulative)[0]
                    else:
                        weights = OPTION_WEIGHTS.get((scenario, here), {})
                        key = rng.choices(fresh, weights=[weights.get(k, 1.0) for k in fresh])[0]
                sets.update(option_sets[key])
                via, goto = f"option:{key}", gotos[key]
            elif kind == "fact":
                _, values, cumulative, cases = way
                value = force.get(here) or rng.choices(values, cum_weights=cumulative)[0]
                via, goto = f"fact:{value}", cases[value]
                facts[here] = value
            else:
                break
            moves.append((here, via))
            here = goto
            seen.add(here)
        return Walk(moves, seen, sets, facts, here)

    def step(self, scenario: str, step_id: str):
        return self.scenarios[scenario].steps[step_id]


def option_key(scenario: Scenario, step_id: str, name: str, value: str) -> str:
    """The key of the option at `step_id` that sets `name` to `value` (the purpose's key …)."""
    for option in scenario.steps[step_id].options:
        if dict(option.sets).get(name) == value:
            return option.key
    raise KeyError(f"{scenario.id}.{step_id}: no option sets {name}={value}")


@dataclass(frozen=True)
class Texts:
    """data/demo/history.toml, as read, and the walker of the shipped catalogue."""

    raw: dict
    walker: Walker = field(repr=False)

    def list(self, *path: str) -> list:
        node = self.raw
        for key in path:
            node = node[key]
        return node


def load(folder: Path | None = None) -> Texts:
    path = (folder or data_dir() / "demo") / "history.toml"
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DeskappError("init.demo_unreadable", path=str(path), reason=str(e)) from None
    return Texts(raw, Walker(shipped().scenarios))
