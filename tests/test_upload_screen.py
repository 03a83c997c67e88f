"""The upload screen and the background uploader, against a real hub on 127.0.0.1 (offscreen Qt)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

from teamdesk.sync import outbox
from teamdesk.sync.hub import summary
from tests.test_hub_support import enrol, hub, hub_counts, hub_home  # noqa: F401


@pytest.fixture
def ui(qtbot, desk):
    from teamdesk.ui.context import AppContext
    from teamdesk.ui.runner import Runner

    runner = Runner(desk.home)
    qtbot.waitUntil(lambda: runner.is_open)
    ctx = AppContext(home=desk.home, runner=runner)
    yield ctx
    uploader = getattr(ctx, "auto_upload", None)
    if uploader is not None:
        uploader.stop()
        qtbot.waitUntil(lambda: not uploader.busy, timeout=20000)
    runner.close()
    ctx.close()


def test_offline_for_days_then_pushed_without_a_click(qtbot, ui, hub, desk, household):
    """Done-when: pending bundles reach the hub once each by themselves; the sums agree."""
    from teamdesk.ui.upload_screen import start_auto_upload

    for service in ("vneid_level2", "epayment_account", "online_service"):
        desk.log_help(household=household, service=service)
    enrol(hub, desk)
    desk.set_setting("hub_url", "http://127.0.0.1:9")  # nothing listens there: "offline"
    uploader = start_auto_upload(ui, interval_ms=50)
    qtbot.waitUntil(lambda: uploader.reachable is False, timeout=10000)
    assert hub_counts(hub.store)["bundles"] == 0
    desk.set_setting("hub_url", hub.url)  # the office's internet comes back
    qtbot.waitUntil(lambda: (uploader.last_result or {}).get("accepted") == 1, timeout=20000)
    qtbot.waitUntil(lambda: not uploader.busy)
    uploader.timer.setInterval(10)
    qtbot.waitUntil(lambda: uploader.last_result is not None and uploader.reachable, timeout=5000)
    counts = hub_counts(hub.store)
    assert counts["bundles"] == 1 and counts["help_events"] == 3
    assert hub.store.call(hub.store.summary) == summary.by_commune(desk.conn)
    assert [e["state"] for e in outbox.entries(desk)] == ["acknowledged"]


def test_screen_shows_the_outbox_and_sends_now(qtbot, ui, hub, desk, household, tmp_path):
    from teamdesk.ui.upload_screen import AutoUploader, UploadScreen

    desk.log_help(household=household, service="vneid_level2")
    enrol(hub, desk)
    uploader = AutoUploader(ui, interval_ms=3_600_000)  # no automatic tick in this test
    screen = UploadScreen(ui, uploader=uploader)
    qtbot.addWidget(screen)
    from PySide6.QtWidgets import QApplication

    from teamdesk.ui import theme

    theme.apply(QApplication.instance())
    screen.resize(1366 - 200, 768 - 60)
    screen.show()
    qtbot.waitUntil(lambda: screen.model is not None)
    assert "Gửi ngay" == screen.send_button.text()
    assert "1 thay đổi chưa đóng gói" in screen.counts.text() or "chưa đóng gói" in screen.counts.text()
    screen.url.setText(hub.url)
    with qtbot.waitSignal(uploader.finished, timeout=20000):
        screen.send_button.click()
    qtbot.waitUntil(lambda: screen.table.rowCount() == 1 and screen.table.item(0, 4).text() == "tỉnh đã nhận", timeout=10000)
    assert "Tỉnh đã nhận lúc" in screen.table.item(0, 6).text()
    assert "1 gói tỉnh đã nhận" in screen.counts.text()
    # a second bundle waiting while the hub is away
    desk.log_help(household=household, service="online_service")
    screen.url.setText("http://127.0.0.1:9")
    with qtbot.waitSignal(uploader.finished, timeout=20000):
        screen.send_button.click()
    qtbot.waitUntil(lambda: "Chưa kết nối được" in screen.message.text() or "Chưa kết nối được" in screen.light.text(), timeout=10000)
    screen.reload()
    qtbot.waitUntil(lambda: screen.model is not None and screen.table.rowCount() == 2)
    assert screen.table.item(0, 4).text() == "đang chờ" and screen.model["status"]["pending"] == 1
    shot = os.environ.get("TEAMDESK_SHOTS")
    if shot:
        screen.grab().save(os.path.join(shot, "upload_screen.png"))


def test_changed_key_shows_the_warning(qtbot, ui, tmp_path, desk, household):
    from teamdesk.sync.hub.serve import HubThread
    from teamdesk.ui.upload_screen import AutoUploader, UploadScreen
    from tests.test_hub_support import make_hub_home

    with HubThread(make_hub_home(tmp_path / "a")) as a:
        enrol(a, desk)
        from teamdesk.sync import upload

        upload.push(desk.home, hub_url=a.url)
    uploader = AutoUploader(ui, interval_ms=3_600_000)
    screen = UploadScreen(ui, uploader=uploader)
    qtbot.addWidget(screen)
    with HubThread(make_hub_home(tmp_path / "b")) as b:
        screen.url.setText(b.url)
        with qtbot.waitSignal(uploader.failed, timeout=20000):
            screen.send_button.click()
    qtbot.waitUntil(lambda: screen.warning.isVisibleTo(screen))
    assert "CẢNH BÁO" in screen.warning.text() and uploader.blocked
    assert screen.trust_button.isVisibleTo(screen)
    shot = os.environ.get("TEAMDESK_SHOTS")
    if shot:
        screen.resize(1166, 708)
        screen.grab().save(os.path.join(shot, "upload_screen_key_changed.png"))
