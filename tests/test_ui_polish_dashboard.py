"""The dashboard at 1366×768: the league's assessment, the target notes and the chart months fit."""

from __future__ import annotations

import os

import pytest
import shiboken6
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QGraphicsTextItem, QLabel

from teamdesk import targets
from tests.test_indicators import commune  # noqa: F401
from tests.test_reports_dashboard import screen  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SHOTS = os.environ.get("TEAMDESK_SHOTS")


def _shot(screen, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        screen.window().grab().save(os.path.join(SHOTS, f"{name}.png"))


def _chart_texts(view) -> list[str]:
    """Every text QtCharts drew in a chart (axis labels and titles) as drawn: cut text ends in "..."."""
    out = []
    for item in view.scene().items():
        if item.type() == 8:  # a QGraphicsTextItem, which PySide hands back as a plain QGraphicsItem
            obj = item.toGraphicsObject()
            out.append(shiboken6.wrapInstance(shiboken6.getCppPointer(obj)[0], QGraphicsTextItem).toPlainText())
    return [t for t in out if t]


@pytest.fixture
def known(screen, qtbot):
    """Every village's population known and two targets: the commune's notes are real sentences."""
    def work(desk, _progress, _cancelled):
        targets.set_population(desk, village="Thôn 3", population=40, households=10)
        targets.set_target(desk, indicator="households_reached", rate="50%", deadline="31/12/2026")

    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.ctx.runner.op(work, label_key="dash.exporting")
    return screen


def _notes_fit(screen) -> None:
    notes = [w for w in screen.targets_scroll.widget().findChildren(QLabel) if w.objectName() == "targetNote"
             and screen.targets_box.indexOf(w) >= 0]  # not the old ones waiting for deleteLater
    assert len(notes) == 2
    viewport = screen.targets_scroll.viewport()
    for note in notes:
        assert note.height() >= note.heightForWidth(note.width())
    # the first is whole on screen; the others are reached by scrolling the box
    assert notes[0].mapTo(viewport, notes[0].rect().bottomLeft()).y() <= viewport.height()
    frame = screen.targets_scroll.widget()
    assert notes[-1].mapTo(frame, notes[-1].rect().bottomLeft()).y() <= frame.height()
    assert frame.height() <= viewport.height() + screen.targets_scroll.verticalScrollBar().maximum()


def _league_fits(screen) -> None:
    """Each assessment whole in its (stretched) column, wrapped when needed."""
    t = screen.league
    assert t.horizontalHeader().sectionResizeMode(7).name == "Stretch"
    assert t.horizontalScrollBar().maximum() == 0
    width = t.columnWidth(7) - 8
    for row in range(t.rowCount()):
        item = t.item(row, 7)
        needed = t.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), item.text())
        assert needed.width() <= width and needed.height() <= t.rowHeight(row), item.text()
    goals = [r["goal"] for r in screen.league_rows() if r["goal"]]
    assert goals and all(t.item(i, 7).toolTip() == g["message"] for i, g in enumerate(goals))


def _check_fits(screen, qtbot) -> None:
    # layout settles in deferred passes: each check is retried until it holds (slow machines)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data["report"].series is not None, timeout=15000)
    qtbot.waitUntil(lambda: screen.targets_scroll.height() > 60, timeout=15000)
    qtbot.waitUntil(lambda: _league_fits(screen), timeout=15000)
    # the commune's notes: whole, inside their box (once the new labels are laid out)
    qtbot.waitUntil(lambda: _notes_fit(screen), timeout=15000)
    # the charts: no month label (nor title) cut to "10/..."
    for key, view in screen.chart_views.items():
        screen.charts.setCurrentWidget(view)
        qtbot.waitUntil(lambda v=view: len(_chart_texts(v)) > 6, timeout=15000)
        texts = _chart_texts(view)
        assert not [x for x in texts if x.endswith("...") or x.endswith("…")], (key, texts)
    screen.charts.setCurrentIndex(0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_league_notes_and_charts_fit(known, qtbot, lang):
    screen = known
    if lang != "vi":
        with qtbot.waitSignal(screen.loaded, timeout=20000):
            screen.ctx.set_language(lang, persist=False)
    try:
        _check_fits(screen, qtbot)
        axis = screen.chart_views["households_reached"].chart().axes(Qt.Orientation.Horizontal)[0]
        assert axis.categories() == ["5", "6", "7", "8", "9", "10"]
        assert axis.titleText() == ("Tháng 5/2026 – 10/2026" if lang == "vi" else "Months 5/2026 – 10/2026")
        _shot(screen, f"dashboard-{lang}-normal")
        with qtbot.waitSignal(screen.ctx.large_text_changed):
            screen.ctx.set_large_text(True, persist=False)
        _check_fits(screen, qtbot)
        _shot(screen, f"dashboard-{lang}-large")
    finally:
        screen.ctx.set_large_text(False, persist=False)
        screen.ctx.set_language("vi", persist=False)


def test_a_language_switch_reads_the_sentences_again(screen, qtbot):
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.ctx.set_language("en", persist=False)
    try:
        qtbot.waitUntil(lambda: screen.league.item(0, 7) is not None)
        assert screen.league.item(0, 7).toolTip().startswith("38 more people")  # not "Còn 38 người"
        names = [w.text() for w in screen.targets_scroll.widget().findChildren(QLabel)
                 if screen.targets_box.indexOf(w) >= 0 and w.objectName() != "targetNote"]
        assert "<b>People with VNeID level 2</b>" in names
    finally:
        with qtbot.waitSignal(screen.loaded, timeout=20000):
            screen.ctx.set_language("vi", persist=False)
    assert screen.league.item(0, 7).toolTip().startswith("Còn 38 người")


def test_cards_wrap_their_words_instead_of_cutting_them(screen, qtbot):
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.ctx.set_language("en", persist=False)
    try:
        with qtbot.waitSignal(screen.ctx.large_text_changed):
            screen.ctx.set_large_text(True, persist=False)

        def whole() -> None:
            for card in screen.cards.values():
                metrics = card.fontMetrics()
                lines = card.text().split("\n")
                assert max(metrics.horizontalAdvance(line) for line in lines) <= card.width() - 16, card.text()
                assert card.height() >= len(lines) * metrics.lineSpacing()

        qtbot.waitUntil(whole, timeout=5000)
        assert screen.cards["vneid_level2"].text().split("\n")[0] == "3"  # the number stays on top
        _shot(screen, "dashboard-cards-en-large")
    finally:
        screen.ctx.set_large_text(False, persist=False)
        screen.ctx.set_language("vi", persist=False)
