"""``teamdesk report`` (the monthly report in xlsx, csv, pdf or json) and ``teamdesk targets``
(populations and target rates): thin wrappers over ``teamdesk.report`` and ``teamdesk.targets``."""

from __future__ import annotations

from pathlib import Path

import click

from teamdesk import indicators, report, targets
from teamdesk.cli import Run, cli, command
from teamdesk.dates import parse_date, show
from teamdesk.db import transaction
from teamdesk.i18n import tr


def _period(desk, text: str | None) -> indicators.Period:
    if text:
        return indicators.parse_period(text)
    today = desk.today()
    return indicators.Period.month(today.year, today.month)


@command(cli, "report", help="Lập báo cáo tháng (xlsx, csv, pdf, json). / Make the monthly report.")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), required=True, help="Định dạng / format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Tệp ghi ra / output file.")
@click.option("--period", default=None, help="Kỳ: 2026-11, 2026-Q4, 2026-W47, ngày, hoặc A..B (mặc định: tháng này) / period.")
@click.option("--by", type=click.Choice(("village", "commune", "volunteer")), default="village", show_default=True,
              help="Nhóm theo thôn, toàn xã hoặc tổ viên / group by.")
def report_command(run: Run, fmt: str, out: Path, period: str | None, by: str):
    desk = run.desk()
    made = report.build_for(desk, period=_period(desk, period), by=by)
    path = report.write(made, fmt=fmt, out=out)
    run.emit(
        {"file": str(path), "format": fmt, "period": made.indicators.period.key, "by": by,
         "total": made.indicators.total.values, "invalid_dates": made.indicators.invalid_dates},
        tr("report.written", period=made.period_label, format=fmt, file=str(path)),
    )


targets_group = click.Group("targets", help="Chỉ tiêu, dân số các thôn / targets and village populations.")
cli.add_command(targets_group)


@command(targets_group, "set", help="Đặt chỉ tiêu hoặc dân số của thôn. / Set a target or a village's population.")
@click.option("--indicator", type=click.Choice(tuple(targets.TARGETABLE)), default=None, help="Chỉ số / indicator.")
@click.option("--rate", default=None, help="Tỷ lệ, ví dụ 80% / target rate.")
@click.option("--deadline", default=None, help="Thời hạn dd/mm/yyyy / deadline.")
@click.option("--village", default=None, help="Thôn (bỏ trống: toàn xã) / village (empty: whole commune).")
@click.option("--population", default=None, help="Dân số của thôn / the village's population.")
@click.option("--households", default=None, help="Số hộ của thôn / the village's households.")
@click.option("--team-started", default=None,
              help="Ngày tổ bắt đầu hoạt động (dd/mm/yyyy); lần hỗ trợ ghi ngày trước đó không được tính"
                   " / the day the team began; helps dated earlier are not counted.")
def targets_set(run: Run, indicator, rate, deadline, village, population, households, team_started):
    from teamdesk.errors import UsageError

    desk = run.desk()
    lines, data = [], {}
    # every usage check before any write, then all writes in one transaction: a bad --rate must not
    # leave the population half-saved
    if (population is not None or households is not None) and not village:
        raise UsageError("error.targets_village_required")
    if (indicator or rate or deadline) and not (indicator and rate and deadline):
        raise UsageError("error.targets_set_incomplete")
    day = parse_date(team_started) if team_started else None
    with transaction(desk.conn):
        if population is not None or households is not None:
            targets.set_population(desk, village=village, population=population, households=households)
            v = desk.village(village)
            data["village"] = v
            lines.append(tr("targets.population_set", village=v["name"], population=_n(v["population"]),
                            households=_n(v["household_count"])))
        if indicator:
            t = targets.set_target(desk, indicator=indicator, rate=rate, deadline=deadline, village=village)
            data["target"] = t
            lines.append(tr("targets.set", indicator=tr(f"report.field.{indicator}"),
                            place=desk.village(village)["name"] if village else tr("report.commune"),
                            rate=f"{t['rate'] * 100:g}%", deadline=show(t["deadline"])))
        if day:
            desk.set_setting("team_started", day.isoformat())
            data["team_started"] = day.isoformat()
            lines.append(tr("targets.team_started", day=show(day)))
    if not lines:
        raise UsageError("error.targets_set_nothing")
    run.emit(data, lines)


def _share(value: float | None) -> str:
    return tr("report.unknown_value") if value is None else f"{value * 100:.1f}%"


def _n(value) -> str:
    return tr("report.unknown_value") if value is None else str(value)


@command(targets_group, "list", help="Xem chỉ tiêu và tiến độ. / Targets and progress.")
def targets_list(run: Run):
    desk = run.desk()
    items = targets.progress(desk.conn, today=desk.today(), commune=desk.info()["commune"])
    lines = [f"{g['label']} — {g['village']}: {g['achieved']}/{'?' if g['target'] is None else g['target']}"
             f" ({_share(g['share'])}) {g['message']}" for g in items]
    villages = [f"{v['name']}: {tr('field.population')} {_n(v['population'])}, {tr('field.households')} "
                f"{_n(v['household_count'])}" for v in desk.villages()]
    run.emit({"targets": items, "villages": desk.villages()}, (lines or [tr("targets.none_set")]) + [""] + villages)


@command(targets_group, "import", help="Nhập dân số, số hộ các thôn từ CSV. / Import village populations from CSV.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def targets_import(run: Run, file: Path):
    result = targets.import_populations(run.desk(), file)
    run.emit(result, tr("targets.imported", villages=result["villages"]))
