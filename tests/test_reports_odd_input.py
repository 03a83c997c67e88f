"""Reports survive what people really type: named and numbered villages side by side, and
characters that mean markup to reportlab."""

from __future__ import annotations

import pytest
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


def test_a_rejected_target_leaves_the_population_unsaved(desk):
    from click.testing import CliRunner

    from teamdesk.cli import load_commands
    from teamdesk.errors import InputRejected

    result = CliRunner().invoke(load_commands(), ["targets", "set", "--village", "Thôn 1", "--population", "1250",
                                                  "--indicator", "vneid_level2", "--rate", "nhiều", "--deadline",
                                                  "31/12/2026", "--home", str(desk.home)])
    assert result.exit_code == 3
    assert desk.village("Thôn 1")["population"] is None
    with pytest.raises(InputRejected):  # the app's Save: one transaction too
        targets.save_all(desk, populations=[(desk.village("Thôn 2")["id"], 900, None)], removed=[],
                         wanted=[{"indicator": "vneid_level2", "village_id": "", "rate": "80%", "deadline": "31/02/2026"}])
    assert desk.village("Thôn 2")["population"] is None
