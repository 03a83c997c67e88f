"""The desktop shell: runner, context, screen registry, main window (offscreen, real SQLite)."""

from __future__ import annotations

import pytest

# The offscreen platform warns when a shown window's size constraints change; harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

from teamdesk.changes import Changes
from teamdesk.i18n import tr
from teamdesk.ui import screens as registry


def run(qtbot, job):
    """Wait for one job of the runner (other screens may have queued theirs)."""
    qtbot.waitUntil(lambda: job.done)
    return job


@pytest.fixture
def shell(open_window, desk):
    """The main window over the ``desk`` fixture's home (its own worker opens the Desk)."""
    window = open_window(desk.home)
    yield window
    window.shutdown()


def test_runner_op_emits_changed_with_the_verbs_changes(shell, qtbot):
    runner = shell.ctx.runner
    with qtbot.waitSignal(runner.changed, check_params_cb=lambda c: c.touches("villages")) as seen:
        runner.op(lambda d, *_: d.add_village("Thôn 9"), label_key="undo.add_village")
    assert isinstance(seen.args[0], Changes)
    assert seen.args[0].touches("villages")
    names = [r[0] for r in shell.ctx.reader().execute("SELECT name FROM villages")]
    assert "Thôn 9" in names  # the GUI's read connection sees the worker's commit


def test_runner_error_goes_to_on_error_and_nothing_is_announced(shell, qtbot):
    runner = shell.ctx.runner
    errors, changed = [], []
    runner.changed.connect(changed.append)
    run(qtbot, runner.op(lambda d, *_: d.add_village("Thôn 1"), label_key="undo.add_village", on_error=errors.append))
    assert errors and errors[0].key == "error.village_exists"
    assert "Thôn 1" in errors[0].message()
    assert changed == []


def test_runner_without_on_error_shows_a_vietnamese_message(shell, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(type(shell.ctx.runner), "show_error", staticmethod(lambda parent, title, text: shown.append((title, text))))
    run(qtbot, shell.ctx.runner.op(lambda d, *_: d.undo(), label_key="menu.undo"))
    assert shown == [("Hoàn tác", "Không có thao tác nào để hoàn tác.")]


def test_progress_and_cancel_reach_the_core_function(shell, qtbot):
    runner = shell.ctx.runner
    seen = []

    def long_work(desk, progress, cancelled):
        for i in range(5):
            progress(i + 1, 5)
            if i == 2:
                job.cancel.set()  # as the Cancel button does
            if cancelled():
                return "stopped"
        return "done"

    job = runner.op(long_work, label_key="backup.running", progress=True, on_done=seen.append, quiet=True)
    run(qtbot, job)
    assert seen == ["stopped"]


def test_missing_screen_modules_have_no_nav_entry(desk):
    fake = [
        registry.ScreenEntry("nowhere", "nav.today", "teamdesk.ui.no_such_module", "Nope"),
        registry.ScreenEntry("settings", "nav.settings", "teamdesk.ui.settings_screen", "SettingsScreen"),
        registry.ScreenEntry("coord", "nav.dashboard", "teamdesk.ui.settings_screen", "SettingsScreen", roles=("coordinator",)),
    ]
    assert [e.key for e in registry.available("volunteer", fake)] == ["settings"]
    assert [e.key for e in registry.available("coordinator", fake)] == ["settings", "coord"]


def test_main_window_shows_every_registered_screen_that_exists(shell):
    expected = [e.key for e in registry.SCREENS if e.exists() and shell.ctx.role in e.roles]
    assert shell.keys() == expected
    assert "settings" in expected
    for i, key in enumerate(expected):
        screen = shell.show_screen(key)
        assert shell.stack.currentWidget() is screen
        assert shell.nav.item(i).text() == tr(registry.entry(key).title_key)
        assert screen.__class__.__name__ == registry.entry(key).class_name  # not the "broken" label


def test_ctrl_number_switches_screens(shell, qtbot):
    from PySide6.QtCore import Qt

    last = len(shell.keys())
    qtbot.keyClick(shell, Qt.Key.Key_0 + min(last, 9), Qt.KeyboardModifier.ControlModifier)
    assert shell.current_key() == shell.keys()[min(last, 9) - 1]


def test_language_switch_relabels_the_shell_and_screens(shell, qtbot):
    settings = shell.show_screen("settings")
    assert shell.menu_file.title() == "Tệp"
    assert settings.title.text() == "Cài đặt"
    shell.ctx.set_language("en")
    assert shell.menu_file.title() == "File"
    assert settings.title.text() == "Settings"
    assert settings.backup_button.text() == "Back up now"
    assert shell.nav.item(shell.keys().index("settings")).text() == "Settings"
    assert shell.duty_label.text() == "Volunteer on duty:"
    qtbot.waitUntil(lambda: shell.ctx.setting("lang") == "en")
    shell.ctx.set_language("vi")
    assert settings.backup_button.text() == "Sao lưu ngay"


def test_large_text_makes_the_base_font_bigger_and_is_saved(shell, qtbot):
    from PySide6.QtWidgets import QApplication

    settings = shell.show_screen("settings")
    before = QApplication.font().pointSizeF()
    settings.large_check.setChecked(True)
    assert QApplication.font().pointSizeF() > before
    assert shell.act_large.isChecked()
    qtbot.waitUntil(lambda: shell.ctx.setting("large_text") == "1")
    shell.act_large.setChecked(False)
    assert QApplication.font().pointSizeF() == before


def test_switching_volunteer_is_one_click_and_logs_record_who(shell, qtbot, household):
    runner = shell.ctx.runner
    run(qtbot, runner.op(lambda d, *_: d.add_volunteer("Trần Văn Bình", village="Thôn 2"), label_key="undo.add_volunteer"))
    combo = shell.duty_combo
    assert combo.currentText() == "Lê Thị Hoa"
    index = combo.findText("Trần Văn Bình")
    assert index >= 0
    with qtbot.waitSignal(runner.changed):
        combo.activated.emit(index)  # what a click on the name does
    assert shell.ctx.on_duty()["name"] == "Trần Văn Bình"
    job = runner.op(lambda d, *_: d.log_help(household=household, service="vneid_level2"), label_key="undo.log_help")
    qtbot.waitUntil(lambda: job.done)
    assert job.error is None, job.error
    help_id = job.result.first("help_events")
    who = shell.ctx.reader().execute(
        "SELECT v.name FROM help_events h JOIN volunteers v ON v.id = h.volunteer_id WHERE h.id = ?", (help_id,)
    ).fetchone()[0]
    assert who == "Trần Văn Bình"


def test_ctrl_z_undoes_the_last_write_through_the_runner(shell, qtbot, household):
    from PySide6.QtCore import Qt

    runner = shell.ctx.runner
    run(qtbot, runner.op(lambda d, *_: d.log_help(household=household, service="vneid_install"), label_key="undo.log_help"))
    count = lambda: shell.ctx.reader().execute("SELECT COUNT(*) FROM help_events WHERE deleted = 0").fetchone()[0]
    assert count() == 1
    with qtbot.waitSignal(runner.changed):
        qtbot.keyClick(shell, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert count() == 0
    assert "Ghi nhận hỗ trợ" in shell.statusBar().currentMessage()


def test_clock_banner_shows_when_the_clock_is_behind(qtbot, desk):
    from teamdesk.ui.app import open_shell

    desk.clock.last_ms += 3 * 24 * 3600 * 1000  # a version from three days ahead was seen
    desk.add_village("Thôn 8")
    window = open_shell(desk.home)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15000)
    assert "Đồng hồ" in window.banner.text()
    window.ctx.set_language("en")
    assert window.banner.text().startswith("This computer's clock looks wrong")
    window.shutdown()


def test_drafts_are_kept_and_cleared(shell, qtbot):
    keeper = shell.ctx.draft("household_form")
    assert keeper.load() is None
    keeper.changed({"head_name": "Nguyễn Thị Mai", "phone": "09"})
    with qtbot.waitSignal(keeper.saved):
        pass
    assert keeper.load() == {"head_name": "Nguyễn Thị Mai", "phone": "09"}
    keeper.changed({"head_name": "Nguyễn Thị Mai Anh"})
    shell.ctx.flush_drafts()  # what closing the window does
    qtbot.waitUntil(lambda: keeper.load() == {"head_name": "Nguyễn Thị Mai Anh"})
    keeper.clear()
    qtbot.waitUntil(lambda: keeper.load() is None)


def test_none_survives_a_long_day_of_widget_calls(qtbot):
    """PySide6 6.12.0 drops a reference to None on every void call and aborts CPython 3.11 within
    minutes ("none_dealloc"): pyproject.toml keeps it out; this fails if such a release slips in."""
    import sys

    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    qtbot.addWidget(edit)
    before = sys.getrefcount(None)
    for _ in range(2000):
        edit.setText("Nguyễn")
    assert sys.getrefcount(None) >= before - 50


def test_a_new_volunteer_from_the_duty_list_is_on_duty_at_once(shell, qtbot, monkeypatch):
    from teamdesk.ui.duty_switcher import ADD_VOLUNTEER, DutySwitcher

    monkeypatch.setattr(DutySwitcher, "ask_volunteer_name", staticmethod(lambda parent: "Đinh Thị Nga"))
    combo = shell.duty_combo
    with qtbot.waitSignal(shell.ctx.runner.changed, check_params_cb=lambda c: c.touches("volunteers")):
        combo.activated.emit(combo.findData(ADD_VOLUNTEER))
    assert shell.ctx.on_duty()["name"] == "Đinh Thị Nga"
    assert combo.currentText() == "Đinh Thị Nga"


def test_ctrl_z_in_an_empty_text_box_still_undoes_the_last_action(shell, qtbot, household):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    settings = shell.show_screen("settings")
    edit: QLineEdit = settings.url_edits["hub_url"]
    edit.setFocus()
    job = shell.ctx.runner.op(lambda d, *_: d.log_help(household=household, service="ecommerce"), label_key="undo.log_help")
    run(qtbot, job)
    with qtbot.waitSignal(shell.ctx.runner.changed):
        qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shell.ctx.reader().execute("SELECT COUNT(*) FROM help_events WHERE deleted = 0").fetchone()[0] == 0
    qtbot.keyClicks(edit, "http://hub")
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # typing to undo: the box's own
    assert edit.text() == ""


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_f1_explains_the_focused_control(shell, qtbot):
    from PySide6.QtWidgets import QToolTip

    settings = shell.show_screen("settings")
    settings.large_check.setFocus()
    qtbot.waitUntil(settings.large_check.hasFocus)
    shell.act_help.trigger()
    assert QToolTip.text() == "Phóng to chữ trên mọi màn hình."


def test_ctrl_f_goes_to_the_households_search(shell, qtbot):
    shell.show_screen("settings")
    shell.act_find.trigger()
    if "households" in shell.keys():
        assert shell.current_key() == "households"


def test_settings_save_the_hub_and_portal_addresses(shell, qtbot):
    settings = shell.show_screen("settings")
    settings.url_edits["hub_url"].setText("https://hub.thanhhoa.example")
    settings.url_edits["hub_url"].editingFinished.emit()
    qtbot.waitUntil(lambda: shell.ctx.setting("hub_url") == "https://hub.thanhhoa.example")
    settings.url_edits["province_portal_url"].setText("https://dichvucong.thanhhoa.gov.vn")
    settings.url_edits["province_portal_url"].editingFinished.emit()
    qtbot.waitUntil(lambda: shell.ctx.setting("province_portal_url") == "https://dichvucong.thanhhoa.gov.vn")


def test_saved_language_and_large_text_come_back_next_time(qtbot, desk):
    from PySide6.QtWidgets import QApplication

    from teamdesk.ui import theme
    from teamdesk.ui.app import open_shell

    desk.set_setting("lang", "en")
    desk.set_setting("large_text", "1")
    window = open_shell(desk.home)
    qtbot.addWidget(window)
    try:
        assert window.menu_file.title() == "File"
        assert QApplication.font().pointSizeF() == theme.LARGE_PT
    finally:
        window.shutdown()
        theme.apply(QApplication.instance(), large=False)


def test_run_app_on_a_fresh_home_meets_the_wizard_then_the_window(qtbot, home):
    """The newcomer's first command: the wizard (demo data), then the main window."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from teamdesk.ui.app import run_app
    from teamdesk.ui.wizard_view import WizardWindow

    seen = {}

    def drive_wizard() -> None:
        wizards = [w for w in QApplication.topLevelWidgets() if isinstance(w, WizardWindow) and w.isVisible()]
        if not wizards:
            QTimer.singleShot(10, drive_wizard)
            return
        view = wizards[0]
        seen["wizard_title"] = view.title.text()
        view.go_next()
        view.mode_buttons["demo"][0].click()
        view.wizard.demo_households = 25
        view.go_next()
        view.go_next()  # "Bắt đầu sử dụng"

    def ready(window) -> None:
        seen["keys"] = window.keys()
        seen["title"] = window.windowTitle()
        window.close()

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.instance().quit)  # never hang the suite
    guard.start(60000)
    QTimer.singleShot(0, drive_wizard)
    assert run_app(home=home, ready=ready) == 0
    guard.stop()
    assert seen["wizard_title"] == "Chào mừng đến với TeamDesk"
    assert "settings" in seen["keys"]
    assert "Xã" in seen["title"]


def test_settings_refuse_an_address_that_is_not_one(shell, qtbot):
    settings = shell.show_screen("settings")
    settings.url_edits["hub_url"].setText("hub.thanhhoa")
    settings.url_edits["hub_url"].editingFinished.emit()
    assert "https://" in settings.net_hint.text()
    assert shell.ctx.setting("hub_url") is None


def test_a_database_from_a_newer_teamdesk_is_refused_in_words(qtbot, desk, monkeypatch):
    from teamdesk.ui.app import open_shell
    from teamdesk.ui.runner import Runner

    desk.conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('teamdesk', 'm999_future', 'x')")
    shown = []
    monkeypatch.setattr(Runner, "show_error", staticmethod(lambda parent, title, text: shown.append(text)))
    window = open_shell(desk.home)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    assert "phiên bản TeamDesk mới hơn" in shown[0]
    assert not window.banner.isHidden() and not window.nav.isEnabled()
    assert len(shown) == 1  # the first screen's failed queries do not pile up more boxes
    window.shutdown()


def answer_next_box(said: list, press) -> None:
    """Answer the next modal message box (run_app's own event loop shows it): note its text, press."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        said.append(box.text())
        press(box)

    QTimer.singleShot(0, answer)


def test_a_damaged_database_offers_a_restore_not_the_wizard(qtbot, home):
    from teamdesk.desk import Desk
    from teamdesk.ui.app import run_app

    home.mkdir(parents=True)
    Desk.db_path(home).write_bytes(b"\1" * 50000)
    said = []
    answer_next_box(said, lambda box: next(b for b in box.buttons() if b.text() == "Thoát").click())
    assert run_app(home=home) == 1
    assert "bị hỏng" in said[0]
    assert Desk.db_path(home).read_bytes() == b"\1" * 50000  # untouched


def test_qt_own_words_follow_the_language(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

    from teamdesk import i18n
    from teamdesk.ui.app import ensure_app

    ensure_app()  # installs the translator for Qt's own words
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = [a.text() for a in edit.createStandardContextMenu().actions() if a.text()]
    assert "&Dán\tCtrl+V" in menu  # paste, with its shortcut intact
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == ["Hủy", "Đồng ý"]
    i18n.set_language("en")
    menu = [a.text() for a in edit.createStandardContextMenu().actions() if a.text()]
    assert "&Paste\tCtrl+V" in menu


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_long_work_shows_a_progress_bar_whose_cancel_button_stops_it(shell, qtbot):
    from PySide6.QtWidgets import QPushButton

    def long_work(desk, progress, cancelled):
        done = 0
        while not cancelled() and done < 10_000_000:
            done += 1
            if done % 1000 == 0:
                progress(done % 100, 100)
        return "cancelled" if cancelled() else "finished"

    job = shell.ctx.runner.op(long_work, label_key="backup.running", progress=True, quiet=True)
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=5000)
    assert job.dialog.labelText() == "Đang sao lưu dữ liệu…"
    cancel = [b for b in job.dialog.findChildren(QPushButton) if b.text() == "Hủy"]
    cancel[0].click()
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    assert job.result == "cancelled"
    assert job.dialog is None  # closed and gone


def test_a_second_app_on_the_same_home_says_so_and_leaves(qtbot, desk):
    from teamdesk.ui.app import hold_home, run_app

    first = hold_home(desk.home)
    assert first is not None
    said = []
    answer_next_box(said, lambda box: box.accept())
    try:
        assert run_app(home=desk.home) == 0
    finally:
        first.unlock()
    assert "đang mở" in said[0]
    again = hold_home(desk.home)
    assert again is not None
    again.unlock()


def test_closing_finishes_every_queued_write(qtbot, desk, household):
    """Nothing logged is lost when the window closes with writes still queued on the worker."""
    import sqlite3

    from teamdesk.ui.app import open_shell

    window = open_shell(desk.home)
    qtbot.addWidget(window)
    for _ in range(60):
        window.ctx.runner.op(lambda d, *_: d.log_help(household=household, service="online_safety"), label_key="undo.log_help")
    window.close()  # shutdown: drafts flushed, queue drained, database closed
    conn = sqlite3.connect(desk.db_path(desk.home))
    assert conn.execute("SELECT COUNT(*) FROM help_events WHERE service = 'online_safety' AND deleted = 0").fetchone()[0] == 60
    conn.close()


def test_a_broken_callback_does_not_hide_the_write_from_other_screens(shell, qtbot, capsys):
    def broken(_):
        raise ValueError("a screen's bug")

    with qtbot.waitSignal(shell.ctx.runner.changed, check_params_cb=lambda c: c.touches("villages")):
        shell.ctx.runner.op(lambda d, *_: d.add_village("Thôn 7"), label_key="undo.add_village", on_done=broken)
    assert "a screen's bug" in capsys.readouterr().err


def test_background_services_start_with_the_app_and_stop_with_it(qtbot, desk, monkeypatch):
    from teamdesk.ui import screens as registry
    from teamdesk.ui.app import open_shell

    class Service:
        stopped = False

        def stop(self):
            self.stopped = True

    started = []
    monkeypatch.setattr(registry, "SERVICES", [registry.ServiceEntry("teamdesk.ui.screens", "fake_service", roles=("coordinator",))])
    monkeypatch.setattr(registry, "fake_service", lambda ctx: started.append(Service()) or started[-1], raising=False)
    window = open_shell(desk.home)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(started), timeout=15000)
    window.shutdown()
    assert started[0].stopped


def test_an_op_that_writes_nothing_does_not_make_screens_reload(shell, qtbot):
    """Exports and printing: progress and errors as any op, but no ``changed`` for every screen."""
    heard = []
    shell.ctx.runner.changed.connect(heard.append)
    with qtbot.waitSignal(shell.ctx.runner.op_finished, timeout=10000):
        shell.ctx.runner.op(lambda desk, *_: {"out": "bao-cao.xlsx"}, label_key="dash.exporting", writes=False)
    assert heard == []
    with qtbot.waitSignal(shell.ctx.runner.op_finished, timeout=10000):
        shell.ctx.runner.op(lambda desk, *_: None, label_key="undo.edit_household")
    assert len(heard) == 1  # a write that does not say what it changed still reaches every screen
