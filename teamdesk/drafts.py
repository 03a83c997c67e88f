"""Drafts: what a person was typing in a form, kept so a closed window or a power cut loses nothing.

One JSON object per form under the local (unsynced) ``meta`` key ``draft:<form>``. The desktop
app saves on every edit after a short pause and clears the draft once the form is saved; a form
opened later offers to restore it. Drafts are local: they never travel through sync, and an
erased household's draft is just text the volunteer typed on this laptop (clear it on erasure).
"""

from __future__ import annotations

import json
import sqlite3

from teamdesk.changes import Changes
from teamdesk.validate import without_cccd

PREFIX = "draft:"


def meta_key(form: str) -> str:
    return PREFIX + form


def _scrub(value):
    """Drafts hold unchecked typing: never keep a CCCD number in one (the form refuses it anyway)."""
    if isinstance(value, str):
        return without_cccd(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def save(desk, *, form: str, data: dict) -> Changes:
    """Keep ``data`` (plain JSON values) as the draft of ``form``; an empty dict clears it."""
    if not data:
        return clear(desk, form=form)
    return desk.set_setting(meta_key(form), json.dumps(_scrub(data), ensure_ascii=False, sort_keys=True))


def clear(desk, *, form: str) -> Changes:
    return desk.set_setting(meta_key(form), None)


def load(conn: sqlite3.Connection, *, form: str) -> dict | None:
    """The saved draft of ``form`` (read with any connection, e.g. the GUI's read-only one)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (meta_key(form),)).fetchone()
    if not row:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    return data if isinstance(data, dict) and data else None


def forms(conn: sqlite3.Connection) -> list[str]:
    """Forms that have a draft waiting."""
    return [r[0][len(PREFIX):] for r in conn.execute("SELECT key FROM meta WHERE key LIKE 'draft:%' ORDER BY key")]
