"""Start-up benchmark: from a new process to the first painted sign-in screen, and CLI commands.

    .venv/bin/python scripts/bench_startup.py [--runs 10] [--db sqlite:///path.db]

Prints median and p90 wall times in milliseconds. Each run is a fresh Python process, as when
a clerk opens the console. The store must exist (deskapp init --demo --db ...).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_PAINT = r"""
import sys, time
t0 = time.perf_counter()
from deskapp.cli import Options, _light_context, _open_store
from deskapp.app import DeskApp
options = Options(db=sys.argv[1], lang="zh")
ctx = _light_context(options)
app = DeskApp(ctx, open_store=lambda: _open_store(options, ctx))  # as the console does
def painted():
    print(f"{(time.perf_counter() - t0) * 1000:.1f}")
    app.exit()
app.call_after_refresh(painted)
app.run(headless=True, size=(80, 24))
"""


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, round(0.9 * (len(samples) - 1)))]
    return f"median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms   (n={len(samples)})"


def wall(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    exe = Path(sys.executable).parent / "deskapp"
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/bench.db"
        if args.db is None:
            subprocess.run([str(exe), "init", "--demo", "--db", db], check=True, capture_output=True)
        env = dict(os.environ)
        print(f"python -c pass              {_ms(wall([sys.executable, '-c', 'pass'], args.runs))}")
        print(f"deskapp --version          {_ms(wall([str(exe), '--version'], args.runs))}")
        print(f"deskapp catalogue check    {_ms(wall([str(exe), 'catalogue', 'check'], args.runs))}")
        inner, whole = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", FIRST_PAINT, db], check=True, capture_output=True, text=True, env=env)
            whole.append((time.perf_counter() - start) * 1000)
            inner.append(float(done.stdout.strip().splitlines()[-1]))
        print(f"console to first paint     {_ms(inner)}   (imports + catalogue + store check + paint, in-process)")
        print(f"console process, whole     {_ms(whole)}   (includes interpreter start and exit)")


if __name__ == "__main__":
    main()
