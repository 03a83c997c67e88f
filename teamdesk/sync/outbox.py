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
from typing import Callable

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
BUNDLE_RECORDS = 50_000  # records per province bundle at most
KEEP_DAYS = 30  # acknowledged bundle files are kept this long, then deleted (their lines stay)
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
    max_records: int = BUNDLE_RECORDS,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[dict]:
    """Queue every row version not yet sent (``full``: every row) as bundles of at most
    ``max_records`` records, parents first. Returns the queued entries ([] when nothing changed).

    Bundles of bounded size keep memory flat on an old laptop, and on a flaky line each one is
    acknowledged on its own. Each bundle file is written (temp name, fsync, rename) before its
    queue entry and its rows' "sent" marks are committed together, so a crash leaves every bundle
    either queued with its marks or not at all.
    """
    if desk.role != "coordinator":
        raise Failed("error.hub_push_not_coordinator", role=desk.role)
    if full:
        with transaction(desk.conn):  # forget what was sent: everything is "not yet sent" again
            desk.conn.execute("DELETE FROM hub_sent")
    total = unsent_count(desk)
    identity = Identity.load_or_create(desk.home, device_id=desk.device_id) if total else None
    made: list[dict] = []
    done = 0
    while done < total:
        if cancelled and cancelled():
            raise Failed("error.cancelled")
        entry = _prepare_one(desk, identity=identity, hub_recipient=hub_recipient, full=full, max_records=max_records)
        if entry is None:
            break
        made.append(entry)
        done += entry["records"]
        if progress:
            progress(min(done, total), total)
    return made


def _prepare_one(desk: Desk, *, identity: Identity, hub_recipient: str, full: bool, max_records: int) -> dict | None:
    conn = desk.conn
    sections: list[tuple[str, tuple[str, ...], list[list]]] = []
    sent: list[tuple[str, str, str]] = []
    room = max_records
    for table in TABLES:
        if room <= 0:
            break
        mapped = row_mapper(table)
        rows = []
        for values in conn.execute(_unsent_sql(table) + " LIMIT ?", (room,)):
            sent.append((table, values[0], values[1]))
            rows.append(mapped(values))
        room -= len(rows)
        sections.append((table, columns(table), rows))
    if not sent:
        return None
    sequence = int(desk.setting(SEQUENCE_SETTING) or 0) + 1
    from teamdesk.ids import new_id

    bundle_id = new_id()
    path = Path(desk.home) / OUTBOX_DIR / f"{bundle_id}.tdsync"
    made = bundle_format.write_bundle(
        identity=identity,
        recipients=[hub_recipient],
        audience="province",
        commune=desk.commune_code,
        sequence=sequence,
        sections=sections,
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
        "since_hlc": min(s[2] for s in sent),
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
    return entry | {"state": "pending"}


def _rows(desk: Desk, where: str = "", params: tuple = ()) -> list[dict]:
    sql = f"SELECT {', '.join(_FIELDS)} FROM outbox {where} ORDER BY created_at, bundle_id"
    out = []
    for r in desk.conn.execute(sql, params):
        entry = dict(zip(_FIELDS, r))
        entry["receipt"] = json.loads(entry["receipt"]) if entry["receipt"] else None
        out.append(entry)
    return out


def entries(desk: Desk, *, latest: int | None = None) -> list[dict]:
    """The bundles in the outbox, oldest first; ``latest``: only the newest so many (a screen)."""
    if latest is None:
        return _rows(desk)
    newest = desk.conn.execute("SELECT created_at, bundle_id FROM outbox ORDER BY created_at DESC, bundle_id DESC LIMIT 1 OFFSET ?", (latest - 1,)).fetchone()
    if newest is None:
        return _rows(desk)
    return _rows(desk, "WHERE (created_at, bundle_id) >= (?, ?)", newest)


def prune(desk: Desk, *, keep_days: int = KEEP_DAYS) -> int:
    """Delete the files of bundles the province acknowledged more than ``keep_days`` ago (their
    lines stay, as the record of what was sent). Returns how many files went."""
    from datetime import timedelta

    limit = (datetime.now(timezone.utc) - timedelta(days=keep_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gone = 0
    for (file,) in desk.conn.execute("SELECT file FROM outbox WHERE state = 'acknowledged' AND acknowledged_at < ?", (limit,)).fetchall():
        path = Path(desk.home) / file
        if path.exists():
            path.unlink()
            gone += 1
    return gone


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
