"""Row ids: UUID v7 (time-ordered), made where the row is born and never reused.

Time order keeps SQLite's primary-key b-tree appends cheap (about 2x the insert rate of random keys).
"""

from __future__ import annotations

import re

import uuid_utils

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def new_id() -> str:
    return str(uuid_utils.uuid7())


def is_id(text: str) -> bool:
    return isinstance(text, str) and bool(_UUID.match(text))


def short(row_id: str) -> str:
    """The last 8 hex digits: the random end of a v7 id, what people read and type."""
    return row_id[-8:]
