"""Households screen at 1366×768 in large text: every column fits, headings are whole."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SHOTS = os.environ.get("TEAMDESK_SHOTS")


def _heading_width(table, text: str) -> int:
    bold = QFont(table.horizontalHeader().font())
    bold.setBold(True)
    return QFontMetrics(bold).horizontalAdvance(text)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_large_text_columns_fit_without_sideways_scrolling(open_window, qtbot, desk, household, lang):
    for i, service in enumerate(("online_service", "online_safety", "vneid_level2")):
        desk.log_help(household=household, service=service, detail="Cấp đổi giấy phép lái xe hạng B2" if i == 0 else None)
    window = open_window(desk.home, lang=lang)
    try:
        screen = window.show_screen("households")
        screen.view.selectRow(0)
        qtbot.waitUntil(lambda: screen.detail.household is not None)
        window.ctx.set_large_text(True, persist=False)
        qtbot.waitUntil(lambda: screen.view.horizontalScrollBar().maximum() == 0)
        if SHOTS:
            QApplication.processEvents()  # let the layouts follow the new font before the picture
            window.grab().save(os.path.join(SHOTS, f"households-large-{lang}.png"))
        view = screen.view
        header = view.horizontalHeader()
        assert header.length() <= view.viewport().width()
        for column in range(screen.model.columnCount()):
            assert header.sectionSize(column) > 20
            assert screen.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        members = screen.detail.members
        relation = members.horizontalHeaderItem(3)
        assert members.horizontalHeader().sectionSize(3) >= _heading_width(members, relation.text())
        assert members.horizontalScrollBar().maximum() == 0
        assert relation.toolTip() in ("Quan hệ với chủ hộ", "Relation to the head of household")
        helps = screen.detail.helps
        assert helps.rowCount() == 3
        for row in range(helps.rowCount()):  # wrapped text: each row as tall as its text needs
            assert helps.rowHeight(row) >= helps.sizeHintForRow(row)
        assert helps.horizontalScrollBar().maximum() == 0
    finally:
        window.ctx.set_large_text(False, persist=False)
        window.shutdown()
