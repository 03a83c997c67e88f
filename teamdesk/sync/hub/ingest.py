"""Merging a province bundle's records into the hub's tables — with the desktop's merge code.

The hub keeps no merge rule of its own: greatest ``hlc`` wins, losers go to ``history``, exactly
as on a coordinator (``teamdesk.sync.merge.apply_records``). This module only checks the shape of
the records with the desktop's checks (``teamdesk.sync.shape``) and adds the hub's own rule: what
arrives must be de-identified (``teamdesk.sync.deidentify.KEEP``).
"""

from __future__ import annotations

from teamdesk.desk import Desk
from teamdesk.errors import InputRejected
from teamdesk.schema import SYNCED
from teamdesk.sync import merge, shape
from teamdesk.sync.deidentify import KEEP


def check_payload(payload, *, commune_code: str) -> None:
    """Refuse (``InputRejected``) records of the wrong shape, of another commune, or carrying a name."""
    shape.check_sections(payload.sections, commune=commune_code, file="upload")
    for table, section in payload.sections.items():
        if table not in KEEP:
            raise InputRejected("error.hub_bad_records", detail=f"table {table[:40]}")
        forbidden = [i for i, c in enumerate(section.columns) if c in SYNCED[table] and c not in KEEP[table]]
        if forbidden and any(row[i] not in (None, "") for row in section.rows for i in forbidden):
            raise InputRejected("error.hub_personal_data", table=table)
        if table == "villages":
            at = section.columns.index("commune_code")
            if any(row[at] != commune_code for row in section.rows):
                raise InputRejected("error.hub_bad_records", detail="village of another commune")


def merge_payload(desk: Desk, payload, *, bundle_id: str = "") -> dict:
    """Apply every section of ``payload`` (a checked ``bundle.Payload``) inside the caller's transaction."""
    result = merge.apply_records(desk, payload, bundle_id=bundle_id)
    return result.to_json()
