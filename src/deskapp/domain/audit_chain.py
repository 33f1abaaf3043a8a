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

    An event that does not fit is judged by its neighbours. If it follows what its predecessor
    followed, the predecessor was put in between (inserted, though well forged). If its successor
    links to what it should have linked to, it was put in between itself, unless a later event
    links to it (then it was moved: reordered). Otherwise an event whose own hash no longer matches
    was edited, and an intact one that does not follow its predecessor had an event before it
    removed (or moved). Memory stays bounded: four events."""
    before: Link | None = None  # the last event that fitted
    suspect: Link | None = None
    after: list[Link] = []  # up to two events after the suspect
    checked = 0
    for link in links:
        if suspect is not None:
            after.append(link)
            if len(after) == 2:
                break
            continue
        expected = before.hash if before is not None else GENESIS
        if link.prev_hash == expected and link.hash and link.intact():
            before = link
            checked += 1
        else:
            suspect = link
    if suspect is None:
        return ChainCheck(checked)
    return _broken(checked, suspect, before, after)


def _broken(checked: int, suspect: Link, before: Link | None, after: list[Link]) -> ChainCheck:
    expected = before.hash if before is not None else GENESIS
    if before is not None and suspect.intact() and suspect.prev_hash == before.prev_hash:
        return ChainCheck(checked - 1, Break(before, "inserted"))
    if not suspect.hash:  # every event deskapp writes has a hash
        return ChainCheck(checked, Break(suspect, "inserted"))
    skipped = bool(after) and after[0].prev_hash == expected and after[0].intact()
    moved = len(after) == 2 and after[1].prev_hash == suspect.hash
    if skipped and not moved:
        return ChainCheck(checked, Break(suspect, "inserted"))
    return ChainCheck(checked, Break(suspect, "removed" if suspect.intact() else "edited"))
