"""A volunteer sees, in the household panel, what has reached the commune (issue 5's receipts)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication

from teamdesk.sync import export, import_
from tests.sync_world import make_team, register

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SHOTS = os.environ.get("TEAMDESK_SHOTS")


@pytest.fixture
def laptop(tmp_path):
    """Laptop a: one household whose first help reached the commune (receipt imported), a second did not."""
    xa, (a,), _ = make_team(tmp_path, volunteers=1)
    wife = {"full_name": "Lò Thị Mai", "sex": "nữ", "birth_year": 1990, "relation": "spouse"}
    hid = register(a, "Đỗ Văn Quang", "Thôn 1", members=[wife])
    first = a.log_help(household=hid, service="vneid_install").first("help_events")
    export.export_bundle(a, out=tmp_path / "a.tdsync")
    report = import_.import_files(xa, [tmp_path / "a.tdsync"], receipts_dir=tmp_path / "back")
    assert import_.import_files(a, report.receipts).files[0].state == "receipt"
    second = a.log_help(household=hid, service="vneid_level2", detail="Công an xã").first("help_events")
    homes = (xa.home, a.home)
    xa.close()
    a.close()
    return homes, hid, first, second


def _detail(window, qtbot, hid):
    screen = window.show_screen("households")
    screen.select(hid)
    qtbot.waitUntil(lambda: screen.detail.household is not None and screen.detail.household["id"] == hid)
    return screen.detail


def _help_row(detail, help_id) -> int:
    return [e["id"] for e in detail.household["helps"]].index(help_id)


def test_volunteer_sees_what_reached_the_commune(open_window, qtbot, laptop):
    (_, a_home), hid, first, second = laptop
    window = open_window(a_home)
    try:
        detail = _detail(window, qtbot, hid)
        assert detail.reach_badge.isVisible() and detail.reach_badge.text() == "Đã đến xã"
        assert detail.helps.item(_help_row(detail, first), 0).text().endswith("Đã đến xã")
        assert detail.helps.item(_help_row(detail, second), 0).text().endswith("Chưa đến xã")
        if SHOTS:
            QApplication.processEvents()  # the layout follows the badge before the picture
            window.grab().save(os.path.join(SHOTS, "reached-volunteer.png"))
        # a member edited here: the household's latest version is not at the commune any more
        member = detail.household["members"][-1]["id"]
        with qtbot.waitSignal(detail.loaded, timeout=10000):
            window.ctx.runner.op(lambda desk, _p, _c: desk.edit_member(member, birth_year=1991), label_key="undo.edit_member")
        qtbot.waitUntil(lambda: detail.reach_badge.text() == "Chưa đến xã")
        assert "biên nhận" in detail.reach_badge.toolTip()
        window.ctx.set_language("en")
        try:
            qtbot.waitUntil(lambda: detail.reach_badge.text() == "Not at commune")
            assert detail.helps.item(_help_row(detail, first), 0).text().endswith("At commune")
            if SHOTS:
                window.ctx.set_large_text(True, persist=False)
                qtbot.waitUntil(lambda: detail.household is not None)
                QApplication.processEvents()
                window.grab().save(os.path.join(SHOTS, "reached-volunteer-en-large.png"))
                window.ctx.set_large_text(False, persist=False)
        finally:
            window.ctx.set_language("vi")
    finally:
        window.shutdown()


def test_the_coordinator_needs_no_badge(open_window, qtbot, laptop):
    (xa_home, _), hid, first, _ = laptop
    window = open_window(xa_home)
    try:
        detail = _detail(window, qtbot, hid)
        assert not detail.reach_badge.isVisible()
        assert "reached" not in detail.household
        assert "xã" not in detail.helps.item(0, 0).text()
    finally:
        window.shutdown()
