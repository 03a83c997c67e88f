"""A power cut during an import: the database is intact and holds the whole file or none of it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from teamdesk import records
from teamdesk.db import transaction
from teamdesk.ids import new_id
from teamdesk.sync import export
from tests.sync_world import make_team

ROOT = Path(__file__).resolve().parent.parent


def _fill(desk, n: int) -> None:
    village_id = desk.village("Thôn 1")["id"]
    rows = [
        {"id": new_id(), "village_id": village_id, "head_name": f"Hộ số {i}", "phone": "", "address": "", "note": "",
         "consent_by": "Chủ hộ", "consent_at": "2026-01-05T02:00:00Z", "consent_scope": "help", "consent_version": "2026-01",
         "consent_withdrawn_at": "", "registered_by": "", "merged_into": ""}
        for i in range(n)
    ]
    with transaction(desk.conn):
        records.insert_new(desk.conn, desk.clock, "households", rows)
        desk._save_clock()


def test_killed_mid_import_leaves_all_or_nothing(tmp_path):
    xa, (a,), _ = make_team(tmp_path, volunteers=1)
    _fill(a, 10_000)
    bundle = tmp_path / "big.tdsync"
    export.export_bundle(a, out=bundle)
    home = xa.home
    xa.close()
    a.close()
    # The child stops at a chosen point of the import and waits; the parent then kills it there.
    script = """
import sys
from teamdesk.desk import Desk
from teamdesk.sync import import_
point = sys.argv[3]
real = import_.apply_records
def apply_records(desk, payload, **kw):
    if point == "before_merge":
        print("at", flush=True); sys.stdin.readline()
    result = real(desk, payload, **kw)
    if point == "after_merge_before_commit":
        print("at", flush=True); sys.stdin.readline()
    return result
import_.apply_records = apply_records
d = Desk.open(sys.argv[1])
result = import_.import_one(d, sys.argv[2])
print("done", result.state, flush=True)
"""
    outcomes = []
    for point in ("before_merge", "after_merge_before_commit", "none"):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(home), str(bundle), point],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True,
        )
        line = proc.stdout.readline().strip()
        if point != "none":
            assert line == "at"
            proc.send_signal(signal.SIGKILL)  # the power cut
        else:
            assert line == "done applied"
        proc.wait(timeout=120)
        conn = sqlite3.connect(home / "teamdesk.sqlite3")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT COUNT(*) FROM households").fetchone()[0]
        booked = conn.execute("SELECT COUNT(*) FROM sync_bundles WHERE direction = 'in' AND state = 'applied'").fetchone()[0]
        conn.close()
        outcomes.append((count, booked))
    assert outcomes == [(0, 0), (0, 0), (10_000, 1)]
    assert os.path.exists(bundle)
