"""Each export, read back (openpyxl, csv, pypdf, json), carries the hand-counted numbers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from teamdesk import indicators as ind
from teamdesk import report, targets
from teamdesk.report.pdf import number
from tests.test_indicators import EXPECTED_TOTAL, EXPECTED_VILLAGES, OCTOBER, commune  # noqa: F401

SHOWN = [ind.FIELDS.index(f) for f in ind.REPORT_FIELDS]  # the main table's columns


def has_run(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words)))


def shown(values: tuple) -> list[int]:
    return [values[i] for i in SHOWN]


@pytest.fixture
def made(commune, tmp_path):
    d = commune["desk"]
    targets.set_target(d, indicator="vneid_level2", rate="80%", deadline="31/12/2026")
    rep = report.build_for(d, period=OCTOBER, by="village")
    files = {fmt: report.write(rep, fmt=fmt, out=tmp_path / f"bao-cao.{fmt}") for fmt in report.FORMATS}
    return rep, files


def test_xlsx_numbers_layout_and_print_setup(made):
    rep, files = made
    wb = load_workbook(files["xlsx"])
    assert wb.sheetnames[:4] == ["Tổng hợp", "Theo loại hỗ trợ", "Dịch vụ công", "Chỉ tiêu"]
    ws = wb["Tổng hợp"]
    assert ws["A1"].value.startswith("BÁO CÁO") and "Tháng 10/2026" in ws["A3"].value
    assert ws.cell(row=5, column=2).value == "Thôn" and ws.cell(row=5, column=3).value == "Số hộ được tiếp cận"
    assert ws.cell(row=5, column=3).font.bold
    rows = {ws.cell(row=r, column=2).value: [ws.cell(row=r, column=c).value for c in range(3, 3 + len(SHOWN))]
            for r in range(6, 9)}
    assert rows == {v: shown(t) for v, t in EXPECTED_VILLAGES.items()}
    total = [ws.cell(row=9, column=c).value for c in range(2, 3 + len(SHOWN))]
    assert total == ["Tổng cộng", *shown(EXPECTED_TOTAL)] and ws.cell(row=9, column=3).font.bold
    assert ws.freeze_panes == "A6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$5"
    assert ws.column_dimensions["B"].width >= 20
    goals = wb["Chỉ tiêu"]
    cells = [[c.value for c in row] for row in goals.iter_rows(min_row=6)]
    thon3 = next(r for r in cells if r[1] == "Thôn 3")
    assert thon3[2] == "chưa rõ" and thon3[6] == "chưa rõ"


def test_csv_has_a_bom_and_the_same_numbers(made):
    rep, files = made
    raw = files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    body = {r[1]: [int(x) for x in r[2:]] for r in rows[start + 1 : start + 4]}
    assert body == {v: shown(t) for v, t in EXPECTED_VILLAGES.items()}
    assert [int(x) for x in rows[start + 4][2:]] == shown(EXPECTED_TOTAL)
    assert any(r[:2] == ["Đăng ký khai sinh", "2"] for r in rows)


def test_json_is_the_same_computation(made):
    rep, files = made
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert tuple(data["total"][f] for f in ind.FIELDS) == EXPECTED_TOTAL
    assert {r["label"]: tuple(r[f] for f in ind.FIELDS) for r in data["rows"]} == EXPECTED_VILLAGES
    assert data["invalid_dates"]["total"] == 2 and data["period"]["key"] == "2026-10"
    assert {t["village"]: t["status"] for t in data["targets"]}["Thôn 3"] == "unknown"


def test_pdf_text_signature_and_embedded_font(made):
    rep, files = made
    reader = PdfReader(files["pdf"])
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG" in text and "Tháng 10/2026" in text
    assert "NGƯỜI LẬP BIỂU" in text and "CHỦ TỊCH UBND XÃ" in text
    assert "ngày …… tháng …… năm ……" in text
    words = text.split()  # pypdf gives one cell per line: look for the row as a run of words
    assert has_run(words, ["Tổng", "cộng", *[number(v) for v in shown(EXPECTED_TOTAL)]])
    for village, values in EXPECTED_VILLAGES.items():
        assert has_run(words, [*village.split(), *[number(v) for v in shown(values)]]), village
    assert "Ngày không hợp lệ: 2" in text and "chưa rõ" in text
    fonts = {f["/BaseFont"] for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    # reportlab's canvas names Helvetica in every page's preamble; no text is drawn with it
    assert {str(f) for f in fonts} - {"/Helvetica"} and all("BeVietnamPro" in str(f) for f in fonts - {"/Helvetica"})
    ours = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values() if "BeVietnamPro" in str(f["/BaseFont"])]
    assert all("/FontFile2" in f["/FontDescriptor"] for f in ours)  # embedded, not merely named


def test_empty_month_exports_cleanly(commune, tmp_path):
    d = commune["desk"]
    rep = report.build_for(d, period=ind.Period.month(2026, 6), by="volunteer")
    for fmt in report.FORMATS:
        report.write(rep, fmt=fmt, out=tmp_path / f"empty.{fmt}")
    ws = load_workbook(tmp_path / "empty.xlsx")["Tổng hợp"]
    assert [ws.cell(row=r, column=3).value for r in range(6, 9)] == [0, 0, 0]  # Hoa, Bình, total
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "empty.pdf").pages)
    assert "Không có số liệu trong kỳ." in text  # no online services, no targets rows


def test_write_is_atomic_and_refuses_unknown_format(made, tmp_path):
    from teamdesk.errors import UsageError

    rep, files = made
    with pytest.raises(UsageError):
        report.write(rep, fmt="doc", out=tmp_path / "x.doc")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-")]


def test_english_report(commune, tmp_path):
    from teamdesk import i18n

    i18n.set_language("en")
    rep = report.build_for(commune["desk"], period=OCTOBER)
    ws = load_workbook(report.write(rep, fmt="xlsx", out=tmp_path / "en.xlsx"))["Summary"]
    assert ws.cell(row=5, column=2).value == "Village" and ws.cell(row=9, column=2).value == "Total"
    text = "\n".join(p.extract_text() for p in PdfReader(report.write(rep, fmt="pdf", out=tmp_path / "en.pdf")).pages)
    assert "PREPARED BY" in text
