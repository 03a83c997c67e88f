"""The dashboard at 1366×768: the same numbers as the exports, the lagging village, click-through."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from teamdesk import indicators as ind
from teamdesk import targets
from tests.test_indicators import EXPECTED_TOTAL, OCTOBER, commune  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SHOTS = os.environ.get("TEAMDESK_SHOTS")  # a folder: keep screenshots to look at


@pytest.fixture
def screen(qtbot, commune):
    from teamdesk.ui.app import open_shell
    from teamdesk.ui.dashboard import DashboardScreen

    targets.set_target(commune["desk"], indicator="vneid_level2", rate="80%", deadline="31/12/2026")
    window = open_shell(commune["desk"].home, initial="dashboard")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.findChild(DashboardScreen) is not None and window.findChild(DashboardScreen).data is not None)
    s = window.findChild(DashboardScreen)
    with qtbot.waitSignals([s.loaded, s.volunteers_loaded], timeout=20000):
        s.set_period(OCTOBER)
    yield s
    window.close()


def _card_number(text: str) -> int:
    return int(text.split("\n")[0].replace(".", "").replace(",", ""))


def test_cards_show_the_hand_counted_totals(screen):
    shown = {k: _card_number(c.text()) for k, c in screen.cards.items()}
    expected = dict(zip(ind.FIELDS, EXPECTED_TOTAL))
    assert shown == {k: expected[k] for k in shown}


def test_league_and_volunteers_tables(screen):
    rows = screen.league_rows()
    assert [r["village"] for r in rows] == ["Thôn 2", "Thôn 1", "Thôn 3"]  # 4 %, 2 %, unknown last
    assert screen.league.item(2, 5).text() == "chưa rõ"
    assert screen.most_behind()["village"] == "Thôn 1"
    assert "Thôn 1" in screen.behind.text()
    names = [screen.people.item(i, 0).text() for i in range(screen.people.rowCount())]
    assert names == ["Lê Thị Hoa", "Trần Văn Bình"]
    assert screen.people.item(0, 1).text() == "8"


def test_done_when(screen, qtbot, tmp_path, monkeypatch):
    """Sees which village is behind on VNeID level 2, clicks to the households still needing it,
    and makes this period's Excel and PDF whose totals match the dashboard."""
    if SHOTS:
        screen.window().grab().save(f"{SHOTS}/dashboard.png")
    screen.tables.setCurrentIndex(0)
    row = next(i for i, r in enumerate(screen.league_rows()) if r["village"] == screen.most_behind()["village"])
    dialogs = []
    orig = screen.show_needing
    monkeypatch.setattr(screen, "show_needing", lambda **kw: dialogs.append(orig(**kw)) or dialogs[-1])
    screen._league_clicked(row, 6)
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: bool(dialog.rows))
    assert [(h["head_name"], h["members"]) for h in dialog.rows] == [("Nguyễn Văn An", ["Phạm Thị Bích"])]
    with qtbot.waitSignal(screen.ctx.navigate_requested) as nav:
        dialog.open_row(0)
    assert nav.args == ["households", {"household": dialog.rows[0]["id"]}]

    cards = {k: _card_number(c.text()) for k, c in screen.cards.items()}
    from teamdesk.ui.dashboard import DashboardScreen

    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"thang.{fmt}"
        monkeypatch.setattr(DashboardScreen, "ask_save_path", classmethod(lambda cls, parent, s, f, out=out: str(out)))
        job = screen.export(fmt)
        qtbot.waitUntil(lambda: job.done, timeout=30000)
        assert job.error is None and out.exists()
    ws = load_workbook(tmp_path / "thang.xlsx")["Tổng hợp"]
    header = [ws.cell(row=5, column=c).value for c in range(1, ws.max_column + 1)]
    total = {h: ws.cell(row=9, column=c + 1).value for c, h in enumerate(header)}
    from teamdesk.i18n import tr

    assert {k: total[tr(f"report.field.{k}")] for k in cards} == cards
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "thang.pdf").pages).split()
    from teamdesk.report.pdf import number

    run = ["Tổng", "cộng", *[number(EXPECTED_TOTAL[ind.FIELDS.index(f)]) for f in ind.REPORT_FIELDS]]
    assert any(text[i : i + len(run)] == run for i in range(len(text)))


def test_a_card_lists_the_households_behind_it(screen, qtbot):
    dialog = screen.show_households(field="vneid_level2")
    qtbot.waitUntil(lambda: bool(dialog.rows))
    assert sorted(h["head_name"] for h in dialog.rows) == ["Nguyễn Văn An", "Trần Văn Chiến"]
    assert "1 hộ đã xóa" in dialog.count.text()
    dialog.close()


def test_new_help_refreshes_the_dashboard(screen, qtbot):
    hid = screen.ctx.runner.call(lambda desk: desk.find_households("Hoàng Văn Em")[0]["id"])
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.ctx.runner.op(lambda desk, *_: desk.log_help(household=hid, service="vneid_level2", date="2026-10-30"),
                             label_key="undo.log_help")
    assert _card_number(screen.cards["vneid_level2"].text()) == EXPECTED_TOTAL[ind.FIELDS.index("vneid_level2")] + 1


def test_english(screen, qtbot):
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.ctx.set_language("en", persist=False)
    assert screen.export_buttons["xlsx"].text() == "Export Excel"
    assert screen.tables.tabText(0) == "Village league table"
    assert "People with VNeID level 2" in screen.cards["vneid_level2"].text()
    screen.ctx.set_language("vi", persist=False)


def test_custom_range_and_week(screen, qtbot, monkeypatch):
    from datetime import date

    from teamdesk.ui.dashboard import DashboardScreen

    monkeypatch.setattr(DashboardScreen, "ask_range",
                        classmethod(lambda cls, parent, cur: ind.Period.between(date(2026, 10, 9), date(2026, 10, 9))))
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.period_box.setCurrentIndex(screen.period_box.findData("custom"))
    assert screen.period.key == "2026-10-09..2026-10-09"
    assert _card_number(screen.cards["vneid_level2"].text()) == 1  # help 8 only
    assert "09/10/2026" in screen.period_box.currentText()
    monkeypatch.setattr(DashboardScreen, "ask_range", classmethod(lambda cls, parent, cur: None))
    screen.period_box.setCurrentIndex(screen.period_box.findData("custom"))
    assert screen.period.key == "2026-10-09..2026-10-09"  # cancelled: unchanged
