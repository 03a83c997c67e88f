"""Versions of synced rows: every local write is stamped, every superseded version archived.

This is the single write path for synced tables, so nothing written can be missed by sync
(export picks rows by ``hlc``) and no version is ever lost (it is current or in ``history``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from teamdesk.clock import HybridClock
from teamdesk.schema import SYNC_COLUMNS, SYNCED


def columns(table: str) -> tuple[str, ...]:
    return SYNC_COLUMNS + SYNCED[table]


def get(conn: sqlite3.Connection, table: str, row_id: str) -> dict | None:
    cur = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def archive(conn: sqlite3.Connection, table: str, rows: Iterable[dict]) -> None:
    """Keep superseded versions; a version already archived is left as it is."""
    conn.executemany(
        "INSERT OR IGNORE INTO history (table_name, id, hlc, prev_hlc, origin, deleted, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                table,
                r["id"],
                r["hlc"],
                r["prev_hlc"] or "",
                r["origin"],
                r["deleted"],
                json.dumps({c: r[c] for c in SYNCED[table]}, ensure_ascii=False),
            )
            for r in rows
        ],
    )


def put(conn: sqlite3.Connection, clock: HybridClock, table: str, row: dict) -> dict:
    """Write a new version of ``row`` (a new row when its id is unknown). Returns the stored row.

    Fields not given keep their current values; the caller runs this inside a transaction.
    """
    old = get(conn, table, row["id"])
    new = {c: None for c in columns(table)} if old is None else dict(old)
    new.update(row)
    new["hlc"] = clock.now()
    new["prev_hlc"] = old["hlc"] if old else ""
    new["origin"] = clock.device
    new["deleted"] = int(bool(new.get("deleted")))
    if old is not None:
        archive(conn, table, [old])
    cols = columns(table)
    conn.execute(
        f"INSERT OR REPLACE INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [new[c] for c in cols],
    )
    return new


def insert_new(conn: sqlite3.Connection, clock: HybridClock, table: str, rows: list[dict]) -> None:
    """Bulk insert of rows born here (demo data, imports from CSV): one stamp each, no history."""
    cols = columns(table)
    device = clock.device
    conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [[r["id"], clock.now(), "", device, 0, *[r.get(c) for c in SYNCED[table]]] for r in rows],
    )
