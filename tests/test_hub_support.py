"""Shared helpers for the hub and upload tests: a hub served on 127.0.0.1, enrolment, fault injection.

Imported by ``test_hub_*.py`` and ``test_upload_*.py`` (``from test_hub_support import ...``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from teamdesk.desk import Desk
from teamdesk.records import columns
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync.hub.serve import HubThread
from teamdesk.sync.identity import Identity
from teamdesk.sync.upload import Backoff

FAST = Backoff(retries=3, base=0.01, cap=0.02)


def make_hub_home(path: Path, name: str = "Sở KH&CN Thanh Hóa") -> Path:
    Desk.create(path, role="hub", name=name).close()
    return path


@pytest.fixture
def hub_home(tmp_path):
    return make_hub_home(tmp_path / "hub")


@pytest.fixture
def hub(hub_home):
    with HubThread(hub_home) as running:
        yield running


def coordinator_identity(desk: Desk) -> Identity:
    return Identity.load_or_create(desk.home, device_id=desk.device_id)


def enrol(hub: HubThread, desk: Desk) -> Identity:
    ident = coordinator_identity(desk)
    hub.store.call(
        hub.store.enrol, device_id=ident.device_id, commune_code=desk.commune_code,
        signing_key=ident.signing_key, age_recipient=ident.age_recipient, name=desk.device_name,
    )
    return ident


def hub_counts(store) -> dict:
    """What the hub holds: rows per table, bundles indexed, files archived."""
    conn = store.desk.conn

    def read():
        out = {t: conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in ("villages", "households", "members", "help_events")}
        out["bundles"] = conn.execute("SELECT COUNT(*) FROM hub_bundles").fetchone()[0]
        out["archived_files"] = len(list((store.home / "archive").rglob("*.tdsync")))
        return out

    return store.call(read)


def synthetic_bundle(identity: Identity, *, hub_recipient: str, commune: str, households: int = 3, helps_each: int = 2, sequence: int = 1, seed: int = 0) -> bytes:
    """A de-identified province bundle without a Desk: one village, households, helps (known totals)."""
    from teamdesk.ids import new_id

    device = identity.device_id
    stamp = iter(f"{1795000000000 + seed * 100000 + i:013d}-0000-{device}" for i in range(10**6))
    village = new_id()
    rows = {t: [] for t in ("villages", "households", "help_events")}
    rows["villages"].append([village, next(stamp), "", device, 0, "Thôn 1", commune, None, None])
    services = ("vneid_level2", "epayment_account", "online_service", "vneid_install")
    for h in range(households):
        hid = new_id()
        rows["households"].append([hid, next(stamp), "", device, 0, village] + [None] * 9 + [None, None])
        for k in range(helps_each):
            rows["help_events"].append([new_id(), next(stamp), "", device, 0, hid, None, services[(h + k) % 4], None, "2026-11-01", None, "done", None])
    sections = []
    for table, table_rows in rows.items():
        cols = columns(table)
        assert all(len(r) == len(cols) for r in table_rows), table
        sections.append((table, cols, table_rows))
    made = bundle_format.write_bundle(
        identity=identity, recipients=[hub_recipient], audience="province", commune=commune, sequence=sequence, sections=sections, role="coordinator"
    )
    return made.raw


class Faults:
    """ASGI middleware in front of the hub: plays a script of faults on ``POST /api/v1/bundles``.

    Actions: ``"500"`` (answer 500 without reading), ``"hang"`` (read the body, then answer nothing
    until the client gives up), ``"lose"`` (process it, then lose the answer: 502), ``"ok"``.
    """

    def __init__(self, app):
        self.app = app
        self.plan: list[str] = []
        self.seen: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/api/v1/bundles" or not self.plan:
            return await self.app(scope, receive, send)
        action = self.plan.pop(0)
        self.seen.append(action)
        if action == "500":
            return await _json(send, 500, {"ok": False, "error": "error.hub_internal"})
        if action == "hang":
            while (await receive())["type"] != "http.disconnect":
                pass
            return None
        if action == "lose":
            async def swallow(message):
                return None

            await self.app(scope, receive, swallow)
            return await _json(send, 502, {"ok": False, "error": "bad gateway"})
        return await self.app(scope, receive, send)


async def _json(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class HubProcess:
    """``teamdesk hub serve`` in a subprocess (so a test can kill it like a power cut)."""

    LISTENING = re.compile(r"(?:running at|listening) (http://127\.0\.0\.1:\d+)")

    def __init__(self, home: Path, *, script: str | None = None):
        env = dict(os.environ, PYTHONUNBUFFERED="1", TEAMDESK_LANG="en")
        if script is None:
            argv = [sys.executable, "-m", "teamdesk", "hub", "serve", "--home", str(home), "--port", "0"]
        else:
            argv = [sys.executable, "-c", script, str(home)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("hub did not start: " + self.proc.stderr.read())
            self.lines.append(line)
            found = self.LISTENING.search(line)
            if found:
                self.url = found.group(1)
                break

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
