"""Sync files between real installations: enrolment, export/import, devices, receipts, bad files."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
import zstandard

from teamdesk.errors import InputRejected, UsageError
from teamdesk.sync import bundle as b
from teamdesk.sync import devices, enrolment, export, import_, receipts
from teamdesk.sync.identity import Identity, encrypt
from teamdesk.sync.status import status_lines, sync_status
from tests.sync_world import dump, make_team, register


@pytest.fixture
def team(tmp_path):
    coordinator, laptops, enrol = make_team(tmp_path, volunteers=2)
    yield coordinator, laptops, enrol
    for d in (coordinator, *laptops):
        d.close()


def test_enrolment_gives_the_same_villages_and_keys(team, tmp_path):
    xa, (a, _), enrol = team
    assert [v["id"] for v in a.villages()] == [v["id"] for v in xa.villages()]
    assert a.commune_code == xa.commune_code
    doc = enrolment.read_enrolment(enrol)
    assert doc["team"]["coordinator"]["device_id"] == xa.device_id
    qr = enrolment.qr_payload(doc)
    assert qr.startswith("TDENROL1:") and len(qr) < 2900  # fits one QR code
    (tmp_path / "qr.txt").write_text(qr)
    assert enrolment.read_enrolment(tmp_path / "qr.txt")["team"]["secret"] == doc["team"]["secret"]


def test_tampered_enrolment_is_refused_before_anything_is_created(team, tmp_path):
    _, _, enrol = team
    doc = json.loads(enrol.read_text())
    doc["team"]["coordinator"]["age_recipient"] = Identity.ephemeral("x1").age_recipient  # redirect bundles
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InputRejected) as err:
        enrolment.join_team(tmp_path / "new", name="Máy", role="volunteer", enrolment_file=bad)
    assert err.value.key == "error.enrol_bad_signature"
    assert not (tmp_path / "new").exists()


def test_export_is_incremental_and_full_resends_everything(team, tmp_path):
    _, (a, _), _ = team
    register(a, "Nguyễn Văn Ấn", "Thôn 1")
    first = export.export_bundle(a, out=tmp_path / "1.tdsync")
    second = export.export_bundle(a, out=tmp_path / "2.tdsync")
    assert first["records"] > 0 and second["records"] == 0
    assert first["counts"]["villages"] == 0  # the villages came from the commune: not sent back
    assert (first["sequence"], second["sequence"]) == (1, 2)
    full = export.export_bundle(a, out=tmp_path / "3.tdsync", full=True)
    assert full["records"] >= first["records"]


def test_village_files_in_any_order_twice_with_a_gap_reported(team, tmp_path):
    xa, (a, c), _ = team
    files = []
    for i in range(3):
        register(a, f"Hộ số {i} Lê Văn", "Thôn 1")
        out = tmp_path / f"bundle ({i}).tdsync"
        export.export_bundle(a, out=out)
        files.append(out)
    register(c, "Trần Thị Mai", "Thôn 2")
    export.export_bundle(c, out=tmp_path / "c.tdsync")
    report = import_.import_files(xa, [files[2], tmp_path / "c.tdsync", files[0], files[2]])
    states = [f.state for f in report.files]
    assert states == ["applied", "applied", "applied", "unchanged"]
    assert [m["sequence"] for m in report.missing] == [2]
    assert "Gói số 2 từ Thôn 1" in report.missing[0]["message"]
    # the missing one arrives late: everything is there, nothing is missing
    report = import_.import_files(xa, [files[1]])
    assert report.missing == []
    names = {h["head_name"] for h in xa.find_households("ho so", limit=10)}
    assert names == {"Hộ số 0 Lê Văn", "Hộ số 1 Lê Văn", "Hộ số 2 Lê Văn"}


def test_unproven_device_is_held_until_approved(team, tmp_path):
    xa, (a, _), enrol = team
    # a laptop set up by hand with the commune's keys but without the team secret
    stranger, _, _ = make_team(tmp_path / "other", volunteers=0)
    stranger.close()
    from teamdesk.sync import team as team_mod

    team_mod.put(a, {"secret": "not-the-team-secret-at-all"})
    register(a, "Hoàng Văn Nam", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    result = import_.import_one(xa, tmp_path / "a.tdsync")
    assert result.state == "held"
    assert xa.find_households("hoang van nam") == []
    assert sync_status(xa)["pending_devices"] == 1
    approved = devices.approve(xa, a.device_id)
    assert approved["import"]["totals"]["new"] > 0
    assert xa.find_households("hoang van nam")


def test_revoked_device_is_refused_and_nothing_changes(team, tmp_path):
    xa, (a, _), _ = team
    register(a, "Bùi Thị Oanh", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "1.tdsync")
    assert import_.import_one(xa, tmp_path / "1.tdsync").state == "applied"
    devices.revoke(xa, a.device_id)
    register(a, "Bùi Văn Phúc", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "2.tdsync")
    before = dump(xa)
    result = import_.import_one(xa, tmp_path / "2.tdsync")
    assert result.state == "rejected" and result.error == "error.sync_revoked"
    assert dump(xa) == before


def test_receipts_show_what_reached_the_commune(team, tmp_path):
    xa, (a, c), _ = team
    hid = register(a, "Đỗ Văn Quang", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    assert receipts.not_reached(a)["households"] == 1
    report = import_.import_files(xa, [tmp_path / "a.tdsync"], receipts_dir=tmp_path / "back")
    assert len(report.receipts) == 1
    got = import_.import_files(a, report.receipts)
    assert got.files[0].state == "receipt"
    assert receipts.not_reached(a) == {} and receipts.has_reached(a, "households", hid)
    assert "Mọi dữ liệu" in " ".join(status_lines(sync_status(a)))
    a.edit_household(hid, address="Xóm Mới")
    assert not receipts.has_reached(a, "households", hid)
    # the receipt is for laptop a only; laptop c refuses it, and a replay is harmless
    assert import_.import_one(c, report.receipts[0]).error == "error.sync_receipt_not_ours"
    assert import_.import_one(a, report.receipts[0]).state == "unchanged"


def test_commune_data_flows_back_to_the_villages(team, tmp_path):
    xa, (a, c), _ = team
    register(a, "Lý Thị Sen", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    import_.import_one(xa, tmp_path / "a.tdsync")
    # laptop c has sent nothing yet: the commune does not know its key, so it cannot read the file
    export.export_bundle(xa, out=tmp_path / "early.tdsync")
    assert import_.import_one(c, tmp_path / "early.tdsync").error == "error.sync_not_for_us"
    export.export_bundle(c, out=tmp_path / "c.tdsync")
    import_.import_one(xa, tmp_path / "c.tdsync")
    export.export_bundle(xa, out=tmp_path / "xa.tdsync", full=True)
    assert import_.import_one(c, tmp_path / "xa.tdsync").state == "applied"
    assert c.find_households("ly thi sen")
    # what came from the commune is not sent back to it
    assert export.export_bundle(c, out=tmp_path / "c2.tdsync")["records"] == 0


def test_volunteer_without_team_cannot_export(tmp_path):
    from teamdesk.desk import Desk

    lone = Desk.create(tmp_path / "lone", role="volunteer", name="Máy", commune_code="15106", villages=["Thôn 1"])
    with pytest.raises(UsageError):
        export.export_bundle(lone, out=tmp_path / "x.tdsync")
    lone.close()


# --- bad files: each refused with a clear message, the database exactly as it was ---------------
def _resign(signer: Identity, manifest: dict, payload: bytes) -> bytes:
    mb = b.encode_manifest(manifest)
    return b.MAGIC + struct.pack(">I", len(mb)) + mb + signer.sign(b.SIGN_CONTEXT + mb) + payload


def _with_payload(good: b.Bundle, signer: Identity, recipient: str, raw: bytes, **changes) -> bytes:
    compressed = zstandard.ZstdCompressor(level=3).compress(raw)
    payload = encrypt(compressed, [recipient])
    m = dict(good.manifest, **changes)
    m["payload"] = dict(m["payload"], size=len(payload), raw_size=len(raw), sha256=hashlib.sha256(payload).hexdigest())
    return _resign(signer, m, payload)


def test_bad_files_leave_the_database_unchanged(team, tmp_path):
    xa, (a, _), _ = team
    register(a, "Nguyễn Văn Ấn", "Thôn 1", phone="0987654321")
    a.add_village("Thôn 9")  # so the file carries a village row to tamper with
    good_path = tmp_path / "good.tdsync"
    export.export_bundle(a, out=good_path)
    data = good_path.read_bytes()
    good = b.read_manifest(data)
    signer = Identity.load(a.home)
    to = Identity.load(xa.home).age_recipient
    sections = b.open_payload(good, identity=Identity.load(xa.home)).sections
    raw_good, _, _ = b.encode_payload((n, s.columns, s.rows) for n, s in sections.items())

    def with_rows(table: str, mutate, patch=lambda raw: raw) -> bytes:
        parts = []
        for n, s in sections.items():
            rows = [list(r) for r in s.rows]
            if n == table:
                mutate(s.columns, rows)
            parts.append((n, s.columns, rows))
        raw, counts, _ = b.encode_payload(parts)
        return _with_payload(good, signer, to, patch(raw), counts=counts, records=sum(counts.values()))

    def set_col(col, value):
        return lambda cols, rows: rows[0].__setitem__(cols.index(col), value)

    flipped_manifest = bytearray(data)
    flipped_manifest[40] ^= 1
    flipped_payload = bytearray(data)
    flipped_payload[-30] ^= 1
    thief = Identity.ephemeral(a.device_id)
    future = dict(good.manifest, format=9)
    bomb_raw = b"[" + b"0," * 5_000_000 + b"0]\n"
    cases = {
        "truncated_head": data[:10],
        "truncated_manifest": data[:200],
        "truncated_payload": data[: len(data) - 100],
        "flipped_manifest": bytes(flipped_manifest),
        "flipped_payload": bytes(flipped_payload),
        "resigned_other_key": _resign(thief, good.manifest, good.payload),
        "future_format": _resign(signer, future, good.payload),
        "unknown_table": _with_payload(
            good, signer, to, raw_good.replace(b'"table":"guides"', b'"table":"secrets"'),
            counts={**{k: v for k, v in good.manifest["counts"].items() if k != "guides"}, "secrets": 0},
        ),
        "bomb": _with_payload(good, signer, to, bomb_raw, counts={"x": 1}, records=1),
        "id_not_uuid": with_rows("households", set_col("id", "1; DROP TABLE households")),
        "hlc_not_stamp": with_rows("households", set_col("hlc", "tomorrow")),
        "int_as_text": with_rows("members", set_col("birth_year", "1970")),
        "bool_deleted": with_rows("households", set_col("deleted", True)),
        "control_chars": with_rows("households", set_col("head_name", "Nguyễn\x00Văn")),
        "bidi_override": with_rows("households", set_col("head_name", "Nguyễn \u202eVăn")),
        "lone_surrogate": with_rows(  # JSON may spell a lone surrogate as an escape
            "households", set_col("head_name", "Nguy@n"), patch=lambda raw: raw.replace(b"Nguy@n", b"Nguy\\ud800n")
        ),
        "too_long": with_rows("households", set_col("note", "x" * 5000)),
        "dict_as_value": with_rows("households", set_col("phone", {"a": 1})),
        "other_commune_village": with_rows("villages", set_col("commune_code", "00001")),
        "wrong_width": with_rows("households", lambda c, r: r[0].pop()),
    }
    before = dump(xa)
    for name, blob in cases.items():
        path = tmp_path / f"{name}.tdsync"
        path.write_bytes(blob)
        result = import_.import_one(xa, path)
        assert result.state == "rejected", (name, result)
        assert result.message and result.error.startswith("error."), name
        assert "error." not in result.message, (name, result.message)  # a sentence, not a key
        assert dump(xa) == before, name
    assert dump(xa) == before
    # after all that, the good file still imports
    assert import_.import_one(xa, good_path).state == "applied"


def test_unknown_device_without_proof_is_held_not_merged(team, tmp_path):
    xa, (a, _), _ = team
    ghost = Identity.ephemeral("0badc0de0badc0de")
    raw, counts, _ = b.encode_payload([])
    made = b.write_bundle(
        identity=ghost, recipients=[Identity.load(xa.home).age_recipient], audience="commune", commune="15106",
        sequence=1, sections=[], name="Máy lạ",
    )
    (tmp_path / "ghost.tdsync").write_bytes(made.raw)
    result = import_.import_one(xa, tmp_path / "ghost.tdsync")
    assert result.state == "held" and "Máy lạ" in result.message


def test_no_household_name_in_the_raw_file(team, tmp_path):
    _, (a, _), _ = team
    register(a, "Nguyễn Văn Ấn", "Thôn 1", phone="0987654321", members=[{"full_name": "Đặng Thị Lan", "relation": "spouse"}])
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    data = (tmp_path / "a.tdsync").read_bytes()
    for text in ("Nguyễn Văn Ấn", "Đặng Thị Lan", "0987654321", "Nguyen Van An"):
        for encoding in ("utf-8", "utf-16-le"):
            assert text.encode(encoding) not in data


def test_enrolment_card_qr_decodes_and_enrols(team, tmp_path):
    import pypdfium2 as pdfium
    import zxingcpp

    xa, _, _ = team
    enrolment.write_card(xa, out=tmp_path / "the.pdf")
    image = pdfium.PdfDocument(str(tmp_path / "the.pdf"))[0].render(scale=100 / 72).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    (tmp_path / "scanned.txt").write_text(code.text)
    laptop = enrolment.join_team(tmp_path / "scanned", name="Máy Thôn 2", role="volunteer", enrolment_file=tmp_path / "scanned.txt", village="Thôn 2")
    assert [v["name"] for v in laptop.villages()] == ["Thôn 1", "Thôn 2", "Thôn 3"]
    laptop.close()


def test_a_village_laptop_takes_data_from_the_commune_only(team, tmp_path):
    xa, (a, c), _ = team
    register(a, "Kim Văn Lộc", "Thôn 1")
    # laptop a writes a file readable by laptop c (as a rogue relay would), signed with a's own key
    from teamdesk.sync import team as team_mod

    sections = export.collect(a, since="", origin=a.device_id)
    made = b.write_bundle(
        identity=team_mod.identity(a), recipients=[team_mod.identity(c).age_recipient], audience="team", commune="15106",
        sequence=1, sections=sections, name=a.device_name, proof=team_mod.proof(a),
    )
    (tmp_path / "rogue.tdsync").write_bytes(made.raw)
    before = dump(c)
    result = import_.import_one(c, tmp_path / "rogue.tdsync")
    assert result.state == "rejected" and result.error == "error.sync_not_from_commune"
    assert dump(c) == before


def test_a_deputy_approved_later_reaches_the_villages(team, tmp_path):
    xa, (a, _), enrol = team
    deputy = enrolment.join_team(tmp_path / "pho", name="Máy phó chủ tịch", role="volunteer", enrolment_file=enrol)
    export.export_bundle(deputy, out=tmp_path / "pho.tdsync")
    import_.import_one(xa, tmp_path / "pho.tdsync")
    devices.approve(xa, deputy.device_id, deputy=True)
    export.export_bundle(xa, out=tmp_path / "xa.tdsync", full=True)
    export.export_bundle(a, out=tmp_path / "a0.tdsync")
    import_.import_one(xa, tmp_path / "a0.tdsync")  # the commune learns laptop a's key
    export.export_bundle(xa, out=tmp_path / "xa.tdsync", full=True)
    assert import_.import_one(a, tmp_path / "xa.tdsync").state == "applied"
    register(a, "Mạc Thị Nga", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "a1.tdsync")
    # the deputy can now read the village's file (it is one of its recipients)
    bundle = b.read_manifest(tmp_path / "a1.tdsync")
    assert b.open_payload(bundle, identity=Identity.load(deputy.home)).count() > 0
    deputy.close()


def test_a_laptop_clock_far_ahead_is_pointed_out(team, tmp_path):
    from teamdesk.clock import wall_ms

    xa, (a, _), _ = team
    a.clock.wall = staticmethod(lambda: wall_ms() + 40 * 86_400_000)
    register(a, "Tạ Văn Uy", "Thôn 1")
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    result = import_.import_one(xa, tmp_path / "a.tdsync")
    assert result.state == "applied" and "chạy nhanh khoảng 40 ngày" in result.message


def test_enrolment_carries_the_pinned_hub_to_a_deputy(team, tmp_path):
    from teamdesk.sync import upload

    xa, _, _ = team
    hub = Identity.ephemeral("4b4b4b4b4b4b4b4b")
    upload.pin_hub(xa, device_id=hub.device_id, signing_key=hub.signing_key, age_recipient=hub.age_recipient, url="https://hub.example")
    enrolment.export_enrolment(xa, out=tmp_path / "with-hub.json")
    deputy = enrolment.join_team(tmp_path / "pho", name="Máy phó", role="coordinator", enrolment_file=tmp_path / "with-hub.json")
    pin = upload.pinned(deputy)
    assert pin["signing_key"] == hub.signing_key and pin["url"] == "https://hub.example"
    deputy.close()
