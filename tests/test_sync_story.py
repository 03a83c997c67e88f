"""The issue's "Done when", driven through the command line as a coordinator would script it.

Two volunteer laptops enrolled by one coordinator each log work offline; their files reach the
coordinator in any order, some twice, one tampered; the coordinator sees every household exactly
once (or flagged as a duplicate), the tampered file refused, conflicts in the inbox, receipts flow
back, and the reconciliation sheet adds up.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from teamdesk.cli import load_commands
from teamdesk.desk import Desk


def run(home, *args, ok=(0,)):
    result = CliRunner().invoke(load_commands(), [*args, "--home", str(home), "--json"], catch_exceptions=False)
    assert result.exit_code in ok, (args, result.output[:3000])
    return json.loads(result.stdout)


def test_two_villages_to_the_commune_and_back(tmp_path):
    xa, t1, t2 = tmp_path / "xa", tmp_path / "t1", tmp_path / "t2"
    run(xa, "init", "--role", "coordinator", "--name", "Máy UBND xã", "--commune", "15106", "--village", "Thôn 1", "--village", "Thôn 2")
    enrol = tmp_path / "tham-gia.json"
    card = tmp_path / "the.pdf"
    out = run(xa, "enrol", "export", "--out", str(enrol), "--card", str(card))
    assert out["villages"] == ["Thôn 1", "Thôn 2"] and card.read_bytes()[:4] == b"%PDF"
    run(t1, "init", "--role", "volunteer", "--name", "Máy Thôn 1", "--enrol", str(enrol), "--village", "Thôn 1")
    run(t2, "init", "--role", "volunteer", "--name", "Máy Thôn 2", "--enrol", str(enrol), "--village", "Thôn 2")

    # each laptop works offline
    ids = {}
    for home, village, n in ((t1, "Thôn 1", 1), (t2, "Thôn 2", 2)):
        with Desk.open(home) as d:
            d.add_volunteer(f"Tổ viên {n}", village=village)
            d.set_on_duty(f"Tổ viên {n}")
            own = d.add_household(head_name=f"Hộ riêng {n} Lê Văn", village=village, consent_by="Chủ hộ", head_birth_year=1960 + n).first("households")
            d.log_help(household=own, service="vneid_install")
            # the same family registered in both villages
            twin = d.add_household(head_name="Nguyễn Văn Ấn", village=village, consent_by="Nguyễn Văn Ấn", phone="0987654321", head_birth_year=1968).first("households")
            d.log_help(household=twin, service="vneid_level2" if n == 1 else "epayment_account")
            ids[n] = own
    files = {}
    files["t1a"] = tmp_path / "usb" / "bundle.tdsync"
    run(t1, "sync", "export", "--out", str(files["t1a"]))
    files["t2a"] = tmp_path / "zalo" / "bundle (1).tdsync"
    run(t2, "sync", "export", "--out", str(files["t2a"]))
    # laptop 1 goes on working, then the coordinator also edits the shared household later
    with Desk.open(t1) as d:
        d.log_help(household=ids[1], service="online_service")
    files["t1b"] = tmp_path / "usb" / "bundle-2.tdsync"
    run(t1, "sync", "export", "--out", str(files["t1b"]))
    tampered = tmp_path / "zalo" / "bundle (2).tdsync"
    data = bytearray(files["t1b"].read_bytes())
    data[-50] ^= 0xFF
    tampered.write_bytes(bytes(data))

    # files arrive in any order, some twice, one tampered
    report = run(
        xa, "sync", "import", str(files["t1b"]), str(tampered), str(files["t2a"]), str(files["t1a"]), str(files["t2a"]),
        "--receipts", str(tmp_path / "receipts"), ok=(3,),
    )
    states = [f["state"] for f in report["files"]]
    assert states == ["applied", "rejected", "applied", "applied", "unchanged"]
    assert report["files"][1]["error"] == "error.sync_bad_hash"
    assert report["totals"]["rejected"] == 1 and report["missing"] == []

    # every household exactly once, or flagged as a duplicate
    with Desk.open(xa) as d:
        heads = [r[0] for r in d.conn.execute("SELECT head_name FROM households WHERE deleted = 0")]
    assert sorted(heads) == sorted(["Hộ riêng 1 Lê Văn", "Hộ riêng 2 Lê Văn", "Nguyễn Văn Ấn", "Nguyễn Văn Ấn"])
    pairs = run(xa, "sync", "duplicates")["pairs"]
    assert len(pairs) == 1 and {"name", "phone", "birth_year", "other_village"} <= set(pairs[0]["reasons"])
    merged = run(xa, "sync", "merge-duplicates", "--keep", pairs[0]["keep"]["id"], "--drop", pairs[0]["drop"]["id"])
    assert merged["changes"]["help_events"]
    with Desk.open(xa) as d:
        kept = d.household(pairs[0]["keep"]["id"])
        assert {h["service"] for h in kept["helps"]} == {"vneid_level2", "epayment_account"}  # helps of both kept
        assert len(d.find_households("nguyen van an")) == 1
    assert run(xa, "sync", "duplicates")["pairs"] == []

    # a conflict: the same phone edited in the village and at the commune
    run(xa, "sync", "export", "--out", str(tmp_path / "xa-1.tdsync"))
    run(t1, "sync", "import", str(tmp_path / "xa-1.tdsync"))
    with Desk.open(t1) as d:
        d.edit_household(ids[1], phone="0912000111")
    with Desk.open(xa) as d:
        d.edit_household(ids[1], phone="0912000222")
    run(t1, "sync", "export", "--out", str(tmp_path / "t1-3.tdsync"))
    report = run(xa, "sync", "import", str(tmp_path / "t1-3.tdsync"))
    assert report["totals"]["conflicts"] == 1
    inbox = run(xa, "sync", "conflicts")["conflicts"]
    assert len(inbox) == 1 and "sửa ở hai máy" in inbox[0]["explanation"]
    run(xa, "sync", "resolve", str(inbox[0]["id"]), "--keep", "mine")
    with Desk.open(xa) as d:
        assert d.household(ids[1])["phone"] == "0912000222"
    assert run(xa, "sync", "conflicts")["conflicts"] == []

    # receipts flow back: laptop 1 sees that its first files reached the commune
    receipts = sorted((tmp_path / "receipts").glob("*.tdsync"))
    assert len(receipts) == 2
    before = run(t1, "sync", "status")
    back = run(t1, "sync", "import", *map(str, receipts), ok=(0, 3))
    assert [f["state"] for f in back["files"]].count("receipt") == 1
    after = run(t1, "sync", "status")
    assert after["not_reached_total"] < before["not_reached_total"]

    # the reconciliation sheet adds up
    sheet = run(xa, "sync", "reconcile")
    assert sheet["ok"] is True
    assert sheet["totals"]["sent"] == sheet["totals"]["received"] == sheet["totals"]["applied"]
    run(xa, "sync", "reconcile", "--out", str(tmp_path / "doi-chieu.pdf"))
    run(xa, "sync", "reconcile", "--out", str(tmp_path / "doi-chieu.csv"))
    assert "Thôn 1" in (tmp_path / "doi-chieu.csv").read_text("utf-8-sig")
    devices = run(xa, "sync", "devices")["devices"]
    assert {d["state"] for d in devices} == {"self", "approved"}


def test_every_sync_command_has_help_text():
    cli = load_commands()
    for group in ("sync", "enrol"):
        for name, cmd in cli.commands[group].commands.items():
            assert cmd.help and "/" in cmd.help, name
