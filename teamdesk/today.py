"""Today at the village hall: each village's progress toward its targets.

The tally of today's helps is ``Desk.today_tally``; this adds what a team is measured on —
households reached against the village's household count, and people with VNeID level 2
against its population, when those targets were entered (``None`` when not). The reports
module builds the full monthly figures; this stays small enough for a panel refreshed after
every log. Qt-free; reads only.
"""

from __future__ import annotations

import sqlite3

from teamdesk.errors import NotFound


def village_progress(conn: sqlite3.Connection, village_id: str) -> dict:
    """One village's figures (a few index look-ups per household of that village only).

    ``households``: registered; ``reached``: registered households with at least one help
    logged; ``vneid_level2``: people (or households, when no member was picked) with VNeID
    level 2 done; ``household_target`` / ``population_target``: the village's figures or None.
    """
    row = conn.execute(
        "SELECT id, name, household_count, population FROM villages WHERE id = ? AND deleted = 0", (village_id,)
    ).fetchone()
    if row is None:
        raise NotFound("error.unknown_village", village=village_id)
    live = "SELECT id FROM households WHERE village_id = ? AND deleted = 0 AND COALESCE(merged_into, '') = ''"
    households = conn.execute(f"SELECT COUNT(*) FROM ({live})", (village_id,)).fetchone()[0]
    reached = conn.execute(
        f"SELECT COUNT(*) FROM ({live}) h WHERE EXISTS (SELECT 1 FROM help_events e"
        " WHERE e.household_id = h.id AND e.deleted = 0)",
        (village_id,),
    ).fetchone()[0]
    # walk the village's households, then each one's helps (not every level-2 help in the commune)
    level2 = conn.execute(
        "SELECT COUNT(DISTINCT COALESCE(NULLIF(e.member_id, ''), e.household_id)) FROM households h"
        " CROSS JOIN help_events e ON e.household_id = h.id WHERE h.village_id = ? AND h.deleted = 0"
        " AND COALESCE(h.merged_into, '') = '' AND +e.service = 'vneid_level2' AND e.outcome = 'done'"
        " AND e.deleted = 0",
        (village_id,),
    ).fetchone()[0]
    return {
        "id": row[0],
        "name": row[1],
        "households": households,
        "reached": reached,
        "vneid_level2": level2,
        "household_target": row[2] or None,
        "population_target": row[3] or None,
    }


def share(done: int, target: int | None) -> float | None:
    """``done / target`` capped at 1, or None when no target was entered."""
    if not target:
        return None
    return min(1.0, done / target)
