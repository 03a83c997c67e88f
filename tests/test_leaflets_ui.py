"""The leaflets screen and the guide editor (offscreen): live preview of the real PDF, saving,
printing through a QPrinter, personalised batches, a shipped guide edited into a copy."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

from tests.test_leaflets_pdf import decoded, page_sizes, page_texts  # noqa: E402


@pytest.fixture
def screen(qtbot, open_window, desk):
    from teamdesk.ui.leaflets import LeafletsScreen

    window = open_window(desk.home)
    window.ctx.navigate("leaflets", {"guides": ["vneid-level2"]})
    qtbot.waitUntil(lambda: window.findChild(LeafletsScreen) is not None)
    s = window.findChild(LeafletsScreen)
    qtbot.waitUntil(lambda: bool(s.images and s.last_result and s.last_result["guides"][0]["slug"] == "vneid-level2"), timeout=10000)
    yield s
    window.close()


def wait_preview(qtbot, s, check):
    qtbot.waitUntil(lambda: bool(s.last_result is not None and check(s.last_result) and not s._timer.isActive()
                    and (s._preview_job is None or s._preview_job.done)), timeout=10000)


def test_preview_shows_the_real_pages(screen, qtbot):
    assert screen.selected_guides() == ["vneid-level2"]
    image = screen.images[0]
    assert abs(image.height() / image.width() - 842 / 595) < 0.02  # a poster: A4 portrait
    assert not screen.preview.pixmap().isNull()
    screen.layout_combo.setCurrentIndex(screen.layout_combo.findData("cards-a4"))
    screen.set_guides(["vneid-level2", "dichvucong"])
    wait_preview(qtbot, screen, lambda r: r["layout"] == "cards-a4" and len(r["guides"]) == 2)
    assert screen.page_label.text() == "Trang 1/1"


def test_save_pdf(screen, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "the.pdf"
    monkeypatch.setattr(type(screen), "ask_save_path", classmethod(lambda cls, parent, suggested: str(out)))
    screen.layout_combo.setCurrentIndex(screen.layout_combo.findData("cards-a4"))
    screen.set_guides(["dichvucong"])
    screen.save_button.click()
    qtbot.waitUntil(lambda: out.exists() and "Đã tạo" in screen.status.text(), timeout=10000)
    assert len(decoded(out)[0]) == 8


def test_print_goes_through_a_qprinter(screen, qtbot, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    from teamdesk.ui.leaflet_pages import configure_printer

    out = tmp_path / "printed.pdf"
    printers = []

    def fake_printer(cls, parent, size):
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)
        configure_printer(printer, size)
        printers.append(printer)
        return printer

    monkeypatch.setattr(type(screen), "ask_printer", classmethod(fake_printer))
    screen.layout_combo.setCurrentIndex(screen.layout_combo.findData("handout-a5"))
    screen.copies.setValue(2)
    screen.print_button.click()
    qtbot.waitUntil(lambda: "Đã gửi 2 trang" in screen.status.text(), timeout=15000)
    assert page_sizes(out) == [(420, 595)] * 2
    assert decoded(out, dpi=100) == [["https://vneid.gov.vn"]] * 2


def test_personalised_batch_for_thon2(screen, qtbot, desk, tmp_path, monkeypatch):
    desk.add_household(head_name="Mai Thị Gấm", village="Thôn 2", consent_by="Mai Thị Gấm", consent_scope=("help", "leaflet"))
    desk.add_household(head_name="Tô Văn Khước", village="Thôn 2", consent_by="Tô Văn Khước")
    screen.box_people.setChecked(True)
    screen.village_combo.setCurrentIndex(screen.village_combo.findData("Thôn 2"))
    wait_preview(qtbot, screen, lambda r: r["households"] == 1)
    assert "1 hộ sẽ nhận tờ riêng; 1 hộ bỏ qua" in screen.people_count.text()
    out = tmp_path / "thon2.pdf"
    monkeypatch.setattr(type(screen), "ask_save_path", classmethod(lambda cls, parent, suggested: str(out)))
    screen.save_button.click()
    qtbot.waitUntil(lambda: out.exists(), timeout=10000)
    [text] = page_texts(out)
    assert "Mai Thị Gấm" in text and "Tô Văn Khước" not in text


def test_editing_a_shipped_guide_saves_a_copy(screen, qtbot):
    from teamdesk import guides as guide_library

    screen._edit("vneid-level2")
    editor = screen._editor
    qtbot.waitUntil(lambda: bool(getattr(editor, "images", None)), timeout=10000)
    assert "bản riêng" in editor.notice.text()
    editor.fields["vi"]["title"].setText("VNeID mức 2 cho Thôn 3")
    editor.link.setText("http://vneid.gov.vn")
    editor.save()
    assert "https://" in editor.error.text() and editor.isVisible()
    editor.link.setText("https://vneid.gov.vn")
    with qtbot.waitSignal(editor.saved, timeout=10000) as saved:
        editor.save()
    copy = saved.args[0]
    assert copy["based_on"] == "vneid-level2" and copy["slug"] != "vneid-level2"
    qtbot.waitUntil(lambda: copy["slug"] in [screen.guide_list.item(i).data(256) for i in range(screen.guide_list.count())])
    shipped = next(g for g in guide_library.shipped() if g["slug"] == "vneid-level2")
    assert shipped["vi"]["title"] == "Kích hoạt tài khoản định danh điện tử mức 2"


def test_english_labels(screen, qtbot):
    screen.ctx.set_language("en")
    try:
        assert screen.print_button.text() == "Print…" and screen.title.text() == "QR guide leaflets"
    finally:
        screen.ctx.set_language("vi")


def test_households_chosen_elsewhere_get_their_handouts(screen, qtbot, desk):
    a = desk.add_household(head_name="Khúc Thị Duyên", village="Thôn 3", consent_by="Duyên",
                           consent_scope=("help", "leaflet")).first("households")
    screen.ctx.navigate("leaflets", {"households": [a]})
    wait_preview(qtbot, screen, lambda r: r["households"] == 1 and not r["skipped"])
    assert "1 hộ đã chọn" in screen.chosen_label.text() and not screen.village_combo.isEnabled()
    screen.chosen_clear.click()
    assert screen.household_ids == [] and screen.village_combo.isEnabled()


def test_delete_a_team_guide(screen, qtbot, desk, monkeypatch):
    from teamdesk import guides as guide_library

    body = dict(guide_library.get(desk, "vssid"), slug="vssid-cua-to")
    guide_library.save(desk, body)
    screen._load_guides()
    slugs = [screen.guide_list.item(i).data(256) for i in range(screen.guide_list.count())]
    screen.guide_list.setCurrentRow(slugs.index("vneid-level2"))
    assert not screen.delete_button.isEnabled()
    screen.guide_list.setCurrentRow(slugs.index("vssid-cua-to"))
    assert screen.delete_button.isEnabled()
    monkeypatch.setattr(type(screen), "confirm_delete", classmethod(lambda cls, parent, title: True))
    screen.delete_button.click()
    qtbot.waitUntil(lambda: "vssid-cua-to" not in [screen.guide_list.item(i).data(256) for i in range(screen.guide_list.count())])
