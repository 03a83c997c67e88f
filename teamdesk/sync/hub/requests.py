"""Signed HTTP requests: how an enrolled device proves who is asking, without passwords.

The device signs ``METHOD\\nPATH\\nQUERY\\nUNIX-TIME`` with its Ed25519 key and sends the device id,
the time and the signature in headers. The hub checks the signature with the key it enrolled and
refuses a time more than ``SKEW_S`` away from its own (a captured request soon stops working).
"""

from __future__ import annotations

import base64
import time
from typing import Mapping

DEVICE_HEADER = "x-teamdesk-device"
TIME_HEADER = "x-teamdesk-time"
SIGNATURE_HEADER = "x-teamdesk-signature"
SKEW_S = 300


def _message(method: str, path: str, query: str, when: str) -> bytes:
    return f"{method.upper()}\n{path}\n{query}\n{when}".encode("utf-8")


def sign_request(identity, *, method: str, path: str, query: str = "", now: float | None = None) -> dict[str, str]:
    """Headers that prove ``identity`` (a ``teamdesk.sync.identity.Identity``) made this request."""
    when = str(int(now if now is not None else time.time()))
    signature = identity.sign(_message(method, path, query, when))
    return {
        DEVICE_HEADER: identity.device_id,
        TIME_HEADER: when,
        SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
    }


def verify_signed_request(method: str, path: str, query: str, headers: Mapping[str, str], signing_key: str, *, now: float | None = None) -> bool:
    from teamdesk.sync.identity import verify_signature

    when = headers.get(TIME_HEADER, "")
    if not when.isdigit() or abs(int(when) - (now if now is not None else time.time())) > SKEW_S:
        return False
    try:
        signature = base64.b64decode(headers.get(SIGNATURE_HEADER, ""), validate=True)
    except ValueError:
        return False
    return verify_signature(signing_key, signature, _message(method, path, query, when))
