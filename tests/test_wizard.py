"""The first-run wizard: the Qt-free flow, and the view drawing it (offscreen, real SQLite)."""

from __future__ import annotations

import pytest

# The offscreen platform warns when a shown window's size constraints change; harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

from teamdesk import i18n
from teamdesk.desk import Desk
from teamdesk.errors import InputRejected
from teamdesk.wizard import SetupWizard


def test_new_volunteer_path_creates_a_working_installation(home):
    w = SetupWizard(home=home)
    assert w.next() == "start"
    assert w.next() == "role"
    w.role = "volunteer"
    assert w.next() == "commune"
    with pytest.raises(InputRejected) as err:
        w.next()
    assert "xã/phường" in err.value.message()
    found = w.find_communes("nguyet an")  # no accents typed
    assert found[0]["name"] == "Xã Nguyệt Ấn"
    w.commune_code = found[0]["code"]
    assert w.next() == "villages"
    with pytest.raises(InputRejected):
        w.next()
    w.add_village("Thôn Đông")
    with pytest.raises(InputRejected):
        w.add_village("thon dong")  # the same village, typed without accents
    assert w.next() == "people"
    assert w.device_name == "Máy nhà văn hóa Thôn Đông"
    with pytest.raises(InputRejected) as err:
        w.next()
    assert "Họ tên của bạn" in err.value.message()
    w.person_name = "Phạm Thị Thu"
    assert w.next() == "finish"
    info = w.finish()
    assert info["role"] == "volunteer" and info["commune"] == "Xã Nguyệt Ấn"
    with Desk.open(home) as desk:
        assert [v["name"] for v in desk.villages()] == ["Thôn Đông"]
        assert desk.on_duty()["name"] == "Phạm Thị Thu"
        assert desk.setting("lang") == "vi"
        hid = desk.add_household(head_name="Lò Văn Páo", village="Thôn Đông", consent_by="Lò Văn Páo").first("households")
        desk.log_help(household=hid, service="vneid_level2")  # logging works straight away
        assert desk.today_tally()


def test_back_keeps_what_was_chosen(home):
    w = SetupWizard(home=home)
    w.next(), w.next()
    w.role = "coordinator"
    w.next()
    assert w.back() == "role"
    assert w.role == "coordinator"
    assert w.back() == "start" and w.back() == "language" and w.back() == "language"


def test_demo_path_is_three_steps(home):
    w = SetupWizard(home=home)
    w.next()
    w.mode = "demo"
    w.demo_households = 20
    assert w.next() == "finish"
    seen = []
    info = w.finish(progress=lambda d, t: seen.append((d, t)))
    assert info["role"] == "coordinator"
    assert seen[-1] == (20, 20)


def test_join_is_offered_only_when_the_ui_hands_in_the_sync_feature(home):
    assert "join" not in SetupWizard(home=home).modes()
    assert "join" in SetupWizard(home=home, joiner=lambda *a, **k: None, peek=lambda p: {}).modes()


def test_join_a_team_from_an_enrolment_file(desk, tmp_path):
    enrolment = pytest.importorskip("teamdesk.sync.enrolment")
    from teamdesk.ui.wizard_view import sync_hooks  # the UI's bridge to the sync feature

    card = tmp_path / "to-thon-2.tdenrol"
    enrolment.export_enrolment(desk, out=card)
    joiner, peek = sync_hooks()
    laptop = tmp_path / "village-laptop"
    w = SetupWizard(home=laptop, joiner=joiner, peek=peek)
    w.next()
    w.mode = "join"
    assert w.next() == "join"
    with pytest.raises(InputRejected):
        w.next()  # no file yet
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8 not an enrolment")
    with pytest.raises(InputRejected):
        w.choose_enrolment(bad)
    found = w.choose_enrolment(card)
    assert found["villages"] == ["Thôn 1", "Thôn 2", "Thôn 3"]
    w.person_name = "Hà Văn Tùng"
    with pytest.raises(InputRejected) as err:
        w.next()  # three villages: which one is theirs?
    assert "thôn" in err.value.message()
    w.join_village = "Thôn 2"
    assert w.next() == "finish"
    assert w.summary()["commune"].startswith("Xã Nguyệt Ấn")
    info = w.finish()
    assert info["role"] == "volunteer" and info["commune_code"] == "15106"
    with Desk.open(laptop) as joined:
        assert joined.on_duty()["name"] == "Hà Văn Tùng"
        assert [v["name"] for v in joined.villages()] == ["Thôn 1", "Thôn 2", "Thôn 3"]


def test_english_wizard_messages(home):
    w = SetupWizard(home=home)
    w.set_language("en")
    w.next(), w.next(), w.next()
    with pytest.raises(InputRejected) as err:
        w.next()
    assert err.value.message().startswith("Type the commune")
    i18n.set_language("vi")


# --- the view ---------------------------------------------------------------------------------
def test_wizard_view_on_a_fresh_home_with_the_keyboard(qtbot, home):
    from PySide6.QtCore import Qt

    from teamdesk.ui.wizard_view import WizardWindow

    view = WizardWindow(home)
    qtbot.addWidget(view)
    view.show()
    assert view.title.text() == "Chào mừng đến với TeamDesk"
    view.go_next()
    view.mode_buttons["new"][0].click()
    view.go_next()
    view.role_buttons["coordinator"][0].click()
    view.go_next()
    assert view.wizard.step == "commune"
    view.go_next()
    assert "xã/phường" in view.error.text()  # said in words, in Vietnamese
    qtbot.keyClicks(view.commune_edit, "nguyet anxx")
    assert view.commune_list.count() == 0 and "nguyet anxx" in view.error.text()
    view.commune_edit.clear()
    qtbot.keyClicks(view.commune_edit, "nguyet an")
    assert view.commune_list.count() >= 1 and view.error.text() == ""
    qtbot.keyClick(view.commune_edit, Qt.Key.Key_Return)
    assert "Nguyệt Ấn" in view.commune_chosen_label.text()
    view.go_next()
    for name in ("Thôn 1", "Thôn 2"):
        view.village_edit.insert(name)  # QTest types ASCII only
        qtbot.keyClick(view.village_edit, Qt.Key.Key_Return)
    assert view.village_list.count() == 2
    view.go_next()
    assert view.device_edit.text() == "Máy UBND xã"
    view.person_edit.insert("Lê Thị Hoa")
    view.go_next()
    assert "Xã Nguyệt Ấn" in view.summary.text()
    with qtbot.waitSignal(view.finished_setup, timeout=20000):
        view.go_next()
    assert view.created
    with Desk.open(home) as desk:
        assert desk.role == "coordinator"
        assert [v["name"] for v in desk.villages()] == ["Thôn 1", "Thôn 2"]
        assert desk.on_duty()["name"] == "Lê Thị Hoa"


def test_wizard_view_switches_language_live(qtbot, home):
    from teamdesk.ui.wizard_view import WizardWindow

    view = WizardWindow(home)
    qtbot.addWidget(view)
    view.lang_buttons["en"].click()
    assert view.title.text() == "Welcome to TeamDesk"
    assert view.next_button.text() == "Next →"
    view.lang_buttons["vi"].click()
    assert view.next_button.text() == "Tiếp tục →"


def test_wizard_view_join_path(qtbot, desk, tmp_path, monkeypatch):
    enrolment = pytest.importorskip("teamdesk.sync.enrolment")
    from teamdesk.ui.wizard_view import WizardWindow

    card = tmp_path / "moi.tdenrol"
    enrolment.export_enrolment(desk, out=card)
    laptop = tmp_path / "laptop"
    view = WizardWindow(laptop)
    qtbot.addWidget(view)
    view.show()
    view.go_next()
    assert view.mode_buttons["join"][0].isVisibleTo(view)
    view.mode_buttons["join"][0].click()
    view.go_next()
    monkeypatch.setattr(WizardWindow, "ask_enrolment_file", staticmethod(lambda parent: str(card)))
    view.join_file_button.click()
    assert "Xã Nguyệt Ấn" in view.join_found.text()
    assert view.join_village_combo.count() == 4  # "(chọn thôn)" and three villages
    view.join_person_edit.insert("Hà Văn Tùng")
    view.go_next()
    assert "thôn" in view.error.text()
    view.join_village_combo.setCurrentIndex(view.join_village_combo.findData("Thôn 3"))
    view.go_next()
    assert "Thôn 3" in view.summary.text()
    with qtbot.waitSignal(view.finished_setup, timeout=20000):
        view.go_next()
    with Desk.open(laptop) as joined:
        assert joined.role == "volunteer"


def test_the_whole_wizard_with_the_keyboard_alone(qtbot, home):
    """Enter moves on; Enter in the commune box picks, again moves on; in the village box adds."""
    from PySide6.QtCore import Qt

    from teamdesk.ui.wizard_view import WizardWindow

    view = WizardWindow(home)
    qtbot.addWidget(view)
    view.show()
    qtbot.keyClick(view, Qt.Key.Key_Return)  # language: Tiếng Việt
    qtbot.keyClick(view, Qt.Key.Key_Return)  # start fresh
    qtbot.keyClick(view, Qt.Key.Key_Return)  # volunteer
    assert view.wizard.step == "commune"
    qtbot.keyClicks(view.commune_edit, "nguyet an")
    qtbot.keyClick(view.commune_edit, Qt.Key.Key_Return)
    assert view.wizard.step == "commune" and view.wizard.commune_code == "15106"
    qtbot.keyClick(view.commune_edit, Qt.Key.Key_Return)
    assert view.wizard.step == "villages"
    for name in ("Thon 1", "Thon 2"):
        qtbot.keyClicks(view.village_edit, name)
        qtbot.keyClick(view.village_edit, Qt.Key.Key_Return)
    assert view.wizard.villages == ["Thon 1", "Thon 2"] and view.wizard.step == "villages"
    qtbot.keyClick(view.village_edit, Qt.Key.Key_Return)
    assert view.wizard.step == "people"
    qtbot.keyClicks(view.person_edit, "Le Thi Hoa")
    qtbot.keyClick(view.person_edit, Qt.Key.Key_Return)
    assert view.wizard.step == "finish"
    with qtbot.waitSignal(view.finished_setup, timeout=20000):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    with Desk.open(home) as desk:
        assert desk.on_duty()["name"] == "Le Thi Hoa"
