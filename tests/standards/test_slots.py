"""Slots are filled from the record and the policy; every name the catalogue may use has a label
in both locale files and (for facts) a function in the domain; the arrears facts' thresholds."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.domain import facts
from deskapp.domain.fees import Arrears
from deskapp.i18n import Translator
from deskapp.policy import Policy
from deskapp.standards import registry
from deskapp.standards.catalogue import default_folder
from deskapp.standards.slots import fill

LANGS = ("zh", "en")


def _marker(slot: str) -> str:
    return f"<{slot}?>"


def _no_policy(key: str) -> object:
    raise AssertionError(f"policy asked for {key}")


# -- fill -------------------------------------------------------------------------------


def test_record_values_fill_their_slots() -> None:
    text = "您好,这里是{company}{site}管理处,请问您是{unit}业主{owner}先生么?"
    values = {"company": "中海物业", "site": "海悦花园", "unit": "3-2-1501", "owner": "王"}
    assert fill(text, values, _no_policy, _marker) == "您好,这里是中海物业海悦花园管理处,请问您是3-2-1501业主王先生么?"


def test_policy_slots_come_from_the_policy(policy: Policy) -> None:
    text = "维修人员在{policy.repair.arrival_minutes}分钟内到达现场"
    assert fill(text, {}, policy.value, _marker) == "维修人员在15分钟内到达现场"
    assert fill("{policy.feedback.reply_major_hours}小时", {}, policy.value, _marker) == "48小时"


def test_a_site_policy_changes_the_phrase(tmp_path: Path) -> None:
    from deskapp.policy import load_policy

    site = tmp_path / "site.toml"
    site.write_text("[repair]\narrival_minutes = 20\n", encoding="utf-8")
    assert fill("{policy.repair.arrival_minutes}", {}, load_policy(site).value, _marker) == "20"


def test_missing_slots_go_to_the_marker_function() -> None:
    asked: list[str] = []

    def marker(slot: str) -> str:
        asked.append(slot)
        return f"[{slot}]"

    text = "您还有{months}个月的管理费共{amount}元未交"
    assert fill(text, {"months": 2, "amount": ""}, _no_policy, marker) == "您还有2个月的管理费共[amount]元未交"
    assert fill(text, {"months": None}, _no_policy, marker) == "您还有[months]个月的管理费共[amount]元未交"
    assert asked == ["amount", "months", "amount"]


def test_values_are_written_plainly() -> None:
    assert fill("{months}", {"months": 3.0}, _no_policy, _marker) == "3"
    assert fill("{hours}", {"hours": 2.5}, _no_policy, _marker) == "2.5"
    assert fill("{months}", {"months": 0}, _no_policy, _marker) == "0"  # zero is a value, not a gap
    assert fill("没有填空", {}, _no_policy, _marker) == "没有填空"


# -- every name the catalogue may use has a label in both languages ------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_slot_has_a_label(lang: str) -> None:
    strings = Translator(lang).strings
    assert [s for s in registry.SLOTS if f"slot.{s}" not in strings] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_fact_value_has_a_label(lang: str) -> None:
    strings = Translator(lang).strings
    missing = [f"fact.{f}.{v}" for f, values in registry.FACTS.items() for v in values if f"fact.{f}.{v}" not in strings]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("prefix", "names"),
    [("promise", registry.PROMISE_KINDS), ("addressee", registry.ADDRESSEES), ("outcome", registry.OUTCOMES)],
)
def test_every_promise_addressee_and_outcome_has_a_label(lang: str, prefix: str, names: tuple[str, ...]) -> None:
    strings = Translator(lang).strings
    assert [n for n in names if f"{prefix}.{n}" not in strings] == []


def test_every_fact_has_its_function_in_the_domain() -> None:
    for name, values in registry.FACTS.items():
        function = getattr(facts, name, None)
        assert callable(function), name
        assert function.__module__ == facts.__name__, name
    public = {name for name, f in inspect.getmembers(facts, inspect.isfunction) if f.__module__ == facts.__name__ and not name.startswith("_")}
    assert public <= set(registry.FACTS)


def test_the_catalogue_readme_lists_the_registry() -> None:
    """The quality department reads the README: its slots, facts and promise kinds are the code's."""
    readme = (default_folder() / "README.md").read_text(encoding="utf-8")
    slots_part = readme[readme.index("Known record") : readme.index("A slot that is not in this list")]
    assert set(re.findall(r"`([a-z_]+)`", slots_part)) <= set(registry.SLOTS)
    assert set(registry.SLOTS) <= set(re.findall(r"`([a-z_]+)`", readme))  # each documented somewhere
    facts_part = readme[readme.index("## Facts") : readme.index("## Promise kinds")]
    facts_rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", facts_part, flags=re.M))
    assert {name: tuple(re.findall(r"`([a-z_]+)`", values)) for name, values in facts_rows.items()} == registry.FACTS
    promise_part = readme[readme.index("## Promise kinds") : readme.index("## Shared entries")]
    assert set(re.findall(r"`([a-z_]+)`", promise_part)) == set(registry.PROMISE_KINDS)


# -- the facts -----------------------------------------------------------------------------


def _arrears(months: int) -> Arrears:
    return Arrears(months, months * 31250)


@pytest.mark.parametrize(
    ("months", "value"),
    [(0, "none"), (1, "some"), (2, "some"), (3, "over_limit"), (4, "over_limit"), (24, "over_limit")],
)
def test_owner_arrears_three_months_is_over_the_limit(policy: Policy, months: int, value: str) -> None:
    """欠费三个月以上需通知管理处主任: 以上 includes the number itself."""
    notice = int(policy.number("release.director_notice_months"))
    assert notice == 3
    assert facts.owner_arrears(_arrears(months), notice) == value


@pytest.mark.parametrize(("months", "value"), [(0, "none"), (1, "some"), (5, "some")])
def test_tenant_any_arrears_is_some(policy: Policy, months: int, value: str) -> None:
    """如欠费则不予放行: with the shipped policy a tenant owing any month is refused."""
    assert facts.tenant_arrears(_arrears(months), int(policy.number("release.tenant_max_arrears_months"))) == value


def test_tenant_arrears_follows_a_site_limit() -> None:
    assert facts.tenant_arrears(_arrears(1), 1) == "none"
    assert facts.tenant_arrears(_arrears(2), 1) == "some"


def test_unknown_records_give_no_fact() -> None:
    assert facts.owner_arrears(None, 3) is None
    assert facts.tenant_arrears(None, 0) is None
    assert facts.visitor_kind(None) is None
    assert facts.visitor_kind("landlord") is None
    for name in ("engineering_supervisor_present", "finance_present", "director_present", "repair_in_house"):
        function = getattr(facts, name)
        assert (function(True), function(False), function(None)) == ("yes", "no", None)


@given(months=st.integers(min_value=0, max_value=240), notice=st.integers(min_value=1, max_value=12))
def test_owner_arrears_is_always_a_value_of_the_fact(months: int, notice: int) -> None:
    value = facts.owner_arrears(_arrears(months), notice)
    assert value in registry.FACTS["owner_arrears"]
    assert (value == "over_limit") == (months >= notice)
    assert (value == "none") == (months == 0)


@given(months=st.integers(min_value=0, max_value=240), limit=st.integers(min_value=0, max_value=12))
def test_tenant_arrears_is_always_a_value_of_the_fact(months: int, limit: int) -> None:
    value = facts.tenant_arrears(_arrears(months), limit)
    assert value in registry.FACTS["tenant_arrears"]
    assert (value == "some") == (months > limit)
