"""An installation's cryptographic identity: who signed a bundle, and who may read it.

Each installation (volunteer laptop, coordinator, province hub) has

* a **device id** — the same text as ``Desk.device_id`` (16 hex digits), ending every hlc stamp;
* an **Ed25519 signing key** (``cryptography``): signs bundle manifests and receipts, so the
  commune knows which laptop wrote a file and that nobody changed it on the way;
* an **age X25519 identity** (``pyrage``): bundles are encrypted to the team's age recipients,
  so a lost USB stick discloses no one's name.

The secret keys live in ``<home>/keys/`` (folder 0700, files 0600), written to a temporary name,
fsynced and renamed, so a power cut never leaves half a key:

* ``keys/signing.key`` — ``ed25519:<base64 of the 32-byte raw private key>``
* ``keys/age.key``     — ``AGE-SECRET-KEY-1…`` (the standard age identity text)
* ``keys/device``      — the device id the keys belong to (a guard against copying keys between homes)

Public API (stable; the province hub builds on it):

* ``Identity.load(home)``, ``Identity.create(home, device_id=)``,
  ``Identity.load_or_create(home, device_id=)``, ``Identity.ephemeral(device_id)`` (in memory, tests)
* ``identity.device_id``, ``identity.signing_key`` (public, ``"ed25519:<base64>"``),
  ``identity.age_recipient`` (``"age1…"``), ``identity.public()`` → ``PublicKeys``
* ``identity.sign(data) -> bytes`` (64 bytes), ``identity.decrypt(ciphertext) -> bytes``
* ``verify_signature(signing_key, signature, data) -> bool``
* ``encrypt(data, recipients) -> bytes`` (age, to ``"age1…"`` strings)
* ``check_recipient(text)`` / ``check_signing_key(text)`` → the cleaned text or ``InputRejected``
* ``enrolment_proof(team_secret, device_id=, signing_key=, age_recipient=) -> str`` and
  ``proof_ok(...)``: an HMAC that ties a device's public keys to the team secret handed out in the
  enrolment file, so the coordinator can accept a volunteer's first bundle without a phone call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from teamdesk.atomic_file import write_atomic
from teamdesk.errors import Failed, InputRejected

KEYS_DIR = "keys"
SIGNING_FILE = "signing.key"
AGE_FILE = "age.key"
DEVICE_FILE = "device"
SIGNING_PREFIX = "ed25519:"
DEVICE_ID = re.compile(r"^[0-9a-z]{1,32}$")
_AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
_PROOF_INFO = b"teamdesk enrolment proof v1"


@dataclass(frozen=True)
class PublicKeys:
    """What others need to know about a device: safe to print, send and store anywhere."""

    device_id: str
    signing_key: str  # "ed25519:<base64 raw 32 bytes>"
    age_recipient: str  # "age1…"

    def to_json(self) -> dict:
        return asdict(self)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def check_signing_key(text: object) -> str:
    """A public signing key as carried in manifests and enrolment files, or ``InputRejected``."""
    if isinstance(text, str) and text.startswith(SIGNING_PREFIX):
        try:
            if len(_unb64(text[len(SIGNING_PREFIX) :])) == 32:
                return text
        except (ValueError, UnicodeEncodeError):
            pass
    raise InputRejected("error.sync_bad_key", value=str(text)[:80])


def check_recipient(text: object) -> str:
    """An age recipient (``age1…``), or ``InputRejected``."""
    if isinstance(text, str) and _AGE_RECIPIENT.match(text):
        try:
            pyrage.x25519.Recipient.from_str(text)
            return text
        except Exception:  # pyrage raises its own RecipientError
            pass
    raise InputRejected("error.sync_bad_key", value=str(text)[:80])


def check_device_id(text: object) -> str:
    if isinstance(text, str) and DEVICE_ID.match(text):
        return text
    raise InputRejected("error.sync_bad_device_id", device=str(text)[:40])


def verify_signature(signing_key: str, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is the holder of ``signing_key``'s Ed25519 signature of ``data``."""
    try:
        raw = _unb64(check_signing_key(signing_key)[len(SIGNING_PREFIX) :])
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
        return True
    except (InvalidSignature, InputRejected, ValueError):
        return False


def encrypt(data: bytes, recipients: list[str] | tuple[str, ...]) -> bytes:
    """age-encrypt ``data`` to every recipient (any one of them can decrypt)."""
    if not recipients:
        raise Failed("error.sync_no_recipients")
    keys = [pyrage.x25519.Recipient.from_str(check_recipient(r)) for r in dict.fromkeys(recipients)]
    return pyrage.encrypt(data, keys)


def _proof_key(team_secret: str) -> bytes:
    # HKDF-like derivation: the raw secret never keys anything directly.
    return hmac.new(_PROOF_INFO, team_secret.encode("utf-8"), hashlib.sha256).digest()


def enrolment_proof(team_secret: str, *, device_id: str, signing_key: str, age_recipient: str) -> str:
    """Proof that whoever made these keys held the team secret (from the enrolment file).

    It binds the device's public keys, so a proof copied from someone else's bundle is useless
    with another key. Carried in the (signed) manifest of every bundle the device writes.
    """
    message = f"{device_id}\n{signing_key}\n{age_recipient}".encode("utf-8")
    return _b64(hmac.new(_proof_key(team_secret), message, hashlib.sha256).digest())


def proof_ok(team_secret: str, proof: object, *, device_id: str, signing_key: str, age_recipient: str) -> bool:
    if not team_secret or not isinstance(proof, str) or not proof:
        return False
    expected = enrolment_proof(team_secret, device_id=device_id, signing_key=signing_key, age_recipient=age_recipient)
    return hmac.compare_digest(expected, proof)


def _write_secret(path: Path, text: str) -> None:
    """Owner-only file, written to a temporary name, fsynced and renamed."""
    write_atomic(path, text.encode("ascii"), mode=0o600)
    os.chmod(path, 0o600)  # whatever the umask did to the new file


class Identity:
    """A device's secret keys, in memory. Never print or send it; share ``public()`` instead."""

    def __init__(self, device_id: str, signing: Ed25519PrivateKey, age: "pyrage.x25519.Identity"):
        self.device_id = check_device_id(device_id)
        self._signing = signing
        self._age = age
        raw = signing.public_key().public_bytes_raw()
        self.signing_key = SIGNING_PREFIX + _b64(raw)
        self.age_recipient = str(age.to_public())

    # --- making and finding -------------------------------------------------------------------
    @staticmethod
    def folder(home: Path | str) -> Path:
        return Path(home) / KEYS_DIR

    @classmethod
    def exists(cls, home: Path | str) -> bool:
        folder = cls.folder(home)
        return (folder / SIGNING_FILE).exists() and (folder / AGE_FILE).exists()

    @classmethod
    def ephemeral(cls, device_id: str) -> "Identity":
        """Fresh keys held only in memory (tests, benchmarks)."""
        return cls(device_id, Ed25519PrivateKey.generate(), pyrage.x25519.Identity.generate())

    @classmethod
    def create(cls, home: Path | str, *, device_id: str) -> "Identity":
        """New keys for this installation, stored owner-only. Refuses to overwrite existing keys."""
        if cls.exists(home):
            raise Failed("error.sync_keys_exist", home=str(home))
        identity = cls.ephemeral(device_id)
        folder = cls.folder(home)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(folder, 0o700)
            raw = identity._signing.private_bytes_raw()
            _write_secret(folder / DEVICE_FILE, device_id)
            _write_secret(folder / AGE_FILE, str(identity._age))
            _write_secret(folder / SIGNING_FILE, SIGNING_PREFIX + _b64(raw))
        except OSError as exc:
            raise Failed("error.home_not_writable", home=str(home), detail=exc.strerror or str(exc)) from exc
        return identity

    @classmethod
    def load(cls, home: Path | str) -> "Identity":
        folder = cls.folder(home)
        try:
            device_id = (folder / DEVICE_FILE).read_text("ascii").strip()
            signing_text = (folder / SIGNING_FILE).read_text("ascii").strip()
            age_text = (folder / AGE_FILE).read_text("ascii").strip()
            signing = Ed25519PrivateKey.from_private_bytes(_unb64(signing_text[len(SIGNING_PREFIX) :]))
            age = pyrage.x25519.Identity.from_str(age_text)
        except FileNotFoundError as exc:
            raise Failed("error.sync_no_keys", home=str(home)) from exc
        except Exception as exc:  # unreadable, damaged or foreign key files
            raise Failed("error.sync_keys_damaged", home=str(home), detail=str(exc)[:120]) from exc
        return cls(device_id, signing, age)

    @classmethod
    def load_or_create(cls, home: Path | str, *, device_id: str) -> "Identity":
        """This installation's keys, made on first use. Keys of another device are refused."""
        if cls.exists(home):
            identity = cls.load(home)
            if identity.device_id != device_id:
                raise Failed("error.sync_keys_other_device", home=str(home))
            return identity
        return cls.create(home, device_id=device_id)

    # --- using --------------------------------------------------------------------------------
    def public(self) -> PublicKeys:
        return PublicKeys(self.device_id, self.signing_key, self.age_recipient)

    def sign(self, data: bytes) -> bytes:
        return self._signing.sign(data)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Decrypt an age file encrypted to this device; ``InputRejected`` when it is not for us."""
        try:
            return pyrage.decrypt(ciphertext, [self._age])
        except Exception as exc:  # pyrage.DecryptError and friends
            raise InputRejected("error.sync_not_for_us", detail=str(exc)[:120]) from exc
