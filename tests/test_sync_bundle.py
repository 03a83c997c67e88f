"""The .tdsync format: golden files pin format 1; identities; framing checks on damaged bytes."""

from __future__ import annotations

import json
import os
import stat
import struct
import sys
from pathlib import Path

import pytest
import zstandard

from teamdesk.errors import Failed, InputRejected
from teamdesk.sync import bundle as b
from teamdesk.sync import identity as ident
from teamdesk.sync.identity import Identity

GOLDEN = Path(__file__).parent / "golden"
sys.path.insert(0, str(GOLDEN))
from make_bundle_v1 import DEVICE, SECTIONS  # noqa: E402


@pytest.fixture(scope="module")
def golden_identity():
    return Identity.load(GOLDEN / "bundle_v1_home")


def test_golden_bundle_reads_verifies_and_opens(golden_identity):
    bundle = b.read_manifest(GOLDEN / "bundle_v1.tdsync")
    m = bundle.manifest
    assert m["format"] == 1 and m["kind"] == "records" and m["audience"] == "commune"
    assert m["bundle_id"] == "0193a000-0000-7000-8000-0000000000ff"
    assert m["origin"]["device_id"] == DEVICE and m["origin"]["name"] == "Máy Thôn 1"
    assert m["origin"]["signing_key"] == golden_identity.signing_key
    assert m["counts"] == {"villages": 1, "households": 1, "members": 1} and m["records"] == 3
    assert m["village"] == "Thôn 1" and m["commune"] == "15106" and m["sequence"] == 1
    assert m["hlc_max"] == "1763790000000-0002-" + DEVICE
    b.verify_manifest(bundle, signing_key=golden_identity.signing_key)
    payload = b.open_payload(bundle, identity=golden_identity)
    assert list(payload.sections) == ["villages", "households", "members"]
    for name, columns, rows in SECTIONS:
        assert payload.sections[name].columns == tuple(columns)
        assert payload.sections[name].rows == rows
    # the manifest bytes are canonical: re-encoding gives the very bytes that were signed
    assert b.encode_manifest(m) == bundle.manifest_bytes


def test_golden_payload_encoding_is_stable():
    raw, counts, hlc_max = b.encode_payload(SECTIONS)
    assert raw == (GOLDEN / "bundle_v1_payload.jsonl").read_bytes()
    assert counts == {"villages": 1, "households": 1, "members": 1}
    assert hlc_max.endswith(DEVICE)


def test_golden_layout_by_hand(golden_identity):
    """The README describes the layout; check it byte by byte without using the reader."""
    data = (GOLDEN / "bundle_v1.tdsync").read_bytes()
    assert data[:8] == b"\x89TDSYNC\n"
    (size,) = struct.unpack(">I", data[8:12])
    manifest = json.loads(data[12 : 12 + size])
    signature = data[12 + size : 12 + size + 64]
    payload = data[12 + size + 64 :]
    assert len(payload) == manifest["payload"]["size"]
    assert ident.verify_signature(golden_identity.signing_key, signature, b"TDSYNC manifest\n" + data[12 : 12 + size])
    raw = zstandard.ZstdDecompressor().decompress(golden_identity.decrypt(payload))
    assert raw == (GOLDEN / "bundle_v1_payload.jsonl").read_bytes()


def test_no_name_in_plain_text(golden_identity):
    data = (GOLDEN / "bundle_v1.tdsync").read_bytes()
    for name in ("Nguyễn Văn Ấn", "Đặng Thị Lan", "Xóm Đông", "0987654321"):
        assert name.encode("utf-8") not in data
        assert name.encode("utf-16-le") not in data


def test_identity_files_are_owner_only(tmp_path):
    identity = Identity.create(tmp_path, device_id="abc123")
    folder = tmp_path / "keys"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for f in folder.iterdir():
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    again = Identity.load(tmp_path)
    assert again.signing_key == identity.signing_key and again.age_recipient == identity.age_recipient
    assert Identity.load_or_create(tmp_path, device_id="abc123").signing_key == identity.signing_key
    with pytest.raises(Failed):
        Identity.load_or_create(tmp_path, device_id="other1")
    with pytest.raises(Failed):
        Identity.create(tmp_path, device_id="abc123")
    pub = identity.public().to_json()
    assert pub["signing_key"].startswith("ed25519:") and pub["age_recipient"].startswith("age1")
    assert "SECRET" not in json.dumps(pub)


def test_sign_verify_and_proof():
    a, c = Identity.ephemeral("aaaa"), Identity.ephemeral("cccc")
    sig = a.sign(b"hello")
    assert ident.verify_signature(a.signing_key, sig, b"hello")
    assert not ident.verify_signature(c.signing_key, sig, b"hello")
    assert not ident.verify_signature(a.signing_key, sig, b"hellp")
    assert not ident.verify_signature("ed25519:nonsense", sig, b"hello")
    proof = ident.enrolment_proof("s3cret", device_id="aaaa", signing_key=a.signing_key, age_recipient=a.age_recipient)
    kw = dict(device_id="aaaa", signing_key=a.signing_key, age_recipient=a.age_recipient)
    assert ident.proof_ok("s3cret", proof, **kw)
    assert not ident.proof_ok("other", proof, **kw)
    assert not ident.proof_ok("s3cret", proof, **(kw | {"signing_key": c.signing_key}))
    assert not ident.proof_ok("s3cret", "", **kw)


def _bundle(identity, recipients, **kw):
    args = dict(identity=identity, recipients=recipients, audience="commune", commune="15106", sequence=1, sections=SECTIONS)
    return b.write_bundle(**(args | kw))


def test_round_trip_to_several_recipients_and_not_to_others(tmp_path):
    volunteer, coordinator, deputy, stranger = (Identity.ephemeral(d) for d in ("v1", "c1", "d1", "s1"))
    made = _bundle(volunteer, [coordinator.age_recipient, deputy.age_recipient], out=tmp_path / "bundle (1).tdsync")
    assert not list(tmp_path.glob(".*part"))
    for reader in (coordinator, deputy):
        got = b.read_manifest(tmp_path / "bundle (1).tdsync")
        b.verify_manifest(got, signing_key=volunteer.signing_key)
        assert b.open_payload(got, identity=reader).count() == 3
    with pytest.raises(InputRejected) as err:
        b.open_payload(made, identity=stranger)
    assert err.value.key == "error.sync_not_for_us"
    assert b.is_bundle(tmp_path / "bundle (1).tdsync") and not b.is_bundle(b"PK\x03\x04")


def test_recognised_by_content_not_name(tmp_path):
    volunteer, coordinator = Identity.ephemeral("v1"), Identity.ephemeral("c1")
    path = tmp_path / "photo.jpg"
    _bundle(volunteer, [coordinator.age_recipient], out=path)
    assert b.read_manifest(path).device_id == "v1"
    not_a_bundle = tmp_path / "real.tdsync"
    not_a_bundle.write_bytes(b"just text\n")
    with pytest.raises(InputRejected) as err:
        b.read_manifest(not_a_bundle)
    assert err.value.key == "error.sync_not_bundle"


@pytest.mark.parametrize("cut", [0, 3, 8, 10, 12, 50, -200, -65, -10, -1])
def test_truncated_files_are_refused(golden_identity, cut):
    data = (GOLDEN / "bundle_v1.tdsync").read_bytes()
    with pytest.raises(InputRejected) as err:
        bundle = b.read_manifest(data[:cut] if cut else b"", name="x.tdsync")
        b.verify_manifest(bundle)
    assert err.value.key in ("error.sync_truncated", "error.sync_not_bundle", "error.sync_damaged")
    assert "x.tdsync" in err.value.message() or cut == 0


def test_flipped_bytes_are_caught_before_decrypting(golden_identity):
    data = bytearray((GOLDEN / "bundle_v1.tdsync").read_bytes())
    (size,) = struct.unpack(">I", data[8:12])
    for offset in (20, 12 + size // 2, 12 + size + 5, 12 + size + 64 + 40, len(data) - 1):
        bad = bytearray(data)
        bad[offset] ^= 0x01
        with pytest.raises(InputRejected) as err:
            b.verify_manifest(b.read_manifest(bytes(bad)), signing_key=golden_identity.signing_key)
        assert err.value.key in ("error.sync_bad_signature", "error.sync_bad_hash", "error.sync_damaged")


def test_resigned_by_another_key_is_refused(golden_identity):
    thief = Identity.ephemeral(DEVICE)
    data = (GOLDEN / "bundle_v1.tdsync").read_bytes()
    bundle = b.read_manifest(data)
    forged = thief.sign(b.SIGN_CONTEXT + bundle.manifest_bytes)
    bad = data[: 12 + len(bundle.manifest_bytes)] + forged + bundle.payload
    with pytest.raises(InputRejected) as err:
        b.verify_manifest(b.read_manifest(bad), signing_key=golden_identity.signing_key)
    assert err.value.key == "error.sync_bad_signature"
    # and a manifest rewritten to carry the thief's key is refused for a known device
    m = dict(bundle.manifest, origin=dict(bundle.origin, signing_key=thief.signing_key))
    mb = b.encode_manifest(m)
    bad = b.MAGIC + struct.pack(">I", len(mb)) + mb + thief.sign(b.SIGN_CONTEXT + mb) + bundle.payload
    with pytest.raises(InputRejected) as err:
        b.verify_manifest(b.read_manifest(bad), signing_key=golden_identity.signing_key)
    assert err.value.key == "error.sync_wrong_key"


def test_future_format_gives_a_clear_message():
    signer = Identity.ephemeral("f1")
    made = _bundle(signer, [signer.age_recipient])
    m = dict(made.manifest, format=2)
    mb = b.encode_manifest(m)
    data = b.MAGIC + struct.pack(">I", len(mb)) + mb + signer.sign(b.SIGN_CONTEXT + mb) + made.payload
    with pytest.raises(InputRejected) as err:
        b.read_manifest(data, name="new.tdsync")
    assert err.value.key == "error.sync_future_format"
    assert "cập nhật TeamDesk" in err.value.message()


def test_compression_bomb_stops_at_the_cap():
    signer = Identity.ephemeral("b1")
    bomb = zstandard.ZstdCompressor(level=3).compress(b"[" + b"0," * 20_000_000 + b"0]\n")
    payload = ident.encrypt(bomb, [signer.age_recipient])
    made = _bundle(signer, [signer.age_recipient])
    m = dict(made.manifest)
    import hashlib

    m["payload"] = dict(m["payload"], size=len(payload), sha256=hashlib.sha256(payload).hexdigest(), raw_size=1000)
    mb = b.encode_manifest(m)
    data = b.MAGIC + struct.pack(">I", len(mb)) + mb + signer.sign(b.SIGN_CONTEXT + mb) + payload
    bundle = b.read_manifest(data)
    b.verify_manifest(bundle)
    with pytest.raises(InputRejected) as err:
        b.open_payload(bundle, identity=signer)
    assert err.value.key == "error.sync_too_big"
    # and a manifest that declares a huge size is refused before anything is read
    with pytest.raises(InputRejected) as err:
        b.read_manifest(data, limits=b.Limits(max_raw=10))
    assert err.value.key == "error.sync_too_big"
