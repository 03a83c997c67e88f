"""The coordinator's outbox of province bundles: pending → sending → acknowledged, kept in the DB.

``prepare`` turns whatever the province has not been sent yet into one de-identified bundle,
encrypted to the hub's age key, and queues it. "Not sent yet" is per row (``hub_sent`` holds the
version of each row last queued), not a time mark: a village laptop whose file arrives days late
carries rows with old stamps, and those must still go up.

The queue lives in local tables, so closing the app mid-upload loses nothing: a bundle left
``sending`` is pending again at the next push, and the hub acknowledges by bundle id, so sending
it twice counts it once. Bundle files sit in ``<home>/outbox/``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from teamdesk.db import transaction
from teamdesk.desk import Desk
from teamdesk.errors import Failed
from teamdesk.records import columns
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync.deidentify import TABLES, row_mapper
from teamdesk.sync.identity import Identity

OUTBOX_DIR = "outbox"
STATES = ("pending", "sending", "acknowledged")
SEQUENCE_SETTING = "hub_sequence"
_FIELDS = (
    "bundle_id", "created_at", "file", "since_hlc", "until_hlc", "records", "bytes", "sha256", "state",
    "attempts", "last_error", "last_attempt_at", "acknowledged_at", "receipt",
)


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unsent_sql(table: str) -> str:
    cols = ", ".join(f"t.{c}" for c in columns(table))
    return (
        f"SELECT {cols} FROM [{table}] t LEFT JOIN hub_sent s ON s.table_name = '{table}' AND s.id = t.id"
        " WHERE s.hlc IS NULL OR s.hlc <> t.hlc ORDER BY t.hlc"
    )


def unsent_count(desk: Desk) -> int:
    """Row versions the province has not been sent (what the next bundle would carry)."""
    return sum(desk.conn.execute(f"SELECT COUNT(*) FROM ({_unsent_sql(t)})").fetchone()[0] for t in TABLES)


def prepare(
    desk: Desk,
    *,
    hub_recipient: str,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict | None:
    """Queue one bundle with every row version not yet sent (``full``: every row). None if nothing.

    The bundle file is written (temp name, fsync, rename) before its queue entry and the rows'
    "sent" marks are committed together, so a crash leaves either nothing queued or all of it.
    """
    if desk.role != "coordinator":
        raise Failed("error.hub_push_not_coordinator", role=desk.role)
    conn = desk.conn
    total = sum(conn.execute(f"SELECT COUNT(*) FROM [{t}]" if full else f"SELECT COUNT(*) FROM ({_unsent_sql(t)})").fetchone()[0] for t in TABLES)
    if total == 0:
        return None
    identity = Identity.load_or_create(desk.home, device_id=desk.device_id)
    sent: list[tuple[str, str, str]] = []
    done = [0]

    def rows(table: str) -> Iterator[list]:
        mapped = row_mapper(table)
        sql = f"SELECT {', '.join(columns(table))} FROM [{table}] ORDER BY hlc" if full else _unsent_sql(table)
        for values in conn.execute(sql):
            if cancelled and done[0] % 1000 == 0 and cancelled():
                raise Failed("error.cancelled")
            sent.append((table, values[0], values[1]))
            done[0] += 1
            if progress and done[0] % 5000 == 0:
                progress(done[0], total)
            yield mapped(values)

    sequence = int(desk.setting(SEQUENCE_SETTING) or 0) + 1
    folder = Path(desk.home) / OUTBOX_DIR
    from teamdesk.ids import new_id

    bundle_id = new_id()
    path = folder / f"{bundle_id}.tdsync"
    made = bundle_format.write_bundle(
        identity=identity,
        recipients=[hub_recipient],
        audience="province",
        commune=desk.commune_code,
        sequence=sequence,
        sections=[(t, columns(t), rows(t)) for t in TABLES],
        name=desk.device_name[:100],
        role=desk.role,
        full=full,
        bundle_id=bundle_id,
        out=path,
    )
    entry = {
        "bundle_id": bundle_id,
        "created_at": made.manifest["created_at"],
        "file": f"{OUTBOX_DIR}/{path.name}",
        "since_hlc": min((s[2] for s in sent), default=""),
        "until_hlc": made.manifest["hlc_max"],
        "records": made.manifest["records"],
        "bytes": len(made.raw),
        "sha256": hashlib.sha256(made.raw).hexdigest(),
    }
    with transaction(conn):
        conn.execute(
            "INSERT INTO outbox (bundle_id, created_at, file, since_hlc, until_hlc, records, bytes, sha256, state)"
            " VALUES (:bundle_id, :created_at, :file, :since_hlc, :until_hlc, :records, :bytes, :sha256, 'pending')",
            entry,
        )
        conn.executemany(
            "INSERT INTO hub_sent (table_name, id, hlc) VALUES (?, ?, ?)"
            " ON CONFLICT(table_name, id) DO UPDATE SET hlc = excluded.hlc",
            sent,
        )
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SEQUENCE_SETTING, str(sequence)))
    desk._meta[SEQUENCE_SETTING] = str(sequence)
    if progress:
        progress(total, total)
    return entry | {"state": "pending"}


def _rows(desk: Desk, where: str = "", params: tuple = ()) -> list[dict]:
    sql = f"SELECT {', '.join(_FIELDS)} FROM outbox {where} ORDER BY created_at, bundle_id"
    out = []
    for r in desk.conn.execute(sql, params):
        entry = dict(zip(_FIELDS, r))
        entry["receipt"] = json.loads(entry["receipt"]) if entry["receipt"] else None
        out.append(entry)
    return out


def entries(desk: Desk) -> list[dict]:
    """Every bundle in the outbox, oldest first (what the upload screen lists)."""
    return _rows(desk)


def pending(desk: Desk) -> list[dict]:
    """Bundles still to send (a ``sending`` one was interrupted: it is sent again)."""
    return _rows(desk, "WHERE state != 'acknowledged'")


def entry(desk: Desk, bundle_id: str) -> dict | None:
    found = _rows(desk, "WHERE bundle_id = ?", (bundle_id,))
    return found[0] if found else None


def path_of(desk: Desk, entry: dict) -> Path:
    return Path(desk.home) / entry["file"]


def status(desk: Desk) -> dict:
    counts = dict(desk.conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    last = desk.conn.execute("SELECT MAX(acknowledged_at) FROM outbox").fetchone()[0]
    return {
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
        "acknowledged": counts.get("acknowledged", 0),
        "unsent_rows": unsent_count(desk),
        "last_acknowledged_at": last,
    }


def _set(desk: Desk, bundle_id: str, sql: str, params: tuple) -> None:
    with transaction(desk.conn):
        desk.conn.execute(f"UPDATE outbox SET {sql} WHERE bundle_id = ?", (*params, bundle_id))


def mark_sending(desk: Desk, bundle_id: str) -> None:
    _set(desk, bundle_id, "state = 'sending', attempts = attempts + 1, last_attempt_at = ?", (utc_now(),))


def mark_failed(desk: Desk, bundle_id: str, error: str) -> None:
    _set(desk, bundle_id, "state = 'pending', last_error = ?", (error[:300],))


def mark_acknowledged(desk: Desk, bundle_id: str, receipt: dict) -> None:
    _set(
        desk,
        bundle_id,
        "state = 'acknowledged', acknowledged_at = ?, last_error = NULL, receipt = ?",
        (utc_now(), json.dumps(receipt, ensure_ascii=False, sort_keys=True)),
    )


def recover(desk: Desk) -> int:
    """After a crash or a closed app: ``sending`` bundles are pending again. Returns how many."""
    with transaction(desk.conn):
        return desk.conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount


def start_over(desk: Desk) -> int:
    """Drop the bundles not yet acknowledged and forget what was queued, so the next push packs
    everything again (harmless: the hub merges idempotently). For a hub whose key changed (those
    bundles were encrypted to the old key) or a bundle file lost from disk. Returns bundles dropped."""
    dropped = pending(desk)
    with transaction(desk.conn):
        desk.conn.execute("DELETE FROM outbox WHERE state != 'acknowledged'")
        desk.conn.execute("DELETE FROM hub_sent")
    for e in dropped:
        path_of(desk, e).unlink(missing_ok=True)
    return len(dropped)
