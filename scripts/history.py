#!/usr/bin/env python3
"""Generate years of counter history into a store (the benchmark's store, a demo with history).

    python scripts/history.py --db sqlite:////tmp/bench5y.db --years 5 --units 20000

An empty store is created and loaded with the demo community first; the estate is grown to
--units units in the demo's style; then --days (or --years) of activity end yesterday (the day
before --today, default the real today). Prints the rows written per table and the time taken.
The same --seed and --today on the same store give the same rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the store (created when it does not exist)")
    span = parser.add_mutually_exclusive_group(required=True)
    span.add_argument("--days", type=int, help="days of history")
    span.add_argument("--years", type=float, help="years of history (365 days each)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: deskapp's)")
    parser.add_argument("--units", type=int, default=20_000, help="grow the estate to this many units (default 20000)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the day the history ends before (YYYY-MM-DD; default: today)")
    args = parser.parse_args(argv)

    from deskapp.clock import FixedClock, SystemClock
    from deskapp.errors import DeskappError
    from deskapp.i18n import Translator
    from deskapp.policy import load_policy
    from deskapp.services import history
    from deskapp.services.setup import init_store
    from deskapp.store.engine import Store

    policy = load_policy()
    clock = SystemClock() if args.today is None else FixedClock(datetime.combine(args.today, clock_time(10), policy.timezone))
    days = args.days if args.days is not None else round(args.years * 365)
    seed = history.DEFAULT_SEED if args.seed is None else args.seed
    started = time.perf_counter()
    try:
        store = Store(args.db)
        init = init_store(store, clock, policy, demo=True)
        if init.demo == "loaded":
            print(f"demo community loaded ({time.perf_counter() - started:.1f} s)")
        result = history.generate(store, clock, policy, days=days, units=args.units, seed=seed,
                                  progress=_progress(days))
    except DeskappError as e:
        print(f"history: {Translator('en').error(e)}", file=sys.stderr)
        return 1
    print(file=sys.stderr)
    if result.status == "already":
        print("this store already holds a generated history: nothing written")
        return 0
    width = max(len(name) for name in result.rows)
    print(f"history {result.first_day} .. {result.last_day} ({days} days), seed {seed}")
    for name, count in sorted(result.rows.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<{width}}  {count:>10,}")
    print(f"  {'total':<{width}}  {result.total:>10,}")
    print(f"written in {result.seconds:.1f} s (whole run {time.perf_counter() - started:.1f} s, "
          f"CPU {time.process_time():.1f} s)")
    store.dispose()
    return 0


def _progress(days: int):
    step = max(days // 20, 1)

    def report(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            print(f"\r  {done}/{total} days", end="", file=sys.stderr, flush=True)

    return report


if __name__ == "__main__":
    raise SystemExit(main())
