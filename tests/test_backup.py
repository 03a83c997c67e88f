"""Backups and restore: the core, the CLI and the Settings screen (real SQLite files)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from teamdesk import backup
from teamdesk.cli import load_commands
from teamdesk.desk import Desk
from teamdesk.errors import Failed, InputRejected

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def households(home) -> list[str]:
    conn = sqlite3.connect(Desk.db_path(home))
    try:
        return sorted(r[0] for r in conn.execute("SELECT head_name FROM households WHERE deleted = 0"))
    finally:
        conn.close()


def test_round_trip_keeps_the_current_database_aside(desk, household, tmp_path):
    made = backup.backup_file(desk, out=tmp_path / "b.sqlite3")
    assert made["bytes"] > 0
    desk.add_household(head_name="Trần Thị Bưởi", village="Thôn 1", consent_by="Trần Thị Bưởi")
    assert households(desk.home) == ["Nguyễn Văn Ấn", "Trần Thị Bưởi"]
    done = backup.restore(desk.home, tmp_path / "b.sqlite3")  # the app's connection is still open
    assert households(desk.home) == ["Nguyễn Văn Ấn"]
    assert households_in(done["kept_aside"]) == ["Nguyễn Văn Ấn", "Trần Thị Bưởi"]  # a wrong restore can be undone
    with Desk.open(desk.home) as again:
        assert again.household(household)["head_name"] == "Nguyễn Văn Ấn"
        assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def households_in(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT head_name FROM households WHERE deleted = 0"))
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["garbage", "truncated", "other_sqlite", "too_new"])
def test_a_bad_backup_is_refused_and_the_database_is_unchanged(desk, household, tmp_path, kind):
    good = tmp_path / "good.sqlite3"
    backup.backup_file(desk, out=good)
    bad = tmp_path / "bad.sqlite3"
    if kind == "garbage":
        bad.write_bytes(b"this is not a database at all" * 100)
    elif kind == "truncated":
        bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    elif kind == "other_sqlite":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(good.read_bytes())
        conn = sqlite3.connect(bad)
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('teamdesk', 'm999_future', 'x')")
        conn.commit()
        conn.close()
    before = Desk.db_path(desk.home).read_bytes()
    with pytest.raises(InputRejected) as err:
        backup.restore(desk.home, bad)
    assert "không thay đổi" in err.value.message()
    assert Desk.db_path(desk.home).read_bytes() == before
    assert not list(desk.home.glob("teamdesk-before-restore-*"))


def test_cli_backup_and_restore(desk, household, tmp_path):
    cli = load_commands()
    runner = CliRunner()
    out = tmp_path / "cli.sqlite3"
    result = runner.invoke(cli, ["backup", "--home", str(desk.home), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "Đã sao lưu" in result.output
    desk.erase_household(household)
    result = runner.invoke(cli, ["restore", str(out), "--home", str(desk.home), "--json"])
    assert result.exit_code == 0, result.output
    assert households(desk.home) == ["Nguyễn Văn Ấn"]
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\0" * 4096)
    result = runner.invoke(cli, ["restore", str(junk), "--home", str(desk.home)])
    assert result.exit_code == 3
    assert "không phải là bản sao lưu TeamDesk" in result.output
    assert households(desk.home) == ["Nguyễn Văn Ấn"]


def test_restore_into_an_empty_home_sets_up_a_new_laptop(desk, household, tmp_path):
    out = tmp_path / "b.sqlite3"
    backup.backup_file(desk, out=out)
    fresh = tmp_path / "new-laptop"
    backup.restore(fresh, out)
    with Desk.open(fresh) as again:
        assert again.household(household)["head_name"] == "Nguyễn Văn Ấn"


def test_rotation_keeps_seven_days_and_four_weeks(desk, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    today = datetime(2026, 11, 22, 9, 0)
    for days_ago in range(60):
        for hour in (8, 17):
            when = today - timedelta(days=days_ago)
            (folder / backup.file_name(when.replace(hour=hour))).write_bytes(b"x")
    (folder / "holiday-photos.jpg").write_bytes(b"not ours")
    backup.rotate(folder, today=today.date())
    kept = [backup.stamp_of(p.name) for p in backup.backups_in(folder)]
    days = [k.date() for k in kept]
    assert days[:7] == [(today - timedelta(days=i)).date() for i in range(7)]
    assert all(k.hour == 17 for k in kept)  # the newest of each day
    assert len(kept) == 7 + 4
    assert len({d.isocalendar()[:2] for d in days[7:]}) == 4
    assert (folder / "holiday-photos.jpg").exists()


def test_auto_backup_once_a_day_when_a_folder_is_set(desk, tmp_path):
    assert backup.auto_backup(desk) is None  # no folder chosen: nothing
    folder = tmp_path / "usb"
    folder.mkdir()
    desk.set_setting(backup.FOLDER_SETTING, str(folder))
    first = backup.auto_backup(desk)
    assert first and backup.verify(first["file"])["device_name"] == "Máy UBND xã"
    assert backup.auto_backup(desk) is None  # already one today
    tomorrow = datetime.now() + timedelta(days=1)
    assert backup.auto_backup(desk, now=tomorrow)
    assert len(backup.backups_in(folder)) == 2


def test_settings_screen_backs_up_and_restores(qtbot, desk, household, tmp_path, monkeypatch):
    from teamdesk.ui.app import open_shell
    from teamdesk.ui.settings_screen import SettingsScreen

    folder = tmp_path / "usb"
    folder.mkdir()
    window = open_shell(desk.home, initial="settings")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx.runner.is_open, timeout=15000)
    settings = window.show_screen("settings")
    monkeypatch.setattr(SettingsScreen, "ask_folder", staticmethod(lambda *a: str(folder)))
    settings.choose_folder()  # choosing a folder backs up at once
    qtbot.waitUntil(lambda: len(backup.backups_in(folder)) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "Đã sao lưu" in settings.backup_status.text(), timeout=15000)
    assert settings.backup_list.count() == 1 and "MB" in settings.backup_list.item(0).text()

    run = window.ctx.runner.op(lambda d, *_: d.erase_household(household), label_key="undo.add_household")
    qtbot.waitUntil(lambda: run.done, timeout=15000)
    assert households(desk.home) == []

    asked = []
    monkeypatch.setattr(SettingsScreen, "confirm_restore", staticmethod(lambda parent, found: asked.append(found) or True))
    settings.backup_list.setCurrentRow(0)
    settings.restore_selected_button.click()  # the list of backups on the stick: no file dialog
    qtbot.waitUntil(lambda: window.restart_wanted, timeout=10000)
    assert asked[0]["households"] == 1 and asked[0]["device_name"] == "Máy UBND xã"
    assert households(desk.home) == ["Nguyễn Văn Ấn"]
    assert list(desk.home.glob("teamdesk-before-restore-*"))


def test_settings_screen_refuses_a_bad_backup_in_words(qtbot, desk, household, tmp_path, monkeypatch):
    from teamdesk.ui.app import open_shell
    from teamdesk.ui.settings_screen import SettingsScreen

    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    window = open_shell(desk.home, initial="settings")
    qtbot.addWidget(window)
    settings = window.show_screen("settings")
    monkeypatch.setattr(SettingsScreen, "ask_backup_file", staticmethod(lambda *a: str(bad)))
    monkeypatch.setattr(SettingsScreen, "confirm_restore", staticmethod(lambda *a: pytest.fail("must not ask")))
    before = Desk.db_path(desk.home).read_bytes()
    settings.restore_from_file()
    qtbot.waitUntil(lambda: "không thay đổi" in settings.backup_status.text(), timeout=10000)
    assert Desk.db_path(desk.home).read_bytes() == before
    window.shutdown()


def test_restore_over_a_damaged_database(desk, household, tmp_path):
    out = tmp_path / "b.sqlite3"
    backup.backup_file(desk, out=out)
    home = desk.home
    desk.close()
    live = Desk.db_path(home)
    live.write_bytes(b"\0garbage after a disk fault" * 1000)
    assert backup.is_damaged(home)
    done = backup.restore(home, out)
    assert not backup.is_damaged(home)
    assert households(home) == ["Nguyễn Văn Ấn"]
    assert Path(done["kept_aside"]).read_bytes().startswith(b"\0garbage")  # kept, as it was


def test_a_missing_or_healthy_database_is_not_damaged(desk, tmp_path):
    assert not backup.is_damaged(desk.home)
    assert not backup.is_damaged(tmp_path / "nowhere")


def test_a_backup_cut_short_leaves_nothing_behind_next_time(desk, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / ".teamdesk-abc123.part").write_bytes(b"half a backup")
    with pytest.raises(Failed) as err:
        backup.backup_to_folder(desk, folder=folder, cancelled=lambda: True)
    assert err.value.key == "error.backup_cancelled"
    assert list(folder.iterdir()) == []  # the old leftover and the cancelled one are both gone
    backup.backup_to_folder(desk, folder=folder)
    assert [p.suffix for p in folder.iterdir()] == [".sqlite3"]


def test_the_daily_backup_beside_the_app_reads_through_its_own_connection(desk, household, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    made = backup.daily_backup_of_home(desk.home, folder=folder)
    assert backup.verify(made["file"])["households"] == 1
    assert backup.daily_backup_of_home(desk.home, folder=folder) is None  # one a day
    desk.log_help(household=household, service="vneid_install")  # the app keeps writing meanwhile
    with pytest.raises(Failed):
        backup.daily_backup_of_home(desk.home, folder=tmp_path / "unplugged")


def test_the_app_notes_when_its_daily_backup_was_made(qtbot, desk, tmp_path):
    from teamdesk.ui.app import open_shell

    folder = tmp_path / "usb"
    folder.mkdir()
    desk.set_setting(backup.FOLDER_SETTING, str(folder))
    window = open_shell(desk.home)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx.setting(backup.LAST_SETTING) is not None, timeout=10000)
    assert len(backup.backups_in(folder)) == 1
    window.shutdown()  # closing: already one today, so no second one
    assert len(backup.backups_in(folder)) == 1
