"""The coordinator's review: duplicates (merge, undo, dismiss), conflicts (keep theirs), reconciliation."""

from __future__ import annotations

import pytest

from teamdesk.clock import wall_ms

from teamdesk.sync import conflicts, duplicates, export, import_, reconcile
from tests.sync_world import register


def _gather(xa, laptops, folder):
    files = []
    for laptop in laptops:
        out = folder / f"{laptop.device_id}-{len(files)}.tdsync"
        export.export_bundle(laptop, out=out)
        files.append(out)
    return import_.import_files(xa, files)


def test_duplicates_found_merged_with_helps_of_both_and_undone(team, tmp_path):
    xa, (a, b) = team
    ha = register(a, "Nguyễn Văn Ấn", "Thôn 1", year=1968, members=[{"full_name": "Đặng Thị Lan", "birth_year": 1972, "relation": "spouse"}])
    hb = register(b, "NGUYỄN VĂN ẤN", "Thôn 2", year=1968, members=[{"full_name": "Đặng Thị Lan", "birth_year": 1972, "relation": "spouse"},
                                                                   {"full_name": "Nguyễn Văn Bình", "birth_year": 2001, "relation": "child"}])
    register(b, "Nguyễn Văn Ấn", "Thôn 2", year=1990)  # same name, nothing else in common: not offered
    a.log_help(household=ha, service="vneid_install")
    b.log_help(household=hb, service="vneid_level2")
    _gather(xa, (a, b), tmp_path)
    pairs = duplicates.find_duplicates(xa)
    assert len(pairs) == 1
    assert {pairs[0]["keep"]["id"], pairs[0]["drop"]["id"]} == {ha, hb}
    assert {"name", "birth_year", "members", "other_village"} <= set(pairs[0]["reasons"])
    duplicates.merge_pair(xa, keep=ha, drop=hb)
    kept = xa.household(ha)
    assert {h["service"] for h in kept["helps"]} == {"vneid_install", "vneid_level2"}
    assert sorted(m["full_name"] for m in kept["members"]) == ["Nguyễn Văn Bình", "Nguyễn Văn Ấn", "Đặng Thị Lan"]
    assert xa.household(hb)["merged_into"] == ha
    assert duplicates.find_duplicates(xa) == []
    # the merge is a synced write: the villages learn it
    export.export_bundle(xa, out=tmp_path / "xa.tdsync")
    assert import_.import_one(b, tmp_path / "xa.tdsync").state == "applied"
    assert b.household(hb)["merged_into"] == ha
    # and it can be undone at the commune
    xa.undo()
    assert xa.household(hb)["merged_into"] == "" and len(xa.household(hb)["helps"]) == 1
    assert len(duplicates.find_duplicates(xa)) == 1
    duplicates.dismiss(xa, ha, hb)
    assert duplicates.find_duplicates(xa) == []


def test_conflict_keep_theirs_writes_a_new_version_that_syncs(team, tmp_path):
    xa, (a, _) = team
    hid = register(a, "Hà Văn Tâm", "Thôn 1", phone="0987000111")
    _gather(xa, (a,), tmp_path)
    a.edit_household(hid, phone="0987000222")
    xa.clock.wall = staticmethod(lambda: wall_ms() + 1000)
    xa.edit_household(hid, phone="0987000333")  # the later edit: the commune's value is kept
    report = _gather(xa, (a,), tmp_path)
    assert report.totals()["conflicts"] == 1
    (c,) = conflicts.list_conflicts(xa)
    assert c["mine"] == {"phone": "0987000333"} and c["theirs"] == {"phone": "0987000222"}
    assert "số điện thoại" in c["explanation"] and "Hà Văn Tâm" in c["explanation"]
    conflicts.resolve(xa, c["id"], keep="theirs")
    assert xa.household(hid)["phone"] == "0987000222"
    assert conflicts.list_conflicts(xa) == []
    with pytest.raises(Exception):
        conflicts.resolve(xa, c["id"], keep="mine")


def test_reconciliation_adds_up_and_prints(team, tmp_path):
    xa, (a, b) = team
    for i in range(3):
        register(a, f"Hộ {i} Lê Văn", "Thôn 1")
    register(b, "Trần Thị Mai", "Thôn 2")
    _gather(xa, (a, b), tmp_path)
    sheet = reconcile.reconciliation(xa)
    assert sheet["ok"] and {r["village"] for r in sheet["files"]} == {"Thôn 1", "Thôn 2"}
    assert sheet["totals"]["sent"] == sheet["totals"]["received"] == sheet["totals"]["applied"] > 0
    pdf = reconcile.write_sheet(xa, out=tmp_path / "doi-chieu.pdf")
    assert (tmp_path / "doi-chieu.pdf").read_bytes()[:4] == b"%PDF" and pdf["ok"]
    from pypdf import PdfReader

    text = PdfReader(tmp_path / "doi-chieu.pdf").pages[0].extract_text()
    assert "Bảng đối chiếu" in text and "Thôn 1" in text
    csv = reconcile.to_csv(sheet).decode("utf-8-sig")
    assert "Thôn 2" in csv and "khớp" in csv
