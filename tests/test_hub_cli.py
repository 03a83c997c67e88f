"""The command line: init a hub, enrol a commune from its enrolment file, push, summary."""

from __future__ import annotations

import json

from click.testing import CliRunner

from teamdesk.cli import load_commands
from teamdesk.sync.enrolment import export_enrolment
from teamdesk.sync.hub import summary
from teamdesk.sync.hub.serve import HubThread
from tests.test_hub_support import make_hub_home


def _run(*args: str):
    return CliRunner().invoke(load_commands(), list(args), catch_exceptions=False)


def test_init_enrol_push_summary(tmp_path, desk, household):
    hub_home = tmp_path / "hub"
    made = _run("init", "--role", "hub", "--name", "Sở KH&CN Thanh Hóa", "--home", str(hub_home), "--json")
    assert made.exit_code == 0, made.output
    desk.log_help(household=household, service="vneid_level2")
    card = tmp_path / "enrol.json"
    export_enrolment(desk, out=card)
    enrolled = _run("hub", "enrol", str(card), "--home", str(hub_home))
    assert enrolled.exit_code == 0 and "Xã Nguyệt Ấn" in enrolled.output, enrolled.output
    with HubThread(hub_home) as hub:
        pushed = _run("sync", "push", "--hub", hub.url, "--home", str(desk.home), "--json")
        assert pushed.exit_code == 0, pushed.output
        assert json.loads(pushed.output)["accepted"] == 1
        human = _run("sync", "push", "--home", str(desk.home))
        assert human.exit_code == 0 and "Còn chờ: 0" in human.output
    as_json = _run("hub", "summary", "--home", str(hub_home), "--format", "json")
    assert json.loads(as_json.output)["lines"] == summary.by_commune(desk.conn)
    as_csv = _run("hub", "summary", "--home", str(hub_home), "--format", "csv", "--by", "province")
    assert as_csv.output.splitlines()[0].startswith("province_code,province,communes")
    text = _run("hub", "summary", "--home", str(hub_home))
    assert "Xã Nguyệt Ấn: 1 hộ, 1 lượt hỗ trợ, VNeID mức 2: 1" in text.output
    devices = _run("hub", "devices", "--home", str(hub_home), "--json")
    assert json.loads(devices.output)["devices"][0]["commune_code"] == desk.commune_code
    assert "secret" not in devices.output
    revoked = _run("hub", "revoke", desk.device_id, "--home", str(hub_home))
    assert revoked.exit_code == 0 and "Đã thu hồi" in revoked.output
    assert json.loads(_run("hub", "devices", "--home", str(hub_home), "--json").output)["devices"] == []
    assert _run("hub", "revoke", desk.device_id, "--home", str(hub_home)).exit_code == 3


def test_push_unreachable_and_changed_key(tmp_path, desk, household):
    down = _run("sync", "push", "--hub", "http://127.0.0.1:9", "--home", str(desk.home))
    assert down.exit_code == 1 and "Chưa kết nối được" in down.output
    with HubThread(make_hub_home(tmp_path / "a")) as a:
        assert _run("sync", "push", "--hub", a.url, "--home", str(desk.home)).exit_code in (0, 1)
    with HubThread(make_hub_home(tmp_path / "b")) as b:
        changed = _run("sync", "push", "--hub", b.url, "--home", str(desk.home))
    assert changed.exit_code == 1 and "CẢNH BÁO" in changed.output


def test_enrol_rejects_a_bad_file(tmp_path):
    hub_home = make_hub_home(tmp_path / "hub")
    bad = tmp_path / "bad.json"
    bad.write_text("{\"hello\": 1}", encoding="utf-8")
    result = _run("hub", "enrol", str(bad), "--home", str(hub_home))
    assert result.exit_code == 3


def test_serve_refuses_a_non_hub_home(desk):
    result = _run("hub", "summary", "--home", str(desk.home))
    assert result.exit_code == 2 and "không phải máy chủ tỉnh" in result.output


def test_hub_identity_prints_the_fingerprint(tmp_path):
    from teamdesk.sync.upload import fingerprint

    hub_home = make_hub_home(tmp_path / "hub")
    out = json.loads(_run("hub", "identity", "--home", str(hub_home), "--json").output)
    assert out["age_recipient"].startswith("age1") and out["fingerprint"] == fingerprint(out["signing_key"])
    assert len(out["fingerprint"]) == 24


def test_a_deputy_learns_the_hub_from_the_enrolment_file(tmp_path, desk, household):
    """The enrolment file names the hub (address and keys): a deputy pushes with no address given."""
    from teamdesk.sync import upload
    from teamdesk.sync.enrolment import join_team
    from teamdesk.sync.identity import Identity
    from tests.test_hub_support import FAST, enrol

    with HubThread(make_hub_home(tmp_path / "hub")) as hub:
        enrol(hub, desk)
        upload.push(desk.home, hub_url=hub.url, backoff=FAST)  # the coordinator pins the hub
        card = tmp_path / "enrol.json"
        export_enrolment(desk, out=card)
        deputy = join_team(tmp_path / "deputy", name="Máy phó chủ tịch", role="coordinator", enrolment_file=card)
        with deputy:
            ident = Identity.load_or_create(deputy.home, device_id=deputy.device_id)
            hub.store.call(hub.store.enrol, device_id=ident.device_id, commune_code=deputy.commune_code, signing_key=ident.signing_key, age_recipient=ident.age_recipient)
            result = upload.push(deputy.home, backoff=FAST)
            assert result["reachable"] and result["hub"] == hub.url and not result["first_contact"]  # pinned from the file
            assert upload.pinned(deputy)["signing_key"] == hub.store.identity.signing_key
