"""Helpers for the sync tests: a commune team of real installations, and database dumps."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from teamdesk.desk import Desk
from teamdesk.sync import enrolment, export, import_

COMMUNE = "15106"


def make_team(root: Path, villages=("Thôn 1", "Thôn 2", "Thôn 3"), volunteers: int = 2):
    """A coordinator and ``volunteers`` enrolled laptops (laptop i in village i)."""
    coordinator = Desk.create(root / "xa", role="coordinator", name="Máy UBND xã", commune_code=COMMUNE, villages=list(villages))
    enrol = root / "tham-gia.json"
    enrolment.export_enrolment(coordinator, out=enrol)
    laptops = []
    for i in range(volunteers):
        village = villages[i % len(villages)]
        laptop = enrolment.join_team(root / f"thon{i + 1}", name=f"Máy {village}", role="volunteer", enrolment_file=enrol, village=village)
        laptop.add_volunteer(f"Tổ viên {i + 1} Lê Thị Hoa", phone=f"09123456{i:02d}", village=village)
        laptop.set_on_duty(f"Tổ viên {i + 1} Lê Thị Hoa")
        laptops.append(laptop)
    return coordinator, laptops, enrol


def register(desk: Desk, name: str, village: str, *, phone: str = "", year: int = 1970, members=()) -> str:
    changes = desk.add_household(
        head_name=name, village=village, consent_by=name, phone=phone, head_birth_year=year, members=list(members)
    )
    return changes.first("households")


def ship(sender: Desk, receiver: Desk, folder: Path, *, full: bool = False, name: str | None = None):
    """Export from ``sender`` and import into ``receiver``; returns the import's FileResult."""
    out = folder / (name or f"{sender.device_id}-{len(list(folder.glob('*.tdsync')))}.tdsync")
    export.export_bundle(sender, out=out, full=full)
    return import_.import_one(receiver, out), out


def dump(desk: Desk) -> dict:
    """Every row of every table (sorted): compare before/after to prove nothing was written."""
    conn: sqlite3.Connection = desk.conn
    out = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        rows = conn.execute(f"SELECT * FROM [{name}]").fetchall()
        out[name] = sorted(json.dumps(r, default=repr, ensure_ascii=False) for r in rows)
    return out


def state(desk: Desk) -> dict:
    """The synced content (current rows and every version in history) — what must converge."""
    from teamdesk.schema import SYNC_COLUMNS, SYNCED

    out = {}
    for table in SYNCED:
        cols = SYNC_COLUMNS + SYNCED[table]
        out[table] = sorted(desk.conn.execute(f"SELECT {', '.join(cols)} FROM [{table}]").fetchall())
    out["history"] = sorted(
        (t, i, h, p or "", o, d, json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False))
        for t, i, h, p, o, d, data in desk.conn.execute("SELECT table_name, id, hlc, prev_hlc, origin, deleted, data FROM history")
    )
    return out
