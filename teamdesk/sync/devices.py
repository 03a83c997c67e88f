"""The devices a coordinator knows: their public keys and whether their bundles are merged.

States: ``self`` (this installation), ``approved`` (bundles merge: it proved its enrolment with the
team secret, or the coordinator approved it), ``pending`` (its bundles wait in
``<home>/sync/held/`` until the coordinator approves), ``revoked`` (a lost or stolen laptop: its
bundles are refused, including ones written before the revocation that arrive later).
A device's keys never change: a bundle claiming a known device id with another key is refused.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from teamdesk.db import transaction
from teamdesk.errors import InputRejected, NotFound
from teamdesk.sync.identity import PublicKeys

STATES = ("self", "approved", "pending", "revoked")
COLUMNS = ("device_id", "name", "role", "village", "signing_key", "age_recipient", "state", "recipient", "proven", "first_seen", "updated_at")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def get(conn: sqlite3.Connection, device_id: str) -> dict | None:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM sync_devices WHERE device_id = ?", (device_id,)).fetchone()
    return dict(zip(COLUMNS, row)) if row else None


def register(
    conn: sqlite3.Connection,
    keys: PublicKeys,
    *,
    name: str = "",
    role: str = "",
    village: str = "",
    state: str,
    proven: bool = False,
    recipient: bool = False,
) -> dict:
    """Record a device (or refresh its name/village). A known device's keys are never replaced."""
    if state not in STATES:
        raise ValueError(state)
    known = get(conn, keys.device_id)
    now = _now()
    with transaction(conn):
        if known is None:
            conn.execute(
                f"INSERT INTO sync_devices ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                (keys.device_id, name, role, village, keys.signing_key, keys.age_recipient, state, int(recipient), int(proven), now, now),
            )
        else:
            conn.execute(
                "UPDATE sync_devices SET name = ?, role = ?, village = ?, state = ?, recipient = MAX(recipient, ?),"
                " proven = MAX(proven, ?), updated_at = ? WHERE device_id = ?",
                (name or known["name"], role or known["role"], village or known["village"], state, int(recipient), int(proven), now, keys.device_id),
            )
    return get(conn, keys.device_id)


def list_devices(desk) -> list[dict]:
    """Every known device with its bundle counts, newest activity first."""
    rows = desk.conn.execute(
        f"SELECT {', '.join('d.' + c for c in COLUMNS)},"
        " (SELECT COUNT(*) FROM sync_bundles b WHERE b.device_id = d.device_id AND b.direction = 'in' AND b.state = 'applied'),"
        " (SELECT COUNT(*) FROM sync_bundles b WHERE b.device_id = d.device_id AND b.direction = 'in' AND b.state = 'held'),"
        " (SELECT MAX(handled_at) FROM sync_bundles b WHERE b.device_id = d.device_id AND b.direction = 'in')"
        " FROM sync_devices d ORDER BY d.state = 'self' DESC, d.state = 'pending' DESC, d.village, d.name"
    ).fetchall()
    return [dict(zip(COLUMNS + ("bundles", "held", "last_seen"), r)) for r in rows]


def find(desk, ref: str) -> dict:
    """A device by id, the end of its id (6+ characters) or its exact name."""
    ref = (ref or "").strip()
    matches = [
        d
        for d in list_devices(desk)
        if d["device_id"] == ref or (len(ref) >= 6 and d["device_id"].endswith(ref.lower())) or d["name"] == ref
    ]
    if len(matches) != 1:
        raise NotFound("error.sync_unknown_device", device=ref)
    return matches[0]


def set_state(desk, ref: str, state: str, *, recipient: bool | None = None) -> dict:
    device = find(desk, ref)
    if device["state"] == "self":
        raise InputRejected("error.sync_device_is_self")
    with transaction(desk.conn):
        desk.conn.execute(
            "UPDATE sync_devices SET state = ?, recipient = COALESCE(?, recipient), updated_at = ? WHERE device_id = ?",
            (state, None if recipient is None else int(recipient), _now(), device["device_id"]),
        )
    return get(desk.conn, device["device_id"])


def approve(desk, ref: str, *, deputy: bool = False, progress=None, cancelled=None) -> dict:
    """Let a device's bundles merge, and merge the ones held so far. ``deputy``: it may read
    the villages' bundles too (a deputy coordinator)."""
    from teamdesk.sync.import_ import import_held

    device = set_state(desk, ref, "approved", recipient=True if deputy else None)
    report = import_held(desk, device["device_id"], progress=progress, cancelled=cancelled)
    return {"device": device, "import": report.to_json()}


def revoke(desk, ref: str) -> dict:
    """A lost or stolen laptop: its bundles are refused from now on (held ones are dropped)."""
    from teamdesk.sync.import_ import discard_held

    device = set_state(desk, ref, "revoked", recipient=False)
    discard_held(desk, device["device_id"])
    return device
