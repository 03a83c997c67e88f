"""Search as you type: accents, đ, NFC/NFD, phones, ranking."""

from __future__ import annotations

import unicodedata

import pytest

from teamdesk import units
from teamdesk.fold import fold


def test_fold():
    assert fold("Nguyễn Văn Ấn") == "nguyen van an"
    assert fold("ĐẶNG  thị   Đào") == "dang thi dao"
    assert fold(unicodedata.normalize("NFD", "Hồ Thị Lý")) == "ho thi ly"


@pytest.mark.parametrize(
    "typed",
    ["nguyen van an", "NGUYEN VAN AN", "Nguyễn Văn Ấn", unicodedata.normalize("NFD", "Nguyễn Văn Ấn"), "nguyen van", "an nguyen", "dang thi lan", "dang", "0987654321", "0987 654 321", "+84987654321", "xom dong"],
)
def test_finds_the_household_however_it_is_typed(desk, household, typed):
    assert household in [h["id"] for h in desk.find_households(typed)]


def test_exact_head_name_ranks_first(desk, household):
    for name in ("Nguyễn Văn Ấnh", "Nguyễn Văn Ân Khang", "Nguyễn Anh Tuấn"):
        desk.add_household(head_name=name, village="Thôn 1", consent_by=name)
    found = desk.find_households("nguyen van an")
    assert found[0]["id"] == household
    assert "Nguyễn Anh Tuấn" not in [h["head_name"] for h in found]


def test_village_filter_and_erasure(desk, household):
    assert desk.find_households("nguyen", village="Thôn 1") == []
    assert desk.find_households("nguyen", village="thon 2")[0]["id"] == household


def test_units():
    assert len(units.provinces()) == 34
    assert len(units._data()["communes"]) == 3321
    assert units.find("nguyet an")[0]["code"] == "15106"
    assert units.find("ba dinh")[0]["name"] == "Phường Ba Đình"
    assert units.commune("4")["code"] == "00004"
    assert units.find("zzzz") == []
