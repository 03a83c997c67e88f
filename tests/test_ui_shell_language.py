"""No mixed-language screen: every registered screen, built in one language and switched live.

Collects what a person sees (labels, buttons, titles, tabs, placeholders, table headers, tooltips)
and looks for texts that belong to the other language's catalogue only.
"""

from __future__ import annotations

import re

import pytest

from teamdesk.i18n import catalogue
from teamdesk.ui.screens import SCREENS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def only_in(lang: str) -> set[str]:
    """Catalogue texts of ``lang`` that the other language never uses (no placeholders)."""
    mine, other = catalogue(lang), catalogue("en" if lang == "vi" else "vi")
    theirs = set(other.values())
    return {
        v.replace("&", "")
        for k, v in mine.items()
        if "{" not in v and len(v) > 3 and re.search(r"[A-Za-zÀ-ỹ]{3}", v) and v not in theirs and other.get(k) != v
    }


def seen_texts(root) -> list[tuple[str, str]]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QHeaderView, QLabel, QLineEdit, QTabWidget, QWidget

    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        name = type(w).__name__
        if isinstance(w, QLabel):
            out.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            out.append((name + ".placeholder", w.placeholderText()))
        elif isinstance(w, QTabWidget):
            out += [(name + ".tab", w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QHeaderView) and w.model() is not None:
            out += [(name, str(w.model().headerData(i, w.orientation(), Qt.ItemDataRole.DisplayRole) or "")) for i in range(w.count())]
        if w.toolTip():
            out.append((name + ".tooltip", w.toolTip()))
    return [(where, t.replace("&", "").strip()) for where, t in out if t]


@pytest.fixture
def shell(open_window, desk, household):
    window = open_window(desk.home)
    yield window
    window.shutdown()


def settle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.ctx.runner.pending() == 0, timeout=10000)


def menu_texts(bar) -> list[str]:
    out = []
    for action in bar.actions():
        out.append(action.text().replace("&", ""))
        if action.menu() is not None:
            out += menu_texts(action.menu())
    return [t for t in out if t]


def data_texts(ctx) -> set[str]:
    """What the installation holds (names of the device, villages, people): not language."""
    conn = ctx.reader()
    found = {ctx.device_name, ctx.commune_name}
    for sql in ("SELECT name FROM villages", "SELECT name FROM volunteers", "SELECT head_name FROM households"):
        found.update(r[0] for r in conn.execute(sql))
    return found


@pytest.mark.parametrize("key", [e.key for e in SCREENS])
def test_every_screen_speaks_one_language_and_switches_whole(shell, qtbot, key):
    if key not in shell.keys():
        pytest.skip(f"{key}: not installed or not for this role")
    data = data_texts(shell.ctx)
    foreign = {"vi": only_in("en") - data, "en": only_in("vi") - data}
    problems = []
    for lang in ("vi", "en", "vi"):  # built in Vietnamese, switched live, and back
        shell.ctx.set_language(lang)
        screen = shell.show_screen(key)
        settle(qtbot, shell)
        problems += [f"{lang} {key} {where}: {text!r}" for where, text in seen_texts(screen) if text in foreign[lang]]
    assert problems == [], "\n".join(problems)


def test_the_shell_itself_switches_whole(shell, qtbot):
    data = data_texts(shell.ctx)
    foreign = {"vi": only_in("en") - data, "en": only_in("vi") - data}
    problems = []
    for lang in ("vi", "en", "vi"):
        shell.ctx.set_language(lang)
        texts = seen_texts(shell.statusBar()) + [("menu", t) for t in menu_texts(shell.menuBar())]
        texts += [("nav", shell.nav.item(i).text()) for i in range(shell.nav.count())]
        problems += [f"{lang} {where}: {text!r}" for where, text in texts if text in foreign[lang]]
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_label_left_in_the_other_language(shell, qtbot):
    from PySide6.QtWidgets import QLabel

    settings = shell.show_screen("settings")
    stale = QLabel("Back up now", settings)  # as if retranslate() forgot it
    stale.show()
    assert ("QLabel", "Back up now") in seen_texts(settings)
    assert "Back up now" in only_in("en")
    stale.deleteLater()
