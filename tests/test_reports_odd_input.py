"""Reports survive what people really type: named and numbered villages side by side, and
characters that mean markup to reportlab."""

from __future__ import annotations

from pypdf import PdfReader

from teamdesk import indicators, report, targets


def test_named_and_numbered_villages_and_markup_characters(desk, household, tmp_path):
    desk.add_village("Thôn Đông")  # beside "Thôn 1".."Thôn 3": used to raise TypeError when sorted
    hid = desk.add_household(head_name="Lò Văn Páo", village="Thôn Đông", consent_by="Lò Văn Páo").first("households")
    desk.log_help(household=hid, service="online_service", detail="Đăng ký <b>tạm trú & thường trú")
    period = indicators.parse_period(desk.today().strftime("%Y-%m"))
    rep = report.build_for(desk, period=period, by="village")
    out = report.write(rep, fmt="pdf", out=tmp_path / "bao-cao.pdf")
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Thôn Đông" in text and "<b>tạm trú & thường trú" in text
    targets.set_target(desk, indicator="vneid_level2", rate="80%", deadline="31/12/2026")
    goals = targets.progress(desk.conn, today=desk.today())
    named = [g for g in goals if g["village_id"]]
    assert len(named) == 4 and named[-1]["village_id"] == desk.village("Thôn Đông")["id"]  # "Thôn 3" before "Thôn Đông"
    xlsx = report.write(rep, fmt="xlsx", out=tmp_path / "bao-cao.xlsx")
    assert xlsx.exists()
