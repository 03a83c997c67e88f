"""The hub's HTTP API on 127.0.0.1: push, push again, refusals, limits, summary access, the page."""

from __future__ import annotations

import httpx
import pytest

from teamdesk.sync import outbox, upload
from teamdesk.sync.hub import summary
from teamdesk.sync.hub.serve import HubThread
from teamdesk.sync.hub.requests import sign_request
from teamdesk.sync.identity import Identity
from tests.test_hub_support import FAST, enrol, hub, hub_counts, hub_home, synthetic_bundle  # noqa: F401


def test_health_identity_and_openapi(hub):
    r = httpx.get(hub.url + "/healthz")
    assert r.status_code == 200 and r.json()["service"] == "teamdesk-hub"
    ident = httpx.get(hub.url + "/api/v1/identity").json()
    assert ident["device_id"] == hub.store.identity.device_id
    assert ident["age_recipient"].startswith("age1") and ident["signing_key"].startswith("ed25519:")
    spec = httpx.get(hub.url + "/api/v1/openapi.json").json()
    assert "/api/v1/bundles" in spec["paths"] and spec["openapi"].startswith("3.")
    missing = httpx.get(hub.url + "/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "error.hub_no_such_endpoint"
    wrong = httpx.get(hub.url + "/api/v1/bundles")
    assert wrong.status_code == 405 and "Traceback" not in wrong.text


def test_push_then_push_again_changes_nothing(hub, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    desk.log_help(household=household, service="online_service", outcome="follow_up")
    enrol(hub, desk)
    first = upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    assert first["reachable"] and first["first_contact"] and first["accepted"] == 1 and first["pending"] == 0
    before = hub_counts(hub.store)
    assert before["bundles"] == 1 and before["archived_files"] == 1 and before["help_events"] == 2
    again = upload.push(desk.home, backoff=FAST)  # the address was remembered
    assert again["prepared"] is None and again["accepted"] == 0 and again["pending"] == 0
    # the very same bytes again: acknowledged as already received, nothing changes
    entry = outbox.entries(desk)[0]
    raw = outbox.path_of(desk, entry).read_bytes()
    r = httpx.post(hub.url + "/api/v1/bundles", content=raw)
    assert r.status_code == 200 and r.json()["status"] == "already_received" and r.json()["bundle_id"] == entry["bundle_id"]
    assert hub_counts(hub.store) == before
    assert hub.store.call(hub.store.summary) == summary.by_commune(desk.conn)
    assert outbox.entries(desk)[0]["state"] == "acknowledged"


def test_new_changes_go_up_in_a_second_bundle(hub, desk, household):
    enrol(hub, desk)
    upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    desk.log_help(household=household, service="epayment_account")
    second = upload.push(desk.home, backoff=FAST)
    assert second["accepted"] == 1 and second["prepared"]["records"] == 1
    mine = summary.by_commune(desk.conn)[0]
    assert mine["epayment_accounts"] == 1
    assert hub.store.call(hub.store.summary) == [mine]


def test_unenrolled_device_is_refused(hub, desk, household):
    ident = Identity.load_or_create(desk.home, device_id=desk.device_id)
    raw = synthetic_bundle(ident, hub_recipient=hub.store.identity.age_recipient, commune=desk.commune_code)
    r = httpx.post(hub.url + "/api/v1/bundles", content=raw)
    assert r.status_code == 403 and r.json()["error"] == "error.hub_unknown_device"
    assert "chưa được đăng ký" in r.json()["message"]
    result = upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    assert result["error"] == "error.hub_unknown_device" and result["pending"] == 1
    assert outbox.entries(desk)[0]["attempts"] == 1  # a refusal is not retried
    assert hub_counts(hub.store) == {"villages": 0, "households": 0, "members": 0, "help_events": 0, "bundles": 0, "archived_files": 0}


def test_tampered_body_is_refused_and_nothing_kept(hub, desk, household):
    ident = enrol(hub, desk)
    raw = bytearray(synthetic_bundle(ident, hub_recipient=hub.store.identity.age_recipient, commune=desk.commune_code))
    empty = hub_counts(hub.store)
    for where in (len(raw) - 5, 40):  # a payload byte (hash), a manifest byte (signature or parse)
        bad = bytearray(raw)
        bad[where] ^= 0x01
        r = httpx.post(hub.url + "/api/v1/bundles", content=bytes(bad))
        assert r.status_code == 400, r.text
        assert r.json()["error"].startswith("error.sync_")
    r = httpx.post(hub.url + "/api/v1/bundles", content=bytes(raw[:-10]))
    assert r.status_code == 400
    r = httpx.post(hub.url + "/api/v1/bundles", content=b"not a bundle at all")
    assert r.status_code == 400 and r.json()["error"] == "error.sync_not_bundle"
    assert hub_counts(hub.store) == empty
    assert not list((hub.store.home / "incoming").iterdir())


def test_bundle_with_names_is_refused(hub, desk, household):
    """Defence in depth: even a signed bundle from an enrolled device may not carry a name."""
    from teamdesk.records import columns
    from teamdesk.sync import bundle as bundle_format

    ident = enrol(hub, desk)
    cols = columns("households")
    row = [c and None for c in cols]
    row[:5] = ["0193a3c0-0000-7000-8000-000000000001", f"1795000000000-0000-{ident.device_id}", "", ident.device_id, 0]
    row[cols.index("head_name")] = "Nguyễn Văn Ấn"
    made = bundle_format.write_bundle(
        identity=ident, recipients=[hub.store.identity.age_recipient], audience="province", commune=desk.commune_code, sequence=1,
        sections=[("households", cols, [row])],
    )
    r = httpx.post(hub.url + "/api/v1/bundles", content=made.raw)
    assert r.status_code == 422 and r.json()["error"] == "error.hub_personal_data"
    assert hub_counts(hub.store)["households"] == 0


def test_bundle_id_reused_with_other_bytes_is_409(hub, desk):
    ident = enrol(hub, desk)
    a = synthetic_bundle(ident, hub_recipient=hub.store.identity.age_recipient, commune=desk.commune_code)
    assert httpx.post(hub.url + "/api/v1/bundles", content=a).status_code == 201
    from teamdesk.sync import bundle as bundle_format

    bundle_id = bundle_format.read_manifest(a).bundle_id
    from teamdesk.records import columns

    b = bundle_format.write_bundle(
        identity=ident, recipients=[hub.store.identity.age_recipient], audience="province", commune=desk.commune_code, sequence=2,
        sections=[("villages", columns("villages"), [])], bundle_id=bundle_id,
    ).raw
    r = httpx.post(hub.url + "/api/v1/bundles", content=b)
    assert r.status_code == 409 and r.json()["error"] == "error.hub_bundle_id_reused"


def test_too_large_body_is_413(hub_home, desk):
    with HubThread(hub_home, max_bytes=8_000) as small:
        ident = enrol(small, desk)
        big = synthetic_bundle(ident, hub_recipient=small.store.identity.age_recipient, commune=desk.commune_code, households=400)
        assert len(big) > 8_000
        r = httpx.post(small.url + "/api/v1/bundles", content=big)
        assert r.status_code == 413 and r.json()["error"] == "error.hub_too_large"

        def chunks():  # no Content-Length: cut off while streaming
            for i in range(0, len(big), 4096):
                yield big[i : i + 4096]

        try:
            r = httpx.post(small.url + "/api/v1/bundles", content=chunks())
            assert r.status_code == 413
        except httpx.TransportError:
            pass  # the hub may close the connection before the client finished sending: also a refusal
        assert hub_counts(small.store)["bundles"] == 0


def test_summary_needs_token_or_signed_request(hub, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    ident = enrol(hub, desk)
    upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    assert httpx.get(hub.url + "/api/v1/summary").status_code == 401
    assert httpx.get(hub.url + "/api/v1/summary", headers={"authorization": "Bearer wrong"}).status_code == 401
    token = hub.store.operator_token
    by_token = httpx.get(hub.url + "/api/v1/summary?by=commune", headers={"authorization": f"Bearer {token}"}).json()
    assert by_token["lines"][0]["vneid_level2"] == 1 and by_token["lines"][0]["commune"] == "Xã Nguyệt Ấn"
    signed = sign_request(ident, method="GET", path="/api/v1/summary", query="by=province")
    by_device = httpx.get(hub.url + "/api/v1/summary?by=province", headers=signed)
    assert by_device.status_code == 200 and by_device.json()["lines"][0]["province"] == "Tỉnh Thanh Hóa"
    stranger = Identity.ephemeral("abcdef0123456789")
    forged = sign_request(stranger, method="GET", path="/api/v1/summary", query="by=province") | {"x-teamdesk-device": ident.device_id}
    assert httpx.get(hub.url + "/api/v1/summary?by=province", headers=forged).status_code == 401
    assert httpx.get(hub.url + f"/api/v1/summary?by=village&token={token}").status_code == 400
    csv_text = httpx.get(hub.url + f"/summary.csv?token={token}").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("commune_code,commune,province_code") and "Xã Nguyệt Ấn" in csv_text
    page = httpx.get(hub.url + f"/?token={token}")
    assert page.status_code == 200 and "Xã Nguyệt Ấn" in page.text and "VNeID mức 2" in page.text
    assert httpx.get(hub.url + "/").status_code == 401


def test_client_summary_call(hub, desk, household):
    ident = enrol(hub, desk)
    with upload.HubClient(hub.url) as client:
        got = client.summary(by="commune", identity=ident)
    assert got["ok"] and got["lines"][0]["commune_code"] == desk.commune_code


def test_push_when_hub_is_down_keeps_bundles_pending(desk, household, hub_home):
    with HubThread(hub_home) as h:
        enrol(h, desk)
        url = h.url
        upload.push(desk.home, hub_url=url, backoff=FAST)
    desk.log_help(household=household, service="vneid_level2")
    result = upload.push(desk.home, backoff=FAST)
    # offline, but the hub's key is pinned: the change is packed and waits in the outbox
    assert not result["reachable"] and result["prepared"]["records"] == 1
    assert result["pending"] == 1 and result["unsent_rows"] == 0
    assert [e["state"] for e in outbox.entries(desk)] == ["acknowledged", "pending"]
    assert not upload.probe(url)
    with HubThread(hub_home) as h:  # back online (another port): the waiting bundle goes up once
        back = upload.push(desk.home, hub_url=h.url, backoff=FAST)
        assert back["accepted"] == 1 and back["prepared"] is None and back["pending"] == 0
        assert h.store.call(h.store.summary) == summary.by_commune(desk.conn)


def test_push_requires_an_address(desk):
    from teamdesk.errors import UsageError

    with pytest.raises(UsageError):
        upload.push(desk.home)


def test_an_internal_error_is_json_without_a_trace(hub, desk, monkeypatch):
    ident = enrol(hub, desk)
    raw = synthetic_bundle(ident, hub_recipient=hub.store.identity.age_recipient, commune=desk.commune_code)

    def broken(path):
        raise RuntimeError("secret internals /srv/path")

    monkeypatch.setattr(hub.store, "ingest_file", broken)
    r = httpx.post(hub.url + "/api/v1/bundles", content=raw)
    assert r.status_code == 500 and r.json()["error"] == "error.hub_internal"
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_page_totals_add_up():
    from teamdesk.sync.hub.page import province_page

    line = {"commune_code": "15106", "commune": "Xã Nguyệt Ấn", "province": "Tỉnh Thanh Hóa", "households_reached": 3, "helps": 9,
            "vneid_level2": 2, "epayment_accounts": 1, "online_services": 0, "follow_ups_pending": 1,
            "helps_by_service": {"vneid_level2": 5, "vneid_install": 4}}
    html = province_page(name="Sở", lines=[line, line | {"commune_code": "15112", "commune": "Xã Kiên Thọ"}], bundles={})
    total_row = html.split('class="total"')[1]
    import re

    cells = re.findall(r"<td[^>]*>([^<]*)</td>", total_row)[2:]  # after the label and the empty province cell
    assert cells[:8] == ["6", "18", "4", "2", "0", "2", "8", "0"]  # reached, helps, level 2 done, …, then by service


def test_a_stranger_is_refused_before_the_body_is_read(hub_home):
    """The manifest comes first: an unenrolled sender is stopped at its first bytes."""
    from teamdesk.sync.hub.app import early_sender

    with HubThread(hub_home, max_bytes=10 * 1024 * 1024) as h:
        stranger = Identity.ephemeral("5a000000000000ff")
        raw = synthetic_bundle(stranger, hub_recipient=h.store.identity.age_recipient, commune="15106")
        sent = []

        def body():
            yield raw
            for _ in range(200):  # 8 MB more that the hub never needs to read
                sent.append(1)
                yield b"\0" * 40_000

        try:
            r = httpx.post(h.url + "/api/v1/bundles", content=body())
            assert r.status_code == 403
        except httpx.TransportError:
            pass  # the hub answered and closed while we were still sending: also a refusal
        assert len(sent) < 200
        assert early_sender(raw[:10]) is None and early_sender(b"PK\x03\x04 zip") == ""
        assert early_sender(raw) == stranger.device_id


def test_an_erasure_reaches_the_province(hub, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    enrol(hub, desk)
    upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    assert hub.store.call(hub.store.summary)[0]["households_reached"] == 1
    desk.erase_household(household, reason="consent_withdrawn")
    result = upload.push(desk.home, backoff=FAST)
    assert result["accepted"] == 1
    line = hub.store.call(hub.store.summary)[0]
    assert line["households_reached"] == 0 and line["helps"] == 0
    assert summary.by_commune(desk.conn, communes=[desk.commune_code]) == [line]


def test_records_of_another_commune_are_refused(hub, desk):
    """An enrolled device cannot count helps for another commune's households."""
    from teamdesk.records import columns
    from teamdesk.sync import bundle as bundle_format

    mine = enrol(hub, desk)
    raw = synthetic_bundle(mine, hub_recipient=hub.store.identity.age_recipient, commune=desk.commune_code)
    assert httpx.post(hub.url + "/api/v1/bundles", content=raw).status_code == 201
    their_village, their_household = hub.store.call(
        lambda: hub.store.desk.conn.execute("SELECT village_id, id FROM households LIMIT 1").fetchone()
    )
    other = Identity.ephemeral("0e000000000000aa")
    hub.store.call(hub.store.enrol, device_id=other.device_id, commune_code="15112", signing_key=other.signing_key, age_recipient=other.age_recipient)
    before = hub_counts(hub.store)
    stamp = f"1795100000000-0000-{other.device_id}"
    help_row = ["0193a3c0-0000-7000-8000-0000000000e1", stamp, "", other.device_id, 0, their_household, None, "vneid_level2", None, "2026-11-01", None, "done", None]
    household_row = ["0193a3c0-0000-7000-8000-0000000000e2", stamp, "", other.device_id, 0, their_village] + [None] * 11
    for table, row in (("help_events", help_row), ("households", household_row)):
        bad = bundle_format.write_bundle(
            identity=other, recipients=[hub.store.identity.age_recipient], audience="province", commune="15112", sequence=1,
            sections=[(table, columns(table), [row])],
        ).raw
        r = httpx.post(hub.url + "/api/v1/bundles", content=bad)
        assert r.status_code == 422 and r.json()["error"] == "error.hub_bad_records", r.text
        again = httpx.post(hub.url + "/api/v1/bundles", content=bad)  # the same answer, from the index
        assert again.status_code == 422 and again.json()["error"] == "error.hub_bad_records"
    after = hub_counts(hub.store)
    # the authentic uploads are kept raw (indexed "rejected"); no record of theirs was merged
    assert after == before | {"bundles": before["bundles"] + 2, "archived_files": before["archived_files"] + 2}
    states = hub.store.call(lambda: hub.store.desk.conn.execute("SELECT state, COUNT(*) FROM hub_bundles GROUP BY 1 ORDER BY 1").fetchall())
    assert states == [("merged", 1), ("rejected", 2)]
    lines = {e["commune_code"]: e for e in hub.store.call(hub.store.summary)}
    assert lines["15112"]["helps"] == 0 and lines[desk.commune_code]["helps"] == 6


def test_full_resend_counts_nothing_twice(hub, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    enrol(hub, desk)
    upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    before = hub.store.call(hub.store.summary)
    again = upload.push(desk.home, full=True, backoff=FAST)
    assert again["accepted"] == 1 and again["prepared"]["records"] == first_records(desk)
    receipt = outbox.entries(desk)[-1]["receipt"]
    assert receipt["counts"]["new"] == 0 and receipt["counts"]["unchanged"] == receipt["records"]
    assert hub.store.call(hub.store.summary) == before


def first_records(desk) -> int:
    return outbox.entries(desk)[0]["records"]


def test_a_bundle_not_encrypted_to_this_hub_is_refused(hub, desk):
    ident = enrol(hub, desk)
    elsewhere = Identity.ephemeral("0f000000000000bb")
    raw = synthetic_bundle(ident, hub_recipient=elsewhere.age_recipient, commune=desk.commune_code)
    r = httpx.post(hub.url + "/api/v1/bundles", content=raw)
    assert r.status_code == 400 and r.json()["error"] == "error.sync_not_for_us"
    assert hub_counts(hub.store)["households"] == 0


def test_a_large_backlog_goes_up_in_bounded_bundles(hub, desk, household):
    """Parents travel before children across bundles, so every bundle passes the hub's checks."""
    for service in ("vneid_install", "vneid_level1", "vneid_level2", "epayment_account"):
        desk.log_help(household=household, service=service)
    desk.add_household(head_name="Trần Văn Bình", village="Thôn 1", consent_by="Trần Văn Bình",
                       members=[{"full_name": "Trần Thị Cúc", "sex": "nữ", "birth_year": 1990, "relation": "spouse"}])
    enrol(hub, desk)
    upload.push(desk.home, hub_url=hub.url, prepare=False, backoff=FAST)  # pins the hub
    total = outbox.unsent_count(desk)
    entries = outbox.prepare(desk, hub_recipient=upload.pinned(desk)["age_recipient"], max_records=3)
    assert len(entries) == -(-total // 3) and all(e["records"] <= 3 for e in entries)
    assert sum(e["records"] for e in entries) == total and outbox.unsent_count(desk) == 0
    result = upload.push(desk.home, backoff=FAST)
    assert result["accepted"] == len(entries) and result["error"] is None and result["pending"] == 0
    assert hub.store.call(hub.store.summary) == summary.by_commune(desk.conn)
