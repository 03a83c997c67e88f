"""The Today screen's commune total: households reached and VNeID level 2 across every village."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication

from teamdesk.today import commune_progress, village_progress

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SHOTS = os.environ.get("TEAMDESK_SHOTS")


def test_commune_progress_sums_every_village(desk, household):
    before = commune_progress(desk.conn)
    assert (before["villages"], before["households"], before["reached"], before["vneid_level2"]) == (3, 1, 0, 0)
    assert before["household_target"] is None and before["population_target"] is None  # none entered
    other = desk.add_household(head_name="Lò Văn Sáng", village="Thôn 1", consent_by="Lò Văn Sáng").first("households")
    member = desk.household(household)["members"][1]["id"]
    desk.log_help(household=household, service="vneid_level2", member=member)
    desk.log_help(household=household, service="vneid_level2")  # the household, no member picked
    desk.log_help(household=other, service="vneid_level2", outcome="follow_up")  # not done: not counted
    after = commune_progress(desk.conn)
    assert (after["households"], after["reached"], after["vneid_level2"]) == (2, 2, 2)
    villages = [village_progress(desk.conn, v["id"]) for v in desk.villages()]
    for field in ("households", "reached", "vneid_level2"):
        assert after[field] == sum(v[field] for v in villages)
    # a target only once every village has its figure (a partial sum would overstate the share)
    from teamdesk import targets

    targets.set_population(desk, village="Thôn 1", population=100, households=30)
    targets.set_population(desk, village="Thôn 2", population=50, households=20)
    assert commune_progress(desk.conn)["household_target"] is None
    targets.set_population(desk, village="Thôn 3", population=70, households=25)
    full = commune_progress(desk.conn)
    assert (full["household_target"], full["population_target"]) == (75, 220)
    desk.erase_household(other)
    assert commune_progress(desk.conn)["households"] == 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_today_shows_the_commune_next_to_the_village(open_window, qtbot, desk, household, lang):
    from teamdesk import targets

    for village, people, homes in (("Thôn 1", 400, 100), ("Thôn 2", 300, 80), ("Thôn 3", 300, 70)):
        targets.set_population(desk, village=village, population=people, households=homes)
    desk.log_help(household=household, service="vneid_level2")
    window = open_window(desk.home, lang=lang)
    try:
        today = window.show_screen("today")
        qtbot.waitUntil(lambda: today.commune is not None and today.progress is not None)
        assert (today.commune["reached"], today.commune["household_target"]) == (1, 250)
        if lang == "vi":
            assert today.commune_title.text() == "Toàn xã — Xã Nguyệt Ấn"
            assert today.commune_reached_label.text() == "Hộ đã được hỗ trợ: 1 / 250 hộ (0%)"
            assert today.commune_level2_label.text() == "VNeID mức 2: 1 / 1.000 người (0%)"
        else:
            assert today.commune_title.text() == "Whole commune — Xã Nguyệt Ấn"
            assert today.commune_level2_label.text().startswith("VNeID level 2: 1 / 1,000")
        # a help logged anywhere in the commune moves the total
        other = desk.add_household(head_name="Lò Văn Sáng", village="Thôn 3", consent_by="Lò Văn Sáng").first("households")
        with qtbot.waitSignal(today.commune_shown, timeout=10000):
            window.ctx.runner.op(lambda d, _p, _c: d.log_help(household=other, service="vneid_install"), label_key="undo.log_help")
        qtbot.waitUntil(lambda: today.commune["reached"] == 2)
        for large in (False, True):
            window.ctx.set_large_text(large, persist=False)
            QApplication.processEvents()
            for label in (today.commune_title, today.commune_reached_label, today.commune_level2_label):
                assert label.isVisible() and label.height() >= label.heightForWidth(label.width())
            if SHOTS:
                window.grab().save(os.path.join(SHOTS, f"today-{lang}-{'large' if large else 'normal'}.png"))
    finally:
        window.ctx.set_large_text(False, persist=False)
        window.shutdown()


def test_a_village_laptop_shows_no_commune_total(open_window, qtbot, tmp_path):
    from teamdesk.desk import Desk

    laptop = Desk.create(tmp_path / "thon1", role="volunteer", name="Máy Thôn 1", commune_code="15106", villages=["Thôn 1"])
    laptop.close()
    window = open_window(tmp_path / "thon1")
    try:
        today = window.show_screen("today")
        qtbot.waitUntil(lambda: today.tally is not None)
        assert not today.with_commune and not today.commune_title.isVisible() and today.commune is None
    finally:
        window.shutdown()
