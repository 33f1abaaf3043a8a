"""`catalogue check` catches each kind of defect, naming the file and the line that holds it.

Every folder under fixtures/ is the same small valid catalogue (tips.toml + reception.toml,
as in fixtures/valid/) with exactly one defect; DEFECTS says which problem(s) it must give,
where. One defect gives one problem — except the loop, reported at each of its two steps.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from deskapp.i18n import Translator
from deskapp.standards.catalogue import CatalogueError, Problem, check, load
from deskapp.standards.lines import LineIndex

FIXTURES = Path(__file__).parent / "fixtures"
DESKAPP = str(Path(sys.executable).with_name("deskapp"))

R, T = "reception.toml", "tips.toml"

# case → [(file, line, problem key)]
DEFECTS: dict[str, list[tuple[str, int, str]]] = {
    "dangling_next": [(R, 58, "unknown_step")],
    "dangling_option_goto": [(R, 43, "unknown_step")],
    "dangling_case_target": [(R, 89, "unknown_step")],
    "unknown_start": [(R, 8, "unknown_step")],
    "unknown_tip": [(R, 14, "unknown_tip")],
    "unknown_fact": [(R, 50, "unknown_fact")],
    "missing_case": [(R, 87, "missing_case")],
    "extra_case": [(R, 55, "unknown_case")],
    "unknown_slot": [(R, 19, "unknown_slot")],
    "unknown_policy_slot": [(R, 84, "unknown_policy_slot")],
    "missing_en_say": [(R, 71, "missing_translation")],
    "missing_en_action": [(R, 47, "missing_translation")],
    "missing_en_option": [(R, 35, "missing_translation")],
    "missing_en_tip": [(T, 10, "missing_translation")],
    "missing_zh": [(R, 98, "missing_zh")],
    "no_say_or_action": [(R, 74, "no_say_or_action")],
    "two_navigations": [(R, 56, "navigation")],
    "no_navigation": [(R, 56, "navigation")],
    "unreachable": [(R, 91, "unreachable")],
    "loop_without_end": [(R, 91, "no_way_to_end"), (R, 97, "no_way_to_end")],
    "duplicate_option_key": [(R, 34, "duplicate_option_key")],
    "bad_option_key": [(R, 34, "bad_option_key")],
    "duplicate_tip_id": [(T, 3, "duplicate_id")],
    "unknown_field": [(R, 49, "unknown_field")],
    "id_not_file_name": [(R, 4, "id_not_file_name")],
    "unknown_handoff": [(R, 69, "unknown_handoff")],
    "unknown_promise": [(R, 66, "unknown_promise")],
    "unknown_outcome": [(R, 68, "unknown_outcome")],
    "outcome_not_at_end": [(R, 59, "end_field_not_at_end")],
    "unknown_addressee": [(R, 99, "unknown_addressee")],
    "bad_step_id": [(R, 64, "bad_step_id")],
    "invalid_toml": [(R, 50, "toml")],
    "missing_source": [(R, 10, "missing_field")],
    # The fields that tie a step to the store: sets, ask, does.
    "bad_sets": [(R, 32, "bad_sets")],  # sets.purpose = "parking"
    "bad_sets_field": [(R, 32, "bad_sets")],  # sets.colour = "red"
    "bad_sets_not_a_table": [(R, 32, "bad_sets")],  # sets = "payment"
    "unknown_ask": [(R, 58, "unknown_ask")],  # ask = ["colour"]
    "ask_without_next": [(R, 67, "ask_without_next")],  # ask at an end step
    "unknown_action": [(R, 58, "unknown_action")],  # does = "refund"
    "bad_ask": [(R, 58, "bad_ask")],  # ask = "amount"
}


def _where(problems: list[Problem]) -> list[tuple[str, int, str]]:
    return [(p.file, p.line, p.key) for p in problems]


def _cli(*args: str, lang: str = "zh") -> subprocess.CompletedProcess[str]:
    return subprocess.run([DESKAPP, "--lang", lang, "catalogue", "check", *args], capture_output=True, text=True, timeout=60)


def test_every_fixture_folder_has_an_expectation() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(DEFECTS) | {"valid"}


def test_the_valid_fixture_passes() -> None:
    catalogue, problems = check(FIXTURES / "valid")
    assert problems == []
    assert list(catalogue.scenarios) == ["reception"]
    assert set(catalogue.tips) == {"A1", "C4"}
    assert load(FIXTURES / "valid").scenarios["reception"].steps["pay"].cases == {"yes": "pay_now", "no": "pay_later"}


def test_the_valid_fixture_passes_the_console_script() -> None:
    done = _cli("--dir", str(FIXTURES / "valid"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize("case", sorted(DEFECTS))
def test_each_defect_gives_its_problem_at_its_line(case: str) -> None:
    _catalogue, problems = check(FIXTURES / case)
    assert sorted(_where(problems)) == sorted(DEFECTS[case])


@pytest.mark.parametrize("case", sorted(DEFECTS))
def test_each_defect_fails_the_console_script_naming_file_and_line(case: str) -> None:
    done = _cli("--dir", str(FIXTURES / case))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    for file, line, _key in DEFECTS[case]:
        assert any(out.startswith(f"{file}:{line}: ") for out in lines), done.stderr
    assert lines[-1] == Translator("zh")("catalogue.failed", count=len(DEFECTS[case]))


def test_problems_read_in_english_too() -> None:
    done = _cli("--dir", str(FIXTURES / "duplicate_option_key"), lang="en")
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith("reception.toml:34: ")
    assert "1" in first  # the key, filled into the message
    assert "catalogue.problem" not in done.stderr  # a message, not a bare locale key


def test_every_problem_key_has_a_message_in_both_languages() -> None:
    """Each key the checker can raise reads as a sentence, in zh and in en."""
    keys = {key for expected in DEFECTS.values() for _f, _l, key in expected} | {"no_files"}
    for lang in ("zh", "en"):
        t = Translator(lang)
        for key in keys:
            assert f"catalogue.problem.{key}" in t.strings, (lang, key)


def test_an_empty_folder_is_a_problem(tmp_path: Path) -> None:
    _catalogue, problems = check(tmp_path)
    assert [p.key for p in problems] == ["no_files"]
    done = _cli("--dir", str(tmp_path))
    assert done.returncode == 1


def test_invalid_toml_names_the_parsers_line_and_reason() -> None:
    [problem] = check(FIXTURES / "invalid_toml")[1]
    assert dict(problem.params)["reason"]
    assert "line 50" in dict(problem.params)["reason"]


def test_the_duplicate_names_the_other_file() -> None:
    [problem] = check(FIXTURES / "duplicate_tip_id")[1]
    assert dict(problem.params) == {"kind": "tips", "id": "A1", "other": R}


@pytest.mark.parametrize(
    ("case", "params"),
    [
        ("bad_sets", {"field": "purpose", "value": "parking"}),
        ("bad_sets_field", {"field": "colour", "value": "red"}),
        ("bad_sets_not_a_table", {"field": "sets", "value": "payment"}),
        ("unknown_ask", {"slot": "colour"}),
        ("ask_without_next", {"step": "pay_later"}),
        ("unknown_action", {"action": "refund"}),
    ],
)
def test_the_new_step_fields_name_what_is_wrong(case: str, params: dict[str, str]) -> None:
    [problem] = check(FIXTURES / case)[1]
    assert dict(problem.params) == params


def test_load_raises_with_every_problem() -> None:
    with pytest.raises(CatalogueError) as raised:
        load(FIXTURES / "loop_without_end")
    assert len(raised.value.problems) == 2
    assert raised.value.params == {"count": 2}


# -- LineIndex ---------------------------------------------------------------------------

SAMPLE = "\n".join([
    '# a comment',  # 1
    '[scenario]',  # 2
    'id = "x"',  # 3
    'title.zh = "标题"',  # 4
    'title . en = "Title"',  # 5
    '',  # 6
    '[steps.greet]',  # 7
    'source = "000"',  # 8
    'note = """',  # 9
    '[steps.fake]',  # 10
    'zh = "inside a multi-line string"',  # 11
    '"""',  # 12
    'next = "end"',  # 13
    '',  # 14
    '[[steps.greet.say]]',  # 15
    'zh = "一"',  # 16
    '',  # 17
    '[[steps.greet.say]]',  # 18
    'to = "a"',  # 19
    "zh = '''",  # 20
    'zh = "still inside"',  # 21
    "'''",  # 22
    'en = "two"',  # 23
    '',  # 24
    '[steps.greet.cases]',  # 25
    'yes = "end"',  # 26
    '',  # 27
    '[[steps.other.say]]',  # 28
    'zh = "三"',  # 29
])


def test_line_index_finds_tables_arrays_of_tables_and_dotted_keys() -> None:
    assert tomllib.loads(SAMPLE)["steps"]["greet"]["say"][1]["zh"] == 'zh = "still inside"\n'
    lines = LineIndex(SAMPLE)
    assert lines.line("scenario") == 2
    assert lines.line("scenario", "id") == 3
    assert lines.line("scenario", "title", "zh") == 4
    assert lines.line("scenario", "title", "en") == 5  # spaces around the dot
    assert lines.line("steps", "greet") == 7
    assert lines.line("steps", "greet", "next") == 13
    assert lines.line("steps", "greet", "say", 0) == 15
    assert lines.line("steps", "greet", "say", 0, "zh") == 16
    assert lines.line("steps", "greet", "say", 1) == 18
    assert lines.line("steps", "greet", "say", 1, "to") == 19
    assert lines.line("steps", "greet", "say", 1, "en") == 23
    assert lines.line("steps", "greet", "cases", "yes") == 26
    assert lines.line("steps", "other", "say", 0, "zh") == 29  # its own array, from 0


def test_line_index_skips_multi_line_strings() -> None:
    lines = LineIndex(SAMPLE)
    assert lines.line("steps", "greet", "note") == 9
    assert lines.line("steps", "fake") == 1  # a header inside a string is not a table
    assert lines.line("steps", "greet", "say", 1, "zh") == 20  # not the "zh =" inside the string


def test_line_index_falls_back_to_the_longest_known_prefix() -> None:
    lines = LineIndex(SAMPLE)
    assert lines.line("steps", "greet", "tips") == 7  # not written: the step's header
    assert lines.line("steps", "greet", "say", 1, "label", "zh") == 18
    assert lines.line("nowhere") == 1
