"""The commune team as sync sees it: this installation's keys, the team secret, who may read bundles.

A coordinator's installation creates the team on first need (``ensure_team``): a random team
secret and its own entry in ``sync_devices`` as a recipient. A volunteer's installation learns the
team from the enrolment file (``teamdesk.sync.enrolment.join_team``). Values live in the local
table ``sync_team`` (never synced): ``secret``, ``team_id``, ``coordinator``, ``village_id``,
``hub`` (JSON), ``created_at``.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone

from teamdesk.db import transaction
from teamdesk.errors import UsageError
from teamdesk.ids import new_id
from teamdesk.sync import devices
from teamdesk.sync.identity import Identity, enrolment_proof


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(desk) -> Identity:
    """This installation's keys (made on first use, stored owner-only under ``<home>/keys``)."""
    cached = getattr(desk, "_sync_identity", None)
    if cached is None:
        cached = Identity.load_or_create(desk.home, device_id=desk.device_id)
        desk._sync_identity = cached
    return cached


def get(desk, key: str, default: str = "") -> str:
    row = desk.conn.execute("SELECT value FROM sync_team WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def put(desk, values: dict[str, str]) -> None:
    """Store team values (call inside or outside a transaction)."""
    with transaction(desk.conn):
        desk.conn.executemany(
            "INSERT OR REPLACE INTO sync_team (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
        )


def register_self(desk, *, recipient: bool) -> None:
    me = identity(desk)
    devices.register(
        desk.conn,
        me.public(),
        name=desk.device_name,
        role=desk.role,
        village=village_name(desk),
        state="self",
        proven=True,
        recipient=recipient,
    )


def ensure_team(desk) -> None:
    """A coordinator's installation makes the commune's team once: secret, id, itself as recipient."""
    if get(desk, "secret"):
        return
    if desk.role != "coordinator":
        raise UsageError("error.sync_no_team")
    with transaction(desk.conn):
        put(
            desk,
            {
                "secret": secrets.token_urlsafe(32),
                "team_id": new_id(),
                "coordinator": desk.device_id,
                "created_at": utc_now(),
            },
        )
        register_self(desk, recipient=True)


def has_team(desk) -> bool:
    return bool(get(desk, "secret"))


def is_coordinator(desk) -> bool:
    return desk.role == "coordinator"


def proof(desk) -> str:
    """This device's enrolment proof (empty when it has no team secret)."""
    secret = get(desk, "secret")
    if not secret:
        return ""
    me = identity(desk)
    return enrolment_proof(secret, device_id=me.device_id, signing_key=me.signing_key, age_recipient=me.age_recipient)


def village_id(desk) -> str:
    return get(desk, "village_id") or desk.setting("village_id") or ""


def village_name(desk) -> str:
    vid = village_id(desk)
    if not vid:
        return ""
    row = desk.conn.execute("SELECT name FROM villages WHERE id = ?", (vid,)).fetchone()
    return row[0] if row else ""


def hub(desk) -> dict | None:
    text = get(desk, "hub")
    return json.loads(text) if text else None


def recipients(desk, audience: str) -> list[str]:
    """Who can read a bundle: for the commune, its coordinator(s); for the team, every approved device."""
    if audience == "commune":
        states = ("self", "approved")
        rows = desk.conn.execute(
            f"SELECT age_recipient FROM sync_devices WHERE recipient = 1 AND state IN ({','.join('?' * len(states))})",
            states,
        ).fetchall()
    else:
        rows = desk.conn.execute("SELECT age_recipient FROM sync_devices WHERE state IN ('self', 'approved')").fetchall()
    found = [r[0] for r in rows]
    if audience == "commune" and is_coordinator(desk):
        found.append(identity(desk).age_recipient)
    return sorted(set(found))
