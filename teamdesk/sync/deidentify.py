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

from typing import Callable, Sequence

from teamdesk.records import columns
from teamdesk.schema import PERSONAL, SYNC_COLUMNS

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


def row_mapper(table: str) -> Callable[[Sequence], list]:
    """A fast ``deidentify`` for rows read in ``records.columns(table)`` order, giving lists in that order."""
    cols = columns(table)
    keep_at = [i for i, c in enumerate(cols) if c in SYNC_COLUMNS or c in KEEP[table]]
    width = len(cols)
    prev_at, deleted_at = cols.index("prev_hlc"), cols.index("deleted")
    band_at = cols.index("birth_year") if table == "members" else None

    def mapped(values: Sequence) -> list:
        out = [None] * width
        for i in keep_at:
            out[i] = values[i]
        out[prev_at] = out[prev_at] or ""
        out[deleted_at] = int(bool(out[deleted_at]))
        if band_at is not None:
            out[band_at] = age_band(out[band_at])
        return out

    return mapped
