"""The benchmark runs end to end at a small size (scripts/bench.py --quick): every figure is measured
and is a number. Whether a figure meets its target is the benchmark's report, not a test: no
timing is asserted here (the machine running the tests is shared and its speed varies).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
SCREENS = ("signin", "today", "walk_in", "repair", "release", "complaints", "handover", "registers", "phone", "all")
FIGURES = (
    "startup.deskapp.median_ms", "startup.deskapp.p90_ms", "startup.bare.median_ms", "startup.bare.p90_ms",
    "startup.ratio",
    *(f"keys.{screen}.{stat}_ms" for screen in SCREENS for stat in ("p50", "p95", "max")),
    "memory.peak_mb", "lookup.p95_ms", "lookup.max_ms",
    "report.daily.median_s", "report.daily.max_s", "report.range.median_s", "report.range.max_s",
)


def test_the_quick_benchmark_measures_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out), "--cache-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["failures"] == {}
    figures = report["figures"]
    missing = [name for name in FIGURES if name not in figures]
    assert not missing, missing
    not_numbers = {name: figures[name] for name in FIGURES
                   if isinstance(figures[name], bool) or not isinstance(figures[name], int | float) or not math.isfinite(figures[name])}
    assert not not_numbers, not_numbers
    assert report["store"]["total_rows"] > 0 and report["store"]["fast_start"]
    for line in ("start-up: ratio of medians", "keys all screens", "look-up as typed", "report daily", "memory"):
        assert line in done.stdout
