"""Receipts: the commune tells a village laptop what has reached it, so nothing is lost unnoticed.

A receipt is a bundle of kind ``receipt`` (same format, signed by the coordinator, encrypted to the
one device it is for, ``manifest["for_device"]``) with two sections:

* ``bundles``  — ``bundle_id, sequence, applied_at``: that device's files the commune merged;
* ``reached``  — ``table, id, hlc``: for every row that device wrote, the newest of its versions
  the commune holds (current or in history).

The laptop books them in ``sync_reached``; a row whose current version (written here) has an
``hlc`` above what reached the commune "has not reached the commune yet" (``not_reached``).
"""

from __future__ import annotations

from pathlib import Path

from teamdesk.clock import is_stamp
from teamdesk.db import transaction
from teamdesk.errors import InputRejected, UsageError
from teamdesk.ids import is_id
from teamdesk.schema import SYNCED
from teamdesk.sync import devices, team
from teamdesk.sync.bundle import Bundle, open_payload, verify_manifest, write_bundle
from teamdesk.sync.merge import ORDER

BUNDLES = ("bundle_id", "sequence", "applied_at")
REACHED = ("table", "id", "hlc")


def reached_rows(desk, device_id: str) -> list[list]:
    """(table, id, newest hlc) of every row version ``device_id`` wrote that this installation holds."""
    out: list[list] = []
    for table in ORDER:
        out.extend(
            [table, rid, hlc]
            for rid, hlc in desk.conn.execute(
                f"SELECT id, MAX(hlc) FROM (SELECT id, hlc FROM [{table}] WHERE origin = ?"
                " UNION ALL SELECT id, hlc FROM history WHERE table_name = ? AND origin = ?) GROUP BY id",
                (device_id, table, device_id),
            )
        )
    return out


def write_receipt(desk, *, device_id: str, out: Path | str) -> dict:
    """Write the receipt for one approved device (temp name, fsync, rename)."""
    device = devices.get(desk.conn, device_id)
    if device is None or device["state"] != "approved":
        raise UsageError("error.sync_receipt_device", device=device_id)
    bundles = [
        list(r)
        for r in desk.conn.execute(
            "SELECT bundle_id, sequence, handled_at FROM sync_bundles WHERE device_id = ? AND direction = 'in'"
            " AND kind = 'records' AND state = 'applied' ORDER BY sequence",
            (device_id,),
        )
    ]
    reached = reached_rows(desk, device_id)
    destination = f"receipt:{device_id}"
    row = desk.conn.execute("SELECT sequence FROM sync_marks WHERE destination = ?", (destination,)).fetchone()
    sequence = (row[0] if row else 0) + 1
    made = write_bundle(
        identity=team.identity(desk),
        recipients=[device["age_recipient"]],
        kind="receipt",
        audience="device",
        commune=desk.commune_code,
        sequence=sequence,
        sections=[("bundles", BUNDLES, bundles), ("reached", REACHED, reached)],
        name=desk.device_name,
        role=desk.role,
        extra={"for_device": device_id},
        out=out,
    )
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT INTO sync_marks (destination, hlc, sequence, exported_at) VALUES (?, '', ?, ?)"
            " ON CONFLICT(destination) DO UPDATE SET sequence = excluded.sequence, exported_at = excluded.exported_at",
            (destination, sequence, made.manifest["created_at"]),
        )
    return {"file": str(out), "device_id": device_id, "bundles": len(bundles), "records": len(reached)}


def _check(payload, file: str) -> None:
    def bad(detail: str) -> InputRejected:
        return InputRejected("error.sync_bad_payload", file=file, detail=detail)

    if set(payload.sections) != {"bundles", "reached"}:
        raise bad("sections")
    if payload.sections["bundles"].columns != BUNDLES or payload.sections["reached"].columns != REACHED:
        raise bad("columns")
    for bundle_id, sequence, applied_at in payload.sections["bundles"].rows:
        if not is_id(bundle_id) or not isinstance(sequence, int) or not isinstance(applied_at, str) or len(applied_at) > 40:
            raise bad("bundles")
    for table, rid, hlc in payload.sections["reached"].rows:
        if table not in SYNCED or not is_id(rid) or not is_stamp(hlc):
            raise bad("reached")


def import_receipt(desk, bundle: Bundle):
    """Book a receipt signed by this team's coordinator for this device; anything else is refused."""
    from teamdesk.sync.import_ import _book, _refused, _result

    file = bundle.name or "?"
    try:
        if bundle.manifest.get("for_device") != desk.device_id:
            raise InputRejected("error.sync_receipt_not_ours", file=file)
        signer = devices.get(desk.conn, bundle.device_id)
        if signer is None or signer["state"] not in ("approved", "self") or not signer["recipient"]:
            raise InputRejected("error.sync_receipt_signer", file=file)
        verify_manifest(bundle, signing_key=signer["signing_key"])
        prior = desk.conn.execute("SELECT state FROM sync_bundles WHERE bundle_id = ?", (bundle.bundle_id,)).fetchone()
        if prior and prior[0] == "applied":
            return _result(bundle, file, "unchanged", unchanged=bundle.manifest["records"])
        payload = open_payload(bundle, identity=team.identity(desk))
        _check(payload, file)
        now = team.utc_now()
        with transaction(desk.conn):
            desk.conn.executemany(
                "INSERT INTO sync_reached (table_name, row_id, hlc, reached_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(table_name, row_id) DO UPDATE SET hlc = excluded.hlc, reached_at = excluded.reached_at"
                " WHERE excluded.hlc > sync_reached.hlc",
                [(t, rid, hlc, now) for t, rid, hlc in payload.sections["reached"].rows],
            )
            desk.conn.executemany(
                "UPDATE sync_bundles SET state = 'reached' WHERE bundle_id = ? AND direction = 'out'",
                [(r[0],) for r in payload.sections["bundles"].rows],
            )
            _book(desk, bundle, state="applied", received=payload.count(), file=file)
        return _result(bundle, file, "receipt", updated=len(payload.sections["reached"].rows))
    except InputRejected as exc:
        return _refused(bundle, file, exc)


def not_reached(desk) -> dict[str, int]:
    """Per table: rows whose current version was written here and has not reached the commune."""
    out = {}
    for table in ORDER:
        n = desk.conn.execute(
            f"SELECT COUNT(*) FROM [{table}] t LEFT JOIN sync_reached r ON r.table_name = ? AND r.row_id = t.id"
            " WHERE t.origin = ? AND (r.hlc IS NULL OR r.hlc < t.hlc)",
            (table, desk.device_id),
        ).fetchone()[0]
        if n:
            out[table] = n
    return out


def has_reached(desk, table: str, row_id: str) -> bool:
    """Has this row's current version reached the commune ("đã đến xã")?"""
    row = desk.conn.execute(
        f"SELECT t.origin != ? OR (r.hlc IS NOT NULL AND r.hlc >= t.hlc) FROM [{table}] t"
        " LEFT JOIN sync_reached r ON r.table_name = ? AND r.row_id = t.id WHERE t.id = ?",
        (desk.device_id, table, row_id),
    ).fetchone()
    return bool(row and row[0])
