"""Core budgets: search as you type over 200,000 households, and logging one help durably.

    python bench/bench_core.py [--home /tmp/bench200k] [--households 200000]

Makes the demo home once (reused when it exists), then prints medians and p95.
Budgets: search p95 < 10 ms; log one help (WAL, synchronous=FULL) p95 < 5 ms; demo < 60 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from teamdesk.demo import make_demo
from teamdesk.desk import Desk
from teamdesk.fold import fold


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default="/tmp/bench200k")
    ap.add_argument("--households", type=int, default=200_000)
    args = ap.parse_args()
    home = Path(args.home)
    if not Desk.exists(home):
        t = time.perf_counter()
        summary = make_demo(home, households=args.households, seed=7)
        print(f"demo: {summary['households']:,} households, {summary['members']:,} members, "
              f"{summary['help_events']:,} helps in {time.perf_counter() - t:.1f} s (budget < 60 s)")
    desk = Desk.open(home)
    n = desk.conn.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0]
    rng = random.Random(3)
    names = [r[0] for r in desk.conn.execute("SELECT head_name FROM households ORDER BY random() LIMIT 300")]
    members = [r[0] for r in desk.conn.execute("SELECT full_name FROM members ORDER BY random() LIMIT 100")]
    phones = [r[0] for r in desk.conn.execute("SELECT phone FROM households WHERE phone != '' ORDER BY random() LIMIT 100")]
    # what a volunteer types: every prefix of a name, without accents, and of a phone number
    queries = [fold(name)[:i] for name in names + members for i in range(1, len(fold(name)) + 1)]
    queries += [p[:i] for p in phones for i in range(3, 11)]
    queries += [" ".join(reversed(fold(name).split()[-2:])) for name in names[:100]]  # "an nguyen"
    rng.shuffle(queries)
    for q in queries[:200]:  # warm the page cache as a running app would be
        desk.find_households(q, limit=50)
    times = []
    for q in queries:
        t = time.perf_counter()
        desk.find_households(q, limit=50)
        times.append((time.perf_counter() - t) * 1000)
    print(f"search as you type over {n:,} households: {len(times):,} queries, median {statistics.median(times):.2f} ms, "
          f"p95 {pct(times, 95):.2f} ms, p99 {pct(times, 99):.2f} ms (budget p95 < 10 ms)")

    hids = [r[0] for r in desk.conn.execute("SELECT id FROM households ORDER BY random() LIMIT 500")]
    times = []
    for hid in hids:
        t = time.perf_counter()
        desk.log_help(household=hid, service="vneid_level2")
        times.append((time.perf_counter() - t) * 1000)
    print(f"log one help, durable commit (WAL, synchronous=FULL): {len(times)} logs, median {statistics.median(times):.2f} ms, "
          f"p95 {pct(times, 95):.2f} ms (budget p95 < 5 ms)")
    desk.close()


if __name__ == "__main__":
    main()
