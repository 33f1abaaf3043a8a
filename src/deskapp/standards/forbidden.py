"""The 禁语 check: find forbidden phrases in what a clerk types, with the better wording."""

from __future__ import annotations

from dataclasses import dataclass

from deskapp.standards.model import Catalogue, Forbidden


@dataclass(frozen=True)
class Hit:
    entry: Forbidden
    matched: str
    start: int


def find_forbidden(text: str, catalogue: Catalogue) -> list[Hit]:
    """Every forbidden phrase in text (Chinese matches as written, English ignoring case)."""
    folded = text.casefold()
    hits: list[Hit] = []
    for entry in catalogue.forbidden.values():
        best: Hit | None = None
        for pattern in entry.match_zh:
            if (at := text.find(pattern)) >= 0 and (best is None or len(pattern) > len(best.matched)):
                best = Hit(entry, pattern, at)
        for pattern in entry.match_en:
            if (at := folded.find(pattern.casefold())) >= 0 and (best is None or len(pattern) > len(best.matched)):
                best = Hit(entry, text[at : at + len(pattern)], at)
        if best is not None:
            hits.append(best)
    return sorted(hits, key=lambda h: h.start)
