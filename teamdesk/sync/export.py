"""Writing a sync file: what changed since the last export to that destination (or everything).

Destinations (= the manifest's audience): a volunteer's laptop exports for the ``commune``
(encrypted to the coordinator and any deputy); a coordinator exports for the ``team`` (the
commune's shared data, encrypted to every approved device). Each destination keeps a mark — the
greatest ``hlc`` sent — and a sequence number in ``sync_marks``. Superseded versions archived
since the mark travel too, so every installation ends up with every version.

A file for the commune carries only the versions this laptop wrote (everything else it holds came
from the commune), and those are always stamped after its mark. A file for the team carries every
version, so importing lowers the team's mark to below the oldest version it wrote (a laptop with
a slow clock sends versions older than the mark): the next export re-sends a little, harmlessly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from teamdesk.db import transaction
from teamdesk.errors import Failed, UsageError
from teamdesk.schema import SYNC_COLUMNS, SYNCED
from teamdesk.sync import team
from teamdesk.sync.bundle import write_bundle
from teamdesk.sync.merge import ORDER

AUDIENCES = ("commune", "team")


def default_audience(desk) -> str:
    return "team" if desk.role == "coordinator" else "commune"


def _mark(desk, destination: str) -> tuple[str, int]:
    row = desk.conn.execute("SELECT hlc, sequence FROM sync_marks WHERE destination = ?", (destination,)).fetchone()
    return (row[0], row[1]) if row else ("", 0)


def lower_marks(conn, below_hlc: str) -> None:
    """After an import wrote versions as old as ``below_hlc``: make sure every destination gets them."""
    if not below_hlc:
        return
    floor = f"{int(below_hlc[:13]) - 1:013d}"
    # a file for the commune carries only this laptop's own versions, always stamped after its mark
    conn.execute(
        "UPDATE sync_marks SET hlc = ? WHERE hlc > ? AND destination != 'commune' AND destination NOT LIKE 'receipt:%'",
        (floor, floor),
    )


def collect(
    desk, *, since: str, tables: tuple[str, ...] = ORDER, origin: str | None = None
) -> list[tuple[str, tuple[str, ...], list]]:
    """Versions (history first, then current) with ``hlc > since`` (and written by ``origin`` if
    given), per table. Read in one read transaction, so the file is a consistent snapshot."""
    conn = desk.conn
    sections = []
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        for table in tables:
            cols = SYNC_COLUMNS + SYNCED[table]
            rows: list = []
            only = " AND origin = ?" if origin else ""
            params = (since, origin) if origin else (since,)
            for rid, hlc, prev, by, deleted, data in conn.execute(
                f"SELECT id, hlc, prev_hlc, origin, deleted, data FROM history WHERE table_name = ? AND hlc > ?{only}",
                (table, *params),
            ):
                values = json.loads(data or "{}")
                rows.append([rid, hlc, prev or "", by, deleted, *[values.get(c) for c in SYNCED[table]]])
            rows.extend(
                list(r)
                for r in conn.execute(f"SELECT {', '.join(cols)} FROM [{table}] WHERE hlc > ?{only} ORDER BY hlc", params)
            )
            sections.append((table, cols, rows))
    finally:
        if began:
            conn.execute("COMMIT")
    return sections


def export_bundle(
    desk,
    *,
    out: Path | str,
    audience: str | None = None,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict:
    """Write one ``.tdsync`` file (temp name, fsync, rename) and advance the destination's mark."""
    audience = audience or default_audience(desk)
    if audience not in AUDIENCES:
        raise UsageError("error.sync_bad_audience", audience=audience)
    if desk.role == "coordinator":
        team.ensure_team(desk)
    elif not team.has_team(desk):
        raise UsageError("error.sync_not_enrolled")
    me = team.identity(desk)
    recipients = team.recipients(desk, audience)
    if not recipients:
        raise Failed("error.sync_no_recipients")
    mark, sequence = _mark(desk, audience)
    since = "" if full else mark
    if progress:
        progress(0, 3)
    # A village laptop's other versions all came from the commune, which has them: send only its own.
    sections = collect(desk, since=since, origin=desk.device_id if audience == "commune" else None)
    if cancelled and cancelled():
        raise Failed("error.cancelled")
    if progress:
        progress(1, 3)
    extra = None
    if audience == "team":  # the villages learn of deputies approved after their enrolment
        extra = {
            "recipients": [
                {"device_id": d, "name": n, "signing_key": k, "age_recipient": r}
                for d, n, k, r in desk.conn.execute(
                    "SELECT device_id, name, signing_key, age_recipient FROM sync_devices"
                    " WHERE recipient = 1 AND state IN ('self', 'approved') ORDER BY device_id"
                )
            ]
        }
    made = write_bundle(
        identity=me,
        recipients=recipients,
        audience=audience,
        commune=desk.commune_code,
        village=team.village_name(desk),
        sequence=sequence + 1,
        sections=sections,
        name=desk.device_name,
        role=desk.role,
        proof=team.proof(desk),
        full=full,
        extra=extra,
        out=out,
    )
    if progress:
        progress(2, 3)
    m = made.manifest
    new_mark = max(mark, m["hlc_max"])
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT INTO sync_marks (destination, hlc, sequence, exported_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(destination) DO UPDATE SET hlc = excluded.hlc, sequence = excluded.sequence,"
            " exported_at = excluded.exported_at",
            (audience, new_mark, m["sequence"], m["created_at"]),
        )
        desk.conn.execute(
            "INSERT INTO sync_bundles (bundle_id, direction, kind, device_id, device_name, village, audience, sequence,"
            " created_at, handled_at, state, records, received, file, sha256)"
            " VALUES (?, 'out', 'records', ?, ?, ?, ?, ?, ?, ?, 'sent', ?, 0, ?, ?)",
            (
                m["bundle_id"],
                desk.device_id,
                desk.device_name,
                m["village"],
                audience,
                m["sequence"],
                m["created_at"],
                team.utc_now(),
                m["records"],
                Path(out).name,
                m["payload"]["sha256"],
            ),
        )
    if progress:
        progress(3, 3)
    return {
        "file": str(out),
        "bundle_id": m["bundle_id"],
        "audience": audience,
        "sequence": m["sequence"],
        "records": m["records"],
        "counts": m["counts"],
        "full": full,
        "recipients": len(recipients),
        "bytes": len(made.raw),
    }
