"""Logging a help from the Today screen with the keyboard alone, undo, and today's tally."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from teamdesk.ui.log_panel import LogPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def shell(open_window, desk):
    window = open_window(desk.home)
    window.activateWindow()
    yield window
    window.shutdown()


def _today(shell, qtbot):
    screen = shell.show_screen("today")
    qtbot.waitUntil(lambda: screen.tally is not None and screen.progress is not None)
    return screen


def _type_and_log(qtbot, log: LogPanel, text: str, key: Qt.Key, *extra_keys) -> None:
    """Type a name, Enter, a number key, Enter: what a volunteer does."""
    log.search.setFocus()
    qtbot.keyClicks(log.search, text)
    qtbot.keyClick(log.search, Qt.Key.Key_Down)  # the arrows move through the matches
    qtbot.keyClick(log.search, Qt.Key.Key_Up)
    qtbot.keyClick(log.search, Qt.Key.Key_Return)
    assert log.household is not None
    focused = QApplication.focusWidget()
    assert focused is not log.search  # the cursor moved on to the services
    qtbot.keyClick(focused, key)
    for k, mod in extra_keys:
        qtbot.keyClick(QApplication.focusWidget(), k, mod)
    with qtbot.waitSignal(log.logged):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def _helps(desk, household):
    return desk.conn.execute(
        "SELECT service, outcome, deleted, volunteer_id, member_id, detail FROM help_events WHERE household_id = ? ORDER BY hlc",
        (household,),
    ).fetchall()


def test_keyboard_only_log_undo_and_log_again(shell, qtbot, desk, household):
    today = _today(shell, qtbot)
    log = today.log
    assert today.tally["total"] == 0 and today.tally_total.text() == "0 lượt hỗ trợ"
    _type_and_log(qtbot, log, "nguyen van an", Qt.Key.Key_3)  # 3 = VNeID level 2
    hoa = desk.volunteer("Lê Thị Hoa")["id"]
    assert _helps(desk, household) == [("vneid_level2", "done", 0, hoa, None, "")]
    assert log.notice.text() == "Đã ghi: Kích hoạt VNeID mức 2 — Nguyễn Văn Ấn."
    assert log.undo_button.isVisible() and log.undo_button.text() == "Hoàn tác (Ctrl+Z)"
    assert QApplication.focusWidget() is log.search and log.household is None  # ready for the next
    qtbot.waitUntil(lambda: today.tally["by_service"] == {"vneid_level2": 1})
    assert today.tally_total.text() == "1 lượt hỗ trợ"
    assert "Lê Thị Hoa: 1" in today.by_volunteer.text()
    assert today.progress["name"] == "Thôn 1"  # the village of the volunteer on duty
    today.village.setCurrentIndex(today.village.findText("Thôn 2"))
    qtbot.waitUntil(lambda: today.progress["name"] == "Thôn 2")
    assert (today.progress["reached"], today.progress["vneid_level2"]) == (1, 1)

    # a slip: Ctrl+Z (the main window's undo, from the search box)
    with qtbot.waitSignal(log.undone):
        qtbot.keyClick(log.search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [h[2] for h in _helps(desk, household)] == [1]
    assert log.notice.text() == "Đã hoàn tác: Kích hoạt VNeID mức 2 — Nguyễn Văn Ấn."
    qtbot.waitUntil(lambda: today.tally["total"] == 0)
    qtbot.waitUntil(lambda: today.progress["reached"] == 0)

    _type_and_log(qtbot, log, "nguyen van an", Qt.Key.Key_3)
    qtbot.waitUntil(lambda: today.tally["by_service"] == {"vneid_level2": 1})
    assert [h[2] for h in _helps(desk, household)] == [1, 0]
    qtbot.waitUntil(lambda: today.progress["vneid_level2"] == 1)


def test_member_outcome_and_detail_by_keyboard(shell, qtbot, desk, household):
    log = _today(shell, qtbot).log
    log.search.setFocus()
    qtbot.keyClicks(log.search, "dang thi lan")  # found through a member's name
    qtbot.keyClick(log.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: log.member.count() == 3)
    log.member.setFocus()
    qtbot.keyClick(log.member, Qt.Key.Key_Down)
    qtbot.keyClick(log.member, Qt.Key.Key_Down)
    assert log.member.currentText().startswith("Đặng Thị Lan")
    qtbot.keyClick(log.member, Qt.Key.Key_5)  # e-payment account, straight from the member list
    assert log.selected_service() == "epayment_account"
    qtbot.keyClick(log, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # outcome: follow-up
    assert log.selected_outcome() == "follow_up"
    log.detail.setFocus()
    qtbot.keyClicks(log.detail, "Agribank")
    with qtbot.waitSignal(log.logged):
        qtbot.keyClick(log.detail, Qt.Key.Key_Return)
    lan = desk.household(household)["members"][1]["id"]
    assert _helps(desk, household)[0][:2] == ("epayment_account", "follow_up")
    assert _helps(desk, household)[0][4:] == (lan, "Agribank")
    assert log.notice.text() == "Đã ghi: Mở tài khoản thanh toán điện tử (Cần hỗ trợ tiếp) — Đặng Thị Lan."
    assert log.selected_outcome() == "done" and log.selected_service() is None


def test_saving_without_a_household_or_service_says_what_is_missing(shell, qtbot, household):
    log = _today(shell, qtbot).log
    log.save()
    assert log.notice.text() == "Hãy chọn hộ trước: gõ tên rồi bấm Enter."
    log.search.setFocus()
    qtbot.keyClicks(log.search, "0987654321")
    qtbot.keyClick(log.search, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert log.notice.text() == "Hãy chọn loại hỗ trợ: bấm phím số 1–9."
    log.search.setFocus()
    qtbot.keyClicks(log.search, "abc")
    qtbot.keyClick(log.search, Qt.Key.Key_Escape)
    assert log.search.text() == "" and log.household is not None
    qtbot.keyClick(log.search, Qt.Key.Key_Escape)
    assert log.household is None and log.chosen.text() == "Chưa chọn hộ nào."


def test_no_volunteer_on_duty_is_asked_once(shell, qtbot, desk, household, monkeypatch):
    desk.add_volunteer("Hà Văn Tú")
    desk.set_setting("volunteer_on_duty", None)
    tu = desk.volunteer("Hà Văn Tú")["id"]
    asked = []
    monkeypatch.setattr(LogPanel, "ask_volunteer", lambda self: asked.append(1) or tu)
    log = _today(shell, qtbot).log
    log.choose(household)
    log.pick_service("vneid_install")
    with qtbot.waitSignal(log.logged):
        log.save()
    log.choose(household)
    log.pick_service("vneid_level1")
    with qtbot.waitSignal(log.logged):
        log.save()
    assert asked == [1]
    assert {h[3] for h in _helps(desk, household)} == {tu}
    qtbot.waitUntil(lambda: log.on_duty_label.text() == "Tổ viên đang trực: Hà Văn Tú")


def test_households_screen_hands_a_household_to_the_log_panel(shell, qtbot, household):
    today = _today(shell, qtbot)
    shell.ctx.navigate("today", {"household": household})
    qtbot.waitUntil(lambda: today.log.household is not None)
    assert today.log.chosen.text() == "Hộ: Nguyễn Văn Ấn — Thôn 2"


def test_progress_against_the_village_targets_and_english(shell, qtbot, desk, household):
    today = _today(shell, qtbot)
    with qtbot.waitSignal(shell.ctx.runner.changed):
        shell.ctx.runner.op(lambda d, *_: d.add_village("Thôn 7", population=400, household_count=100),
                            label_key="undo.add_village")
    qtbot.waitUntil(lambda: today.village.findText("Thôn 7") >= 0)
    today.village.setCurrentIndex(today.village.findText("Thôn 2"))
    qtbot.waitUntil(lambda: today.progress["name"] == "Thôn 2")
    assert today.reached_label.text() == "Hộ đã được hỗ trợ: 0 hộ — số hộ của thôn: chưa nhập"
    today.village.setCurrentIndex(today.village.findText("Thôn 7"))
    qtbot.waitUntil(lambda: today.progress["name"] == "Thôn 7")
    assert today.reached_label.text() == "Hộ đã được hỗ trợ: 0 / 100 hộ (0%)"
    assert today.level2_label.text() == "VNeID mức 2: 0 / 400 người (0%)"
    shell.ctx.set_language("en")
    try:
        assert today.level2_label.text() == "VNeID level 2: 0 / 400 people (0%)"
        assert today.log.save_button.text() == "Save (Enter)"
        assert today.log.service_buttons["vneid_level2"].caption.text() == "3  Activate VNeID level 2"
    finally:
        shell.ctx.set_language("vi")
    assert today.log.service_buttons["vneid_level2"].caption.text() == "3  Kích hoạt VNeID mức 2"


def test_a_help_given_earlier_is_logged_on_its_day(shell, qtbot, desk, household):
    from datetime import timedelta

    log = _today(shell, qtbot).log
    earlier = (desk.today() - timedelta(days=2)).strftime("%d/%m/%Y")
    log.choose(household)
    log.pick_service("online_service")
    log.date.setText(earlier)
    with qtbot.waitSignal(log.logged):
        qtbot.keyClick(log.date, Qt.Key.Key_Return)
    stored = desk.conn.execute("SELECT date FROM help_events WHERE household_id = ?", (household,)).fetchone()[0]
    assert stored == (desk.today() - timedelta(days=2)).isoformat()
    assert log.notice.text() == f"Đã ghi ngày {earlier}: Dịch vụ công trực tuyến — Nguyễn Văn Ấn."
    log.choose(household)
    log.pick_service("online_service")
    log.date.setText("31/12/2099")
    log.save()
    qtbot.waitUntil(lambda: "tương lai" in log.notice.text())
    assert QApplication.focusWidget() is log.date


@pytest.mark.parametrize("large", [False, True])
def test_the_log_panel_fits_1366x768_without_cutting_labels(shell, qtbot, large):
    shell.ctx.set_large_text(large, persist=False)
    try:
        today = _today(shell, qtbot)
        shell.resize(1366, 768)
        for _ in range(3):  # buttons grow to their wrapped labels, then the layout settles
            QApplication.processEvents()
        assert today.log_scroll.verticalScrollBar().maximum() == 0  # no scrolling needed
        for button in today.log.service_buttons.values():
            caption = button.caption
            assert caption.height() >= caption.heightForWidth(caption.width()), caption.text()
        assert today.log.save_button.isVisible() and today.log.undo_button.parent() is today.log
    finally:
        shell.ctx.set_large_text(False, persist=False)
