"""Filling a phrase's {slots} from the record at hand and from the policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from deskapp.standards.catalogue import SLOT


def fill(
    text: str,
    values: Mapping[str, object],
    policy_value: Callable[[str], object],
    missing: Callable[[str], str],
) -> str:
    """Replace each {slot}: a record value, a policy limit, or `missing(slot)` when unknown."""

    def one(match) -> str:
        slot = match.group(1)
        if slot.startswith("policy."):
            return _plain(policy_value(slot.removeprefix("policy.")))
        value = values.get(slot)
        return missing(slot) if value is None or value == "" else _plain(value)

    return SLOT.sub(one, text)


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
