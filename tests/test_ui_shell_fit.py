"""Every registered screen fits 1366×768 in both languages, in normal and large text.

A label (that does not wrap) or a button narrower than its own text is cut off: that is a bug.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def cut_off(root) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QRadioButton, QWidget

    found = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and "<" not in w.text():
            need = w.fontMetrics().horizontalAdvance(w.text().replace("&", ""))
            if w.width() + 1 < need:
                found.append(f"label {w.text()!r}: {w.width()} < {need}")
        elif isinstance(w, QAbstractButton) and w.text() and "\n" not in w.text():
            extra = 20 if isinstance(w, (QCheckBox, QRadioButton)) else 6
            if not w.icon().isNull():
                extra += w.iconSize().width()
            need = w.fontMetrics().horizontalAdvance(w.text().replace("&", "")) + extra
            if w.width() < need:
                found.append(f"button {w.text()!r}: {w.width()} < {need}")
    return found


def test_every_screen_fits_1366x768_in_both_languages_and_large_text(qtbot, desk, household):
    from teamdesk.ui import theme
    from teamdesk.ui.app import open_shell

    window = open_shell(desk.home)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    problems = []
    try:
        for lang in ("vi", "en"):
            window.ctx.set_language(lang, persist=False)
            for large in (False, True):
                window.ctx.set_large_text(large, persist=False)
                for key in window.keys():
                    screen = window.show_screen(key)
                    qtbot.waitUntil(lambda: window.ctx.runner.pending() == 0, timeout=10000)
                    problems += [f"{lang} large={large} {key}: {p}" for p in cut_off(screen)]
                problems += [f"{lang} large={large} nav/status: {p}" for p in cut_off(window.statusBar())]
    finally:
        window.shutdown()
        theme.apply(window.ctx.app, large=False)
    assert problems == [], "\n".join(problems)


def test_every_wizard_page_fits(qtbot, home):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from teamdesk import i18n
    from teamdesk.ui import theme
    from teamdesk.ui.wizard_view import WizardWindow

    problems = []
    try:
        for lang in ("vi", "en"):
            for large in (False, True):
                i18n.set_language(lang)
                theme.apply(QApplication.instance(), large=large)
                view = WizardWindow(home)
                qtbot.addWidget(view)
                view.resize(920, 640)
                view.show()
                for step in ("language", "start", "role", "commune", "villages", "people", "join", "finish"):
                    view.wizard.mode = "join" if step == "join" else "new"
                    view.wizard.step = step
                    view._show()
                    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # lay out the new texts
                    problems += [f"{lang} large={large} {step}: {p}" for p in cut_off(view)]
                view.close()
    finally:
        theme.apply(QApplication.instance(), large=False)
        i18n.set_language("vi")
    assert problems == [], "\n".join(problems)
