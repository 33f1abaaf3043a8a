"""Walking a scenario's flow: the step the clerk is on, the ways on, and the trail taken.

A step goes on by Enter (`next`), by the clerk's key (`options`), or by a fact the domain
computes (`fact`); when the domain cannot tell a fact, the clerk answers it with a key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from deskapp.standards.model import Scenario, Step, Text
from deskapp.standards.registry import FACTS, OPTION_KEYS

FactLookup = Callable[[str], str | None]


class FlowError(Exception):
    """A move the current step does not allow (a programming error of the screen)."""


@dataclass(frozen=True)
class Choice:
    key: str
    goto: str
    label: Text | None = None  # an option's label; None for a fact value (labelled by the locale)
    fact_value: str = ""


@dataclass(frozen=True)
class Taken:
    """One step left behind: how the clerk went on from it, and when."""

    step: str
    via: str  # "next", "option:<key>", "fact:<value>" (computed) or "answer:<value>" (clerk)
    at: datetime | None = None


_UNASKED = object()


def _no_facts(_name: str) -> str | None:
    return None


class FlowRun:
    def __init__(
        self, scenario: Scenario, facts: FactLookup | Mapping[str, str] | None = None, clock=None, start: str = ""
    ) -> None:
        self.scenario = scenario
        if isinstance(facts, Mapping):
            self._facts: FactLookup = facts.get
        else:
            self._facts = facts or _no_facts
        self._clock = clock
        if start and start not in scenario.steps:
            raise FlowError(f"scenario {scenario.id} has no step {start!r}")
        self._path: list[str] = [start or scenario.start]
        self._fact_here: str | None | object = _UNASKED
        self.trail: list[Taken] = []

    @property
    def step(self) -> Step:
        return self.scenario.steps[self._path[-1]]

    @property
    def finished(self) -> bool:
        return self.step.end

    @property
    def position(self) -> int:
        """How many steps have been taken to get here (1 at the start)."""
        return len(self._path)

    def fact_value(self) -> str | None:
        """The computed value of the current step's fact, if the domain can tell.

        Asked once per arrival at the step: screens ask it for every key they redraw, and a
        fact may read the store."""
        step = self.step
        if not step.fact:
            return None
        if self._fact_here is _UNASKED:
            value = self._facts(step.fact)
            self._fact_here = value if value in FACTS[step.fact] else None
        return self._fact_here

    def choices(self) -> list[Choice]:
        """The keys the clerk may press here (empty when Enter is the way on)."""
        step = self.step
        if step.options:
            return [Choice(o.key, o.goto, o.label) for o in step.options]
        if step.fact and self.fact_value() is None:
            return [
                Choice(OPTION_KEYS[n], step.cases[value], None, value)
                for n, value in enumerate(FACTS[step.fact])
            ]
        return []

    def can_go_on(self) -> bool:
        step = self.step
        return bool(step.next) or (bool(step.fact) and self.fact_value() is not None)

    def go_on(self) -> Step:
        """Enter: follow `next`, or the computed fact's case."""
        step = self.step
        if step.next:
            return self._move("next", step.next)
        value = self.fact_value()
        if step.fact and value is not None:
            return self._move(f"fact:{value}", step.cases[value])
        raise FlowError(f"step {step.id} does not go on by Enter")

    def choose(self, key: str) -> Step:
        for choice in self.choices():
            if choice.key == key:
                via = f"answer:{choice.fact_value}" if choice.fact_value else f"option:{key}"
                return self._move(via, choice.goto)
        raise FlowError(f"step {self.step.id} has no choice {key!r}")

    def apply(self, via: str) -> Step:
        """Repeat a recorded move (a `Taken.via`, or "back"), as it was taken: facts are not asked
        again, so a visit resumed after a restart is exactly where the clerk left it."""
        if via == "back":
            self.back()
            return self.step
        step = self.step
        kind, _, key = via.partition(":")
        if kind == "next" and step.next:
            return self._move(via, step.next)
        if kind == "option":
            for option in step.options:
                if option.key == key:
                    return self._move(via, option.goto)
        if kind in ("fact", "answer") and key in step.cases:
            return self._move(via, step.cases[key])
        raise FlowError(f"step {step.id} cannot be left by {via!r}")

    def back(self) -> bool:
        """Esc: return to the previous step; False at the start."""
        if len(self._path) == 1:
            return False
        self._path.pop()
        self._fact_here = _UNASKED
        self.trail.pop()
        return True

    def _move(self, via: str, target: str) -> Step:
        at = self._clock.now() if self._clock is not None else None
        self.trail.append(Taken(self.step.id, via, at))
        self._path.append(target)
        self._fact_here = _UNASKED
        return self.step

    def steps_taken(self) -> list[str]:
        return list(self._path)
