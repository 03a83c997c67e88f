"""Pushing the outbox to the province hub over HTTP (httpx), whatever the network does.

``push(home=...)`` is the one call the CLI (``teamdesk sync push``) and the desktop app make: a
cheap probe of ``/healthz``; the hub's identity checked against the pin (the first contact pins
it; a changed key afterwards is refused with a clear warning — someone may be impersonating the
province); new changes queued as a de-identified bundle; then every pending bundle sent, oldest
first, with timeouts and retries (exponential back-off with jitter). The hub answers with a receipt
signed by its pinned key; only a verified receipt turns a bundle "acknowledged". A bundle sent
twice (the answer was lost) is acknowledged as "already received" and counted once.

It opens its own connection to the installation (``Desk.open``) and closes it, so it can run on
a network thread while the app's database worker carries on.
"""

from __future__ import annotations

import base64
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from teamdesk.db import transaction
from teamdesk.desk import Desk
from teamdesk.errors import Failed, InputRejected, UsageError
from teamdesk.i18n import language, tr
from teamdesk.sync import outbox
from teamdesk.sync.identity import check_recipient, check_signing_key, verify_signature

API = "/api/v1"
BUNDLE_TYPE = "application/vnd.teamdesk.bundle"
URL_SETTING = "hub_url"
PIN_SLOT = "province"
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


class HubKeyChanged(Failed):
    """The hub answered with keys other than the ones pinned at first contact: nothing is sent."""


class HubRefusedUpload(InputRejected):
    """The hub refused a bundle for good (4xx): retrying would not help."""


@dataclass
class Backoff:
    """Exponential back-off with full jitter: attempt n waits a random time up to base·2ⁿ (capped)."""

    retries: int = 4
    base: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(self.base / 2, min(self.cap, self.base * 2**attempt))


# --- the pinned hub ------------------------------------------------------------------------------
def pinned(desk: Desk) -> dict | None:
    cur = desk.conn.execute("SELECT url, device_id, name, signing_key, age_recipient, pinned_at FROM hub_pins WHERE slot = ?", (PIN_SLOT,))
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def _local_time(iso: str) -> str:
    """A UTC timestamp as people read it here (dd/mm/yyyy HH:MM, Asia/Ho_Chi_Minh)."""
    from datetime import datetime

    from teamdesk.dates import LOCAL

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")
    except (ValueError, AttributeError):
        return str(iso)


def pin_hub(desk: Desk, *, device_id: str, signing_key: str, age_recipient: str, url: str = "", name: str = "") -> dict:
    """Check the hub's keys against the pin; pin them when there is none yet (first contact).

    Also the way an enrolment file that names the hub's keys pins them before any contact.
    """
    check_signing_key(signing_key)
    check_recipient(age_recipient)
    current = pinned(desk)
    if current is not None:
        if (current["device_id"], current["signing_key"], current["age_recipient"]) != (device_id, signing_key, age_recipient):
            raise HubKeyChanged("error.hub_key_changed", url=url or current["url"] or "", pinned_at=_local_time(current["pinned_at"]))
        if url and url != current["url"]:
            with transaction(desk.conn):
                desk.conn.execute("UPDATE hub_pins SET url = ? WHERE slot = ?", (url, PIN_SLOT))
        return pinned(desk) | {"first_contact": False}
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT INTO hub_pins (slot, url, device_id, name, signing_key, age_recipient, pinned_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (PIN_SLOT, url, device_id, name[:100], signing_key, age_recipient, outbox.utc_now()),
        )
    return pinned(desk) | {"first_contact": True}


def fingerprint(signing_key: str) -> str:
    """A short, readable fingerprint of a hub's signing key, to compare by phone ("A1B2-C3D4-…")."""
    import hashlib

    digest = hashlib.sha256(signing_key.encode("ascii")).hexdigest()[:20].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


def forget_pin(desk: Desk) -> None:
    """The province really changed its hub's keys (told by phone, in writing): trust the next contact.

    Bundles still waiting were encrypted to the old key, so they are dropped and everything is
    packed again for the new one."""
    with transaction(desk.conn):
        desk.conn.execute("DELETE FROM hub_pins WHERE slot = ?", (PIN_SLOT,))
        outbox.start_over(desk)


def _hub_from_enrolment(desk: Desk) -> dict:
    """The hub named in the team's enrolment file (a deputy's installation learns it there)."""
    from teamdesk.sync import team

    return team.hub(desk) or {}


def receipt_ok(receipt: dict, signing_key: str) -> bool:
    from teamdesk.sync.bundle import encode_manifest as canonical  # canonical JSON, also what the hub signs

    body = {k: v for k, v in receipt.items() if k not in ("ok", "signature")}
    try:
        signature = base64.b64decode(str(receipt.get("signature", "")), validate=True)
    except ValueError:
        return False
    return verify_signature(signing_key, signature, canonical(body))


# --- the HTTP client -------------------------------------------------------------------------------
class HubClient:
    """A thin httpx client for the hub's API (no database, no retries: ``push`` decides those)."""

    def __init__(self, url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None):
        url = (url or "").strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise UsageError("error.hub_bad_url", url=url[:100])
        self.url = url
        self.http = httpx.Client(
            base_url=url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            headers={"user-agent": "TeamDesk/1"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def probe(self, *, timeout: float = 3.0) -> bool:
        """Is a TeamDesk hub answering? (A few hundred bytes; never raises.)"""
        try:
            r = self.http.get("/healthz", timeout=timeout)
            return r.status_code == 200 and r.json().get("service") == "teamdesk-hub"
        except (httpx.HTTPError, ValueError):
            return False

    def identity(self) -> dict:
        r = self.http.get(f"{API}/identity")
        r.raise_for_status()
        data = r.json()
        if not all(isinstance(data.get(k), str) for k in ("device_id", "signing_key", "age_recipient")):
            raise Failed("error.hub_bad_answer", url=self.url)
        return data

    def send(self, data: bytes) -> httpx.Response:
        return self.http.post(f"{API}/bundles", content=data, headers={"content-type": BUNDLE_TYPE})

    def summary(self, *, by: str = "commune", token: str | None = None, identity=None) -> dict:
        from teamdesk.sync.hub.requests import sign_request

        query = f"by={by}"
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if identity is not None:
            headers |= sign_request(identity, method="GET", path=f"{API}/summary", query=query)
        r = self.http.get(f"{API}/summary?{query}", headers=headers)
        r.raise_for_status()
        return r.json()


def _hub_error(response: httpx.Response) -> tuple[str, str]:
    """(the hub's error key, for the outbox; what it said in the user's language, for the person)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    key = str(body.get("error") or f"http {response.status_code}")
    return key, str(body.get("message_en" if language() == "en" else "message") or f"HTTP {response.status_code}")


def _wait(seconds: float, cancelled: Callable[[], bool] | None) -> bool:
    """Sleep in short slices so a cancel is honoured quickly. True when cancelled."""
    end = time.monotonic() + seconds
    while True:
        if cancelled and cancelled():
            return True
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, 0.1))


def send_one(desk: Desk, client: HubClient, entry: dict, *, signing_key: str, backoff: Backoff, cancelled: Callable[[], bool] | None = None) -> dict:
    """Send one outbox bundle until the hub acknowledges it, retrying what may pass next time.

    Returns the verified receipt. Raises ``HubRefusedUpload`` (4xx), ``Failed`` (gave up: network
    or hub down; the bundle stays pending) or ``Failed('error.cancelled')``.
    """
    try:
        data = outbox.path_of(desk, entry).read_bytes()
    except OSError as exc:  # the file was deleted or the disk failed: pack everything again next time
        outbox.start_over(desk)
        raise Failed("error.hub_bundle_lost", file=entry["file"]) from exc
    last = said = ""
    for attempt in range(backoff.retries + 1):
        if attempt and _wait(backoff.delay(attempt - 1), cancelled):
            raise Failed("error.cancelled")
        if cancelled and cancelled():
            raise Failed("error.cancelled")
        outbox.mark_sending(desk, entry["bundle_id"])
        try:
            response = client.send(data)
        except httpx.TimeoutException:
            last, said = "timeout", tr("hub.reason_timeout")
        except httpx.HTTPError as exc:
            last, said = type(exc).__name__, tr("hub.reason_unreachable")
        else:
            if response.status_code in (200, 201):
                try:
                    receipt = response.json()
                except ValueError:
                    receipt = {}
                if receipt.get("bundle_id") == entry["bundle_id"] and receipt_ok(receipt, signing_key):
                    outbox.mark_acknowledged(desk, entry["bundle_id"], receipt)
                    return receipt
                outbox.mark_failed(desk, entry["bundle_id"], "error.hub_bad_receipt")
                raise Failed("error.hub_bad_receipt", url=client.url)
            last, said = _hub_error(response)
            if response.status_code not in RETRYABLE:
                outbox.mark_failed(desk, entry["bundle_id"], last)
                raise HubRefusedUpload("error.hub_refused", status=response.status_code, reason=said, hub_error=last)
        outbox.mark_failed(desk, entry["bundle_id"], last)
    raise Failed("error.hub_gave_up", url=client.url, reason=said, attempts=backoff.retries + 1)


def push(
    home: Path | str | None,
    *,
    hub_url: str | None = None,
    prepare: bool = True,
    full: bool = False,
    backoff: Backoff | None = None,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict:
    """Everything the province has not acknowledged goes up, if the hub answers. See the module doc.

    Returns ``{"reachable", "hub", "first_contact", "prepared" ({"bundles", "records"} or None),
    "accepted", "already", "pending", "acknowledged", "error"}``; raises ``HubKeyChanged`` before sending anything to a changed hub.
    """
    backoff = backoff or Backoff()
    with Desk.open(home) as desk:
        if desk.role != "coordinator":
            raise UsageError("error.hub_push_not_coordinator", role=desk.role)
        outbox.recover(desk)
        from_team = _hub_from_enrolment(desk)
        url = (hub_url or desk.setting(URL_SETTING) or (pinned(desk) or {}).get("url") or from_team.get("url") or "").strip()
        if from_team.get("signing_key") and pinned(desk) is None:  # the enrolment file named the hub: pin it now
            pin_hub(desk, **{k: from_team.get(k) or "" for k in ("device_id", "signing_key", "age_recipient", "url", "name")})
        if not url:
            raise UsageError("error.hub_no_url")
        result = {"hub": url, "reachable": False, "first_contact": False, "prepared": None, "accepted": 0, "already": 0, "acknowledged": [], "error": None}
        with HubClient(url, timeout=timeout, transport=transport) as client:
            if not client.probe(timeout=min(timeout, 5.0)):
                pin = pinned(desk)
                if prepare and pin:  # offline, but the hub's key is known: queue the changes now
                    result["prepared"] = _packed(outbox.prepare(desk, hub_recipient=pin["age_recipient"], full=full, cancelled=cancelled))
                return result | {"pending": len(outbox.pending(desk)), "unsent_rows": outbox.unsent_count(desk)}
            result["reachable"] = True
            try:
                hub = client.identity()
            except (httpx.HTTPError, ValueError) as exc:
                raise Failed("error.hub_bad_answer", url=url) from exc
            pin = pin_hub(
                desk, device_id=hub["device_id"], signing_key=hub["signing_key"], age_recipient=hub["age_recipient"], url=url, name=str(hub.get("name", ""))
            )
            result["first_contact"] = pin["first_contact"]
            if hub_url and desk.setting(URL_SETTING) != url:
                desk.set_setting(URL_SETTING, url)
            if prepare:
                result["prepared"] = _packed(outbox.prepare(desk, hub_recipient=pin["age_recipient"], full=full, cancelled=cancelled))
            queue = outbox.pending(desk)
            for done, entry in enumerate(queue):
                if progress:
                    progress(done, len(queue))
                try:
                    receipt = send_one(desk, client, entry, signing_key=pin["signing_key"], backoff=backoff, cancelled=cancelled)
                except (Failed, HubRefusedUpload) as exc:  # gave up, refused, bad receipt, cancelled: the rest waits
                    result["error"] = exc.params.get("hub_error") or exc.key if isinstance(exc, HubRefusedUpload) else exc.key
                    result["error_key"] = exc.key
                    result["error_params"] = {k: str(v) for k, v in exc.params.items()}
                    result["error_message"] = exc.message()
                    break
                result["accepted" if receipt["status"] == "accepted" else "already"] += 1
                result["acknowledged"].append(entry["bundle_id"])
            if progress:
                progress(len(queue), len(queue))
        outbox.prune(desk)
        return result | {"pending": len(outbox.pending(desk)), "unsent_rows": outbox.unsent_count(desk)}


def _packed(entries: list[dict]) -> dict | None:
    """What ``prepare`` queued, in short: ``{"bundles": n, "records": total}`` or None."""
    return {"bundles": len(entries), "records": sum(e["records"] for e in entries)} if entries else None


def probe(url: str, *, timeout: float = 3.0) -> bool:
    """Is the hub at ``url`` answering? For the app's reachability light (no database)."""
    try:
        with HubClient(url, timeout=timeout) as client:
            return client.probe(timeout=timeout)
    except UsageError:
        return False
