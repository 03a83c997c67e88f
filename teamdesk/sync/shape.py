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
from operator import ge, itemgetter
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


_UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_STAMP_TEXT = STAMP.pattern.strip("^$")
_DEVICE_TEXT = DEVICE_ID.pattern.strip("^$")


def _all(text: str) -> re.Pattern:
    return re.compile(f"(?:{text}\n)*{text}\\Z")


_ALL_UUIDS, _ALL_STAMPS, _ALL_DEVICES = _all(_UUID_TEXT), _all(_STAMP_TEXT), _all(_DEVICE_TEXT)
_ONE = {id(_ALL_UUIDS): _UUID, id(_ALL_STAMPS): re.compile(_STAMP_TEXT + r"\Z"), id(_ALL_DEVICES): re.compile(_DEVICE_TEXT + r"\Z")}


def _every(pattern: re.Pattern, values: list) -> int | None:
    """Index of the first value that is not a str matching ``pattern``, or None. One regex call
    over the joined column when all is well (the common case); a slow scan only to name the culprit."""
    if values:
        try:
            joined = "\n".join(values)
            if joined.count("\n") == len(values) - 1 and pattern.match(joined):
                return None
        except TypeError:
            pass
        one = _ONE[id(pattern)]
        return next(i for i, v in enumerate(values) if not (isinstance(v, str) and one.match(v)))
    return None


def _check_column(values: tuple, *, file: str, table: str, column: str) -> None:
    if column in SYNC_COLUMNS:
        if column == "deleted":
            if not set(map(type, values)) <= {int} or not set(values) <= {0, 1}:
                row = next(i for i, v in enumerate(values) if type(v) is not int or v not in (0, 1))
                raise _bad(file, table, column, row, "0/1")
            return
        if column == "prev_hlc":
            present = list(filter(None, values))
            if _every(_ALL_STAMPS, present) is not None:
                row = next(i for i, v in enumerate(values) if v and not (isinstance(v, str) and STAMP.match(v)))
                raise _bad(file, table, column, row, "stamp")
            return
        pattern, what = {"id": (_ALL_UUIDS, "uuid"), "hlc": (_ALL_STAMPS, "stamp"), "origin": (_ALL_DEVICES, "device")}[column]
        bad = _every(pattern, values)
        if bad is not None:
            raise _bad(file, table, column, bad, what)
        return
    kinds = set(map(type, values))
    if column in INTEGER_COLUMNS:
        if not kinds <= {int, type(None)}:
            row = next(i for i, v in enumerate(values) if v is not None and type(v) is not int)
            raise _bad(file, table, column, row, "integer")
        numbers = [v for v in values if v is not None]
        if numbers:
            low, high = min(numbers), max(numbers)
            if column in _ZERO_ONE and (low < 0 or high > 1):
                raise _bad(file, table, column, next(i for i, v in enumerate(values) if v not in (None, 0, 1)), "0/1")
            if low <= -(2**53) or high >= 2**53:
                raise _bad(file, table, column, next(i for i, v in enumerate(values) if v is not None and abs(v) >= 2**53), "integer")
        return
    if not kinds <= {str, type(None)}:
        row = next(i for i, v in enumerate(values) if v is not None and type(v) is not str)
        raise _bad(file, table, column, row, "text")
    present = list(filter(None, values))
    if not present:
        return

    def first(test) -> int:
        return next(i for i, v in enumerate(values) if v and test(v))

    limit = MAX_LONG_TEXT if (table, column) in _LONG else MAX_TEXT
    if max(map(len, present)) > limit:
        raise _bad(file, table, column, first(lambda v: len(v) > limit), "text")
    if _BAD_CHARS.search("\n".join(present)):
        raise _bad(file, table, column, first(_BAD_CHARS.search), "characters")
    if column in _ID_COLUMNS and _every(_ALL_UUIDS, present) is not None:
        raise _bad(file, table, column, first(lambda v: not _UUID.match(v)), "uuid")


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
        by_column = [list(map(itemgetter(i), section.rows)) for i in range(len(expected))]
        for column, values in zip(expected, by_column):
            _check_column(values, file=file, table=table, column=column)
        hlc_at, prev_at = expected.index("hlc"), expected.index("prev_hlc")
        try:  # "" sorts before every stamp, so a new row passes; None (allowed) takes the slow path
            out_of_order = any(map(ge, by_column[prev_at], by_column[hlc_at]))
        except TypeError:
            out_of_order = any(p and p >= h for p, h in zip(by_column[prev_at], by_column[hlc_at]))
        if out_of_order:
            row = next(i for i, r in enumerate(section.rows) if r[prev_at] and r[prev_at] >= r[hlc_at])
            raise _bad(file, table, "prev_hlc", row, "order")
        if table == "villages" and commune:
            at = expected.index("commune_code")
            for i, row in enumerate(section.rows):
                if row[at] not in (commune, "", None):
                    raise InputRejected("error.sync_wrong_commune", file=file, commune=str(row[at])[:10])
