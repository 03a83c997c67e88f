"""The guide library: shipped files are complete and checked; trainers' guides live in the synced
``guides`` table; a shipped guide is never overwritten; bad guide files are refused by name."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from teamdesk import guides as guide_library
from teamdesk.errors import InputRejected, NotFound

VI_MARKS = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.I)


def test_at_least_ten_shipped_guides_complete_in_both_languages():
    shipped = guide_library.shipped()
    assert len(shipped) >= 10
    for g in shipped:
        assert g["link"].startswith("https://") and g["checked"] <= date.today().isoformat()
        for lang in ("vi", "en"):
            t = g[lang]
            assert 3 <= len(t["steps"]) <= 7, g["slug"]
            assert t["title"] and t["purpose"] and t["card_line"] and t["next_step"]
        assert VI_MARKS.search(g["vi"]["title"] + g["vi"]["purpose"]), g["slug"]  # real Vietnamese, with marks
    assert {g["slug"] for g in shipped} >= {"vneid-level2", "dichvucong", "province-portal", "online-safety"}
    warnings = " ".join(w for g in shipped for w in g["vi"]["warnings"])
    assert "OTP" in warnings


def test_guide_files_are_named_by_slug():
    for path in guide_library.folder().glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["slug"] == path.stem


def _body(**over) -> dict:
    body = json.loads((guide_library.folder() / "vneid-level2.json").read_text(encoding="utf-8"))
    body.update(over)
    return body


@pytest.mark.parametrize(
    "change,key",
    [
        ({"link": "http://vneid.gov.vn"}, "error.guide_link_not_https"),
        ({"link": "https://bit.ly/3abcd"}, "error.guide_link_shortened"),
        ({"link": "vneid.gov.vn"}, "error.guide_link_not_https"),
        ({"vi": None}, "error.guide_missing_field"),
        ({"checked": "hôm qua"}, "error.guide_missing_field"),
        ({"slug": "Hướng dẫn"}, "error.guide_bad_slug"),
        ({"format": 9}, "error.guide_bad_format"),
    ],
)
def test_bad_guide_files_are_refused_naming_the_file(tmp_path, change, key):
    path = tmp_path / "cua-to.json"
    path.write_text(json.dumps(_body(**change), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputRejected) as err:
        guide_library.load_file(path)
    assert err.value.key == key
    assert "cua-to.json" in err.value.message()


def test_missing_steps_and_broken_json(tmp_path):
    body = _body()
    del body["en"]["steps"]
    path = tmp_path / "thieu.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(InputRejected) as err:
        guide_library.load_file(path)
    assert "en.steps" in err.value.message()
    path.write_text('{"slug": "x",', encoding="utf-8")
    with pytest.raises(InputRejected, match="thieu.json"):
        guide_library.load_file(path)


def test_editing_a_shipped_guide_makes_a_synced_copy(desk):
    body = _body()
    body["vi"]["title"] = "VNeID mức 2 — bản của tổ Nguyệt Ấn"
    stored = guide_library.save(desk, body)
    assert stored["slug"] != "vneid-level2" and stored["based_on"] == "vneid-level2" and stored["source"] == "own"
    assert guide_library.get(desk, "vneid-level2")["vi"]["title"] == "Kích hoạt tài khoản định danh điện tử mức 2"
    row = desk.conn.execute("SELECT slug, based_on, body, hlc, origin FROM guides").fetchone()
    assert row[0] == stored["slug"] and row[1] == "vneid-level2" and row[3] and row[4] == desk.device_id
    assert json.loads(row[2])["vi"]["title"] == "VNeID mức 2 — bản của tổ Nguyệt Ấn"
    assert desk.setting("clock_last") >= row[3][:18]
    # editing the copy updates the same row (a new version; the old one kept in history)
    again = dict(stored, vi=dict(stored["vi"], purpose="Mục đích mới."))
    guide_library.save(desk, again)
    assert desk.conn.execute("SELECT COUNT(*) FROM guides").fetchone()[0] == 1
    assert desk.conn.execute("SELECT COUNT(*) FROM history WHERE table_name = 'guides'").fetchone()[0] == 1
    assert guide_library.get(desk, stored["slug"])["vi"]["purpose"] == "Mục đích mới."
    slugs = [g["slug"] for g in guide_library.library(desk)]
    assert slugs.count("vneid-level2") == 1 and stored["slug"] in slugs


def test_own_guide_with_bad_link_is_refused_and_nothing_written(desk):
    body = _body(slug="cua-to", link="http://example.com")
    with pytest.raises(InputRejected):
        guide_library.save(desk, body)
    assert desk.conn.execute("SELECT COUNT(*) FROM guides").fetchone()[0] == 0


def test_delete_own_guide_but_never_a_shipped_one(desk):
    guide_library.save(desk, _body(slug="cua-to"))
    guide_library.delete(desk, "cua-to")
    with pytest.raises(NotFound):
        guide_library.get(desk, "cua-to")
    with pytest.raises(InputRejected):
        guide_library.delete(desk, "vneid-level2")


def test_search_ignores_accents():
    found = [g["slug"] for g in guide_library.search(guide_library.shipped(), "dinh danh muc 2")]
    assert "vneid-level2" in found and "dichvucong" not in found
    assert [g["slug"] for g in guide_library.search(guide_library.shipped(), "lừa đảo")] == ["online-safety"]
    assert guide_library.search(guide_library.shipped(), "") == guide_library.shipped()


def test_province_portal_link_comes_from_the_setting(desk):
    guide = guide_library.get(desk, "province-portal")
    assert guide_library.link_for(desk, guide) == ("https://dichvucong.gov.vn", "leaflet.note_province_portal_missing")
    desk.set_setting("province_portal_url", "http://not-secure.example")
    assert guide_library.link_for(desk, guide)[0] == "https://dichvucong.gov.vn"
    desk.set_setting("province_portal_url", "https://dichvucong.thanhhoa.gov.vn")
    assert guide_library.link_for(desk, guide) == ("https://dichvucong.thanhhoa.gov.vn", None)


def test_new_guide_never_overwrites_and_rename_keeps_the_row(desk):
    first = guide_library.save(desk, _body(slug="huong-dan-moi"), new=True)
    with pytest.raises(InputRejected) as err:
        guide_library.save(desk, _body(slug="huong-dan-moi"), new=True)
    assert err.value.key == "error.guide_slug_taken"
    renamed = guide_library.save(desk, _body(slug="vneid-thon-3"), row_id=first["id"])
    assert renamed["id"] == first["id"]
    assert [g["slug"] for g in guide_library.own(desk.conn)] == ["vneid-thon-3"]
    with pytest.raises(InputRejected):
        guide_library.save(desk, _body(slug="vneid-level2"), row_id=first["id"])  # a shipped slug is never taken over
