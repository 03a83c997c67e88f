"""Enrolment: how a volunteer's laptop joins the commune's team without any network.

The coordinator's installation writes an **enrolment file** (``teamdesk enrol export``), also
printable as a card with a QR code. It is JSON, recognised by its content (never its name)::

    {"teamdesk_enrolment": 1,
     "team": {"team_id", "commune", "commune_name", "created_at",
              "secret": "<team secret: lets a volunteer's first bundle prove it was enrolled>",
              "coordinator": {"device_id", "name", "signing_key": "ed25519:…", "age_recipient": "age1…"},
              "deputies": [ same shape ],
              "hub": {"url", "device_id", "name", "signing_key", "age_recipient"} | null,
              "village_columns": [...], "villages": [[... one synced row per village ...]]},
     "signature": "<base64 Ed25519 of b'TDENROL\\n' + canonical JSON of team, by the coordinator>"}

The QR code carries the same file as text: ``TDENROL1:`` + base64url(zstd(canonical JSON)).
Treat the file like a key to the team room: whoever holds it can enrol a laptop (the coordinator
can still revoke that laptop).

``join_team(home, name=, role=, enrolment_file=, village=)`` (``teamdesk init --enrol FILE``)
checks everything first, then creates the installation with the commune's villages (the same
rows, ids and versions as the coordinator's), the coordinator's keys and the team secret.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import zstandard

from teamdesk import units
from teamdesk.db import transaction
from teamdesk.errors import InputRejected
from teamdesk.fold import fold
from teamdesk.i18n import tr
from teamdesk.schema import SYNC_COLUMNS, SYNCED
from teamdesk.sync import devices, team
from teamdesk.atomic_file import write_atomic
from teamdesk.sync.bundle import Section, encode_manifest
from teamdesk.sync.identity import PublicKeys, check_device_id, check_recipient, check_signing_key, verify_signature
from teamdesk.sync.merge import apply_records
from teamdesk.sync.shape import check_sections

FORMAT = 1
SIGN_CONTEXT = b"TDENROL\n"
QR_PREFIX = "TDENROL1:"
MAX_BYTES = 1024 * 1024


def _device(desk_or_keys: dict) -> dict:
    return {k: desk_or_keys[k] for k in ("device_id", "name", "signing_key", "age_recipient")}


def _hub(desk) -> dict | None:
    from teamdesk.sync.upload import pinned

    pin = pinned(desk)
    if not pin:
        return None
    return {k: pin.get(k) or "" for k in ("url", "device_id", "name", "signing_key", "age_recipient")}


def _pin_hub(desk, hub: dict) -> None:
    try:
        from teamdesk.sync.upload import pin_hub
    except ImportError:
        return
    pin_hub(desk, device_id=hub.get("device_id", ""), signing_key=hub["signing_key"], age_recipient=hub["age_recipient"],
            url=hub.get("url", ""), name=hub.get("name", ""))


def enrolment(desk) -> dict:
    """The enrolment document for this coordinator's team (made on first need), signed."""
    team.ensure_team(desk)
    me = team.identity(desk)
    deputies = [
        _device(d)
        for d in devices.list_devices(desk)
        if d["state"] == "approved" and d["recipient"] and d["device_id"] != desk.device_id
    ]
    cols = SYNC_COLUMNS + SYNCED["villages"]
    villages = [list(r) for r in desk.conn.execute(f"SELECT {', '.join(cols)} FROM villages ORDER BY hlc")]
    unit = units.commune(desk.commune_code)
    body = {
        "team_id": team.get(desk, "team_id"),
        "commune": desk.commune_code,
        "commune_name": unit["name"],
        "created_at": team.get(desk, "created_at"),
        "secret": team.get(desk, "secret"),
        "coordinator": {"device_id": me.device_id, "name": desk.device_name, "signing_key": me.signing_key, "age_recipient": me.age_recipient},
        "deputies": deputies,
        "hub": _hub(desk),
        "village_columns": list(cols),
        "villages": villages,
    }
    signature = base64.b64encode(me.sign(SIGN_CONTEXT + encode_manifest(body))).decode("ascii")
    return {"teamdesk_enrolment": FORMAT, "team": body, "signature": signature}


def export_enrolment(desk, *, out: Path | str) -> dict:
    """Write the enrolment file (temp name, fsync, rename). Returns what it carries."""
    doc = enrolment(desk)
    write_atomic(out, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    t = doc["team"]
    return {
        "file": str(out),
        "commune": t["commune"],
        "commune_name": t["commune_name"],
        "villages": [row[t["village_columns"].index("name")] for row in t["villages"] if not row[4]],
        "hub": bool(t["hub"]),
        "qr_chars": len(qr_payload(doc)),
    }


def qr_payload(doc: dict) -> str:
    """The enrolment as one line of text for a QR code."""
    packed = zstandard.ZstdCompressor(level=19).compress(encode_manifest(doc))
    return QR_PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def write_card(desk, *, out: Path | str) -> dict:
    """A printable A5 card: the QR code and, in words, what it is and how to use it."""
    import io

    import qrcode
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from teamdesk import fonts

    fonts.register()
    doc = enrolment(desk)
    text = qr_payload(doc)
    image = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    png = io.BytesIO()
    image.save(png)
    png.seek(0)
    buf = io.BytesIO()
    width, height = A5
    c = canvas.Canvas(buf, pagesize=A5)
    c.setTitle(tr("enrol.card_title"))
    c.setFont(fonts.BOLD, 16)
    c.drawCentredString(width / 2, height - 50, tr("enrol.card_title"))
    c.setFont(fonts.REGULAR, 11)
    c.drawCentredString(width / 2, height - 70, doc["team"]["commune_name"])
    side = min(width - 60, 330)
    c.drawImage(ImageReader(png), (width - side) / 2, height - 90 - side, side, side)
    y = height - 110 - side
    for line in tr("enrol.card_help").split("\n"):
        c.drawString(36, y, line)
        y -= 15
    c.showPage()
    c.save()
    write_atomic(out, buf.getvalue())
    return {"file": str(out), "qr_chars": len(text)}


# --- reading ------------------------------------------------------------------------------------
def read_enrolment(source: Path | str | bytes) -> dict:
    """Parse and check an enrolment file (or its QR text). Raises ``InputRejected``; writes nothing."""
    name = "?"
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        name = Path(source).name
        try:
            if Path(source).stat().st_size > MAX_BYTES:
                raise InputRejected("error.enrol_bad_file", file=name)
            data = Path(source).read_bytes()
        except OSError as exc:
            raise InputRejected("error.sync_unreadable", file=name, detail=exc.strerror or str(exc)) from exc
    text = data.decode("utf-8", errors="replace").strip()
    try:
        if text.startswith(QR_PREFIX):
            b64 = "".join(text[len(QR_PREFIX) :].split())
            packed = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
            text = zstandard.ZstdDecompressor().decompress(packed, max_output_size=MAX_BYTES).decode("utf-8")
        doc = json.loads(text)
    except (ValueError, zstandard.ZstdError):
        raise InputRejected("error.enrol_bad_file", file=name) from None
    if not isinstance(doc, dict) or "teamdesk_enrolment" not in doc:
        raise InputRejected("error.enrol_bad_file", file=name)
    if not isinstance(doc["teamdesk_enrolment"], int) or doc["teamdesk_enrolment"] > FORMAT:
        raise InputRejected("error.enrol_future_format", file=name)
    body = doc.get("team")
    try:
        coordinator = body["coordinator"]
        for person in [coordinator, *body["deputies"]]:
            check_device_id(person["device_id"])
            check_signing_key(person["signing_key"])
            check_recipient(person["age_recipient"])
            if not isinstance(person.get("name", ""), str) or len(person.get("name", "")) > 100:
                raise InputRejected("error.enrol_bad_file", file=name)
        if not isinstance(body["secret"], str) or not 16 <= len(body["secret"]) <= 200:
            raise InputRejected("error.enrol_bad_file", file=name)
        signature = base64.b64decode(doc["signature"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise InputRejected("error.enrol_bad_file", file=name) from None
    if not verify_signature(coordinator["signing_key"], signature, SIGN_CONTEXT + encode_manifest(body)):
        raise InputRejected("error.enrol_bad_signature", file=name)
    units.commune(str(body.get("commune")))  # NotFound for an unknown commune
    villages = {"villages": Section(tuple(body.get("village_columns") or ()), body.get("villages") or [])}
    if not isinstance(villages["villages"].rows, list) or not all(isinstance(r, list) for r in villages["villages"].rows):
        raise InputRejected("error.enrol_bad_file", file=name)
    check_sections(villages, commune=body["commune"], file=name)
    hub = body.get("hub")
    if hub is not None:
        try:
            check_signing_key(hub["signing_key"])
            check_recipient(hub["age_recipient"])
        except (KeyError, TypeError):
            raise InputRejected("error.enrol_bad_file", file=name) from None
    return doc


def join_team(home, *, name: str, role: str, enrolment_file: Path | str, village: str | None = None):
    """Create an installation that belongs to the coordinator's team (``teamdesk init --enrol``)."""
    from teamdesk.desk import Desk

    doc = read_enrolment(enrolment_file)
    body = doc["team"]
    cols = body["village_columns"]
    live = [r for r in body["villages"] if not r[cols.index("deleted")]]
    chosen = None
    if village:
        chosen = next((r for r in live if fold(r[cols.index("name")]) == fold(village)), None)
        if chosen is None:
            raise InputRejected("error.unknown_village", village=village)
    elif len(live) == 1 and role == "volunteer":
        chosen = live[0]
    desk = Desk.create(home, role=role, name=name, commune_code=body["commune"])
    try:
        with transaction(desk.conn):
            apply_records(desk, {"villages": Section(tuple(cols), body["villages"])})
            for person, is_coordinator in [(body["coordinator"], True)] + [(d, False) for d in body["deputies"]]:
                devices.register(
                    desk.conn,
                    PublicKeys(person["device_id"], person["signing_key"], person["age_recipient"]),
                    name=person.get("name", ""),
                    role="coordinator",
                    state="approved",
                    proven=True,
                    recipient=True,
                )
            values = {
                "secret": body["secret"],
                "team_id": body.get("team_id", ""),
                "coordinator": body["coordinator"]["device_id"],
                "created_at": body.get("created_at", ""),
                "village_id": chosen[0] if chosen else "",
            }
            if body.get("hub"):
                values["hub"] = json.dumps(body["hub"], ensure_ascii=False)
            team.put(desk, values)
            team.register_self(desk, recipient=False)
            if role == "coordinator" and body.get("hub"):  # a deputy pushes to the province too
                _pin_hub(desk, body["hub"])
    except BaseException:
        desk.close()
        raise
    return desk
