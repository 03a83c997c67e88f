"""Today at the village hall: each village's progress toward its targets, and the commune's.

The tally of today's helps is ``Desk.today_tally``; this adds what a team is measured on —
households reached against the village's household count, and people with VNeID level 2
against its population, when those targets were entered (``None`` when not). The commune's
total is the same count over every village, so a coordinator sees the whole commune at a glance.
The reports module builds the full monthly figures; this stays small enough for a panel
refreshed after every log. Qt-free; reads only.
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
    households, reached, level2 = _figures(conn, village_id)
    return {
        "id": row[0],
        "name": row[1],
        "households": households,
        "reached": reached,
        "vneid_level2": level2,
        "household_target": row[2] or None,
        "population_target": row[3] or None,
    }


def commune_progress(conn: sqlite3.Connection) -> dict:
    """The same figures for the whole commune (every village together).

    A target is the sum of the villages' figures, and ``None`` while any village has none entered:
    a partial sum would show a share higher than the truth.
    """
    households, reached, level2 = _figures(conn, None)
    villages, with_households, household_sum, with_population, population_sum = conn.execute(
        "SELECT COUNT(*), COUNT(NULLIF(household_count, 0)), SUM(household_count),"
        " COUNT(NULLIF(population, 0)), SUM(population) FROM villages WHERE deleted = 0"
    ).fetchone()
    return {
        "villages": villages,
        "households": households,
        "reached": reached,
        "vneid_level2": level2,
        "household_target": household_sum if villages and with_households == villages else None,
        "population_target": population_sum if villages and with_population == villages else None,
    }


def _figures(conn: sqlite3.Connection, village_id: str | None) -> tuple[int, int, int]:
    """(registered households, households reached, VNeID level 2) of one village, or the commune (None)."""
    live = "h.deleted = 0 AND COALESCE(h.merged_into, '') = ''"
    where, params = (f"h.village_id = ? AND {live}", (village_id,)) if village_id else (live, ())
    households = conn.execute(f"SELECT COUNT(*) FROM households h WHERE {where}", params).fetchone()[0]
    reached = conn.execute(
        f"SELECT COUNT(*) FROM households h WHERE {where} AND EXISTS (SELECT 1 FROM help_events e"
        " WHERE e.household_id = h.id AND e.deleted = 0)",
        params,
    ).fetchone()[0]
    # a village: walk its households, then each one's helps (not every level-2 help in the commune);
    # the commune: the level-2 helps themselves, on the service index
    join, service = ("CROSS JOIN", "+e.service") if village_id else ("JOIN", "e.service")
    level2 = conn.execute(
        "SELECT COUNT(DISTINCT COALESCE(NULLIF(e.member_id, ''), e.household_id)) FROM households h"
        f" {join} help_events e ON e.household_id = h.id WHERE {where}"
        f" AND {service} = 'vneid_level2' AND e.outcome = 'done' AND e.deleted = 0",
        params,
    ).fetchone()[0]
    return households, reached, level2


def share(done: int, target: int | None) -> float | None:
    """``done / target`` capped at 1, or None when no target was entered."""
    if not target:
        return None
    return min(1.0, done / target)
