"""What every screen that hosts a record's flow in the step panel does the same way."""

from __future__ import annotations

from collections.abc import Callable

from deskapp.standards.model import Step
from deskapp.standards.slots import fill


def option_sets(step: Step, via: str) -> dict[str, object]:
    """The record fields the chosen option sets (`sets.purpose = …`), if the move was an option."""
    kind, _, key = via.partition(":")
    if kind != "option":
        return {}
    return dict(next(o for o in step.options if o.key == key).sets)


def promise_text(t: Callable[..., str], kind: str, values: dict[str, object], policy_value: Callable[[str], object]) -> str:
    """The promise as Today and the handover show it: the locale's template, slots filled, at most 400."""
    template = t(f"promise_text.{kind}")
    return " ".join(fill(template, values, policy_value, lambda _slot: "").split())[:400]
