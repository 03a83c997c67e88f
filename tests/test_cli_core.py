"""The command line as coordinators script it: JSON, exit codes, Vietnamese and English."""

from __future__ import annotations

import json
import os
import stat

import click
import pytest
from click.testing import CliRunner

from teamdesk.cli import load_commands


@pytest.fixture(scope="module")
def cli():
    return load_commands()


def run(cli, *args, home=None):
    argv = list(args) + (["--home", str(home)] if home else [])
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


def ok_json(result) -> dict:
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True
    return data


def test_every_command_has_help(cli):
    def walk(group, path):
        for name, cmd in group.commands.items():
            assert cmd.help and "/" in cmd.help, f"{path} {name} lacks bilingual help"
            if isinstance(cmd, click.Group):
                walk(cmd, f"{path} {name}")

    walk(cli, "teamdesk")


def test_newcomer_story(cli, home):
    """demo → find without accents → log → see it on show."""
    summary = ok_json(run(cli, "demo", "--households", "60", "--json", home=home))
    assert summary["households"] == 60 and summary["help_events"] > 0
    res = ok_json(run(cli, "household", "add", "--name", "Nguyễn Văn Ấn", "--village", "Thôn 2", "--consent-by", "Nguyễn Văn Ấn", "--phone", "0987654321", "--member", "Đặng Thị Lan;nữ;1972;spouse", "--json", home=home))
    hid = res["household"]["id"]
    found = ok_json(run(cli, "household", "find", "nguyen van an", "--json", home=home))
    assert found["households"][0]["id"] == hid
    logged = ok_json(run(cli, "log", "--household", hid[-8:], "--service", "vneid_level2", "--json", home=home))
    assert logged["help"]["service"] == "vneid_level2"
    shown = run(cli, "household", "show", hid[-8:], home=home)
    assert shown.exit_code == 0
    assert "Kích hoạt VNeID mức 2" in shown.output and "Đặng Thị Lan" in shown.output


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["log", "--household", "nothere1", "--service", "vneid_install"], 3, "Không tìm thấy hộ"),
        (["log", "--household", "HID", "--service", "teleport"], 3, "Không có loại hỗ trợ"),
        (["log", "--household", "HID", "--service", "vneid_install", "--date", "2026-13-45"], 3, "không hợp lệ"),
        (["log", "--household", "HID", "--service", "vneid_install", "--outcome", "maybe"], 3, "Kết quả"),
        (["household", "add", "--name", "A", "--village", "Thôn 1", "--consent-by", "A", "--birth-year", "1700"], 3, "Năm sinh"),
        (["household", "erase", "HID"], 2, "--yes"),
        (["log", "--household", "HID"], 2, "--service"),
    ],
)
def test_bad_input_exit_codes(cli, home, args, code, words):
    data = ok_json(run(cli, "demo", "--households", "5", "--json", home=home))
    hid = ok_json(run(cli, "household", "find", "thon", "--json", home=home))["households"][0]["id"]
    args = [a.replace("HID", hid) for a in args]
    before = ok_json(run(cli, "status", "--json", home=home))["counts"]
    result = run(cli, *args, home=home)
    assert result.exit_code == code
    assert words in result.output
    assert ok_json(run(cli, "status", "--json", home=home))["counts"] == before
    assert data


def test_json_errors_and_english(cli, home):
    result = run(cli, "household", "find", "x", "--json", home=home)
    assert result.exit_code == 2
    err = json.loads(result.output)
    assert err["ok"] is False and err["error"] == "error.not_initialised"
    result = run(cli, "household", "find", "x", "--lang", "en", home=home)
    assert "There is no TeamDesk data" in result.output


def test_init_and_units(cli, home):
    assert "15106  Xã Nguyệt Ấn, Tỉnh Thanh Hóa" in run(cli, "units", "find", "nguyet an").output
    info = ok_json(run(cli, "init", "--role", "volunteer", "--name", "Máy thôn 2", "--commune", "15106", "--village", "Thôn 2", "--json", home=home))
    assert info["commune"] == "Xã Nguyệt Ấn" and info["counts"]["villages"] == 1
    assert (home / "keys" / "signing.key").stat().st_mode & 0o777 == 0o600  # the identity is made at init
    hub = home.parent / "hub"
    assert "vai trò: máy chủ tỉnh" in run(cli, "init", "--role", "hub", "--name", "Sở", home=hub).output
    assert json.loads(run(cli, "hub", "identity", "--json", home=hub).output)["signing_key"].startswith("ed25519:")
    assert run(cli, "init", "--role", "volunteer", "--name", "x", "--commune", "99999", home=home.parent / "other").exit_code == 3


def test_unwritable_home_fails_cleanly(cli, tmp_path):
    blocker = tmp_path / "usb"
    blocker.write_text("a file where the folder should be")
    result = run(cli, "init", "--role", "coordinator", "--name", "x", "--commune", "15106", home=blocker / "home")
    assert result.exit_code == 1 and "Không ghi được" in result.output


def test_full_disk_fails_cleanly_and_keeps_the_data(desk, household):
    """SQLITE_FULL (a full USB stick) on a write: a clear message, the database as it was."""
    from teamdesk.errors import Failed

    from tests.test_core_store import dump

    before = dump(desk.conn)
    pages = desk.conn.execute("PRAGMA page_count").fetchone()[0]
    desk.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(Failed) as err:
        for _ in range(200):
            desk.add_household(head_name="Trần Văn Bình", village="Thôn 1", consent_by="Trần Văn Bình", note="x" * 400)
    assert "ổ đĩa" in err.value.message()
    desk.conn.execute("PRAGMA max_page_count = 1073741823")
    after = dump(desk.conn)
    added = [r for t, rows in after for r in rows if "Trần Văn Bình" in r]
    # whole households only: each committed one has its head member and search entry
    assert len(added) % 2 == 0
    assert desk.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert before
