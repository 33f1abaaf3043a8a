"""The catalogue's parts, as loaded from data/catalogue/*.toml."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Say:
    text: Text
    to: str = ""


@dataclass(frozen=True)
class Rule:
    text: Text
    source: str


@dataclass(frozen=True)
class Option:
    key: str
    label: Text
    goto: str
    sets: tuple[tuple[str, str], ...] = ()  # record fields this choice sets, e.g. (("purpose", "payment"),)


@dataclass(frozen=True)
class Step:
    id: str
    source: str
    action: Text | None = None
    say: tuple[Say, ...] = ()
    rules: tuple[Rule, ...] = ()
    tips: tuple[str, ...] = ()
    promise: str = ""
    next: str = ""
    options: tuple[Option, ...] = ()
    fact: str = ""
    cases: dict[str, str] = field(default_factory=dict)
    end: bool = False
    outcome: str = ""
    handoff: str = ""
    ask: tuple[str, ...] = ()  # slots the clerk fills at this step before going on
    does: str = ""  # an action the screen performs in the store when the step is left

    def targets(self) -> list[tuple[tuple[str, str], str]]:
        """Every way on from this step: ((kind, key), step id)."""
        if self.next:
            return [(("next", ""), self.next)]
        if self.options:
            return [(("option", o.key), o.goto) for o in self.options]
        if self.fact:
            return [(("fact", value), goto) for value, goto in self.cases.items()]
        return []


@dataclass(frozen=True)
class Scenario:
    id: str
    title: Text
    source: str
    start: str
    steps: dict[str, Step]
    file: str
    # Other steps a screen may start a flow at (a work order's later stages, a reschedule call).
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tip:
    id: str
    source: str
    group: str
    title: Text
    short: Text
    text: Text


@dataclass(frozen=True)
class TextEntry:
    id: str
    source: str
    group: str
    text: Text


@dataclass(frozen=True)
class Forbidden:
    id: str
    source: str
    match_zh: tuple[str, ...]
    match_en: tuple[str, ...]
    phrase: Text
    better: Text
    why: Text | None


@dataclass
class Catalogue:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    tips: dict[str, Tip] = field(default_factory=dict)
    texts: dict[str, TextEntry] = field(default_factory=dict)
    forbidden: dict[str, Forbidden] = field(default_factory=dict)
