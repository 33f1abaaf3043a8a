"""data/policy.toml: every limit with its source, read as durations; a site file may change values only."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskapp.errors import DeskappError
from deskapp.paths import data_dir
from deskapp.policy import Policy, load_policy

POLICY = Path(__file__).resolve().parents[2] / "data" / "policy.toml"


def test_the_tests_read_the_repository_policy() -> None:
    assert data_dir() / "policy.toml" == POLICY


def test_every_entry_has_value_unit_and_source() -> None:
    with POLICY.open("rb") as f:
        tables = tomllib.load(f)
    entries = [(f"{t}.{n}", e) for t, table in tables.items() for n, e in table.items()]
    assert len(entries) >= 25
    for key, entry in entries:
        assert isinstance(entry, dict), key
        assert {"value", "unit", "source"} <= set(entry), key
        assert str(entry["unit"]).strip() and str(entry["source"]).strip(), key
        assert set(entry) <= {"value", "unit", "source", "means"}, key


def test_the_loaded_policy_keeps_the_sources(policy: Policy) -> None:
    limit = policy.limit("reception.wait_handoff_minutes")
    assert (limit.value, limit.unit) == (3, "min")
    assert "3分钟" in limit.source
    assert all(policy.limit(key).source for key in policy.keys())


@pytest.mark.parametrize(
    ("key", "duration"),
    [
        ("reception.wait_handoff_minutes", timedelta(minutes=3)),
        ("reception.phone_pause_seconds", timedelta(seconds=20)),
        ("phone.hold_seconds", timedelta(seconds=7)),
        ("repair.arrival_minutes", timedelta(minutes=15)),
        ("repair.review_minutes", timedelta(minutes=30)),
        ("feedback.handler_reply_hours", timedelta(hours=24)),
        ("feedback.handler_escalate_hours", timedelta(hours=2)),
        ("feedback.reply_major_hours", timedelta(hours=48)),
        ("vacancy.inspect_days", timedelta(days=30)),
        ("handover.promise_due_soon_minutes", timedelta(minutes=60)),
    ],
)
def test_durations(policy: Policy, key: str, duration: timedelta) -> None:
    assert policy.duration(key) == duration


def test_counts_and_thresholds(policy: Policy) -> None:
    assert policy.number("phone.answer_rings") == 3
    assert policy.number("release.director_notice_months") == 3
    assert policy.number("release.tenant_max_arrears_months") == 0
    assert policy.timezone == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("ask", "key", "error"),
    [
        ("duration", "release.director_notice_months", "policy.not_a_duration"),  # months are not a fixed length
        ("number", "site.company", "policy.not_a_number"),
        ("duration", "no.such_limit", "policy.unknown_key"),
        ("value", "reception.no_such_limit", "policy.unknown_key"),
    ],
)
def test_asking_for_the_wrong_thing_is_refused(policy: Policy, ask: str, key: str, error: str) -> None:
    with pytest.raises(DeskappError) as refused:
        getattr(policy, ask)(key)
    assert refused.value.key == error
    assert refused.value.params == {"key": key}


def _site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site-policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_site_file_overrides_a_value(tmp_path: Path) -> None:
    site = _site(tmp_path, "[reception]\nwait_handoff_minutes = 5\n\n[repair]\nreview_minutes = 20.5\n")
    policy = load_policy(site)
    assert policy.duration("reception.wait_handoff_minutes") == timedelta(minutes=5)
    assert policy.duration("repair.review_minutes") == timedelta(minutes=20.5)  # a float for an int is fine
    limit = policy.limit("reception.wait_handoff_minutes")
    assert limit.unit == "min" and "3分钟" in limit.source and str(site) in limit.source
    assert policy.duration("repair.arrival_minutes") == timedelta(minutes=15)  # the rest unchanged


def test_the_site_file_is_found_by_env_then_config_folder(
    tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_policy().value("reception.wait_handoff_minutes") == 3  # nothing leaks in

    config = isolated_env / "config" / "deskapp"
    config.mkdir(parents=True)
    (config / "policy.toml").write_text("[reception]\nwait_handoff_minutes = 4\n", encoding="utf-8")
    assert load_policy().value("reception.wait_handoff_minutes") == 4

    monkeypatch.setenv("DESKAPP_POLICY", str(_site(tmp_path, "[reception]\nwait_handoff_minutes = 6\n")))
    assert load_policy().value("reception.wait_handoff_minutes") == 6

    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[reception]\nwait_handoff_minutes = 7\n", encoding="utf-8")
    assert load_policy(explicit).value("reception.wait_handoff_minutes") == 7


@pytest.mark.parametrize(
    ("text", "error", "key"),
    [
        ("[reception]\nno_such_limit = 5\n", "policy.override_unknown", "reception.no_such_limit"),
        ("[nowhere]\nwait = 5\n", "policy.override_unknown", "nowhere.wait"),
        ("stray = 5\n", "policy.override_unknown", "stray"),
        ('[reception]\nwait_handoff_minutes = "5"\n', "policy.override_type", "reception.wait_handoff_minutes"),
        ("[reception]\nwait_handoff_minutes = true\n", "policy.override_type", "reception.wait_handoff_minutes"),
        ("[site]\ntimezone = 8\n", "policy.override_type", "site.timezone"),
        ("[reception]\nwait_handoff_minutes = -1\n", "policy.override_negative", "reception.wait_handoff_minutes"),
        # A site cannot restate an entry in the base file's form: values only.
        ("[reception]\nwait_handoff_minutes = { value = 5 }\n", "policy.override_type", "reception.wait_handoff_minutes"),
    ],
)
def test_a_bad_site_file_is_refused(tmp_path: Path, text: str, error: str, key: str) -> None:
    site = _site(tmp_path, text)
    with pytest.raises(DeskappError) as refused:
        load_policy(site)
    assert refused.value.key == error
    assert refused.value.params == {"path": str(site), "key": key}


def test_an_unreadable_or_broken_site_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DeskappError) as refused:
        load_policy(tmp_path / "missing.toml")
    assert refused.value.key == "policy.unreadable"
    with pytest.raises(DeskappError) as refused:
        load_policy(_site(tmp_path, "[reception\n"))
    assert refused.value.key == "policy.invalid"


def test_a_base_entry_without_a_source_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "policy.toml"
    base.write_text('[reception]\nwait_handoff_minutes = { value = 3, unit = "min" }\n', encoding="utf-8")
    with pytest.raises(DeskappError) as refused:
        load_policy(base_file=base)
    assert refused.value.key == "policy.entry_incomplete"
