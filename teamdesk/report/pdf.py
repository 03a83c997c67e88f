"""The report as a PDF (reportlab): the administrative heading, the tables, charts drawn with
reportlab.graphics, and a signature block for the commune's leader; Be Vietnam Pro embedded so
every Vietnamese letter prints the same on any computer."""

from __future__ import annotations

from typing import BinaryIO
from xml.sax.saxutils import escape as esc  # names and typed text may hold < & >: they are not markup

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from teamdesk.fonts import BOLD, ITALIC, register as register_fonts
from teamdesk.fonts import REGULAR as FONT
from teamdesk.i18n import number, tr

PAGE = landscape(A4)
MARGIN = 12 * mm
PALETTE = [colors.HexColor(c) for c in ("#1f6fb2", "#e07b39", "#3a9d5d", "#8e5ea2", "#c0392b")]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9),
        "cell_head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=7.5, leading=9, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=19, alignment=1, spaceAfter=2),
        "subtitle": ParagraphStyle("sub", parent=base, fontSize=10, leading=13, alignment=1),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "center": ParagraphStyle("center", parent=base, alignment=1),
        "center_bold": ParagraphStyle("cb", parent=base, fontName=BOLD, alignment=1),
        "center_italic": ParagraphStyle("ci", parent=base, fontName=ITALIC, alignment=1),
        "note": ParagraphStyle("note", parent=base, fontName=ITALIC, fontSize=8, leading=10),
    }


def write(report, fh: BinaryIO) -> None:
    register_fonts()
    st = _styles()
    doc = SimpleDocTemplate(fh, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=f"{report.title} — {report.period_label}", author="TeamDesk")
    width = PAGE[0] - 2 * MARGIN
    story = [_heading(report, st, width), Spacer(1, 4 * mm),
             Paragraph(esc(report.title), st["title"]),
             Paragraph(esc(f"{tr('report.period')}: {report.period_label}"), st["subtitle"]), Spacer(1, 4 * mm)]
    tables = {t.key: t for t in report.tables}
    story += _table_block(tables["summary"], st, width, first_wide=True)
    story.append(Spacer(1, 3 * mm))
    story.append(KeepTogether([Paragraph(tr("report.charts"), st["h2"]), _charts(report, width)]))
    for key in ("services", "procedures", "targets"):
        story += _table_block(tables[key], st, width, first_wide=key != "targets")
    story.append(Spacer(1, 3 * mm))
    story += [Paragraph(esc(note), st["note"]) for note in report.notes]
    story.append(Spacer(1, 6 * mm))
    story.append(_signatures(report, st, width))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(colors.grey)
    canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, tr("report.page_n", n=doc.page))
    canvas.drawString(MARGIN, 7 * mm, tr("report.made_by"))
    canvas.restoreState()


def _heading(report, st, width) -> Table:
    left = [Paragraph(esc(tr("report.pdf_org_top", commune=report.commune.upper())), st["center"]),
            Paragraph(tr("report.pdf_org_team"), st["center_bold"])]
    right = [Paragraph(tr("report.pdf_nation"), st["center_bold"]),
             Paragraph(tr("report.pdf_motto"), st["center_bold"])]
    t = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _table_block(table, st, width, *, first_wide: bool) -> list:
    out = [Paragraph(esc(table.title), st["h2"])]
    if not table.rows:
        return out + [Paragraph(esc(table.note or tr("report.empty_table")), st["note"])]
    ncols = len(table.headers)
    weights = table.widths or [12] * ncols
    scale = width / sum(weights)
    widths = [w * scale for w in weights]
    data = [[Paragraph(esc(h), st["cell_head"]) for h in table.headers]]
    cell = st["small"]
    for values in table.rows:
        data.append([number(v) if isinstance(v, int) else Paragraph(esc(str(v)), cell) for v in values])
    if table.total is not None:
        data.append([number(v) if isinstance(v, int) else Paragraph(f"<b>{esc(str(v))}</b>", cell) for v in table.total])
    t = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1 if first_wide else 0, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.total is not None:
        style += [("FONT", (0, -1), (-1, -1), BOLD, 8), ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f2f2"))]
    t.setStyle(TableStyle(style))
    out.append(t)
    if table.note:
        out.append(Paragraph(esc(table.note), st["note"]))
    return out


def _charts(report, width) -> Drawing:
    """Left: this period's VNeID level 2 and payment accounts by village (or group); right: the
    last months' helps done, VNeID level 2 and payment accounts."""
    height = 62 * mm
    d = Drawing(width, height)
    half = width / 2 - 10
    rows = report.indicators.rows[:40]
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 30, 34, half - 40, height - 58
    bars.data = [[r.values["vneid_level2"] for r in rows] or [0], [r.values["epayment_account"] for r in rows] or [0]]
    bars.categoryAxis.categoryNames = _short_labels([r.label for r in rows]) or [""]
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 6 if len(rows) <= 20 else 5
    bars.categoryAxis.labels.angle = 30 if 6 < len(rows) <= 20 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if 6 < len(rows) <= 20 else "n"
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 6
    bars.valueAxis.valueMin = 0
    _whole_steps(bars.valueAxis, max(max(series) for series in bars.data))
    for i in range(2):
        bars.bars[i].fillColor = PALETTE[i]
        bars.bars[i].strokeColor = None
    d.add(bars)
    d.add(String(30, height - 12, tr("report.chart_by_group", period=report.period_label), fontName=BOLD, fontSize=8))
    months = report.series
    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = half + 50, 34, half - 60, height - 58
    keys = ("helps_done", "vneid_level2", "epayment_account")
    line.data = [[m[k] for m in months] or [0] for k in keys]
    line.categoryAxis.categoryNames = [m["label"] for m in months] or [""]
    line.categoryAxis.labels.fontName = FONT
    line.categoryAxis.labels.fontSize = 6
    line.valueAxis.labels.fontName = FONT
    line.valueAxis.labels.fontSize = 6
    line.valueAxis.valueMin = 0
    _whole_steps(line.valueAxis, max(max(series) for series in line.data))
    for i in range(len(keys)):
        line.lines[i].strokeColor = PALETTE[(i + 2) % len(PALETTE)]
        line.lines[i].strokeWidth = 1.5
    d.add(line)
    d.add(String(half + 50, height - 12, tr("report.chart_by_month"), fontName=BOLD, fontSize=8))
    for x, names, pal in ((30, ("vneid_level2", "epayment_account"), PALETTE),
                          (half + 50, keys, [PALETTE[(i + 2) % len(PALETTE)] for i in range(3)])):
        legend = Legend()
        legend.x, legend.y = x, 8
        legend.fontName, legend.fontSize = FONT, 6.5
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = (half - 60) / len(names)
        legend.dxTextSpace = 4
        legend.colorNamePairs = [(pal[i], tr(f"report.field.{k}")) for i, k in enumerate(names)]
        d.add(legend)
    return d


def _whole_steps(axis, top: int) -> None:
    """Counts are whole: no 0.5 ticks on a small chart."""
    if top < 10:
        axis.valueMax = max(top, 1) + 1
        axis.valueStep = 1


def _short_labels(labels: list[str]) -> list[str]:
    """Many villages: "Thôn 12" → "12" when every name starts with the same word, so they fit."""
    words = [label.split(" ", 1) for label in labels]
    if len(labels) > 8 and all(len(w) == 2 for w in words) and len({w[0] for w in words}) == 1:
        return [w[1] for w in words]
    return labels


def _signatures(report, st, width) -> KeepTogether:
    place = report.commune.replace("Xã ", "").replace("Phường ", "").replace("Đặc khu ", "") or "…"
    left = [Paragraph(" ", st["center"]), Paragraph(tr("report.sign_maker"), st["center_bold"]),
            Paragraph(tr("report.sign_hint"), st["center_italic"])]
    right = [Paragraph(esc(tr("report.sign_date_line", place=place)), st["center_italic"]),
             Paragraph(tr("report.sign_leader"), st["center_bold"]),
             Paragraph(tr("report.sign_seal_hint"), st["center_italic"])]
    t = Table([[left, right], ["", ""]], colWidths=[width / 2, width / 2], rowHeights=[None, 22 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([t])
