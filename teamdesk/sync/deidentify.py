"""What goes up to the province: the commune's records with everything that names a person removed.

The province needs numbers, not names (Law 91/2025/QH15): a province record keeps ids, the village,
the service, the outcome, dates, the volunteer's id, and a member's sex and age band. Names,
phones, addresses, notes, free-text details, consent wording and family relations never leave the
commune. The rule is an allow-list per table (``KEEP``): a column added to the schema later stays
at home until someone decides it may travel.

A province record has every column of its table (so the hub merges it with the same code as a
desktop), with the columns that may not travel set to ``None``. The version stamps (``hlc``,
``prev_hlc``, ``origin``) are kept unchanged so that greatest-hlc merge works at the hub too.

Age band: ``birth_year`` travels rounded down to its decade (1968 → 1960), a band of ten
birth years; the exact year does not travel.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

from teamdesk.records import columns
from teamdesk.schema import PERSONAL, SYNC_COLUMNS, SYNCED

# Which of each table's own columns may travel to the province. Tables not listed never travel.
KEEP: dict[str, frozenset[str]] = {
    "villages": frozenset({"name", "commune_code", "population", "household_count"}),
    "volunteers": frozenset({"village_id", "active"}),
    "households": frozenset({"village_id", "registered_by", "merged_into"}),
    "members": frozenset({"household_id", "sex", "birth_year"}),
    "help_events": frozenset({"household_id", "member_id", "service", "date", "volunteer_id", "outcome"}),
}
# Parents first, so a hub reading records in order meets a village before its households.
TABLES = ("villages", "volunteers", "households", "members", "help_events")
AGE_BAND_YEARS = 10

assert all(not (KEEP[t] & set(PERSONAL.get(t, ()))) for t in KEEP), "a personal field is on the allow-list"


def age_band(birth_year: int | None) -> int | None:
    """The first year of the birth decade (1968 → 1960); ``None`` stays ``None``."""
    if birth_year in (None, ""):
        return None
    try:
        year = int(birth_year)
    except (TypeError, ValueError):
        return None
    return year - year % AGE_BAND_YEARS


def deidentify(table: str, row: dict) -> dict:
    """The province version of one row: allowed columns kept, every other own column ``None``."""
    keep = KEEP[table]
    out = {c: row.get(c) for c in SYNC_COLUMNS}
    out["prev_hlc"] = out["prev_hlc"] or ""
    out["deleted"] = int(bool(out["deleted"]))
    for c in SYNCED[table]:
        out[c] = row.get(c) if c in keep else None
    if table == "members":
        out["birth_year"] = age_band(out["birth_year"])
    return out


def province_rows(conn: sqlite3.Connection, *, since: str = "", until: str | None = None) -> Iterator[tuple[str, dict]]:
    """``(table, de-identified row)`` for every row version with ``since < hlc <= until``.

    Streams from SQLite (one row at a time), so a commune of 100,000 events is never held whole.
    """
    for table in TABLES:
        cols = columns(table)
        sql = f"SELECT {', '.join(cols)} FROM [{table}] WHERE hlc > ?"
        params: list = [since]
        if until is not None:
            sql += " AND hlc <= ?"
            params.append(until)
        for values in conn.execute(sql + " ORDER BY hlc", params):
            yield table, deidentify(table, dict(zip(cols, values)))


def newest_stamp(conn: sqlite3.Connection) -> str:
    """The greatest version stamp among the tables that travel ('' when there are none)."""
    stamps = [conn.execute(f"SELECT MAX(hlc) FROM [{t}]").fetchone()[0] or "" for t in TABLES]
    return max(stamps)


def count_rows(conn: sqlite3.Connection, *, since: str = "", until: str | None = None) -> int:
    total = 0
    for table in TABLES:
        sql = f"SELECT COUNT(*) FROM [{table}] WHERE hlc > ?"
        params: list = [since]
        if until is not None:
            sql += " AND hlc <= ?"
            params.append(until)
        total += conn.execute(sql, params).fetchone()[0]
    return total
