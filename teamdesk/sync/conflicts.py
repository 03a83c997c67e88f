"""The conflict inbox: a field changed on two laptops at once; the later value was kept.

The merge already chose (the later edit wins, so work goes on); the coordinator confirms or
reverses it here — "keep mine" (the value this installation had before the import) or "keep
theirs" (the value that came in). Reversing is an ordinary stamped write, so it syncs and
``desk.undo()`` takes it back. Each conflict is explained in plain words.
"""

from __future__ import annotations

import json

from teamdesk import records
from teamdesk.changes import Changes
from teamdesk.db import transaction
from teamdesk.errors import InputRejected, NotFound
from teamdesk.i18n import tr
from teamdesk.sync.team import utc_now

CHOICES = ("mine", "theirs")


def _label(desk, table: str, row_id: str) -> str:
    """What the row is, in words: a household's head and village, a member's name …"""
    if table == "households":
        row = desk.conn.execute(
            "SELECT h.head_name, v.name FROM households h LEFT JOIN villages v ON v.id = h.village_id WHERE h.id = ?", (row_id,)
        ).fetchone()
        if row:
            return tr("conflict.household", name=row[0] or "—", village=row[1] or "—")
    if table == "members":
        row = desk.conn.execute("SELECT full_name FROM members WHERE id = ?", (row_id,)).fetchone()
        if row:
            return tr("conflict.member", name=row[0] or "—")
    return tr("conflict.row", table=tr(f"sync.table.{table}"), id=row_id[-8:])


def _value(field: str, value) -> str:
    if field == "deleted":
        return tr("conflict.deleted_yes") if value else tr("conflict.deleted_no")
    return "—" if value in (None, "") else str(value)


def list_conflicts(desk, *, include_resolved: bool = False) -> list[dict]:
    rows = desk.conn.execute(
        "SELECT id, table_name, row_id, fields, kept, other, kept_is_mine, created_at, resolved_at, resolution"
        " FROM sync_conflicts" + ("" if include_resolved else " WHERE resolved_at IS NULL") + " ORDER BY id"
    ).fetchall()
    out = []
    for cid, table, row_id, fields, kept, other, kept_is_mine, created, resolved, resolution in rows:
        kept, other, fields = json.loads(kept), json.loads(other), json.loads(fields)
        mine, theirs = (kept, other) if kept_is_mine else (other, kept)
        label = _label(desk, table, row_id)
        lines = [
            tr(
                "conflict.field",
                field=tr(f"sync.field.{f}"),
                mine=_value(f, mine.get(f)),
                theirs=_value(f, theirs.get(f)),
            )
            for f in fields
        ]
        out.append(
            {
                "id": cid,
                "table": table,
                "row_id": row_id,
                "label": label,
                "fields": fields,
                "mine": mine,
                "theirs": theirs,
                "kept": "mine" if kept_is_mine else "theirs",
                "created_at": created,
                "resolved_at": resolved,
                "resolution": resolution,
                "explanation": tr("conflict.explain", what=label, kept=tr(f"conflict.kept_{'mine' if kept_is_mine else 'theirs'}"))
                + "\n"
                + "\n".join(lines),
            }
        )
    return out


def resolve(desk, conflict_id: int, *, keep: str) -> Changes:
    """Keep ``"mine"`` or ``"theirs"`` for the fields in conflict; the inbox entry closes."""
    if keep not in CHOICES:
        raise InputRejected("error.sync_bad_choice", choice=keep)
    found = [c for c in list_conflicts(desk, include_resolved=True) if c["id"] == conflict_id]
    if not found:
        raise NotFound("error.sync_unknown_conflict", ref=str(conflict_id))
    c = found[0]
    if c["resolved_at"]:
        raise InputRejected("error.sync_conflict_closed", ref=str(conflict_id))
    chosen = c[keep]
    current = records.get(desk.conn, c["table"], c["row_id"])
    changes = Changes()
    wanted = {f: chosen.get(f) for f in c["fields"] if current is not None and current.get(f) != chosen.get(f)}
    if wanted and current is not None and not (current["deleted"] and c["table"] == "households"):
        with desk._writing("undo.resolve_conflict") as changes:
            desk._put(changes, c["table"], {"id": c["row_id"], **wanted})
    with transaction(desk.conn):
        desk.conn.execute(
            "UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?", (utc_now(), keep, conflict_id)
        )
    return changes
