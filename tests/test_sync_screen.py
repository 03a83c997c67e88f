"""The sync screen in the real main window (offscreen, real files and SQLite)."""

from __future__ import annotations

import os

import pytest

from teamdesk.desk import Desk
from teamdesk.sync import export
from tests.sync_world import make_team, register

# the offscreen platform says the first for every dialog; the second comes from the shared runner's
# busy progress dialog (range 0..0) when an import outlasts its 0.4 s delay on a loaded machine
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints", "QString::arg: Argument missing")
SHOTS = os.environ.get("TEAMDESK_SHOTS")  # a folder: save screenshots there to look at them


def _shot(widget, name: str) -> None:
    if SHOTS:
        widget.window().grab().save(os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture
def world(tmp_path):
    xa, (a, b), _ = make_team(tmp_path, volunteers=2)
    register(a, "Nguyễn Văn Ấn", "Thôn 1", phone="0987654321", year=1968)
    register(b, "Nguyễn Văn Ấn", "Thôn 2", phone="0987654321", year=1968)
    register(b, "Trần Thị Bích", "Thôn 2")
    files = []
    for i, laptop in enumerate((a, b)):
        out = tmp_path / "usb" / f"bundle ({i}).tdsync"
        export.export_bundle(laptop, out=out)
        files.append(out)
    homes = (xa.home, a.home)
    for d in (xa, a, b):
        d.close()
    return homes, files, tmp_path


def test_coordinator_imports_dropped_files_and_reviews(open_window, qtbot, world):
    (xa_home, _), files, tmp_path = world
    window = open_window(xa_home)
    try:
        screen = window.show_screen("sync")
        bogus = tmp_path / "usb" / "ảnh.jpg"
        bogus.write_bytes(b"\xff\xd8\xff not a bundle")
        screen.importer.add_files([*files, files[0], bogus])
        assert screen.importer.files.rowCount() == 3
        assert screen.importer.files.item(0, 1).text() == "Máy Thôn 1"  # from the manifest, before importing
        assert "không phải tệp đồng bộ" in screen.importer.files.item(2, 6).text()
        screen.importer.ask_folder = lambda: str(tmp_path / "receipts")
        with qtbot.waitSignal(screen.importer.imported, timeout=20000) as got:
            screen.importer.import_all()
        report = got.args[0]
        assert report["totals"]["new"] > 0 and len(report["receipts"]) == 2
        assert screen.importer.summary.rowCount() == 3  # Thôn 1, Thôn 2, and "—" for the photo refused
        qtbot.waitUntil(lambda: "Đã nhập 2 tệp" in screen.status_label.text(), timeout=10000)  # the header follows
        _shot(screen, "sync-coordinator-import")
        screen.tabs.setCurrentIndex(2)
        qtbot.waitUntil(lambda: len(screen.duplicates.pairs) == 1, timeout=10000)
        assert "(1)" in screen.tabs.tabText(2)
        _shot(screen, "sync-coordinator-duplicates")
        with qtbot.waitSignal(screen.duplicates.loaded, timeout=10000):
            screen.duplicates.merge(swap=False)
        qtbot.waitUntil(lambda: screen.duplicates.pairs == [], timeout=10000)
        screen.tabs.setCurrentIndex(3)
        qtbot.waitUntil(lambda: len(screen.devices.devices) == 3, timeout=10000)
        _shot(screen, "sync-coordinator-devices")
        screen.tabs.setCurrentIndex(1)
        _shot(screen, "sync-coordinator-conflicts")
    finally:
        window.shutdown()


def test_volunteer_exports_to_a_folder_and_sees_what_reached_the_commune(open_window, qtbot, world):
    (xa_home, a_home), files, tmp_path = world
    window = open_window(a_home)
    try:
        screen = window.show_screen("sync")
        qtbot.waitUntil(lambda: screen.status is not None, timeout=10000)
        assert screen.status["not_reached_total"] > 0
        assert "chưa đến xã" in screen.status_label.text()
        _shot(screen, "sync-volunteer")
        screen.ask_folder = lambda: str(tmp_path / "stick")
        with qtbot.waitSignal(screen.exported, timeout=20000) as got:
            screen.export_now()
        written = got.args[0]["file"]
        assert os.path.exists(written) and written.endswith(".tdsync") and "thon-1" in written
        # the commune imports it and writes a receipt; the laptop imports the receipt
        from teamdesk.sync import import_

        with Desk.open(xa_home) as xa:
            receipts = import_.import_files(xa, [files[0], written], receipts_dir=tmp_path / "back").receipts
        screen.importer.add_files(receipts)
        with qtbot.waitSignal(screen.importer.imported, timeout=20000):
            screen.importer.import_all()
        qtbot.waitUntil(lambda: screen.status is not None and screen.status["not_reached_total"] == 0, timeout=10000)
        assert "đã đến xã" in screen.status_label.text()
    finally:
        window.shutdown()


def test_files_dropped_on_the_window_are_listed(open_window, qtbot, world):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    (xa_home, _), files, tmp_path = world
    window = open_window(xa_home)
    try:
        screen = window.show_screen("sync")
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(tmp_path / "usb"))])  # the whole stick
        event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        screen.importer.dropEvent(event)
        assert screen.importer.files.rowCount() == 2
        assert {screen.importer.files.item(r, 2).text() for r in range(2)} == {"Thôn 1", "Thôn 2"}
    finally:
        window.shutdown()
