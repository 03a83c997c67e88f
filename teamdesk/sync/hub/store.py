"""The hub's books: enrolled communes, the append-only archive of raw bundles, and ingest.

One worker thread owns the hub's database (``run``/``call`` hand it work), so uploads arriving
together are checked and merged one at a time while their bodies stream to disk in parallel.

Ingest of one uploaded file, in this order:
1. read the manifest; the origin must be an enrolled device of the commune it claims, and the
   signature (with the key on record) and payload hash must hold — else refused, nothing kept;
2. a bundle id already merged is answered "already received" (same bytes) or 409 (other bytes);
3. the raw file (authentic, from an enrolled device) is fsynced and renamed into
   ``archive/<yyyy-mm>/<bundle id>.tdsync`` and indexed (``hub_bundles`` state ``archived``)
   before anything else is written;
4. in one transaction, chunk by chunk: decrypt with the hub's key, check every record (shape,
   de-identified, inside the sender's commune) and merge it with the desktop's merge code; the
   index row turns ``merged``. A bad record anywhere rolls the whole bundle back and the index
   row turns ``rejected`` (the same bundle again gets the same refusal). A crash between 3 and 4
   is finished at the next start (``recover``).

Every answer is a receipt signed by the hub's key, which the coordinator pinned at first contact.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import os
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from teamdesk.atomic_file import fsync_folder
from teamdesk.db import transaction
from teamdesk.desk import Desk
from teamdesk.errors import InputRejected, UsageError
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync.hub import summary as summaries
from teamdesk.sync.hub.ingest import ingest_bundle
from teamdesk.sync.identity import Identity, check_device_id, check_recipient, check_signing_key

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
ARCHIVE = "archive"
INCOMING = "incoming"
_BUNDLE_ID = re.compile(r"^[0-9a-f-]{36}$")


class HubRefused(InputRejected):
    """An upload the hub will not take; ``status`` is the HTTP answer (4xx)."""

    def __init__(self, status: int, key: str, **params):
        super().__init__(key, **params)
        self.status = status


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class HubStore:
    """An open hub installation. Make it with ``HubStore.open(home)``; ``close()`` when done."""

    def __init__(self, home: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, merge_hook: Callable[[str], None] | None = None):
        self.home = Path(home)
        self.max_bytes = max_bytes
        self._merge_hook = merge_hook  # tests: called between archive and merge (to simulate a crash)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="teamdesk-hub-db")
        self._worker: threading.Thread | None = None
        self._lines: dict[str, dict] | None = None  # summary per commune (see ``summary``)
        self._dirty: set[str] = set()
        self.desk: Desk = self.call(self._open)
        (self.home / INCOMING).mkdir(exist_ok=True)
        for stale in (self.home / INCOMING).glob("*.part"):  # uploads cut off by a stop or a crash
            stale.unlink(missing_ok=True)
        (self.home / ARCHIVE).mkdir(exist_ok=True)
        self.recovered = self.call(self.recover)

    @classmethod
    def open(cls, home: Path | str | None = None, **options) -> "HubStore":
        from teamdesk.paths import default_home

        return cls(Path(home or default_home()), **options)

    def _open(self) -> Desk:
        self._worker = threading.current_thread()
        desk = Desk.open(self.home)
        if desk.role != "hub":
            desk.close()
            raise UsageError("error.hub_not_hub", home=str(self.home), role=desk.role)
        self.identity = Identity.load_or_create(self.home, device_id=desk.device_id)
        self.token_created = not desk.setting("hub_operator_token")
        if self.token_created:
            desk.set_setting("hub_operator_token", secrets.token_urlsafe(24))
        return desk

    # --- the worker ---------------------------------------------------------------------------
    def call(self, fn: Callable, /, *args, **kwargs):
        """Run ``fn`` on the database worker and wait for it (CLI, tests)."""
        if threading.current_thread() is self._worker:
            return fn(*args, **kwargs)
        return self._pool.submit(fn, *args, **kwargs).result()

    async def run(self, fn: Callable, /, *args, **kwargs):
        """Run ``fn`` on the database worker without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        try:
            self.call(self.desk.close)
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> "HubStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- facts ----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.desk.device_name

    @property
    def operator_token(self) -> str:
        return self.desk.setting("hub_operator_token") or ""

    def incoming_path(self) -> Path:
        return self.home / INCOMING / f"{secrets.token_hex(8)}.part"

    def device(self, device_id: str) -> dict | None:
        cur = self.desk.conn.execute("SELECT * FROM hub_devices WHERE device_id = ?", (device_id,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def devices(self) -> list[dict]:
        cur = self.desk.conn.execute("SELECT * FROM hub_devices ORDER BY commune_code, device_id")
        return [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]

    def communes(self) -> list[str]:
        return [r[0] for r in self.desk.conn.execute("SELECT DISTINCT commune_code FROM hub_devices ORDER BY 1")]

    def summary(self, *, by: str = "commune") -> list[dict]:
        """The indicators, kept per commune and recomputed only for communes whose data changed
        (a province's full recount takes seconds; one commune's, a fraction of that)."""
        if by not in summaries.BY:
            raise UsageError("error.hub_bad_by", by=by)
        if self._lines is None:
            self._lines = {e["commune_code"]: e for e in summaries.by_commune(self.desk.conn, communes=self.communes())}
            self._dirty.clear()
        elif self._dirty:
            dirty, self._dirty = sorted(self._dirty), set()
            for e in summaries.by_commune(self.desk.conn, only=dirty):
                self._lines[e["commune_code"]] = e
        lines = sorted(self._lines.values(), key=lambda e: (e["province_code"], e["commune_code"]))
        return lines if by == "commune" else summaries.provinces_of(lines)

    def summary_csv(self, *, by: str = "commune") -> str:
        return summaries.to_csv(self.summary(by=by), by=by)

    def bundle_stats(self) -> dict:
        """Per commune: bundles merged, records received, the last arrival."""
        return {
            code: {"bundles": n, "records": records, "last": last}
            for code, n, records, last in self.desk.conn.execute(
                "SELECT commune_code, COUNT(*), SUM(records), MAX(received_at) FROM hub_bundles WHERE state = 'merged' GROUP BY 1"
            )
        }

    # --- enrolment -----------------------------------------------------------------------------
    def enrol(self, *, device_id: str, commune_code: str, signing_key: str, age_recipient: str = "", name: str = "") -> dict:
        """Register a commune coordinator's device (its public keys). Re-enrolling updates the keys."""
        from teamdesk.units import commune

        row = {
            "device_id": check_device_id(device_id),
            "commune_code": commune(commune_code)["code"],
            "name": (name or "")[:100],
            "signing_key": check_signing_key(signing_key),
            "age_recipient": check_recipient(age_recipient) if age_recipient else "",
            "enrolled_at": utc_now(),
        }
        with transaction(self.desk.conn):
            self.desk.conn.execute(
                "INSERT OR REPLACE INTO hub_devices (device_id, commune_code, name, signing_key, age_recipient, enrolled_at)"
                " VALUES (:device_id, :commune_code, :name, :signing_key, :age_recipient, :enrolled_at)",
                row,
            )
        self._dirty.add(row["commune_code"])  # a new commune gets its (empty) line
        return row

    def enrol_file(self, path: Path | str) -> list[dict]:
        """Enrol a commune's coordinator and deputies from its enrolment file (checked and
        signature-verified by ``teamdesk.sync.enrolment``). The team secret it carries is not kept."""
        from teamdesk.sync.enrolment import read_enrolment

        team = read_enrolment(path)["team"]
        people = [team["coordinator"], *team.get("deputies", [])]
        return [
            self.enrol(device_id=p["device_id"], commune_code=team["commune"], signing_key=p["signing_key"], age_recipient=p["age_recipient"], name=p.get("name", ""))
            for p in people
        ]

    def revoke(self, device_id: str) -> dict:
        """A commune device is no longer trusted (lost, replaced): its uploads are refused from now on.
        What it sent before stays (it was genuine when it came)."""
        from teamdesk.errors import NotFound

        row = self.device(device_id)
        if row is None:
            raise NotFound("error.hub_unknown_device", device=device_id[:40])
        with transaction(self.desk.conn):
            self.desk.conn.execute("DELETE FROM hub_devices WHERE device_id = ?", (device_id,))
        self._lines = None  # its commune may leave the summary
        return row

    # --- receipts -------------------------------------------------------------------------------
    def receipt(self, *, status: str, bundle_id: str, commune_code: str, records: int, counts: dict, received_at: str) -> dict:
        body = {
            "status": status,
            "bundle_id": bundle_id,
            "hub": self.identity.device_id,
            "commune_code": commune_code,
            "records": records,
            "counts": counts,
            "received_at": received_at,
        }
        signature = base64.b64encode(self.identity.sign(bundle_format.encode_manifest(body))).decode("ascii")
        return {"ok": True, **body, "signature": signature}

    # --- ingest -------------------------------------------------------------------------------
    def ingest_file(self, path: Path | str) -> tuple[int, dict]:
        """Check, archive and merge one uploaded bundle. Returns (HTTP status, signed receipt)."""
        path = Path(path)
        try:
            bundle = bundle_format.read_manifest(path, name="upload")
        except InputRejected as exc:
            raise HubRefused(400, exc.key, **exc.params) from None
        device = self.device(bundle.device_id)
        if device is None:
            raise HubRefused(403, "error.hub_unknown_device", device=bundle.device_id)
        if bundle.manifest["commune"] != device["commune_code"]:
            raise HubRefused(403, "error.hub_wrong_commune", device=bundle.device_id, commune=bundle.manifest["commune"][:10])
        if bundle.kind != "records" or bundle.audience != "province":
            raise HubRefused(400, "error.hub_not_province_bundle")
        try:
            bundle_format.verify_manifest(bundle, signing_key=device["signing_key"])
        except InputRejected as exc:
            raise HubRefused(400, exc.key, **exc.params) from None
        digest = hashlib.sha256(bundle.raw).hexdigest()
        known = self.desk.conn.execute(
            "SELECT sha256, state, records, counts, received_at FROM hub_bundles WHERE bundle_id = ?", (bundle.bundle_id,)
        ).fetchone()
        if known and known[0] != digest:
            raise HubRefused(409, "error.hub_bundle_id_reused", bundle_id=bundle.bundle_id)
        if known and known[1] == "merged":
            return 200, self.receipt(
                status="already_received", bundle_id=bundle.bundle_id, commune_code=device["commune_code"],
                records=known[2], counts=json.loads(known[3] or "{}"), received_at=known[4],
            )
        if known and known[1] == "rejected":  # the same authentic bundle again: the same answer
            reason = json.loads(known[3] or "{}")
            raise HubRefused(int(reason.get("status", 422)), reason.get("error", "error.hub_bad_records"), **reason.get("params", {}))
        # Authentic, from an enrolled device, new: keep the raw bytes before anything else.
        received_at = known[4] if known else utc_now()
        if not known:
            target = self._archive(path, bundle.bundle_id, received_at)
            with transaction(self.desk.conn):
                self.desk.conn.execute(
                    "INSERT INTO hub_bundles (bundle_id, device_id, commune_code, sha256, bytes, records, file, state, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'archived', ?)",
                    (bundle.bundle_id, bundle.device_id, device["commune_code"], digest, target.stat().st_size,
                     bundle.manifest["records"], str(target.relative_to(self.home)), received_at),
                )
        if self._merge_hook:
            self._merge_hook(bundle.bundle_id)
        records, counts = self._merge(bundle, commune_code=device["commune_code"])
        return 201, self.receipt(
            status="accepted", bundle_id=bundle.bundle_id, commune_code=device["commune_code"],
            records=records, counts=counts, received_at=received_at,
        )

    def _archive(self, part: Path, bundle_id: str, received_at: str) -> Path:
        """Move the uploaded file into the append-only archive (fsync, rename, fsync the folder)."""
        if not _BUNDLE_ID.match(bundle_id):
            raise HubRefused(400, "error.hub_bad_records", detail="bundle id")
        folder = self.home / ARCHIVE / received_at[:7]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{bundle_id}.tdsync"
        if target.exists():  # archived by an earlier attempt that crashed before indexing: same id, keep it
            return target
        fd = os.open(part, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(part, target)
        fsync_folder(folder)
        return target

    def _merge(self, bundle, *, commune_code: str) -> tuple[int, dict]:
        """Check and merge an archived bundle in one transaction; a bad record anywhere leaves the
        database as it was and the bundle indexed ``rejected`` (its raw bytes stay in the archive)."""
        bundle_id = bundle.bundle_id
        try:
            with transaction(self.desk.conn):
                records, counts = ingest_bundle(self.desk, bundle, identity=self.identity, commune_code=commune_code)
                self.desk.conn.execute(
                    "UPDATE hub_bundles SET state = 'merged', records = ?, counts = ?, merged_at = ? WHERE bundle_id = ?",
                    (records, json.dumps(counts, sort_keys=True), utc_now(), bundle_id),
                )
        except InputRejected as exc:  # not for this hub, damaged inside, a bad record, a name
            status = 422 if exc.key.startswith(("error.hub_", "error.sync_bad_record", "error.sync_wrong_commune")) else 400
            reason = {"status": status, "error": exc.key, "params": {k: v for k, v in exc.params.items() if isinstance(v, (str, int))}}
            with transaction(self.desk.conn):
                self.desk.conn.execute(
                    "UPDATE hub_bundles SET state = 'rejected', counts = ? WHERE bundle_id = ?", (json.dumps(reason), bundle_id)
                )
            raise HubRefused(status, exc.key, **reason["params"]) from None
        self._dirty.add(commune_code)
        return records, counts

    def recover(self) -> int:
        """Merge bundles archived by a hub that stopped before merging them. Returns how many."""
        pending = self.desk.conn.execute("SELECT file, commune_code FROM hub_bundles WHERE state = 'archived'").fetchall()
        for file, commune_code in pending:
            try:
                self._merge(bundle_format.read_manifest(self.home / file), commune_code=commune_code)
            except HubRefused:
                pass  # indexed "rejected"; the sender hears it when it sends the bundle again
            except InputRejected:  # the archived file is gone or unreadable: one bad file must not stop the hub
                with transaction(self.desk.conn):
                    self.desk.conn.execute("UPDATE hub_bundles SET state = 'rejected' WHERE file = ?", (file,))
        return len(pending)
