"""The audit log's hash chain: each event's hash covers its predecessor's hash and its own fields.

An edited event no longer matches its hash; a removed, reordered or inserted one breaks the link
to its neighbour. The row id is not hashed, so a bulk writer can chain events before inserting.
The chain shows tampering inside the log, not a forged event appended at its end by someone who
can compute sha256 (that needs the last hash kept somewhere else).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

GENESIS = ""
"""The prev_hash of the first event in a store."""

Fault = Literal["edited", "removed", "inserted"]


def event_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str,
) -> str:
    """sha256 (hex) of an event chained to ``prev_hash``: a compact JSON array in UTF-8.

    ``at`` must be timezone-aware; it is taken to UTC with microseconds, as the store keeps it."""
    if at.tzinfo is None:
        raise ValueError("event_hash needs a timezone-aware time")
    instant = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [prev_hash, instant, actor_id, action, entity or "", entity_id, detail]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored event as the chain sees it."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: int | None
    detail: str
    prev_hash: str
    hash: str

    def intact(self) -> bool:
        """Does the stored hash still match the event's own fields?"""
        return self.hash == event_hash(self.prev_hash, self.at, self.actor_id, self.action, self.entity,
                                       self.entity_id, self.detail)


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken: the event and what was done to the log there."""

    event: Link
    fault: Fault


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken: Break | None = None


def check_chain(links: Iterable[Link]) -> ChainCheck:
    """Walk the events in id order; stop at the first break.

    At an event that does not fit, its successor decides what happened: if the successor links to
    what this event should have linked to, this event was put in between (inserted). Otherwise an
    event whose own hash no longer matches was edited, and an intact one that does not follow its
    predecessor had an event before it removed (or moved). Memory stays bounded: two events."""
    expected = GENESIS
    checked = 0
    suspect: Link | None = None
    for link in links:
        if suspect is not None:
            return ChainCheck(checked, Break(suspect, _fault(suspect, link, expected)))
        checked += 1
        if link.prev_hash == expected and link.hash and link.intact():
            expected = link.hash
        else:
            suspect = link
            checked -= 1
    if suspect is not None:
        return ChainCheck(checked, Break(suspect, _fault(suspect, None, expected)))
    return ChainCheck(checked)


def _fault(suspect: Link, successor: Link | None, expected: str) -> Fault:
    if not suspect.hash:
        return "inserted"  # every event deskapp writes has a hash
    if successor is not None and successor.prev_hash == expected and successor.intact():
        return "inserted"
    if not suspect.intact():
        return "edited"
    return "removed"
