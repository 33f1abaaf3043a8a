"""The locale files agree with each other and with the code that uses them."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from deskapp.domain.promises import DueStatus
from deskapp.errors import DeskappError
from deskapp.i18n import LANGUAGES, Translator, _flatten
from deskapp.store.tables import Role

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "data" / "locale"
SRC = ROOT / "src" / "deskapp"
ERROR_CLASSES = {"DeskappError", "SignInError"}


def strings(lang: str) -> dict[str, str]:
    import tomllib

    with (LOCALE / f"{lang}.toml").open("rb") as f:
        return _flatten(tomllib.load(f))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_zh_and_en_have_the_same_keys() -> None:
    zh, en = strings("zh"), strings("en")
    assert sorted(set(zh) - set(en)) == [], "keys missing from en.toml"
    assert sorted(set(en) - set(zh)) == [], "keys missing from zh.toml"


def test_zh_and_en_have_the_same_placeholders() -> None:
    zh, en = strings("zh"), strings("en")
    differ = {key: (placeholders(zh[key]), placeholders(en[key])) for key in zh.keys() & en.keys()
              if placeholders(zh[key]) != placeholders(en[key])}
    assert differ == {}


def test_no_string_is_empty() -> None:
    for lang in LANGUAGES:
        assert [k for k, v in strings(lang).items() if not v.strip()] == [], lang


def _error_calls() -> list[tuple[str, str, set[str] | None]]:
    """(file:line, message key, keyword names or None if **kwargs) of every DeskappError(...) in src/."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ERROR_CLASSES or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", first.value, keywords))
    return found


def test_the_source_raises_errors() -> None:
    keys = {key for _, key, _ in _error_calls()}
    assert {"store.newer_schema", "signin.wrong_pin", "policy.override_unknown"} <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_error_raised_in_the_source_has_a_message(lang: str) -> None:
    table = strings(lang)
    missing = [(where, key) for where, key, _ in _error_calls() if f"error.{key}" not in table]
    assert missing == []


def test_every_error_is_raised_with_the_values_its_message_needs() -> None:
    table = strings("en")
    short = []
    for where, key, keywords in _error_calls():
        needed = placeholders(table.get(f"error.{key}", ""))
        if keywords is not None and not needed <= keywords:
            short.append((where, key, sorted(needed - keywords)))
    assert short == []


def _literal_keys() -> list[tuple[str, str]]:
    """Message keys written out in src/: t("…") calls and Binding descriptions."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            position = {"t": 0, "Binding": 2}.get(name)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:  # "": no text
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", arg.value))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_written_in_the_source_exists(lang: str) -> None:
    table = strings(lang)
    used = _literal_keys()
    assert any(key == "signin.title" for _, key in used)
    assert [(where, key) for where, key in used if key not in table] == []


def test_dynamic_keys_exist() -> None:
    for lang in LANGUAGES:
        table = strings(lang)
        for role in Role:
            assert f"role.{role}" in table, (lang, role)
        for status in DueStatus:
            assert f"due.{status}" in table, (lang, status)


def test_a_message_may_take_a_parameter_named_key() -> None:
    error = DeskappError("policy.override_unknown", path="site.toml", key="reception.nope")
    assert Translator("en").error(error) == "Site policy file site.toml names an unknown entry: reception.nope"
    assert "reception.nope" in Translator("zh").error(error)


def test_an_unknown_key_shows_itself_and_an_unknown_language_is_refused() -> None:
    assert Translator("en")("no.such.key") == "no.such.key"
    with pytest.raises(DeskappError) as refused:
        Translator("fr")
    assert refused.value.key == "cli.bad_lang"
