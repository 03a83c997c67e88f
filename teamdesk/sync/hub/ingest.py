"""Merging a province bundle's records into the hub's tables — with the desktop's merge code.

The hub keeps no merge rule of its own: greatest ``hlc`` wins, losers go to ``history``, exactly
as on a coordinator (``teamdesk.sync.merge``). This module only adapts a parsed payload to it.
"""

from __future__ import annotations

from teamdesk.desk import Desk


def merge_payload(desk: Desk, payload) -> dict:
    """Apply every section of ``payload`` (a ``bundle.Payload``) inside the caller's transaction."""
    try:
        from teamdesk.sync import merge
    except ImportError:  # TEMPORARY until teamdesk.sync.merge lands (issue 5)
        return _interim_apply(desk, payload)
    result = merge.apply_records(desk, payload)
    return _counts(result)


def _interim_apply(desk: Desk, payload) -> dict:
    from teamdesk import records

    counts = {"new": 0, "updated": 0, "unchanged": 0}
    conn = desk.conn
    for table, section in payload.sections.items():
        cols = records.columns(table)
        at = [section.columns.index(c) for c in cols]
        for row in section.rows:
            values = [row[i] for i in at]
            old = conn.execute(f"SELECT hlc FROM [{table}] WHERE id = ?", (values[0],)).fetchone()
            if old is None:
                counts["new"] += 1
            elif old[0] < values[1]:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
                continue
            conn.execute(f"INSERT OR REPLACE INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
    return counts


def _counts(result) -> dict:
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if isinstance(v, (int, str, float))}
    for attr in ("to_json", "as_dict"):
        if hasattr(result, attr):
            return _counts(getattr(result, attr)())
    return {k: v for k, v in vars(result).items() if isinstance(v, (int, float))}
