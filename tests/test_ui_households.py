"""The households screen and form, in the real main window (offscreen, real SQLite)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from teamdesk.demo import make_demo
from teamdesk.household_list import KEEP_PAGES, PAGE_SIZE
from teamdesk.ui.household_form import HouseholdForm

# the offscreen platform says so for every dialog shown; it is not about this code
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def shell(open_window, desk):
    window = open_window(desk.home)
    yield window
    window.shutdown()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo20k") / "home"
    make_demo(home, households=20_000, seed=2)
    return home


def _screen(shell):
    screen = shell.show_screen("households")
    return screen


def _open_form(shell, qtbot, screen, household_id=None, *, keys=False) -> HouseholdForm:
    if household_id:
        screen.edit_household(household_id)
    elif keys:
        screen.search.setFocus()
        qtbot.keyClick(screen.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    else:
        screen.add_household()
    forms = [f for f in screen.findChildren(HouseholdForm) if f.isVisible()]
    assert len(forms) == 1
    form = forms[0]
    qtbot.waitUntil(lambda: form.inputs["village"].count() > 0)
    return form


def test_adding_a_household_through_the_form(shell, qtbot, desk):
    screen = _screen(shell)
    assert screen.model.rowCount() == 0
    form = _open_form(shell, qtbot, screen, keys=True)
    assert not form.consent_given.isChecked()  # never pre-ticked
    form.inputs["head_name"].insert("Phạm Thị Hồng")  # QTest types ASCII only
    qtbot.keyClicks(form.inputs["phone"], "091234")
    assert form.errors["phone"].isVisible() and "không hợp lệ" in form.errors["phone"].text()
    qtbot.keyClicks(form.inputs["phone"], "5670")
    assert not form.errors["phone"].isVisible()
    qtbot.keyClicks(form.inputs["head_birth_year"], "1850")
    assert "Năm sinh" in form.errors["head_birth_year"].text()
    form.inputs["head_birth_year"].clear()
    qtbot.keyClicks(form.inputs["head_birth_year"], "1979")
    form.inputs["village"].setCurrentIndex(form.inputs["village"].findText("Thôn 3"))
    row = form.add_member_row()
    form.members.item(row, 0).setText("Lò Văn Páo")
    form.members.item(row, 2).setText("2004")
    form.members.cellWidget(row, 1).setCurrentIndex(form.members.cellWidget(row, 1).findData("M"))
    form.members.cellWidget(row, 3).setCurrentIndex(form.members.cellWidget(row, 3).findData("child"))
    assert not form.save_button.isEnabled()  # consent still missing
    assert "đồng ý" in form.consent_error.text()
    form.consent_given.setChecked(True)
    assert form.consent_by.text() == "Phạm Thị Hồng"
    form.scopes["contact"].setChecked(True)
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    hid = saved.args[0]
    h = desk.household(hid)
    assert (h["head_name"], h["phone"], h["village"]) == ("Phạm Thị Hồng", "0912345670", "Thôn 3")
    assert h["consent"]["by"] == "Phạm Thị Hồng" and h["consent"]["scope"] == ["help", "contact"]
    assert [(m["full_name"], m["relation"], m["birth_year"], m["sex"]) for m in h["members"]] == [
        ("Phạm Thị Hồng", "head", 1979, ""), ("Lò Văn Páo", "child", 2004, "M")]
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    qtbot.waitUntil(lambda: screen.detail.household is not None and screen.detail.household["id"] == hid)
    assert screen.detail.members.rowCount() == 2
    assert shell.ctx.setting("draft:household_form") is None


def test_editing_keeps_members_and_consent(shell, qtbot, desk, household):
    screen = _screen(shell)
    form = _open_form(shell, qtbot, screen, household)
    qtbot.waitUntil(lambda: form.inputs["head_name"].text() == "Nguyễn Văn Ấn")
    assert form.members.rowCount() == 1 and "Nguyễn Văn Ấn" in form.consent_existing.text()
    form.inputs["address"].setText("Xóm Tây")
    form.members.item(0, 2).setText("1973")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    h = desk.household(household)
    assert h["address"] == "Xóm Tây"
    assert [m["birth_year"] for m in h["members"]] == [1968, 1973]


def test_similar_household_warning_as_you_type(shell, qtbot, household):
    form = _open_form(shell, qtbot, _screen(shell))
    qtbot.keyClicks(form.inputs["head_name"], "Nguyen Van An")
    qtbot.waitUntil(lambda: form.similar_label.isVisible())
    assert "Nguyễn Văn Ấn — Thôn 2" in form.similar_label.text()
    form.inputs["head_name"].clear()
    form.inputs["head_name"].insert("Hà Văn Quý")
    qtbot.waitUntil(lambda: not form.similar_label.isVisible())
    qtbot.keyClicks(form.inputs["phone"], "0987 654 321")  # the same phone: the same family?
    qtbot.waitUntil(lambda: form.similar_label.isVisible())
    form.discard()


def test_what_was_typed_survives_closing_the_form(shell, qtbot):
    screen = _screen(shell)
    form = _open_form(shell, qtbot, screen)
    form.inputs["head_name"].insert("Đinh Thị Mơ")
    form.add_member_row({"full_name": "Đinh Văn Tý", "birth_year": 2010, "relation": "child"})
    with qtbot.waitSignal(form.draft.saved):
        form.close()
    again = _open_form(shell, qtbot, screen)
    assert again is not form
    qtbot.waitUntil(lambda: again.inputs["head_name"].text() == "Đinh Thị Mơ")
    assert again.member_rows()[0]["full_name"] == "Đinh Văn Tý"
    assert not again.consent_given.isChecked()
    assert again.notice.text() == "Đã khôi phục phần đang nhập dở lần trước."


def test_search_without_accents_narrows_the_list(shell, qtbot, desk, household):
    for name in ("Nguyễn Văn Anh", "Trần Văn An", "Lê Thị Ân"):
        desk.add_household(head_name=name, village="Thôn 1", consent_by=name)
    screen = _screen(shell)
    screen.refresh(__import__("teamdesk.changes", fromlist=["Changes"]).Changes().add("households", "*"))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4)
    qtbot.keyClicks(screen.search, "nguyen van an")
    qtbot.waitUntil(lambda: screen.model.query.text == "nguyen van an")
    names = [screen.model.pages.row(i).head_name for i in range(screen.model.rowCount())]
    assert names[0] == "Nguyễn Văn Ấn" and "Trần Văn An" not in names and "Lê Thị Ân" not in names
    assert screen.count_label.text().startswith("Tìm thấy")
    qtbot.waitUntil(lambda: screen.detail.household is not None)
    assert screen.detail.household["id"] == household  # the best match is shown at once
    screen.search.clear()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4)


def test_filters_by_village_and_by_need(shell, qtbot, desk, household):
    other = desk.add_household(head_name="Trần Thị Bình", village="Thôn 1", consent_by="Trần Thị Bình").first("households")
    desk.log_help(household=household, service="vneid_level2")
    desk.log_help(household=other, service="epayment_account", outcome="follow_up")
    screen = _screen(shell)
    screen.model.refresh()
    qtbot.waitUntil(lambda: screen.village.count() == 4)

    def shown():
        return {screen.model.pages.row(i).head_name for i in range(screen.model.rowCount())}

    screen.need.setCurrentIndex(screen.need.findData("no_vneid_level2"))
    assert shown() == {"Trần Thị Bình"}
    qtbot.waitUntil(lambda: screen.count_label.text() == "1 hộ: Chưa có VNeID mức 2")
    screen.need.setCurrentIndex(screen.need.findData("follow_up"))
    assert shown() == {"Trần Thị Bình"}
    screen.need.setCurrentIndex(screen.need.findData("no_epayment"))
    assert shown() == {"Nguyễn Văn Ấn", "Trần Thị Bình"}
    screen.village.setCurrentIndex(screen.village.findText("Thôn 2"))
    assert shown() == {"Nguyễn Văn Ấn"}
    screen.need.setCurrentIndex(0)
    assert screen.count_label.text() == "1 hộ"
    # a log made elsewhere updates the list when it is next shown
    with qtbot.waitSignal(shell.ctx.runner.changed):
        shell.ctx.runner.op(lambda d, *_: d.log_help(household=household, service="epayment_account"), label_key="undo.log_help")
    screen.need.setCurrentIndex(screen.need.findData("no_epayment"))
    assert shown() == set()


def test_enter_on_a_household_opens_the_log_panel_on_it(shell, qtbot, household):
    screen = _screen(shell)
    qtbot.keyClicks(screen.search, "0987654321")
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)  # at once, before the pause after typing
    assert shell.current_key() == "today"
    today = shell.current_screen()
    assert today.log.household["id"] == household


def test_the_lazy_list_reads_only_a_few_pages_of_20000(open_window, qtbot, demo_home):
    window = open_window(demo_home)
    try:
        screen = _screen(window)
        assert screen.model.rowCount() == 20_000
        assert screen.count_label.text() == "20.000 hộ"
        screen.view.scrollToBottom()
        QApplication.processEvents()
        last = screen.model.rowCount() - 1
        assert screen.model.data(screen.model.index(last, 0))
        for row in (10_000, 3_000, 150):
            screen.view.scrollTo(screen.model.index(row, 0))
            QApplication.processEvents()
        assert screen.model.total_fetched() <= 10 * PAGE_SIZE, screen.model.total_fetched()  # 5 places looked at
        assert len(screen.model.pages.cached_pages()) <= KEEP_PAGES
        # a need filter grows as the view scrolls instead of testing all 20,000 up front
        screen.need.setCurrentIndex(screen.need.findData("no_vneid_level2"))
        assert screen.model.rowCount() <= 2 * PAGE_SIZE
        qtbot.waitUntil(lambda: screen.count_label.text().endswith("Chưa có VNeID mức 2"))
        assert int(screen.count_label.text().split(" ")[0].replace(".", "")) > 2 * PAGE_SIZE
    finally:
        window.shutdown()


def test_english_and_large_text(shell, qtbot, household):
    screen = _screen(shell)
    screen.view.selectRow(0)
    qtbot.waitUntil(lambda: screen.detail.household is not None)
    shell.ctx.set_language("en")
    try:
        assert screen.title.text() == "Households"
        assert screen.model.headerData(0, Qt.Orientation.Horizontal) == "Head"
        assert screen.detail.log_button.text() == "Log a help for this household"
        assert screen.need.itemText(1) == "No VNeID level 2 yet"
        assert screen.count_label.text() == "1 households"
    finally:
        shell.ctx.set_language("vi")
    assert screen.title.text() == "Hộ gia đình"
    shell.ctx.set_large_text(True, persist=False)
    try:
        assert screen.view.verticalHeader().defaultSectionSize() > screen.view.fontMetrics().height()
    finally:
        shell.ctx.set_large_text(False, persist=False)


def test_editing_adds_and_removes_members(shell, qtbot, desk, household):
    screen = _screen(shell)
    form = _open_form(shell, qtbot, screen, household)
    qtbot.waitUntil(lambda: form.members.rowCount() == 1)
    form.members.setCurrentCell(0, 0)
    form.remove_member_button.click()
    row = form.add_member_row()
    form.members.item(row, 0).setText("Nguyễn Thị Na")
    form.members.item(row, 2).setText("2015")
    form.members.cellWidget(row, 3).setCurrentIndex(form.members.cellWidget(row, 3).findData("grandchild"))
    form.members.item(row, 2).setText("2099")
    assert not form.save_button.isEnabled() and "Thành viên 1" in form.members_error.text()
    form.members.item(row, 2).setText("2015")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    members = desk.household(household)["members"]
    assert [(m["full_name"], m["relation"]) for m in members] == [("Nguyễn Văn Ấn", "head"), ("Nguyễn Thị Na", "grandchild")]
    qtbot.waitUntil(lambda: screen.detail.household is not None and len(screen.detail.household["members"]) == 2)


def test_an_open_form_follows_a_language_switch(shell, qtbot):
    form = _open_form(shell, qtbot, _screen(shell))
    form.add_member_row({"full_name": "Lê Văn Tí", "sex": "M", "relation": "child"})
    form.inputs["phone"].setText("123")
    shell.ctx.set_language("en")
    try:
        assert form.windowTitle() == "Register a household"
        assert form.consent_given.text() == "The family heard the text above and agreed"
        assert form.members.cellWidget(0, 1).currentText() == "male"
        assert form.members.cellWidget(0, 3).currentText() == "child"
        assert form.errors["phone"].text().startswith('"123" is not a valid phone number')
    finally:
        shell.ctx.set_language("vi")
    assert form.members.cellWidget(0, 3).currentText() == "con"
    form.discard()


def test_another_screen_can_open_the_list_filtered(shell, qtbot, desk, household):
    desk.add_household(head_name="Trần Thị Bình", village="Thôn 1", consent_by="Trần Thị Bình")
    screen = _screen(shell)
    qtbot.waitUntil(lambda: screen.village.count() == 4)
    thon2 = desk.village("Thôn 2")["id"]
    shell.ctx.navigate("households", {"village_id": thon2, "need": "no_vneid_level2"})
    assert shell.current_key() == "households"
    assert screen.current_query().village_id == thon2 and screen.current_query().need == "no_vneid_level2"
    assert [screen.model.pages.row(i).head_name for i in range(screen.model.rowCount())] == ["Nguyễn Văn Ấn"]
    shell.ctx.navigate("households", {"household": household})
    qtbot.waitUntil(lambda: screen.detail.household is not None and screen.detail.household["id"] == household)
