"""Where sync stands, at a glance: for a laptop, what has not reached the commune yet; for the
coordinator, devices waiting, files missing, conflicts open. One function for the CLI and the UI."""

from __future__ import annotations

from datetime import datetime, timezone

from teamdesk.dates import LOCAL
from teamdesk.i18n import tr
from teamdesk.sync import receipts, team
from teamdesk.sync.import_ import missing_sequences


def local_time(iso: str | None) -> str:
    """A stored UTC moment as people read it: local time, dd/mm/yyyy HH:MM."""
    if not iso:
        return "—"
    try:
        moment = datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return iso
    return moment.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")


def sync_status(desk) -> dict:
    conn = desk.conn
    marks = {
        d: {"sequence": s, "exported_at": at}
        for d, s, at in conn.execute("SELECT destination, sequence, exported_at FROM sync_marks WHERE destination NOT LIKE 'receipt:%'")
    }
    devices = dict(conn.execute("SELECT state, COUNT(*) FROM sync_devices GROUP BY state").fetchall())
    waiting = receipts.not_reached(desk)
    out = {
        "role": desk.role,
        "enrolled": team.has_team(desk),
        "device_id": desk.device_id,
        "village": team.village_name(desk),
        "exports": marks,
        "not_reached": waiting,
        "not_reached_total": sum(waiting.values()),
        "sent_unconfirmed": conn.execute(
            "SELECT COUNT(*) FROM sync_bundles WHERE direction = 'out' AND state = 'sent'"
        ).fetchone()[0],
        "imported": conn.execute("SELECT COUNT(*) FROM sync_bundles WHERE direction = 'in' AND state = 'applied'").fetchone()[0],
        "devices": devices,
        "pending_devices": devices.get("pending", 0),
        "held_files": conn.execute("SELECT COUNT(*) FROM sync_bundles WHERE state = 'held'").fetchone()[0],
        "missing": missing_sequences(desk),
        "open_conflicts": conn.execute("SELECT COUNT(*) FROM sync_conflicts WHERE resolved_at IS NULL").fetchone()[0],
    }
    return out


def status_lines(status: dict) -> list[str]:
    """The same facts as sentences."""
    lines = []
    if not status["enrolled"]:
        lines.append(tr("status.not_enrolled") if status["role"] != "coordinator" else tr("status.no_team_yet"))
    for destination, mark in sorted(status["exports"].items()):
        lines.append(tr("status.last_export", destination=tr(f"sync.audience.{destination}"), sequence=mark["sequence"], at=local_time(mark["exported_at"])))
    if status["role"] != "coordinator":
        if status["not_reached_total"]:
            detail = ", ".join(f"{tr(f'sync.table.{t}')}: {n}" for t, n in status["not_reached"].items())
            lines.append(tr("status.not_reached", count=status["not_reached_total"], detail=detail))
        else:
            lines.append(tr("status.all_reached"))
    else:
        lines.append(tr("status.imported", count=status["imported"]))
        if status["pending_devices"]:
            lines.append(tr("status.pending_devices", count=status["pending_devices"], files=status["held_files"]))
        if status["open_conflicts"]:
            lines.append(tr("status.open_conflicts", count=status["open_conflicts"]))
    lines.extend(m["message"] for m in status["missing"])
    return lines
