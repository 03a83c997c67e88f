"""Reports over a commune of 20,000 households and 100,000+ helps: indicators, the monthly Excel
report, and the dashboard opening.

    python bench/bench_reports.py [--home /tmp/bench_reports_20k] [--runs 5]

The home is made once with ``teamdesk.demo.make_demo`` (topped up with generated helps if it
holds fewer than 100,000) and reused. "Cold" means a fresh database connection, so the one pass
that materialises the valid helps (``indicators.prepare``) is paid; "warm" reuses it (what the
dashboard and a second export pay). Budgets (issue 7): indicators < 200 ms; the monthly Excel
report < 2 s; the dashboard opens < 500 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

INDICATORS_MS, EXCEL_MS, DASHBOARD_MS = 200, 2000, 500


def make_home(home: Path) -> None:
    from teamdesk import records, targets
    from teamdesk.db import transaction
    from teamdesk.demo import make_demo
    from teamdesk.desk import Desk
    from teamdesk.ids import new_id

    if not Desk.exists(home):
        print(make_demo(home, households=20000, seed=7))
    with Desk.open(home) as desk:
        helps = desk.conn.execute("SELECT COUNT(*) FROM help_events WHERE deleted = 0").fetchone()[0]
        if helps < 100_000:  # top up: helps spread over the last six months
            rng = random.Random(7)
            households = [r[0] for r in desk.conn.execute("SELECT id FROM households")]
            vols = [v["id"] for v in desk.volunteers()]
            today = desk.today()
            rows = [{"id": new_id(), "household_id": rng.choice(households), "member_id": None,
                     "service": rng.choice(["vneid_install", "vneid_level2", "epayment_account", "online_service"]),
                     "detail": "", "date": (today - timedelta(days=rng.randint(0, 180))).isoformat(),
                     "volunteer_id": rng.choice(vols), "outcome": rng.choice(["done", "done", "follow_up"]), "note": ""}
                    for _ in range(100_000 - helps)]
            with transaction(desk.conn):
                records.insert_new(desk.conn, desk.clock, "help_events", rows)
                desk._save_clock()
        for i, v in enumerate(desk.villages()):
            if v["population"] is None:
                targets.set_population(desk, village=v["id"], population=1500 + 10 * i, households=500)
        if not targets.list_targets(desk.conn):
            targets.set_target(desk, indicator="vneid_level2", rate="80%", deadline="31/12/2026")
            targets.set_target(desk, indicator="epayment_account", rate="60%", deadline="31/03/2027")


def stats(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"median {statistics.median(s):7.1f} ms   p95 {p95:7.1f} ms   (n={len(s)})"


def bench_core(home: Path, runs: int) -> dict:
    from teamdesk import indicators as ind
    from teamdesk import report
    from teamdesk.db import connect
    from teamdesk.desk import Desk

    desk = Desk.open(home)
    today = desk.today()
    last = (today.replace(day=1) - timedelta(days=1))
    months = {"last month": ind.Period.month(last.year, last.month), "this month": ind.Period.month(today.year, today.month)}
    counts = desk.conn.execute(
        "SELECT (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM help_events WHERE deleted = 0)").fetchone()
    print(f"data: {counts[0]:,} households, {counts[1]:,} helps; load average {os.getloadavg()[0]:.2f}")
    for name, period in months.items():
        n = desk.conn.execute("SELECT COUNT(*) FROM help_events WHERE date BETWEEN ? AND ?",
                              (period.start.isoformat(), period.end.isoformat())).fetchone()[0]
        print(f"  {name} {period.key}: {n:,} helps in the period")
    out = {}
    db = Desk.db_path(home)
    conn = connect(db, readonly=True)
    scan = []
    for _ in range(runs):  # a yardstick for this machine's load: one plain pass over the helps
        t = time.perf_counter()
        conn.execute("SELECT COUNT(*), SUM(outcome = 'done') FROM help_events WHERE deleted = 0").fetchone()
        scan.append((time.perf_counter() - t) * 1000)
    conn.close()
    out["reference: one scan of help_events"] = scan
    for name, period in months.items():
        cold, warm = [], []
        for _ in range(runs):
            conn = connect(db, readonly=True)
            t = time.perf_counter()
            ind.compute(conn, period=period, by="village", today=today)
            cold.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            ind.compute(conn, period=period, by="village", today=today)
            warm.append((time.perf_counter() - t) * 1000)
            conn.close()
        out[f"indicators {name} cold"] = cold
        out[f"indicators {name} warm"] = warm
    period = months["last month"]
    for fmt in ("xlsx", "pdf"):
        samples = []
        for i in range(runs):
            d = Desk.open(home)  # a fresh connection: everything is computed again
            t = time.perf_counter()
            report.write(report.build_for(d, period=period), fmt=fmt, out=home / f"bench-report.{fmt}")
            samples.append((time.perf_counter() - t) * 1000)
            d.close()
        out[f"monthly report {fmt} (cold)"] = samples
    desk.close()
    return out


def bench_dashboard(home: Path, runs: int) -> tuple[list[float], list[float]]:
    """From building ``DashboardScreen`` to its numbers drawn (``loaded``: cards, targets, league),
    and to the charts and volunteers' tab (``volunteers_loaded``); a fresh runner (cold) each run."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from teamdesk.ui.app import ensure_app
    from teamdesk.ui.context import AppContext
    from teamdesk.ui.dashboard import DashboardScreen
    from teamdesk.ui.runner import Runner

    app = ensure_app()
    first, full = [], []
    for _ in range(runs):
        runner = Runner(home)
        while not runner.is_open:
            app.processEvents()
        ctx = AppContext(home=home, runner=runner, app=app)
        loop = QEventLoop()
        t = time.perf_counter()
        screen = DashboardScreen(ctx)
        screen.resize(1180, 700)
        screen.show()
        screen.loaded.connect(lambda _: first.append((time.perf_counter() - t) * 1000))
        screen.volunteers_loaded.connect(lambda _: loop.quit())
        QTimer.singleShot(30000, loop.quit)
        loop.exec()
        full.append((time.perf_counter() - t) * 1000)
        screen.close()
        screen.deleteLater()
        runner.close()
        ctx.close()
    return first, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/bench_reports_20k"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    make_home(args.home)
    results = bench_core(args.home, args.runs)
    first, full = bench_dashboard(args.home, max(3, args.runs // 2))
    results["dashboard opens (cold runner)"] = first
    results["  … then charts and volunteers"] = full
    print()
    for name, samples in results.items():
        budget = (INDICATORS_MS if name.startswith("indicators") else EXCEL_MS if "xlsx" in name
                  else DASHBOARD_MS if name.startswith("dashboard") else None)
        verdict = "" if budget is None else f"   budget {budget} ms: {'OK' if statistics.median(samples) < budget else 'OVER'}"
        print(f"{name:36s} {stats(samples)}{verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (2 cores shared; compare only within one run)")


if __name__ == "__main__":
    main()
