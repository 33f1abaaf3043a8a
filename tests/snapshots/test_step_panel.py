"""Screenshots of the step panel at 80×24, in zh and en, on the fixed clock, signed out, no store.

After a deliberate change to the panel or to a phrase shown here:
`.venv/bin/pytest tests/snapshots/test_step_panel.py --snapshot-update`, then read the SVGs.
"""

from __future__ import annotations

import pytest

from deskapp.screens.flow import FlowScreen

SIZE = (80, 24)
LANGS = ["zh", "en"]

RELEASE_RECORD = {
    "unit": "3-2-1501",
    "owner": "王",
    "tenant": "李",
    "company": "中海物业",
    "site": "海悦花园",
    "months": 4,
    "amount": "1,250.00",
    "items": "冰箱、沙发",
}


@pytest.fixture
def panel_app(make_app):
    """The console of tests/conftest.py without a store: the flow screen reads no records."""
    return lambda lang: make_app(None, lang)


def _flow(scenario_id: str, values: dict[str, object], *keys: str, start: str = ""):
    async def run_before(pilot) -> None:
        pilot.app.push_screen(FlowScreen(scenario_id, values=values, start=start))
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", LANGS)
def test_first_step_of_walk_in(snap_compare, panel_app, lang: str) -> None:
    """The greeting: action, phrase, the rules of standard 1, three tips."""
    assert snap_compare(panel_app(lang), terminal_size=SIZE, run_before=_flow("walk_in", {}))


@pytest.mark.parametrize("lang", LANGS)
def test_fact_the_system_cannot_tell(snap_compare, panel_app, lang: str) -> None:
    """Release, the stamp step (after the ID): owner or tenant is not known, so the clerk is
    offered keys 1 and 2."""
    assert snap_compare(panel_app(lang), terminal_size=SIZE, run_before=_flow("release", RELEASE_RECORD, start="id_stamp"))


@pytest.mark.parametrize("lang", LANGS)
def test_busy_phrase_to_b(snap_compare, panel_app, lang: str) -> None:
    """Busy reception, scene 1: the phrase to B while serving A; option labels with the policy's 3 minutes."""
    assert snap_compare(panel_app(lang), terminal_size=SIZE, run_before=_flow("busy_reception", {}, "1"))


@pytest.mark.parametrize("lang", LANGS)
def test_busy_phrase_to_a(snap_compare, panel_app, lang: str) -> None:
    """Busy reception, scene 1, B is urgent: the phrase to A before finding a colleague for B."""
    assert snap_compare(panel_app(lang), terminal_size=SIZE, run_before=_flow("busy_reception", {}, "1", "2"))


@pytest.mark.parametrize("lang", LANGS)
def test_missing_slot_and_policy_slot(snap_compare, panel_app, lang: str) -> None:
    """Owner over the arrears limit: {policy.release.director_notice_months} filled (3), {amount}
    not in the record, so its label is shown marked."""
    record = {"owner": "王", "months": 4}
    assert snap_compare(
        panel_app(lang), terminal_size=SIZE, run_before=_flow("release", record, "3", start="owner_sign")
    )
