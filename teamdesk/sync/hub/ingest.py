"""Checking and merging a province bundle's records — with the desktop's checks and merge code.

The hub keeps no merge rule of its own: greatest ``hlc`` wins, losers go to ``history``, exactly
as on a coordinator (``teamdesk.sync.merge.apply_records``), and records are checked by the
desktop's ``teamdesk.sync.shape``. The hub adds one rule: what arrives must be de-identified
(``teamdesk.sync.deidentify.KEEP``) and inside the sender's own commune. One pass reads the
payload in chunks (``stream.iter_chunks``), checking then merging each inside one transaction, so
memory does not grow with the bundle and a bad record anywhere leaves nothing behind.
"""

from __future__ import annotations

from teamdesk.desk import Desk
from teamdesk.errors import InputRejected
from teamdesk.schema import SYNCED
from teamdesk.sync import merge, shape
from teamdesk.sync.bundle import Bundle, Section
from teamdesk.sync.deidentify import KEEP
from teamdesk.sync.hub.stream import iter_chunks
from teamdesk.sync.identity import Identity


def check_chunk(table: str, columns: tuple[str, ...], rows: list[list], *, commune_code: str) -> None:
    """Refuse (``InputRejected``) records of the wrong shape, of another commune, or carrying a name."""
    shape.check_sections({table: Section(columns, rows)}, commune=commune_code, file="upload")
    if table not in KEEP:
        raise InputRejected("error.hub_bad_records", detail=f"table {table[:40]}")
    forbidden = [i for i, c in enumerate(columns) if c in SYNCED[table] and c not in KEEP[table]]
    if forbidden and any(row[i] not in (None, "") for row in rows for i in forbidden):
        raise InputRejected("error.hub_personal_data", table=table)
    if table == "villages":
        at = columns.index("commune_code")
        if any(row[at] != commune_code for row in rows):
            raise InputRejected("error.hub_bad_records", detail="village of another commune")


class _CommuneBounds:
    """Which villages and households belong to the sender's commune (what the hub holds plus what
    the bundle brings), so that no record can be counted for another commune."""

    def __init__(self, conn, commune_code: str):
        self.conn = conn
        self.commune_code = commune_code
        self.villages = {r[0] for r in conn.execute("SELECT id FROM villages WHERE commune_code = ?", (commune_code,))}
        self.households: set[str] = set()

    def add_villages(self, ids) -> None:
        self.villages.update(ids)

    def add_households(self, rows: list[list], id_at: int, village_at: int) -> None:
        if any(row[village_at] not in self.villages for row in rows):
            raise InputRejected("error.hub_bad_records", detail="household of another commune")
        self.households.update(row[id_at] for row in rows)

    def check_households(self, ids: set[str]) -> None:
        unknown = sorted(ids - self.households)
        for start in range(0, len(unknown), 500):
            part = unknown[start : start + 500]
            found = {
                r[0]
                for r in self.conn.execute(
                    f"SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id"
                    f" WHERE v.commune_code = ? AND h.id IN ({','.join('?' * len(part))})",
                    [self.commune_code, *part],
                )
            }
            if len(found) != len(part):
                raise InputRejected("error.hub_bad_records", detail="household unknown or of another commune")
            self.households.update(found)


def _check(bounds: "_CommuneBounds | None", table: str, columns: tuple[str, ...], rows: list[list], *, commune_code: str) -> None:
    check_chunk(table, columns, rows, commune_code=commune_code)
    if bounds is None or not rows:
        return
    if table == "villages":
        bounds.add_villages(row[0] for row in rows)
    elif table == "households":
        bounds.add_households(rows, columns.index("id"), columns.index("village_id"))
    elif table in ("members", "help_events"):
        at = columns.index("household_id")
        bounds.check_households({row[at] for row in rows})


def ingest_bundle(desk: Desk, bundle: Bundle, *, identity: Identity, commune_code: str) -> tuple[int, dict]:
    """Check and merge in one pass, chunk by chunk, inside the caller's transaction: a bad record
    anywhere raises ``InputRejected`` and the caller rolls the whole bundle back. Returns
    (records, merge counts)."""
    bounds = _CommuneBounds(desk.conn, commune_code)
    total = merge.MergeSummary()
    records = 0
    for table, columns, rows in iter_chunks(bundle, identity=identity):
        _check(bounds, table, columns, rows, commune_code=commune_code)
        records += len(rows)
        if rows:
            total.add(merge.apply_records(desk, {table: Section(columns, rows)}, bundle_id=bundle.bundle_id))
    return records, total.to_json()
