"""Reading a bundle's payload in chunks, so the hub's memory stays flat whatever the bundle's size.

``bundle.open_payload`` (the desktop's reader) builds the whole payload at once: right for a
village file, but a province hub ingesting many 100,000-record batches should hold one chunk of
rows at a time. This reader follows the same documented format (``teamdesk.sync.bundle``: age →
zstd → JSON lines in sections) and the same limits, decompressing as a stream and yielding
``(table, columns, rows)`` chunks; the caller checks and merges each with the desktop's code.
Run it after ``bundle.verify_manifest`` (signature and payload hash).
"""

from __future__ import annotations

import io
import json
from typing import Iterator

import zstandard

from teamdesk.errors import InputRejected
from teamdesk.sync.bundle import LIMITS, Bundle, Limits, decrypt_payload
from teamdesk.sync.identity import Identity

CHUNK_ROWS = 10_000


def iter_chunks(bundle: Bundle, *, identity: Identity, chunk_rows: int = CHUNK_ROWS, limits: Limits = LIMITS) -> Iterator[tuple[str, tuple[str, ...], list[list]]]:
    """Yield the payload's rows section by section, at most ``chunk_rows`` at a time.

    Raises ``InputRejected`` (same keys as ``open_payload``) for a payload that is not for this
    hub, damaged, larger than declared, or whose per-table counts differ from the manifest.
    """
    file = bundle.name or "?"
    manifest = bundle.manifest
    compressed = decrypt_payload(bundle, identity=identity)
    cap = min(limits.max_raw, manifest["payload"]["raw_size"])

    def bad(detail: str) -> InputRejected:
        return InputRejected("error.sync_bad_payload", file=file, detail=detail)

    reader = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(io.BytesIO(compressed), read_across_frames=True), 1 << 20)
    counts: dict[str, int] = {}
    table: str | None = None
    columns: tuple[str, ...] = ()
    pending: list[bytes] = []
    read = 0

    def flush() -> tuple[str, tuple[str, ...], list[list]]:
        try:
            rows = json.loads(b"[" + b",".join(pending) + b"]")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad(str(table)) from None
        if not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
            raise bad(str(table))
        pending.clear()
        return table, columns, rows

    try:
        for line in reader:
            read += len(line)
            if read > cap:
                raise InputRejected("error.sync_too_big", file=file, limit=f"{cap / 1024 / 1024:.0f} MB")
            line = line.rstrip(b"\n")
            if line[:1] == b"{":
                if pending:
                    yield flush()
                try:
                    header = json.loads(line)
                except (ValueError, UnicodeDecodeError, RecursionError):  # as bundle._parse: nesting is an attack
                    raise bad("header") from None
                name = header.get("table") if isinstance(header, dict) else None
                cols = header.get("columns") if isinstance(header, dict) else None
                if not isinstance(name, str) or not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols) or len(set(cols)) != len(cols) or name in counts:
                    raise bad("header")
                table, columns = name, tuple(cols)
                counts[name] = 0
                yield table, columns, []  # every section is seen by the checks, even an empty one
            elif line[:1] == b"[" and table is not None:
                pending.append(line)
                counts[table] += 1
                if counts[table] > limits.max_records:
                    raise InputRejected("error.sync_too_many_records", file=file, count=counts[table], limit=limits.max_records)
                if len(pending) >= chunk_rows:
                    yield flush()
            elif line:
                raise bad("line")
    except zstandard.ZstdError as exc:
        raise bad(f"zstd: {exc}"[:120]) from None
    if pending:
        yield flush()
    if read != manifest["payload"]["raw_size"]:
        raise bad("size")
    if counts != manifest["counts"]:
        raise bad("counts")
