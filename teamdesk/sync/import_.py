"""Importing sync files: check everything first, then apply each file in one transaction or not at all.

For each file, in this order, before anything is written:
format and framing → commune → device (revoked: refused; known: its registered key must have
signed) → signature → payload hash → replay (an applied bundle id is "unchanged") → an unknown
device's enrolment proof (it must match the team secret, else the file is *held* for the
coordinator's approval) → decryption → decompression within limits → every record's shape.
Then the records merge (``teamdesk.sync.merge``) and the bundle is booked in ``sync_bundles`` in
the same transaction. A refused file leaves the database exactly as it was; the others go on.

A receipt (kind ``receipt``) coming back from the commune is handed to ``teamdesk.sync.receipts``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from teamdesk.db import transaction
from teamdesk.errors import InputRejected, TeamDeskError
from teamdesk.i18n import tr
from teamdesk.sync import devices, team
from teamdesk.sync.bundle import Bundle, open_payload, read_manifest, verify_manifest
from teamdesk.sync.export import lower_marks
from teamdesk.sync.identity import proof_ok
from teamdesk.sync.merge import apply_records
from teamdesk.sync.shape import check_sections

HELD_DIR = ("sync", "held")
STATES = ("applied", "unchanged", "held", "rejected", "receipt")


@dataclass
class FileResult:
    file: str
    state: str  # one of STATES
    bundle_id: str = ""
    device_id: str = ""
    device_name: str = ""
    village: str = ""
    sequence: int = 0
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    error: str = ""  # the message key when refused or held
    message: str = ""  # in the user's language

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)  # receipt files written back to villages

    def totals(self) -> dict:
        out = {"files": len(self.files), "new": 0, "updated": 0, "unchanged": 0, "conflicts": 0, "rejected": 0, "held": 0}
        for f in self.files:
            for key in ("new", "updated", "unchanged", "conflicts"):
                out[key] += getattr(f, key)
            if f.state == "rejected":
                out["rejected"] += 1
            elif f.state == "held":
                out["held"] += 1
        return out

    def by_village(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for f in self.files:
            row = out.setdefault(f.village or "—", {"files": 0, "new": 0, "updated": 0, "unchanged": 0, "conflicts": 0, "rejected": 0, "held": 0})
            row["files"] += 1
            for key in ("new", "updated", "unchanged", "conflicts"):
                row[key] += getattr(f, key)
            if f.state in ("rejected", "held"):
                row[f.state] += 1
        return out

    def to_json(self) -> dict:
        return {
            "totals": self.totals(),
            "by_village": self.by_village(),
            "files": [f.to_json() for f in self.files],
            "missing": self.missing,
            "receipts": self.receipts,
        }


def preview(source: Path | str | bytes, *, name: str = "") -> dict:
    """What a file is, from its manifest alone (no keys, nothing written): for the screen's list."""
    try:
        bundle = read_manifest(source, name=name)
    except InputRejected as exc:
        return {"ok": False, "file": name or Path(str(source)).name, "error": exc.key, "message": exc.message()}
    m = bundle.manifest
    return {
        "ok": True,
        "file": bundle.name,
        "kind": m["kind"],
        "bundle_id": m["bundle_id"],
        "device_id": m["origin"]["device_id"],
        "device_name": m["origin"]["name"],
        "village": m["village"],
        "audience": m["audience"],
        "sequence": m["sequence"],
        "records": m["records"],
        "counts": m["counts"],
        "created_at": m["created_at"],
        "full": m["full"],
    }


def _held_path(desk, bundle_id: str) -> Path:
    return Path(desk.home).joinpath(*HELD_DIR, f"{bundle_id}.tdsync")


def _result(bundle: Bundle | None, file: str, state: str, **kw) -> FileResult:
    base = {"file": file, "state": state}
    if bundle is not None:
        m = bundle.manifest
        base.update(
            bundle_id=m["bundle_id"],
            device_id=m["origin"]["device_id"],
            device_name=m["origin"]["name"],
            village=m["village"],
            sequence=m["sequence"],
            records=m["records"],
        )
    return FileResult(**(base | kw))


def _refused(bundle: Bundle | None, file: str, exc: TeamDeskError) -> FileResult:
    return _result(bundle, file, "rejected", error=exc.key, message=exc.message())


def _book(desk, bundle: Bundle, *, state: str, received: int = 0, summary=None, file: str = "") -> None:
    m = bundle.manifest
    counts = summary.to_json() if summary is not None else {}
    desk.conn.execute(
        "INSERT OR REPLACE INTO sync_bundles (bundle_id, direction, kind, device_id, device_name, village, audience,"
        " sequence, created_at, handled_at, state, records, received, new, updated, unchanged, conflicts, file, sha256)"
        " VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            m["bundle_id"],
            m["kind"],
            m["origin"]["device_id"],
            m["origin"]["name"],
            m["village"],
            m["audience"],
            m["sequence"],
            m["created_at"],
            team.utc_now(),
            state,
            m["records"],
            received,
            counts.get("new", 0),
            counts.get("updated", 0),
            counts.get("unchanged", 0),
            counts.get("conflicts", 0),
            file,
            m["payload"]["sha256"],
        ),
    )


def import_one(desk, source: Path | str | bytes, *, name: str = "") -> FileResult:
    """Check and apply one file. Never raises for bad input: a refusal is a ``FileResult``."""
    file = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "?")
    bundle = None
    try:
        bundle = read_manifest(source, name=file)
        m = bundle.manifest
        if bundle.kind == "receipt":
            from teamdesk.sync.receipts import import_receipt

            return import_receipt(desk, bundle)
        if m["commune"] != desk.commune_code:
            raise InputRejected("error.sync_wrong_commune", file=file, commune=m["commune"])
        if bundle.device_id == desk.device_id:
            return _result(bundle, file, "unchanged", unchanged=m["records"], message=tr("sync.own_file"))
        if m["audience"] not in ("commune", "team"):
            raise InputRejected("error.sync_wrong_audience", file=file)
        device = devices.get(desk.conn, bundle.device_id)
        if desk.role != "coordinator" and not (device and device["recipient"] and device["state"] == "approved"):
            # a village laptop takes data from its commune (coordinator or deputy) only
            raise InputRejected("error.sync_not_from_commune", file=file, device=bundle.origin.get("name") or bundle.device_id)
        if device and device["state"] == "revoked":
            raise InputRejected("error.sync_revoked", file=file, device=device["name"] or bundle.device_id)
        verify_manifest(bundle, signing_key=device["signing_key"] if device else None)
        prior = desk.conn.execute("SELECT state FROM sync_bundles WHERE bundle_id = ?", (bundle.bundle_id,)).fetchone()
        if prior and prior[0] == "applied":  # a replay (checked first: a tampered copy is still refused)
            return _result(bundle, file, "unchanged", unchanged=m["records"], message=tr("sync.replay"))
        origin = bundle.origin
        trusted = bool(device and device["state"] in ("approved", "self"))
        proven = proof_ok(
            team.get(desk, "secret"),
            origin.get("proof"),
            device_id=origin["device_id"],
            signing_key=origin["signing_key"],
            age_recipient=origin["age_recipient"],
        )
        if not trusted and not proven:
            return _hold(desk, bundle, file, device)
        payload = open_payload(bundle, identity=team.identity(desk))
        check_sections(payload.sections, commune=desk.commune_code, file=file)
        with transaction(desk.conn):
            if not trusted or (device and device["name"] != origin.get("name")):
                devices.register(
                    desk.conn,
                    bundle.public_keys(),
                    name=origin.get("name", ""),
                    role=origin.get("role", ""),
                    village=m["village"],
                    state="approved" if not trusted else device["state"],
                    proven=proven,
                )
            if desk.role != "coordinator" and bundle.device_id == team.get(desk, "coordinator"):
                _learn_recipients(desk, m.get("recipients"))
            summary = apply_records(desk, payload, bundle_id=bundle.bundle_id)
            lower_marks(desk.conn, summary.min_written_hlc)
            _book(desk, bundle, state="applied", received=payload.count(), summary=summary, file=file)
        if summary.new or summary.updated or summary.conflicts:
            # an earlier local action undone now would write its old versions over what just arrived
            getattr(desk, "_undo", []).clear()
        held = _held_path(desk, bundle.bundle_id)
        if held.exists():
            held.unlink()
        return _result(
            bundle, file, "applied", new=summary.new, updated=summary.updated, unchanged=summary.unchanged,
            conflicts=summary.conflicts, message=_clock_note(desk, bundle),
        )
    except TeamDeskError as exc:
        return _refused(bundle, file, exc)


def _learn_recipients(desk, recipients) -> None:
    """The coordinator's team file names who may read the villages' files (a deputy approved later)."""
    from teamdesk.sync.identity import PublicKeys, check_device_id, check_recipient, check_signing_key

    for r in recipients if isinstance(recipients, list) else []:
        try:
            keys = PublicKeys(check_device_id(r["device_id"]), check_signing_key(r["signing_key"]), check_recipient(r["age_recipient"]))
        except (InputRejected, KeyError, TypeError):
            continue
        known = devices.get(desk.conn, keys.device_id)
        if keys.device_id == desk.device_id or (known and (known["state"] == "revoked" or known["signing_key"] != keys.signing_key)):
            continue
        name = r.get("name") if isinstance(r.get("name"), str) else ""
        devices.register(desk.conn, keys, name=name[:100], role="coordinator", state="approved", proven=True, recipient=True)


CLOCK_AHEAD_MS = 24 * 3600 * 1000


def _clock_note(desk, bundle: Bundle) -> str:
    """A laptop whose clock runs far ahead stamps the future: its versions win every later edit.
    Nothing is refused (this installation's own clock may be the wrong one), but say so."""
    stamp = bundle.manifest.get("hlc_max") or ""
    if not stamp:
        return ""
    ahead = int(stamp[:13]) - desk.clock.wall()
    if ahead <= CLOCK_AHEAD_MS:
        return ""
    return tr("sync.clock_ahead", device=bundle.origin.get("name") or bundle.device_id, days=round(ahead / (24 * 3600 * 1000)))


def _hold(desk, bundle: Bundle, file: str, device: dict | None) -> FileResult:
    """An unproven device: keep the file and its keys, merge nothing until the coordinator approves."""
    from teamdesk.atomic_file import write_atomic

    path = _held_path(desk, bundle.bundle_id)
    if not path.exists():
        write_atomic(path, bundle.raw)
    with transaction(desk.conn):
        if device is None:
            origin = bundle.origin
            devices.register(
                desk.conn,
                bundle.public_keys(),
                name=origin.get("name", ""),
                role=origin.get("role", ""),
                village=bundle.manifest["village"],
                state="pending",
            )
        _book(desk, bundle, state="held", file=file)
    return _result(bundle, file, "held", error="sync.held", message=tr("sync.held", device=bundle.origin.get("name") or bundle.device_id))


def import_held(desk, device_id: str, *, progress=None, cancelled=None) -> ImportReport:
    """Merge the files held for a device the coordinator has just approved, in sequence order."""
    rows = desk.conn.execute(
        "SELECT bundle_id, file FROM sync_bundles WHERE device_id = ? AND state = 'held' AND direction = 'in' ORDER BY sequence",
        (device_id,),
    ).fetchall()
    report = ImportReport()
    for i, (bundle_id, file) in enumerate(rows):
        if cancelled and cancelled():
            break
        path = _held_path(desk, bundle_id)
        if path.exists():
            report.files.append(import_one(desk, path, name=file or path.name))
        if progress:
            progress(i + 1, len(rows))
    report.missing = missing_sequences(desk)
    return report


def missing_sequences(desk) -> list[dict]:
    """Bundles a device numbered but that have not arrived intact (a gap never blocks the others)."""
    rows = desk.conn.execute(
        "SELECT device_id, MAX(device_name), MAX(village), audience, GROUP_CONCAT(sequence) FROM sync_bundles"
        " WHERE direction = 'in' AND kind = 'records' AND state IN ('applied', 'held') GROUP BY device_id, audience"
    ).fetchall()
    out = []
    for device_id, device_name, village, audience, seqs in rows:
        seen = {int(s) for s in seqs.split(",")}
        for s in range(1, max(seen)):
            if s not in seen:
                out.append(
                    {
                        "device_id": device_id,
                        "device_name": device_name,
                        "village": village,
                        "audience": audience,
                        "sequence": s,
                        "message": tr("sync.missing", sequence=s, village=village or device_name, device=device_name),
                    }
                )
    return out


def expand(sources: Iterable[Path | str]) -> list[Path]:
    """Files as given; a folder (a USB stick) stands for the sync files in it, found by content."""
    from teamdesk.sync.bundle import is_bundle

    out: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and is_bundle(p)))
        else:
            out.append(path)
    return out


def import_files(
    desk,
    sources: Iterable[Path | str],
    *,
    receipts_dir: Path | str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import many files or folders (any order, repeats welcome); optionally write receipts back."""
    sources = expand(sources)
    report = ImportReport()
    for i, source in enumerate(sources):
        if cancelled and cancelled():
            break
        report.files.append(import_one(desk, source))
        if progress:
            progress(i + 1, len(sources))
    report.missing = missing_sequences(desk)
    if receipts_dir is not None:
        from teamdesk.sync.receipts import write_receipt

        for device_id in dict.fromkeys(f.device_id for f in report.files if f.state in ("applied", "unchanged") and f.device_id):
            device = devices.get(desk.conn, device_id)
            if device and device["state"] == "approved":
                out = Path(receipts_dir) / f"bien-nhan-{_slug(device['village'] or device['name'])}-{device_id[-6:]}.tdsync"
                write_receipt(desk, device_id=device_id, out=out)
                report.receipts.append(str(out))
    return report


def _slug(text: str) -> str:
    from teamdesk.fold import fold

    return "-".join(fold(text).split()) or "thon"


def discard_held(desk, device_id: str) -> None:
    """Drop a revoked device's held files (nothing of them was merged)."""
    rows = desk.conn.execute("SELECT bundle_id FROM sync_bundles WHERE device_id = ? AND state = 'held'", (device_id,)).fetchall()
    with transaction(desk.conn):
        desk.conn.execute("UPDATE sync_bundles SET state = 'discarded' WHERE device_id = ? AND state = 'held'", (device_id,))
    for (bundle_id,) in rows:
        _held_path(desk, bundle_id).unlink(missing_ok=True)
