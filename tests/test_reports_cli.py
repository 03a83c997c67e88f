"""``teamdesk report`` and ``teamdesk targets`` through click, as coordinators script them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from teamdesk.cli import load_commands
from tests.test_indicators import EXPECTED_TOTAL, commune  # noqa: F401


@pytest.fixture
def run(commune):
    home = str(commune["desk"].home)
    cli = load_commands()

    def invoke(*args):
        return CliRunner().invoke(cli, [*args, "--home", home], catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "json"])
def test_report_each_format(run, tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    res = run("report", "--format", fmt, "--out", str(out), "--period", "2026-10", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["ok"] and data["file"] == str(out) and out.stat().st_size > 100
    assert data["total"]["households_reached"] == EXPECTED_TOTAL[0] and data["invalid_dates"]["total"] == 2


def test_report_by_volunteer_human_output(run, tmp_path):
    res = run("report", "--format", "xlsx", "--out", str(tmp_path / "v.xlsx"), "--period", "10/2026", "--by", "volunteer")
    assert res.exit_code == 0 and "Tháng 10/2026" in res.output
    ws = load_workbook(tmp_path / "v.xlsx")["Tổng hợp"]
    assert [ws.cell(row=r, column=2).value for r in (6, 7, 8)] == ["Lê Thị Hoa", "Trần Văn Bình", "Tổng cộng"]


def test_report_defaults_to_this_month(run, tmp_path):
    res = run("report", "--format", "json", "--out", str(tmp_path / "m.json"))
    assert res.exit_code == 0
    assert json.loads((tmp_path / "m.json").read_text())["period"]["kind"] == "month"


def test_bad_period_is_a_usage_error(run, tmp_path):
    res = run("report", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--period", "2026-13")
    assert res.exit_code == 2 and "không hợp lệ" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_targets_set_list_import(run, tmp_path):
    res = run("targets", "set", "--indicator", "vneid_level2", "--rate", "80%", "--deadline", "31/12/2026")
    assert res.exit_code == 0 and "80%" in res.output
    res = run("targets", "set", "--village", "Thôn 3", "--population", "400", "--households", "120")
    assert res.exit_code == 0 and "400" in res.output
    res = run("targets", "list", "--json")
    data = json.loads(res.output)
    assert {t["village"] for t in data["targets"]} >= {"Thôn 1", "Thôn 3"}
    assert next(v for v in data["villages"] if v["name"] == "Thôn 3")["population"] == 400
    f = tmp_path / "p.csv"
    f.write_text("\ufeffThôn,Dân số\nThôn 2,77\n", encoding="utf-8")
    res = run("targets", "import", str(f))
    assert res.exit_code == 0 and "1 thôn" in res.output
    f.write_text("Thôn,Dân số\nThôn 7,77\n", encoding="utf-8")
    res = run("targets", "import", str(f))
    assert res.exit_code == 3 and "Thôn 7" in res.output


def test_targets_set_needs_a_whole_target(run):
    assert run("targets", "set", "--indicator", "vneid_level2").exit_code == 2
    assert run("targets", "set").exit_code == 2
    assert run("targets", "set", "--population", "5").exit_code == 2


def test_every_report_command_has_help():
    cli = load_commands()
    for name in ("report",):
        assert cli.commands[name].help
    for sub in cli.commands["targets"].commands.values():
        assert sub.help and "/" in sub.help


def test_team_started_moves_helps_out_as_invalid(run, tmp_path):
    res = run("targets", "set", "--team-started", "01/10/2026")
    assert res.exit_code == 0 and "01/10/2026" in res.output
    res = run("report", "--format", "json", "--out", str(tmp_path / "s.json"), "--period", "2026-09", "--json")
    data = json.loads(res.output)
    assert data["total"]["helps_logged"] == 0 and data["invalid_dates"]["before_start"] == 3
