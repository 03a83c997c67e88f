"""Cold start of the desktop app over a 200,000-household home, and its memory with the list open.

Each run is a fresh Python process (``python bench/bench_startup.py --child …``). Times are from
just before the process is spawned to:
- interactive: the main window is shown, the database is open on the worker and the GUI event
  loop is idle (``run_app(ready=…)``): typing in the search box answers from here on;
- figures loaded: the worker's queue has drained too (the first screen's tallies are on screen).
Then the households list is opened, scrolled a few pages, and the resident memory (psutil RSS) is
read. Offscreen Qt platform; the OS file cache is warm after the first run.

    python bench/bench_startup.py [--home /tmp/bench200k] [--runs 5] [--households 200000] [--via-cli]

Budgets (DESIGN.md): start < 1.5 s (aim 1 s); resident memory < 300 MB (aim 150 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

START_BUDGET_S = 1.5
RSS_BUDGET_MB = 300


def child(home: str, spawned: float, via_cli: bool = False) -> None:
    """Inside the fresh process: start the app, report when ready, open the list, report memory."""
    import psutil

    if via_cli:  # what `teamdesk gui` pays first: click and every command module
        from teamdesk.cli import load_commands

        load_commands()

    from teamdesk.ui.app import run_app

    def ready(window) -> None:
        started = time.time() - spawned
        cpu = sum(psutil.Process().cpu_times()[:2])  # user + system, all threads: load-independent
        from PySide6.QtCore import QEventLoop, QTimer

        def settle(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        def drain(limit_s: float = 20) -> None:
            """Run the event loop until the worker's queue is empty (no processEvents(flags, ms):
            PySide6 6.12 corrupts None's refcount when it is called in a loop)."""
            loop = QEventLoop()
            deadline = time.time() + limit_s

            def poll() -> None:
                if not runner.pending() or time.time() > deadline:
                    loop.quit()
                else:
                    QTimer.singleShot(5, poll)

            QTimer.singleShot(0, poll)
            loop.exec()

        runner = window.ctx.runner
        drain()
        loaded = time.time() - spawned
        rss_ready = psutil.Process().memory_info().rss
        window.show_screen("households")
        drain()
        settle(150)
        screen = window.current_screen()
        table = getattr(screen, "table", None) or getattr(screen, "view", None)
        if table is not None and hasattr(table, "verticalScrollBar"):
            bar = table.verticalScrollBar()
            for _ in range(10):
                bar.setValue(bar.maximum())  # fetchMore a few pages, as a person scrolling would
                settle(20)
        rss_list = psutil.Process().memory_info().rss
        print(json.dumps({"start_s": started, "cpu_s": cpu, "loaded_s": loaded, "rss_ready_mb": rss_ready / 2**20, "rss_list_mb": rss_list / 2**20}), flush=True)
        window.close()

    run_app(home=Path(home), argv=["teamdesk"], ready=ready)


def ensure_home(home: Path, households: int) -> None:
    if (home / "teamdesk.sqlite3").exists():
        return
    print(f"making a {households:,}-household demo home in {home} (once) …", flush=True)
    subprocess.run([sys.executable, "-m", "teamdesk", "demo", "--households", str(households), "--home", str(home)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default="/tmp/bench200k")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--via-cli", action="store_true", help="also load the CLI's command modules first, as `teamdesk gui` does")
    parser.add_argument("--child", nargs=2, metavar=("HOME", "SPAWNED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]), args.via_cli)
        return

    home = Path(args.home)
    ensure_home(home, args.households)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("TEAMDESK_LANG", None)
    results = []
    for i in range(args.runs):
        spawned = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(home), repr(spawned)] + (["--via-cli"] if args.via_cli else []),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode != 0 or not lines:
            print(out.stdout, out.stderr, file=sys.stderr)
            raise SystemExit(f"run {i + 1} failed")
        results.append(json.loads(lines[-1]))
        print(f"run {i + 1}: interactive {results[-1]['start_s']:.3f} s, figures loaded {results[-1]['loaded_s']:.3f} s, RSS {results[-1]['rss_list_mb']:.0f} MB with the list open", flush=True)

    starts = sorted(r["start_s"] for r in results)
    rss = sorted(r["rss_list_mb"] for r in results)
    print()
    how = "through the `teamdesk` command's imports" if args.via_cli else "run_app"
    print(f"cold start to an interactive window ({home}, {len(results)} fresh processes, {how}):")
    print(f"  median {statistics.median(starts):.3f} s, min {starts[0]:.3f} s, max {starts[-1]:.3f} s   budget < {START_BUDGET_S} s")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work inflates these)")
    cpus = sorted(r["cpu_s"] for r in results)
    print(f"  CPU time of the process until then (user+system, GUI and worker threads together): median {statistics.median(cpus):.3f} s")
    loads = sorted(r["loaded_s"] for r in results)
    print(f"first screen's figures loaded (worker queue drained): median {statistics.median(loads):.3f} s, max {loads[-1]:.3f} s")
    print(f"resident memory, window ready: median {statistics.median(r['rss_ready_mb'] for r in results):.0f} MB")
    print(f"resident memory, households list open and scrolled: median {statistics.median(rss):.0f} MB, max {rss[-1]:.0f} MB   budget < {RSS_BUDGET_MB} MB")
    ok = statistics.median(starts) < START_BUDGET_S and rss[-1] < RSS_BUDGET_MB
    print("within budget" if ok else "OVER BUDGET")


if __name__ == "__main__":
    main()
