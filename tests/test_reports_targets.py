"""Targets: progress as a share and a sentence, "chưa rõ" without a population, CSV imports."""

from __future__ import annotations

from datetime import date

import pytest

from teamdesk import targets
from teamdesk.errors import InputRejected, UsageError
from tests.test_indicators import commune  # noqa: F401

NOV5 = date(2026, 11, 5)


def _by_village(items, indicator="vneid_level2"):
    return {g["village"]: g for g in items if g["indicator"] == indicator}


def test_progress_share_remaining_pace_and_unknown(commune):
    d = commune["desk"]
    targets.set_target(d, indicator="vneid_level2", rate="80%", deadline="31/12/2026")
    got = _by_village(targets.progress(d.conn, today=NOV5, commune="Xã Nguyệt Ấn"))
    t1 = got["Thôn 1"]  # A1 (10/10) and B1 (15/09); one of them in the last 28 days
    assert (t1["base"], t1["achieved"], t1["target"], t1["remaining"]) == (100, 2, 80, 78)
    assert t1["share"] == pytest.approx(0.02) and t1["pace_per_week"] == 0.2
    assert t1["status"] == "behind" and t1["shortfall"] == 78 - 2  # 56 days at 1/28 a day
    assert t1["message"].startswith("Còn 78 người nữa để đạt chỉ tiêu trước 31/12/2026.")
    assert "Với tốc độ hiện tại" in t1["message"]
    t2 = got["Thôn 2"]  # C2 and D1 (D1's household since erased: still counted)
    assert (t2["base"], t2["achieved"], t2["target"], t2["remaining"]) == (50, 2, 40, 38)
    t3 = got["Thôn 3"]
    assert t3["status"] == "unknown" and t3["share"] is None and t3["target"] is None
    assert t3["message"].startswith("chưa rõ")
    commune_row = got["Xã Nguyệt Ấn"]
    assert commune_row["status"] == "unknown" and commune_row["achieved"] == 4


def test_commune_base_once_every_village_has_a_population(commune):
    d = commune["desk"]
    targets.set_population(d, village="Thôn 3", population="1.000", households=250)
    assert d.village("Thôn 3")["population"] == 1000
    targets.set_target(d, indicator="households_reached", rate=0.5, deadline="31/12/2026")
    got = _by_village(targets.progress(d.conn, today=NOV5), "households_reached")
    assert got["Toàn xã"]["base"] == 30 + 20 + 250
    assert got["Toàn xã"]["achieved"] == 5 and got["Toàn xã"]["target"] == 150


def test_village_target_overrides_the_communes_and_reached(commune):
    d = commune["desk"]
    targets.set_target(d, indicator="epayment_account", rate="90", deadline="31/12/2026")
    targets.set_target(d, indicator="epayment_account", rate="2%", deadline="31/12/2026", village="Thôn 2")
    got = _by_village(targets.progress(d.conn, today=NOV5), "epayment_account")
    assert got["Thôn 2"]["rate"] == 0.02 and got["Thôn 2"]["target"] == 1
    assert got["Thôn 2"]["status"] == "reached" and got["Thôn 2"]["message"].startswith("Đã đạt")
    assert got["Thôn 1"]["rate"] == 0.9
    assert [t["village"] for t in targets.list_targets(d.conn)] == ["", "Thôn 2"]
    targets.remove_target(d, indicator="epayment_account", village="Thôn 2")
    assert len(targets.list_targets(d.conn)) == 1


def test_late_and_no_pace(commune):
    d = commune["desk"]
    targets.set_target(d, indicator="vneid_install", rate="50%", deadline="01/11/2026")
    late = _by_village(targets.progress(d.conn, today=NOV5), "vneid_install")["Thôn 1"]
    assert late["status"] == "late" and "quá hạn" in late["message"]
    targets.set_target(d, indicator="vneid_install", rate="50%", deadline="31/12/2027")
    quiet = _by_village(targets.progress(d.conn, today=date(2027, 6, 1)), "vneid_install")["Thôn 1"]
    assert quiet["status"] == "no_pace" and quiet["pace_per_week"] == 0


@pytest.mark.parametrize("rate", ["0", "-5", "abc", "150%", "nan"])
def test_bad_rates_are_refused(commune, rate):
    with pytest.raises(InputRejected):
        targets.set_target(commune["desk"], indicator="vneid_level2", rate=rate, deadline="31/12/2026")


def test_unknown_indicator_is_a_usage_error(commune):
    with pytest.raises(UsageError):
        targets.set_target(commune["desk"], indicator="smiles", rate="5", deadline="31/12/2026")


def _villages(d):
    return d.conn.execute("SELECT id, hlc, population, household_count FROM villages ORDER BY id").fetchall()


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("utf-8", "\t")])
def test_import_populations(commune, tmp_path, encoding, delimiter):
    d = commune["desk"]
    f = tmp_path / "dan-so.csv"
    rows = [["Tên thôn", "Dân số", "Số hộ"], ["thon 1", "1.234", "300"], ["Thôn 3", "800", ""]]
    f.write_text("\r\n".join(delimiter.join(r) for r in rows), encoding=encoding)
    assert targets.import_populations(d, f) == {"villages": 2, "updated": 2}
    assert (d.village("Thôn 1")["population"], d.village("Thôn 1")["household_count"]) == (1234, 300)
    assert (d.village("Thôn 3")["population"], d.village("Thôn 3")["household_count"]) == (800, None)
    assert d.village("Thôn 2")["population"] == 50  # untouched


@pytest.mark.parametrize("content,key", [
    (b"", "error.targets_csv_empty"),
    (b"\xff\xfe\x00T\x00h", "error.targets_csv_not_utf8"),
    ("Thôn,Dân số\nThôn 9,100\n".encode(), "error.targets_csv_unknown_village"),
    ("Thôn,Dân số\nThôn 1,100\nThon 1,200\n".encode(), "error.targets_csv_duplicate"),
    ("Thôn,Dân số\nThôn 1,-5\n".encode(), "error.targets_csv_bad_count"),
    ("Thôn,Dân số\nThôn 1,99999999999\n".encode(), "error.targets_csv_bad_count"),
    ("Tên,Tuổi\nThôn 1,5\n".encode(), "error.targets_csv_header"),
    ("Thôn,Dân số\nThôn 1,12\x00\n".encode(), "error.targets_csv_not_utf8"),
    ("Thôn,Dân số\n".encode(), "error.targets_csv_empty"),
    (("Thôn,Dân số\n" + "Thôn 1,1\n" * 200_000).encode(), "error.targets_csv_too_big"),
])
def test_hostile_csv_leaves_the_database_as_it_was(commune, tmp_path, content, key):
    d = commune["desk"]
    before = _villages(d)
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(InputRejected) as err:
        targets.import_populations(d, f)
    assert err.value.key == key
    assert err.value.message() and "{" not in err.value.message()
    assert _villages(d) == before


def test_partial_bad_file_writes_nothing(commune, tmp_path):
    d = commune["desk"]
    before = _villages(d)
    f = tmp_path / "half.csv"
    f.write_text("Thôn;Dân số\nThôn 1;700\nThôn 2;bảy trăm\n", encoding="utf-8")
    with pytest.raises(InputRejected) as err:
        targets.import_populations(d, f)
    assert "Dòng 3" in err.value.message()
    assert _villages(d) == before


def test_population_is_a_synced_stamped_write(commune):
    d = commune["desk"]
    old = d.conn.execute("SELECT hlc FROM villages WHERE name = 'Thôn 2'").fetchone()[0]
    targets.set_population(d, village="Thôn 2", population=60)
    new, prev = d.conn.execute("SELECT hlc, prev_hlc FROM villages WHERE name = 'Thôn 2'").fetchone()
    assert new > old and prev == old
    assert d.conn.execute("SELECT COUNT(*) FROM history WHERE table_name = 'villages' AND hlc = ?", (old,)).fetchone()[0] == 1
    assert d.setting("clock_last") >= new[:18]
