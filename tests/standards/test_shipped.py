"""The shipped catalogue (data/catalogue/) validates, shows in both languages, and is bilingual."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp.policy import load_policy
from deskapp.standards.catalogue import SLOT, check, shipped
from deskapp.standards.model import Catalogue, Text
from deskapp.standards.slots import fill

DESKAPP = str(Path(sys.executable).with_name("deskapp"))


def _deskapp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DESKAPP, *args], capture_output=True, text=True, timeout=60)


def all_texts(catalogue: Catalogue) -> Iterator[tuple[str, Text]]:
    """Every text of the catalogue, with where it is."""
    for scenario in catalogue.scenarios.values():
        yield f"{scenario.file} title", scenario.title
        for step in scenario.steps.values():
            where = f"{scenario.file} steps.{step.id}"
            if step.action:
                yield f"{where}.action", step.action
            for n, say in enumerate(step.say):
                yield f"{where}.say[{n}]", say.text
            for n, rule in enumerate(step.rules):
                yield f"{where}.rule[{n}]", rule.text
            for option in step.options:
                yield f"{where}.options[{option.key}].label", option.label
    for tip in catalogue.tips.values():
        for name in ("title", "short", "text"):
            yield f"tips.{tip.id}.{name}", getattr(tip, name)
    for entry in catalogue.texts.values():
        yield f"texts.{entry.id}", entry.text
    for forbidden in catalogue.forbidden.values():
        for name in ("phrase", "better", "why"):
            if (text := getattr(forbidden, name)) is not None:
                yield f"forbidden.{forbidden.id}.{name}", text


def test_the_shipped_catalogue_has_no_problems() -> None:
    catalogue, problems = check()
    assert [p.message(lambda key, **_: key) for p in problems] == []
    assert catalogue.scenarios and catalogue.tips and catalogue.forbidden


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_check_passes(lang: str) -> None:
    done = _deskapp("--lang", lang, "catalogue", "check")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert str(len(shipped().scenarios)) in done.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_show_all_prints_every_scenario(lang: str) -> None:
    done = _deskapp("--lang", lang, "catalogue", "show", "all")
    assert done.returncode == 0, done.stderr
    catalogue = shipped()
    for scenario in catalogue.scenarios.values():
        assert f"{scenario.title(lang)} ({scenario.id})" in done.stdout
        for step_id in scenario.steps:
            assert f". {step_id}   [" in done.stdout, step_id
    # every label came from the locale file: no bare key like fact.visitor_kind.owner
    assert re.findall(r"\b(?:outline|fact|outcome|addressee|promise)\.[a-z_]+", done.stdout) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_show_one_scenario_prints_its_phrases(lang: str) -> None:
    release = shipped().scenarios["release"]
    done = _deskapp("--lang", lang, "catalogue", "show", "release")
    assert done.returncode == 0, done.stderr
    for step in release.steps.values():
        for say in step.say:
            assert say.text(lang) in done.stdout


def test_catalogue_show_an_unknown_scenario_fails_in_one_line() -> None:
    done = _deskapp("--lang", "en", "catalogue", "show", "no_such_flow")
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert "release" in done.stderr  # the known ones are listed


def test_every_text_has_chinese_and_english() -> None:
    missing = [where for where, text in all_texts(shipped()) if not text.zh.strip() or not text.en.strip()]
    assert missing == []


def test_english_fills_the_same_slots_as_chinese() -> None:
    """A slot in one language only would drop the record's value from the other."""
    differ = [
        (where, sorted(SLOT.findall(text.zh)), sorted(SLOT.findall(text.en)))
        for where, text in all_texts(shipped())
        if sorted(SLOT.findall(text.zh)) != sorted(SLOT.findall(text.en))
    ]
    assert differ == []


def test_short_tips_fit_one_line() -> None:
    """README: a tip's short form is one line of at most 40 characters (policy values filled)."""
    policy = load_policy()
    for tip in shipped().tips.values():
        short = fill(tip.short.zh, {}, policy.value, lambda slot: slot)
        assert len(short) <= 40 and "\n" not in short, tip.id


def test_every_step_names_its_source() -> None:
    for scenario in shipped().scenarios.values():
        for step in scenario.steps.values():
            assert step.source.strip(), (scenario.id, step.id)
