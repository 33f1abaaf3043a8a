"""kill -9 of the console mid-flow (scripts/crash_harness.py, real processes on a real store):
nothing it confirmed is lost, the store is whole, a half-filled form comes back as a draft.

More runs by hand: `python scripts/crash_harness.py --runs 50`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[2] / "scripts" / "crash_harness.py"


def _harness(db_url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(HARNESS), "--db", db_url, *args], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def test_killed_with_a_form_half_filled_the_form_comes_back_on_the_next_sign_in(db_url: str) -> None:
    out = _harness(db_url, "--runs", "2", "--kill-on", "DRAFT", "--lifetime", "120", "--seed", "1")
    assert "2 kill -9 runs" in out and "2 drafts restored" in out and "0 runs lost something" in out


def test_killed_at_random_moments_nothing_confirmed_is_lost(db_url: str) -> None:
    out = _harness(db_url, "--runs", "3", "--lifetime", "20", "--seed", "2")
    assert "3 kill -9 runs" in out and "0 runs lost something" in out
