"""The monthly report: computed once (``build``), written as xlsx, csv, pdf or json.

``build`` asks ``teamdesk.indicators`` and ``teamdesk.targets`` for every figure and lays them out
as titled tables of plain values; each writer only formats those tables, so the four files carry
the same numbers by construction. ``write`` picks the writer and writes atomically.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from teamdesk import indicators, targets
from teamdesk.atomic_file import write_atomic
from teamdesk.dates import show
from teamdesk.errors import UsageError
from teamdesk.help_services import OUTCOMES, extra_services, outcome_label, service_label
from teamdesk.i18n import tr

FORMATS = ("xlsx", "csv", "pdf", "json")
Progress = Callable[[int, int], None] | None


@dataclass
class Table:
    """A titled table of plain values; ``total`` is the last row, drawn in bold."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None
    note: str = ""
    widths: list[int] = field(default_factory=list)  # in characters, for xlsx (pdf scales them)


@dataclass
class Report:
    title: str
    commune: str
    province: str
    period_label: str
    made_on: date
    indicators: indicators.Indicators
    progress: list[dict]
    series: list[dict]
    tables: list[Table]
    notes: list[str]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_json(self) -> dict:
        return {
            "title": self.title, "commune": self.commune, "province": self.province,
            "period_label": self.period_label, "made_on": self.made_on.isoformat(),
            **self.indicators.to_json(),
            "targets": self.progress,
            "months": self.series,
            "notes": self.notes,
        }


def _pct(value: float | None) -> str:
    return tr("report.unknown_value") if value is None else f"{value * 100:.1f}%".replace(".", ",")


def build(conn, *, period: indicators.Period, by: str = "village", today: date, commune: str = "",
          province: str = "", extras_setting: str | None = None, months: int = 6,
          progress: Progress = None, with_series: bool = True) -> Report:
    """Every table of the report for ``period`` grouped ``by`` village, volunteer or commune.

    ``with_series=False`` leaves the months' figures (charts) out: the dashboard paints first and
    asks for them with ``series_for`` afterwards.
    """
    steps = 4
    if progress:
        progress(0, steps)
    indicators.prepare(conn, today=today)  # every day at once: the targets need them all too
    ind = indicators.compute(conn, period=period, by=by, today=today, commune=commune)
    if progress:
        progress(1, steps)
    goals = targets.progress(conn, today=min(today, period.end), commune=commune)
    series = series_for(conn, period=period, today=today, months=months) if with_series else []
    if progress:
        progress(2, steps)
    extras = extra_services(extras_setting)
    fields = list(indicators.REPORT_FIELDS)
    first = tr(f"report.group_{by}")
    main = Table(
        "summary", tr("report.table_summary", by=first.lower()), [tr("report.col_no"), first] + [tr(f"report.field.{f}") for f in fields],
        [[i + 1, r.label] + [r.values[f] for f in fields] for i, r in enumerate(ind.rows)],
        ["", tr("report.total")] + [ind.total.values[f] for f in fields],
        tr("report.note_volunteer_total") if by == "volunteer" else "",
        [5, 24] + [12] * len(fields),
    )
    services = Table(
        "services", tr("report.table_services"),
        [tr("report.col_service")] + [outcome_label(o) for o in OUTCOMES] + [tr("report.col_total")],
        [[service_label(s, extras)] + [c[o] for o in OUTCOMES] + [c["total"]] for s, c in ind.by_service.items()],
        [tr("report.total")] + [sum(c[o] for c in ind.by_service.values()) for o in OUTCOMES]
        + [sum(c["total"] for c in ind.by_service.values())],
        widths=[34, 12, 14, 14, 12],
    )
    procs = Table(
        "procedures", tr("report.table_procedures"), [tr("report.col_procedure"), tr("report.col_count")],
        [[p, n] for p, n in ind.procedures], [tr("report.total"), sum(n for _, n in ind.procedures)],
        widths=[48, 14],
    )
    goal_table = Table(
        "targets", tr("report.table_targets", day=show(min(today, period.end))),
        [tr("report.col_target_indicator"), tr("report.col_place"), tr("report.col_base"), tr("report.col_rate"),
         tr("report.col_deadline"), tr("report.col_achieved"), tr("report.col_share"), tr("report.col_remaining"),
         tr("report.col_assessment")],
        [[g["label"], g["village"], g["base"] if g["base"] is not None else tr("report.unknown_value"),
          _pct(g["rate"]), show(g["deadline"]), g["achieved"], _pct(g["share"]),
          g["remaining"] if g["remaining"] is not None else tr("report.unknown_value"), g["message"]] for g in goals],
        note="" if goals else tr("report.no_targets"),
        widths=[26, 16, 10, 9, 12, 10, 10, 10, 60],
    )
    notes = [tr("report.note_rules")]
    bad = ind.invalid_dates
    if bad.get("total"):
        notes.append(tr("report.note_invalid_dates", total=bad["total"], future=bad["future"], before=bad["before_start"],
                        start=show(ind.team_started)))
    if progress:
        progress(3, steps)
    return Report(
        title=tr("report.title"), commune=commune, province=province, period_label=period.label(),
        made_on=today, indicators=ind, progress=goals, series=series,
        tables=[main, services, procs, goal_table], notes=notes,
    )


def series_for(conn, *, period: indicators.Period, today: date, months: int = 6) -> list[dict]:
    """The charts' months: the ``months`` months up to the period's end."""
    return indicators.series(conn, months=months, today=min(today, period.end))


def build_for(desk, *, period: indicators.Period, by: str = "village", progress: Progress = None,
              with_series: bool = True) -> Report:
    """``build`` for an open ``Desk``: its commune's names, its trusted today, its extra services."""
    from teamdesk.units import commune

    unit = commune(desk.commune_code) if desk.commune_code else {"name": "", "province_name": ""}
    return build(desk.conn, period=period, by=by, today=desk.today(), commune=unit["name"],
                 province=unit["province_name"], extras_setting=desk.setting("extra_services"), progress=progress,
                 with_series=with_series)


def write(report: Report, *, fmt: str, out: Path | str) -> Path:
    """Write ``report`` as ``fmt`` to ``out``: a temp file in the same folder, fsync, rename."""
    if fmt not in FORMATS:
        raise UsageError("error.report_bad_format", format=fmt, known=", ".join(FORMATS))
    out = Path(out)
    from importlib import import_module

    writer = import_module(f"teamdesk.report.{fmt}")
    buffer = io.BytesIO()
    writer.write(report, buffer)
    write_atomic(out, buffer.getvalue(), error_key="error.report_write_failed")
    return out
