"""The 禁语 check finds each forbidden phrase in typed text, with its better wording, and never
trips on the standard phrases themselves."""

from __future__ import annotations

import pytest

from deskapp.standards.catalogue import check, shipped
from deskapp.standards.forbidden import find_forbidden
from deskapp.standards.model import Catalogue, Forbidden, Text

# Collected from the data; none if the catalogue is broken (test_shipped.py then names the problem).
_CATALOGUE, _PROBLEMS = check()
ENTRIES = [] if _PROBLEMS else sorted(_CATALOGUE.forbidden)


def _entry(entry_id: str) -> Forbidden:
    return shipped().forbidden[entry_id]


def test_the_shipped_catalogue_has_the_forbidden_phrases() -> None:
    """003 2.7 gives six, tip B6 four more."""
    assert len(ENTRIES) >= 10
    for entry in shipped().forbidden.values():
        assert entry.match_zh and entry.better.zh and entry.better.en and entry.source


@pytest.mark.parametrize("entry_id", ENTRIES)
def test_each_chinese_match_is_found_inside_a_sentence(entry_id: str) -> None:
    entry = _entry(entry_id)
    for pattern in entry.match_zh:
        typed = f"业主来电询问,我答复:{pattern},请您谅解。"
        hits = [hit for hit in find_forbidden(typed, shipped()) if hit.entry.id == entry_id]
        assert len(hits) == 1, pattern
        hit = hits[0]
        assert pattern in hit.matched  # this pattern, or a longer one of the same entry
        assert typed[hit.start : hit.start + len(hit.matched)] == hit.matched
        assert hit.entry.better == entry.better


@pytest.mark.parametrize("entry_id", [e for e in ENTRIES if _CATALOGUE.forbidden[e].match_en])
def test_each_english_match_is_found_ignoring_case(entry_id: str) -> None:
    entry = _entry(entry_id)
    for pattern in entry.match_en:
        for written in (pattern.upper(), pattern.title(), pattern):
            typed = f"Told the caller: {written}. Will call back."
            hits = [hit for hit in find_forbidden(typed, shipped()) if hit.entry.id == entry_id]
            assert len(hits) == 1, written
            assert typed[hits[0].start : hits[0].start + len(hits[0].matched)] == hits[0].matched
            assert pattern.casefold() in hits[0].matched.casefold()


def _standard_texts():
    """What the counter says and shows. Not the tips: B6 quotes the 禁语 it forbids."""
    catalogue = shipped()
    for scenario in catalogue.scenarios.values():
        for step in scenario.steps.values():
            where = f"{scenario.id}.{step.id}"
            for n, say in enumerate(step.say):
                yield f"{where}.say[{n}]", say.text
            if step.action:
                yield f"{where}.action", step.action
            for n, rule in enumerate(step.rules):
                yield f"{where}.rule[{n}]", rule.text
            for option in step.options:
                yield f"{where}.options[{option.key}]", option.label
    for entry in catalogue.texts.values():
        yield f"texts.{entry.id}", entry.text
    for forbidden in catalogue.forbidden.values():
        yield f"forbidden.{forbidden.id}.better", forbidden.better


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_standard_phrase_trips_the_check(lang: str) -> None:
    """Every `say` of every scenario (and the actions, rules, labels, texts, better wordings)."""
    tripped = [
        (where, [hit.matched for hit in hits])
        for where, text in _standard_texts()
        if (hits := find_forbidden(text(lang), shipped()))
    ]
    assert tripped == []


def test_innocent_notes_are_not_flagged() -> None:
    """The seed's own B5 phrase and everyday notes with 不清楚 / 不知道 / 改天 in them."""
    for note in (
        "对不起,我没有听清楚,请您再说一遍,好吗?",
        "电话声音不太清楚,已回电确认地址。",
        "业主不知道停水通知,已解释。",
        "业主改天再来办理过户。",
        "I could not hear the caller clearly; called back.",
    ):
        assert find_forbidden(note, shipped()) == [], note


# -- the function on a small catalogue of its own -------------------------------------------


def _small() -> Catalogue:
    return Catalogue(forbidden={
        "never": Forbidden(
            "never", "003 2.7", ("绝不可能", "绝不可能有这种事发生"), ("could never happen",),
            Text("绝不可能有这种事发生", "That could never happen"), Text("对不起,请把详细情况跟我说下,好吗?", "I'm sorry. Could you tell me what happened?"), None,
        ),
        "not_mine": Forbidden(
            "not_mine", "000 B6", ("不归我管",), ("not my job",),
            Text("这事不归我管", "Not my job"), Text("请{colleague}帮您办理好么?", "May {colleague} help you?"), None,
        ),
    })


def test_hits_come_in_the_order_they_were_typed_with_the_longest_match() -> None:
    typed = "这事不归我管,而且绝不可能有这种事发生。"
    hits = find_forbidden(typed, _small())
    assert [(h.entry.id, h.matched, h.start) for h in hits] == [
        ("not_mine", "不归我管", 2),
        ("never", "绝不可能有这种事发生", typed.index("绝不可能")),
    ]
    assert hits[1].entry.better.zh == "对不起,请把详细情况跟我说下,好吗?"


def test_english_matches_ignore_case_and_keep_what_was_typed() -> None:
    [hit] = find_forbidden("Sorry, that is NOT MY JOB.", _small())
    assert (hit.entry.id, hit.matched, hit.start) == ("not_mine", "NOT MY JOB", 15)


def test_chinese_matches_as_written_and_nothing_is_nothing() -> None:
    assert find_forbidden("", _small()) == []
    assert find_forbidden("我们会尽快处理,请放心。", _small()) == []
    assert find_forbidden("这事不归 我管", _small()) == []  # as written: no fuzzy matching
