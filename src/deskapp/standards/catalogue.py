"""Load data/catalogue/*.toml and check it, naming the file and line of every problem."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deskapp.errors import DeskappError
from deskapp.paths import data_dir
from deskapp.standards import registry
from deskapp.standards.lines import LineIndex
from deskapp.standards.model import (
    Catalogue,
    Forbidden,
    Option,
    Rule,
    Say,
    Scenario,
    Step,
    TextEntry,
    Text,
    Tip,
)

SLOT = re.compile(r"\{([^{}]*)\}")
_STEP_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_STEP_FIELDS = {
    "source", "action", "say", "rule", "tips", "promise", "next", "options", "fact", "cases",
    "end", "outcome", "handoff", "ask", "does",
}
_TIP_FIELDS = {"source", "group", "title", "short", "text"}
_TEXT_FIELDS = {"source", "group", "zh", "en"}
_FORBIDDEN_FIELDS = {"source", "match", "phrase", "better", "why"}
_TOP_LEVEL = {"scenario", "steps", "tips", "texts", "forbidden"}


@dataclass(frozen=True)
class Problem:
    """One defect: the file, the line, a message key of the locale files and its values."""

    file: str
    line: int
    key: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, t) -> str:
        return f"{self.file}:{self.line}: {t(f'catalogue.problem.{self.key}', **dict(self.params))}"


class CatalogueError(DeskappError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("catalogue.invalid", count=len(problems))
        self.problems = problems


class _File:
    """One catalogue file being read: its data, its lines, and the problems found in it."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.name = path.name
        self.problems = problems
        raw = path.read_text(encoding="utf-8")
        self.lines = LineIndex(raw)
        try:
            self.data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as e:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(e))) else 1
            self.problem(("",), "toml", line=line, reason=str(e))
            self.data = {}

    def problem(self, path: tuple, key: str, /, line: int | None = None, **params: object) -> None:
        # `/`: a problem's own params may be named `key` (bad_option_key, duplicate_option_key)
        line = line if line is not None else self.lines.line(*path)
        self.problems.append(Problem(self.name, line, key, tuple((k, str(v)) for k, v in params.items())))

    def text(self, table: dict, name: str | None, path: tuple, required: bool = True) -> Text | None:
        """A {zh, en} pair: `name.zh`/`name.en` inside table, or table's own zh/en if name is None."""
        pair = table if name is None else table.get(name)
        where = path if name is None else path + (name,)
        if pair is None:
            if required:
                self.problem(where, "missing_field", field=name or "zh")
            return None
        if not isinstance(pair, dict):
            self.problem(where, "not_a_text", field=name or "")
            return None
        zh, en = pair.get("zh"), pair.get("en")
        if not isinstance(zh, str) or not zh.strip():
            self.problem(where, "missing_zh", field=name or "")
            return None
        if not isinstance(en, str) or not en.strip():
            self.problem(where + ("zh",), "missing_translation", field=name or "", text=zh[:24])
            en = ""
        for lang, value in (("zh", zh), ("en", en)):
            self._check_slots(value, where + (lang,))
        return Text(zh, en)

    def _check_slots(self, value: str, path: tuple) -> None:
        for slot in SLOT.findall(value):
            if slot.startswith("policy."):
                if slot.removeprefix("policy.") not in _policy_keys():
                    self.problem(path, "unknown_policy_slot", slot=slot)
            elif slot not in registry.SLOTS:
                self.problem(path, "unknown_slot", slot=slot)

    def unknown_fields(self, table: dict, allowed: set[str], path: tuple) -> None:
        for key in table:
            if key not in allowed:
                self.problem(path + (key,), "unknown_field", field=key)


@cache
def _policy_keys() -> frozenset[str]:
    with (data_dir() / "policy.toml").open("rb") as f:
        policy = tomllib.load(f)
    return frozenset(f"{table}.{key}" for table, entries in policy.items() for key in entries)


def default_folder() -> Path:
    return data_dir() / "catalogue"


def check(folder: Path | None = None) -> tuple[Catalogue, list[Problem]]:
    """Load every file of the catalogue; return what loaded and every problem found."""
    folder = folder or default_folder()
    problems: list[Problem] = []
    catalogue = Catalogue()
    files = sorted(folder.glob("*.toml"))
    if not files:
        problems.append(Problem(str(folder), 0, "no_files"))
    owners: dict[tuple[str, str], str] = {}
    read: dict[str, _File] = {}
    for path in files:
        f = read[path.name] = _File(path, problems)
        f.unknown_fields(f.data, _TOP_LEVEL, ())
        _load_shared(f, catalogue, owners)
        if "scenario" in f.data or "steps" in f.data:
            scenario = _load_scenario(f)
            if scenario is not None:
                catalogue.scenarios[scenario.id] = scenario
    for scenario in catalogue.scenarios.values():
        _check_links(read[scenario.file], scenario, catalogue)
    return catalogue, problems


def load(folder: Path | None = None) -> Catalogue:
    catalogue, problems = check(folder)
    if problems:
        raise CatalogueError(problems)
    return catalogue


def _load_shared(f: _File, catalogue: Catalogue, owners: dict[tuple[str, str], str]) -> None:
    def claim(kind: str, entry_id: str) -> bool:
        if (kind, entry_id) in owners:
            f.problem((kind, entry_id), "duplicate_id", kind=kind, id=entry_id, other=owners[(kind, entry_id)])
            return False
        owners[(kind, entry_id)] = f.name
        return True

    for tip_id, raw in f.data.get("tips", {}).items():
        path = ("tips", tip_id)
        f.unknown_fields(raw, _TIP_FIELDS, path)
        texts = [f.text(raw, name, path) for name in ("title", "short", "text")]
        source = _required_str(f, raw, "source", path)
        if claim("tips", tip_id) and all(texts) and source:
            catalogue.tips[tip_id] = Tip(tip_id, source, str(raw.get("group", "")), *texts)

    for text_id, raw in f.data.get("texts", {}).items():
        path = ("texts", text_id)
        f.unknown_fields(raw, _TEXT_FIELDS, path)
        text = f.text(raw, None, path)
        source = _required_str(f, raw, "source", path)
        if claim("texts", text_id) and text and source:
            catalogue.texts[text_id] = TextEntry(text_id, source, str(raw.get("group", "")), text)

    for entry_id, raw in f.data.get("forbidden", {}).items():
        path = ("forbidden", entry_id)
        f.unknown_fields(raw, _FORBIDDEN_FIELDS, path)
        match = raw.get("match", {})
        match_zh = tuple(m for m in match.get("zh", []) if isinstance(m, str) and m.strip())
        match_en = tuple(m for m in match.get("en", []) if isinstance(m, str) and m.strip())
        if not match_zh:
            f.problem(path + ("match",), "no_match", id=entry_id)
        phrase, better = f.text(raw, "phrase", path), f.text(raw, "better", path)
        why = f.text(raw, "why", path, required=False)
        source = _required_str(f, raw, "source", path)
        if claim("forbidden", entry_id) and phrase and better and source and match_zh:
            catalogue.forbidden[entry_id] = Forbidden(entry_id, source, match_zh, match_en, phrase, better, why)


def _required_str(f: _File, table: dict, name: str, path: tuple) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        f.problem(path + (name,) if name in table else path, "missing_field", field=name)
        return ""
    return value


def _load_scenario(f: _File) -> Scenario | None:
    head = f.data.get("scenario")
    if not isinstance(head, dict):
        f.problem(("steps",), "no_scenario")
        return None
    scenario_id = _required_str(f, head, "id", ("scenario",))
    if scenario_id and scenario_id != f.path.stem:
        f.problem(("scenario", "id"), "id_not_file_name", id=scenario_id, stem=f.path.stem)
    title = f.text(head, "title", ("scenario",))
    source = _required_str(f, head, "source", ("scenario",))
    start = _required_str(f, head, "start", ("scenario",))
    steps: dict[str, Step] = {}
    raw_steps = f.data.get("steps", {})
    if not raw_steps:
        f.problem(("scenario",), "no_steps")
    for step_id, raw in raw_steps.items():
        steps[step_id] = _load_step(f, step_id, raw)
    if start and raw_steps and start not in raw_steps:
        f.problem(("scenario", "start"), "unknown_step", target=start)
    entries = head.get("entries", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        f.problem(("scenario", "entries"), "bad_entries")
        entries = []
    for entry in entries:
        if raw_steps and entry not in raw_steps:
            f.problem(("scenario", "entries"), "unknown_step", target=entry)
    if not (scenario_id and title and source and start):
        return None
    scenario = Scenario(scenario_id, title, source, start, steps, f.name, tuple(e for e in entries if e in raw_steps))
    _check_graph(f, scenario, set(raw_steps))
    return scenario


def _load_step(f: _File, step_id: str, raw: dict) -> Step:
    path = ("steps", step_id)
    if not _STEP_ID.match(step_id):
        f.problem(path, "bad_step_id", id=step_id)
    f.unknown_fields(raw, _STEP_FIELDS, path)
    source = _required_str(f, raw, "source", path)
    action = f.text(raw, "action", path, required=False)
    say = tuple(
        Say(text, str(entry.get("to", "")))
        for n, entry in enumerate(raw.get("say", []))
        if (text := f.text(entry, None, path + ("say", n))) is not None
    )
    for n, entry in enumerate(raw.get("say", [])):
        if entry.get("to", "visitor") not in registry.ADDRESSEES:
            f.problem(path + ("say", n, "to"), "unknown_addressee", to=entry.get("to"))
    rules = tuple(
        Rule(text, str(entry.get("source", "")))
        for n, entry in enumerate(raw.get("rule", []))
        if (text := f.text(entry, None, path + ("rule", n))) is not None
    )
    if not say and not action:
        f.problem(path, "no_say_or_action", step=step_id)

    tips = raw.get("tips", [])
    if not isinstance(tips, list) or not all(isinstance(t, str) for t in tips):
        f.problem(path + ("tips",), "bad_tips")
        tips = []
    promise = str(raw.get("promise", ""))
    if promise and promise not in registry.PROMISE_KINDS:
        f.problem(path + ("promise",), "unknown_promise", promise=promise)

    options = []
    keys: set[str] = set()
    for n, entry in enumerate(raw.get("options", [])):
        key, goto = str(entry.get("key", "")), str(entry.get("goto", ""))
        if len(key) != 1 or key not in registry.OPTION_KEYS:
            f.problem(path + ("options", n, "key"), "bad_option_key", key=key, allowed=registry.OPTION_KEYS)
        elif key in keys:
            f.problem(path + ("options", n, "key"), "duplicate_option_key", key=key)
        keys.add(key)
        if not goto:
            f.problem(path + ("options", n), "missing_field", field="goto")
        label = f.text(entry, "label", path + ("options", n))
        sets = []
        raw_sets = entry.get("sets", {})
        if not isinstance(raw_sets, dict):  # `sets = "payment"`: not a table of field = value
            f.problem(path + ("options", n, "sets"), "bad_sets", field="sets", value=raw_sets)
            raw_sets = {}
        for name, value in raw_sets.items():
            if value not in registry.SETTABLE.get(name, ()):
                f.problem(path + ("options", n, "sets", name), "bad_sets", field=name, value=value)
            else:
                sets.append((name, value))
        options.append(Option(key, label or Text("", ""), goto, tuple(sets)))  # kept: its goto still leads on

    fact = str(raw.get("fact", ""))
    cases = {str(k): str(v) for k, v in raw.get("cases", {}).items()}
    if fact:
        values = registry.FACTS.get(fact)
        if values is None:
            f.problem(path + ("fact",), "unknown_fact", fact=fact)
        else:
            for value in values:
                if value not in cases:
                    f.problem(path + ("cases",), "missing_case", fact=fact, value=value)
            for value in cases:
                if value not in values:
                    f.problem(path + ("cases", value), "unknown_case", fact=fact, value=value)
    elif cases:
        f.problem(path + ("cases",), "cases_without_fact")

    end = raw.get("end", False) is True
    navigation = [bool(raw.get("next")), bool(raw.get("options")), bool(fact), end]
    if sum(navigation) != 1:
        f.problem(path, "navigation", step=step_id, count=sum(navigation))
    outcome, handoff = str(raw.get("outcome", "")), str(raw.get("handoff", ""))
    if (outcome or handoff) and not end:
        f.problem(path + ("outcome" if outcome else "handoff",), "end_field_not_at_end", step=step_id)
    if outcome and outcome not in registry.OUTCOMES:
        f.problem(path + ("outcome",), "unknown_outcome", outcome=outcome)
    ask = raw.get("ask", [])
    if not isinstance(ask, list) or not all(isinstance(a, str) for a in ask):
        f.problem(path + ("ask",), "bad_ask")
        ask = []
    for slot in ask:
        if slot not in registry.ASKABLE:
            f.problem(path + ("ask",), "unknown_ask", slot=slot)
    if ask and not raw.get("next"):
        f.problem(path + ("ask",), "ask_without_next", step=step_id)
    does = str(raw.get("does", ""))
    if does and does not in registry.ACTIONS:
        f.problem(path + ("does",), "unknown_action", action=does)
    # Loaded even when broken (e.g. no source): the defect is reported once, and the steps after
    # it must not then be called unreachable.
    return Step(
        step_id, source, action, say, rules, tuple(tips), promise, str(raw.get("next", "")),
        tuple(options), fact, cases, end, outcome, handoff, tuple(ask), does,
    )


def _check_graph(f: _File, scenario: Scenario, declared: set[str]) -> None:
    """Targets exist; every step is reachable from start; an end is reachable from every step.

    One defect is reported once: a step whose way on is already an error (a dangling target, no
    way on at all) counts as an end below, and an unknown start checks no reachability.
    """
    broken: set[str] = set()
    for step in scenario.steps.values():
        for n, ((kind, key), target) in enumerate(step.targets()):
            if target and target not in declared:
                where = {"next": ("next",), "option": ("options", n, "goto"), "fact": ("cases", key)}[kind]
                f.problem(("steps", step.id) + where, "unknown_step", target=target)
                broken.add(step.id)
        if not step.end and not step.targets():
            broken.add(step.id)  # reported as `navigation`
    if scenario.start not in scenario.steps:
        return
    reachable = _reachable(scenario, [scenario.start, *scenario.entries])
    for step_id in scenario.steps:
        if step_id not in reachable:
            f.problem(("steps", step_id), "unreachable", step=step_id)
    ends = {s.id for s in scenario.steps.values() if s.end} | broken
    for step_id in scenario.steps:  # in file order, so problems come out in a stable order
        if step_id in reachable and not (_reachable(scenario, [step_id]) & ends):
            f.problem(("steps", step_id), "no_way_to_end", step=step_id)


def _reachable(scenario: Scenario, start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in scenario.steps:
            continue
        seen.add(step_id)
        todo.extend(target for _, target in scenario.steps[step_id].targets())
    return seen


def _check_links(f: _File, scenario: Scenario, catalogue: Catalogue) -> None:
    """Tip ids and hand-offs resolve across files."""
    for step in scenario.steps.values():
        for tip in step.tips:
            if tip not in catalogue.tips:
                f.problem(("steps", step.id, "tips"), "unknown_tip", tip=tip)
        if step.handoff and step.handoff not in catalogue.scenarios:
            f.problem(("steps", step.id, "handoff"), "unknown_handoff", scenario=step.handoff)


_loaded: dict[Path, Catalogue] = {}


def shipped() -> Catalogue:
    """The catalogue in data/catalogue, loaded once per process."""
    folder = default_folder()
    if folder not in _loaded:
        _loaded[folder] = load(folder)
    return _loaded[folder]
