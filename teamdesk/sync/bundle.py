"""The ``.tdsync`` bundle file: a signed manifest anyone can read, and an encrypted payload.

Files travel by USB stick and chat apps that rename them ("bundle (1).tdsync"), so a bundle is
recognised by its first bytes, never by its name. Layout (format 1; all integers big-endian)::

    offset  size  what
    0       8     magic  b"\\x89TDSYNC\\n"
    8       4     M = length of the manifest in bytes (1 … 65,536)
    12      M     manifest: UTF-8 JSON object (see below)
    12+M    64    Ed25519 signature of  b"TDSYNC manifest\\n" + manifest bytes,
                  by the origin device's signing key
    76+M    P     payload: age ciphertext (X25519 recipients), exactly manifest.payload.size bytes;
                  nothing may follow it

The manifest (readable without keys, so a coordinator sees what a file is before importing)::

    {"format": 1,                        # a newer number → "update TeamDesk", never a guess
     "kind": "records" | "receipt",
     "bundle_id": "<uuid v7>",           # replays are recognised by it
     "created_at": "2026-11-22T05:40:00Z",
     "origin": {"device_id", "name", "role", "signing_key": "ed25519:…", "age_recipient": "age1…",
                "proof": "<base64 HMAC from identity.enrolment_proof, or ''>"},
     "commune": "15106", "village": "Thôn 1",
     "audience": "commune" | "province" | "team" | "device",
     "sequence": 5,                      # per (origin device, audience), from 1, no gaps
     "full": false,                      # true: everything, not only what changed
     "counts": {"households": 12, …},    # rows per payload section
     "records": 40,                      # their sum
     "hlc_max": "<the greatest hlc carried, or ''>",
     "payload": {"encoding": "jsonl+zstd+age", "size": P, "raw_size": R, "sha256": "<hex of the P bytes>"}}

The signature covers the manifest, and the manifest covers the payload by its SHA-256: one
flipped byte anywhere is caught before anything is decrypted.

The payload, once decrypted and zstd-decompressed (R bytes), is JSON lines in sections: a header
object naming a section and its columns, then one JSON array of values per row::

    {"table":"households","columns":["id","hlc","prev_hlc","origin","deleted","village_id",…]}
    ["0193…","0001763790000000-0000-3f2a…","", "3f2a…",0,"0193…",…]

Section names and columns are checked by the reader of the content (``teamdesk.sync.shape``);
this module only guarantees that the bytes are what the signer wrote.

Public API (stable; the province hub builds on it):

* ``write_bundle(identity=, recipients=, audience=, commune=, sequence=, sections=, …) -> Bundle``
  (``out=`` writes the file atomically)
* ``read_manifest(bytes | path, name=) -> Bundle``  — framing and manifest checks, no keys needed
* ``verify_manifest(bundle, signing_key=None)``     — signature (by a known key, or the one the
  manifest carries) and payload hash
* ``open_payload(bundle, identity=, limits=) -> Payload`` — decrypt, capped stream-decompress, parse
* ``encode_payload(sections) -> bytes``, ``is_bundle(bytes | path)``, ``Limits``, ``FORMAT``, ``MAGIC``
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import zstandard

from teamdesk.clock import is_stamp
from teamdesk.errors import InputRejected
from teamdesk.ids import is_id, new_id
from teamdesk.sync import identity as ident
from teamdesk.atomic_file import write_atomic
from teamdesk.sync.identity import Identity

MAGIC = b"\x89TDSYNC\n"
FORMAT = 1
SIGN_CONTEXT = b"TDSYNC manifest\n"
SIGNATURE_SIZE = 64
HEADER = struct.Struct(">I")
KINDS = ("records", "receipt")
AUDIENCES = ("commune", "province", "team", "device")
ENCODING = "jsonl+zstd+age"
ZSTD_LEVEL = 3


@dataclass(frozen=True)
class Limits:
    """Caps on what a file from outside may make us read, decompress and hold in memory."""

    max_manifest: int = 64 * 1024
    max_payload: int = 128 * 1024 * 1024  # ciphertext bytes (the file on the stick)
    max_raw: int = 512 * 1024 * 1024  # decompressed bytes: stops compression bombs
    max_records: int = 1_000_000


LIMITS = Limits()


@dataclass
class Bundle:
    """A bundle read from bytes: its manifest and the still-encrypted payload."""

    manifest: dict
    manifest_bytes: bytes
    signature: bytes
    payload: bytes
    raw: bytes = b""  # the whole file
    name: str = ""  # where it came from, for messages (a file name; never trusted for anything)

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def origin(self) -> dict:
        return self.manifest["origin"]

    @property
    def device_id(self) -> str:
        return self.manifest["origin"]["device_id"]

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def audience(self) -> str:
        return self.manifest["audience"]

    @property
    def sequence(self) -> int:
        return self.manifest["sequence"]

    def public_keys(self) -> ident.PublicKeys:
        o = self.origin
        return ident.PublicKeys(o["device_id"], o["signing_key"], o["age_recipient"])


@dataclass
class Section:
    columns: tuple[str, ...]
    rows: list[list] = field(default_factory=list)


@dataclass
class Payload:
    """The decrypted content: section name → columns and rows, in file order."""

    sections: dict[str, Section]

    def count(self) -> int:
        return sum(len(s.rows) for s in self.sections.values())


# --- writing -----------------------------------------------------------------------------------
def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_manifest(manifest: dict) -> bytes:
    """Canonical bytes (sorted keys, no spaces): the same manifest always signs the same."""
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def encode_payload(sections: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> tuple[bytes, dict[str, int], str]:
    """JSON lines for ``(name, columns, rows)`` sections → (bytes, counts, greatest hlc seen)."""
    out: list[bytes] = []
    counts: dict[str, int] = {}
    hlc_max = ""
    for name, columns, rows in sections:
        columns = list(columns)
        hlc_at = columns.index("hlc") if "hlc" in columns else None
        out.append(_json({"table": name, "columns": columns}))
        n = 0
        for row in rows:
            out.append(_json(list(row)))
            if hlc_at is not None and row[hlc_at] > hlc_max:
                hlc_max = row[hlc_at]
            n += 1
        counts[name] = counts.get(name, 0) + n
    return b"\n".join(out) + b"\n", counts, hlc_max


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_bundle(
    *,
    identity: Identity,
    recipients: Sequence[str],
    audience: str,
    commune: str,
    sequence: int,
    sections: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]],
    kind: str = "records",
    village: str = "",
    name: str = "",
    role: str = "",
    proof: str = "",
    full: bool = False,
    extra: dict | None = None,
    bundle_id: str | None = None,
    created_at: str | None = None,
    out: Path | str | None = None,
) -> Bundle:
    """Make a bundle: compress (zstd 3) THEN encrypt (age) the payload, sign the manifest.

    ``extra`` adds keys to the manifest (e.g. a receipt's ``for_device``). With ``out`` the file
    is written to a temporary name, fsynced and renamed. Returns the ``Bundle`` (``.raw`` = bytes).
    """
    if kind not in KINDS or audience not in AUDIENCES:
        raise ValueError(f"kind {kind!r} / audience {audience!r}")
    raw_payload, counts, hlc_max = encode_payload(sections)
    compressed = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(raw_payload)
    ciphertext = ident.encrypt(compressed, list(recipients))
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "bundle_id": bundle_id or new_id(),
        "created_at": created_at or _utc_now(),
        "origin": {
            "device_id": identity.device_id,
            "name": name,
            "role": role,
            "signing_key": identity.signing_key,
            "age_recipient": identity.age_recipient,
            "proof": proof,
        },
        "commune": commune,
        "village": village,
        "audience": audience,
        "sequence": int(sequence),
        "full": bool(full),
        "counts": counts,
        "records": sum(counts.values()),
        "hlc_max": hlc_max,
        "payload": {
            "encoding": ENCODING,
            "size": len(ciphertext),
            "raw_size": len(raw_payload),
            "sha256": hashlib.sha256(ciphertext).hexdigest(),
        },
        **(extra or {}),
    }
    manifest_bytes = encode_manifest(manifest)
    signature = identity.sign(SIGN_CONTEXT + manifest_bytes)
    data = MAGIC + HEADER.pack(len(manifest_bytes)) + manifest_bytes + signature + ciphertext
    if out is not None:
        write_atomic(out, data)
    return Bundle(manifest, manifest_bytes, signature, ciphertext, data, str(out or ""))


# --- reading -----------------------------------------------------------------------------------
def _load(source: bytes | Path | str, limits: Limits) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), ""
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > limits.max_payload + limits.max_manifest + 1024:
            raise InputRejected("error.sync_too_big", file=path.name, limit=_mb(limits.max_payload))
        return path.read_bytes(), path.name
    except OSError as exc:
        raise InputRejected("error.sync_unreadable", file=path.name, detail=exc.strerror or str(exc)) from exc


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def is_bundle(source: bytes | Path | str) -> bool:
    """Does this look like a ``.tdsync`` file (by its first bytes, whatever its name)?"""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[: len(MAGIC)]) == MAGIC
    try:
        with open(source, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _check_manifest(m: object, file: str) -> dict:
    """Types and ranges of every field the rest of the code relies on."""

    def bad(what: str) -> InputRejected:
        return InputRejected("error.sync_damaged", file=file, detail=what)

    if not isinstance(m, dict):
        raise bad("manifest")
    fmt = m.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise bad("format")
    if fmt > FORMAT:
        raise InputRejected("error.sync_future_format", file=file, format=fmt, known=FORMAT)
    if m.get("kind") not in KINDS:
        raise bad("kind")
    if not is_id(m.get("bundle_id")):
        raise bad("bundle_id")
    origin = m.get("origin")
    if not isinstance(origin, dict):
        raise bad("origin")
    try:
        ident.check_device_id(origin.get("device_id"))
        ident.check_signing_key(origin.get("signing_key"))
        ident.check_recipient(origin.get("age_recipient"))
    except InputRejected:
        raise bad("origin") from None
    for key, limit in (("name", 100), ("role", 20), ("proof", 100)):
        if not isinstance(origin.get(key, ""), str) or len(origin.get(key, "")) > limit:
            raise bad(f"origin.{key}")
    for key, limit in (("created_at", 40), ("commune", 10), ("village", 100), ("hlc_max", 64)):
        if not isinstance(m.get(key), str) or len(m[key]) > limit:
            raise bad(key)
    if m["hlc_max"] and not is_stamp(m["hlc_max"]):
        raise bad("hlc_max")
    if m.get("audience") not in AUDIENCES:
        raise bad("audience")
    seq = m.get("sequence")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**53:
        raise bad("sequence")
    if not isinstance(m.get("full"), bool):
        raise bad("full")
    counts = m.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in counts.items()
    ):
        raise bad("counts")
    if m.get("records") != sum(counts.values()):
        raise bad("records")
    payload = m.get("payload")
    if not isinstance(payload, dict) or payload.get("encoding") != ENCODING:
        raise bad("payload")
    for key in ("size", "raw_size"):
        if not isinstance(payload.get(key), int) or isinstance(payload.get(key), bool) or payload[key] < 0:
            raise bad(f"payload.{key}")
    sha = payload.get("sha256")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise bad("payload.sha256")
    return m


def read_manifest(source: bytes | Path | str, *, name: str = "", limits: Limits = LIMITS) -> Bundle:
    """Parse a bundle's framing and manifest (no keys needed). Signature and hash are NOT checked yet.

    Raises ``InputRejected`` for a file that is not a bundle, is truncated or has bytes added,
    has a damaged manifest, or was written by a newer format.
    """
    data, file_name = _load(source, limits)
    file = name or file_name or "?"
    if len(data) < len(MAGIC):
        if MAGIC.startswith(data) and data:
            raise InputRejected("error.sync_truncated", file=file)
        raise InputRejected("error.sync_not_bundle", file=file)
    if data[: len(MAGIC)] != MAGIC:
        raise InputRejected("error.sync_not_bundle", file=file)
    start = len(MAGIC) + HEADER.size
    if len(data) < start:
        raise InputRejected("error.sync_truncated", file=file)
    (size,) = HEADER.unpack_from(data, len(MAGIC))
    if not 0 < size <= limits.max_manifest:
        raise InputRejected("error.sync_damaged", file=file, detail="manifest length")
    if len(data) < start + size + SIGNATURE_SIZE:
        raise InputRejected("error.sync_truncated", file=file)
    manifest_bytes = data[start : start + size]
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputRejected("error.sync_damaged", file=file, detail="manifest") from None
    manifest = _check_manifest(manifest, file)
    signature = data[start + size : start + size + SIGNATURE_SIZE]
    payload = data[start + size + SIGNATURE_SIZE :]
    declared = manifest["payload"]["size"]
    if declared > limits.max_payload or manifest["payload"]["raw_size"] > limits.max_raw:
        raise InputRejected("error.sync_too_big", file=file, limit=_mb(limits.max_payload))
    if manifest["records"] > limits.max_records:
        raise InputRejected("error.sync_too_many_records", file=file, count=manifest["records"], limit=limits.max_records)
    if len(payload) < declared:
        raise InputRejected("error.sync_truncated", file=file)
    if len(payload) > declared:
        raise InputRejected("error.sync_damaged", file=file, detail="trailing bytes")
    return Bundle(manifest, manifest_bytes, signature, payload, data, file)


def verify_manifest(bundle: Bundle, *, signing_key: str | None = None) -> None:
    """Check the signature and the payload hash; raise ``InputRejected`` if either fails.

    ``signing_key``: the key on record for the origin device. Without it the manifest's own key
    is used, which proves the file is intact but not who made it (see ``teamdesk.sync.devices``).
    """
    file = bundle.name or "?"
    carried = bundle.origin["signing_key"]
    if signing_key is not None and signing_key != carried:
        raise InputRejected("error.sync_wrong_key", file=file, device=bundle.origin.get("name") or bundle.device_id)
    if not ident.verify_signature(signing_key or carried, bundle.signature, SIGN_CONTEXT + bundle.manifest_bytes):
        raise InputRejected("error.sync_bad_signature", file=file)
    if hashlib.sha256(bundle.payload).hexdigest() != bundle.manifest["payload"]["sha256"]:
        raise InputRejected("error.sync_bad_hash", file=file)


def _decompress(compressed: bytes, *, cap: int, file: str) -> bytes:
    """Stream-decompress, never holding more than ``cap`` bytes: a compression bomb stops early."""
    out = io.BytesIO()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(compressed), read_across_frames=True)
        while True:
            chunk = reader.read(1 << 20)
            if not chunk:
                break
            if out.tell() + len(chunk) > cap:
                raise InputRejected("error.sync_too_big", file=file, limit=_mb(cap))
            out.write(chunk)
    except zstandard.ZstdError as exc:
        raise InputRejected("error.sync_bad_payload", file=file, detail=f"zstd: {exc}"[:120]) from None
    return out.getvalue()


def _header_lines(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of each line that opens with ``{`` (a section header), found with ``bytes.find``."""
    found = []
    at = 0 if raw.startswith(b"{") else raw.find(b"\n{")
    while at != -1:
        start = at if at == 0 and raw.startswith(b"{") else at + 1
        end = raw.find(b"\n", start)
        end = len(raw) if end == -1 else end
        found.append((start, end))
        at = raw.find(b"\n{", end)
    return found


def _parse(raw: bytes, *, file: str, manifest: dict, limits: Limits) -> Payload:
    """Sections by their header lines; each section's rows parsed by ONE ``json.loads`` call
    (the newlines between rows become commas: JSON strings cannot hold a raw newline)."""

    def bad(detail: str) -> InputRejected:
        return InputRejected("error.sync_bad_payload", file=file, detail=detail)

    if raw.count(b"\n") > limits.max_records + 1000:
        raise InputRejected("error.sync_too_many_records", file=file, count=raw.count(b"\n"), limit=limits.max_records)
    headers = _header_lines(raw)
    if (headers and headers[0][0] != 0) or (not headers and raw.strip()):
        raise bad("line")
    sections: dict[str, Section] = {}
    for i, (start, end) in enumerate(headers):
        try:
            header = json.loads(raw[start:end])
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad("header") from None
        name = header.get("table") if isinstance(header, dict) else None
        columns = header.get("columns") if isinstance(header, dict) else None
        if (
            not isinstance(name, str)
            or not isinstance(columns, list)
            or not columns
            or not all(isinstance(c, str) for c in columns)
            or len(set(columns)) != len(columns)
            or name in sections
        ):
            raise bad("header")
        body = raw[end + 1 : headers[i + 1][0] if i + 1 < len(headers) else len(raw)].rstrip(b"\n")
        try:
            rows = json.loads(b"[" + body.replace(b"\n", b",") + b"]") if body else []
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad(name) from None
        if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {len(columns)}):
            raise bad(name)
        sections[name] = Section(tuple(columns), rows)
    counts = {n: len(s.rows) for n, s in sections.items()}
    if counts != manifest["counts"]:
        raise bad("counts")
    return Payload(sections)


def decrypt_payload(bundle: Bundle, *, identity: Identity) -> bytes:
    """The payload's compressed bytes; a payload not encrypted to ``identity`` is refused by file name."""
    try:
        return identity.decrypt(bundle.payload)
    except InputRejected:
        raise InputRejected("error.sync_not_for_us", file=bundle.name or "?") from None


def open_payload(bundle: Bundle, *, identity: Identity, limits: Limits = LIMITS) -> Payload:
    """Decrypt with ``identity``, decompress within ``limits``, and parse into sections.

    Call ``verify_manifest`` first. Row values are only checked for being JSON arrays of the
    header's width; their meaning is checked by ``teamdesk.sync.shape``.
    """
    file = bundle.name or "?"
    compressed = decrypt_payload(bundle, identity=identity)
    raw = _decompress(compressed, cap=min(limits.max_raw, bundle.manifest["payload"]["raw_size"]), file=file)
    if len(raw) != bundle.manifest["payload"]["raw_size"]:
        raise InputRejected("error.sync_bad_payload", file=file, detail="size")
    return _parse(raw, file=file, manifest=bundle.manifest, limits=limits)
