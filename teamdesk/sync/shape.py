"""Every record of a bundle checked for shape before anything is written.

A bundle that passed its signature check can still carry nonsense (a bug in a newer TeamDesk, a
device that was stolen before it was revoked): wrong types, unknown columns, ids that are not
UUIDs, stamps that are not stamps, text too long or full of control characters, villages of
another commune. One bad record refuses the whole file, naming the table, row and column.

Checks run per column over all rows at once (a joined string per text column for the control
character test), so 100,000 records cost a fraction of a second.
"""

from __future__ import annotations

import re
from typing import Mapping

from teamdesk.clock import STAMP
from teamdesk.errors import InputRejected
from teamdesk.schema import INTEGER_COLUMNS, SYNC_COLUMNS, SYNCED
from teamdesk.sync.identity import DEVICE_ID

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# C0/C1 controls (tab and newline allowed), zero-width and bidi overrides, BOM, lone surrogates,
# non-characters: nothing a person typed, and some of them make names look like other names.
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")
_ID_COLUMNS = {"village_id", "household_id", "member_id", "volunteer_id", "registered_by", "merged_into"}
MAX_TEXT = 2000
MAX_LONG_TEXT = 200_000  # a trainer's guide body (JSON)
_LONG = {("guides", "body")}
_ZERO_ONE = {"deleted", "active"}


def _bad(file: str, table: str, column: str, row: int, what: str) -> InputRejected:
    return InputRejected("error.sync_bad_record", file=file, table=table, column=column, row=row + 1, detail=what)


def _check_column(values: tuple, *, file: str, table: str, column: str) -> None:
    if column in SYNC_COLUMNS:
        if column == "id":
            for i, v in enumerate(values):
                if not (isinstance(v, str) and _UUID.match(v)):
                    raise _bad(file, table, column, i, "uuid")
        elif column == "hlc":
            for i, v in enumerate(values):
                if not (isinstance(v, str) and STAMP.match(v)):
                    raise _bad(file, table, column, i, "stamp")
        elif column == "prev_hlc":
            for i, v in enumerate(values):
                if not (v == "" or v is None or (isinstance(v, str) and STAMP.match(v))):
                    raise _bad(file, table, column, i, "stamp")
        elif column == "origin":
            for i, v in enumerate(values):
                if not (isinstance(v, str) and DEVICE_ID.match(v)):
                    raise _bad(file, table, column, i, "device")
        elif column == "deleted":
            for i, v in enumerate(values):
                if v not in (0, 1) or isinstance(v, bool) or isinstance(v, float):
                    raise _bad(file, table, column, i, "0/1")
        return
    if column in INTEGER_COLUMNS:
        for i, v in enumerate(values):
            if v is None:
                continue
            if not isinstance(v, int) or isinstance(v, bool) or not -(2**53) < v < 2**53:
                raise _bad(file, table, column, i, "integer")
            if column in _ZERO_ONE and v not in (0, 1):
                raise _bad(file, table, column, i, "0/1")
        return
    limit = MAX_LONG_TEXT if (table, column) in _LONG else MAX_TEXT
    for i, v in enumerate(values):
        if v is not None and (not isinstance(v, str) or len(v) > limit):
            raise _bad(file, table, column, i, "text")
    joined = "\n".join(v for v in values if v)
    if _BAD_CHARS.search(joined):
        row = next(i for i, v in enumerate(values) if v and _BAD_CHARS.search(v))
        raise _bad(file, table, column, row, "characters")
    if column in _ID_COLUMNS:
        for i, v in enumerate(values):
            if v and not _UUID.match(v):
                raise _bad(file, table, column, i, "uuid")


def check_sections(sections: Mapping, *, commune: str, file: str = "?") -> None:
    """Raise ``InputRejected`` unless every section is a synced table with exactly its columns
    and every value has the right type and content. ``sections``: name → ``bundle.Section``."""
    for table, section in sections.items():
        if table not in SYNCED:
            raise InputRejected("error.sync_bad_table", file=file, table=str(table)[:40])
        expected = SYNC_COLUMNS + SYNCED[table]
        if tuple(section.columns) != expected:
            raise InputRejected("error.sync_bad_columns", file=file, table=table)
        if not section.rows:
            continue
        by_column = list(zip(*section.rows))
        for column, values in zip(expected, by_column):
            _check_column(values, file=file, table=table, column=column)
        hlc_at, prev_at = expected.index("hlc"), expected.index("prev_hlc")
        for i, row in enumerate(section.rows):
            if row[prev_at] and row[prev_at] >= row[hlc_at]:
                raise _bad(file, table, "prev_hlc", i, "order")
        if table == "villages" and commune:
            at = expected.index("commune_code")
            for i, row in enumerate(section.rows):
                if row[at] not in (commune, "", None):
                    raise InputRejected("error.sync_wrong_commune", file=file, commune=str(row[at])[:10])
