"""A process killed with SIGKILL at any moment leaves a sound database with every commit in it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from teamdesk.desk import Desk

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_killed_during_demo(home):
    proc = subprocess.Popen(
        [sys.executable, "-m", "teamdesk", "demo", "--households", "40000", "--home", str(home)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, bufsize=1,
    )
    seen = ""
    while "4000/" not in seen and proc.poll() is None:  # two chunks committed
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    path = Desk.db_path(home)
    assert integrity(path) == "ok"
    with Desk.open(home) as desk:
        households = desk.conn.execute("SELECT COUNT(*) FROM households").fetchone()[0]
        indexed = desk.conn.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0]
        orphans = desk.conn.execute("SELECT COUNT(*) FROM members WHERE household_id NOT IN (SELECT id FROM households)").fetchone()[0]
    assert households >= 4000 and households % 2000 == 0  # whole chunks only
    assert indexed == households and orphans == 0


def test_every_acknowledged_log_survives_a_kill(desk, household, home):
    desk.close()
    script = textwrap.dedent(
        f"""
        import sys
        from teamdesk.desk import Desk
        desk = Desk.open({str(home)!r})
        while True:
            changes = desk.log_help(household={household!r}, service="vneid_install")
            print(changes.first("help_events"), flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acknowledged = [proc.stdout.readline().strip() for _ in range(150)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert integrity(Desk.db_path(home)) == "ok"
    with Desk.open(home) as again:
        stored = {r[0] for r in again.conn.execute("SELECT id FROM help_events")}
    assert set(acknowledged) <= stored
