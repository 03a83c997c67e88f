"""The report as an Excel workbook: one sheet per table, Vietnamese headers, a bold totals row,
column widths, the header frozen and repeated on every printed page, landscape A4 fit to width."""

from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from teamdesk.i18n import tr

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHEET_NAMES = {"summary": "report.sheet_summary", "services": "report.sheet_services",
               "procedures": "report.sheet_procedures", "targets": "report.sheet_targets"}


def write(report, fh: BinaryIO) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for table in report.tables:
        _sheet(wb, report, table)
    notes = wb.create_sheet(tr("report.sheet_notes")[:31])
    for i, note in enumerate(report.notes, start=1):
        notes.cell(row=i, column=1, value=note).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 120
    wb.properties.title = f"{report.title} — {report.period_label}"
    wb.properties.creator = "TeamDesk"
    wb.save(fh)


def _sheet(wb: Workbook, report, table) -> None:
    ws = wb.create_sheet(tr(SHEET_NAMES.get(table.key, "report.sheet_summary"))[:31])
    ncols = len(table.headers)
    ws.cell(row=1, column=1, value=report.title).font = Font(bold=True, size=14)
    place = f"{report.commune}, {report.province}" if report.province else report.commune
    ws.cell(row=2, column=1, value=place).font = Font(bold=True)
    ws.cell(row=3, column=1, value=f"{tr('report.period')}: {report.period_label}")
    ws.cell(row=4, column=1, value=table.title).font = Font(bold=True, size=12)
    head = 5
    for col, text in enumerate(table.headers, start=1):
        cell = ws.cell(row=head, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[head].height = 45
    row = head
    for values in table.rows:
        row += 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BOX
            if isinstance(value, int):
                cell.number_format = "#,##0"
            elif col == ncols and len(str(value)) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if table.total is not None and table.rows:
        row += 1
        for col, value in enumerate(table.total, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font = Font(bold=True)
            cell.fill = TOTAL_FILL
            cell.border = BOX
            if isinstance(value, int):
                cell.number_format = "#,##0"
    if table.note or not table.rows:
        row += 2
        ws.cell(row=row, column=1, value=table.note or tr("report.empty_table")).font = Font(italic=True)
    for col in range(1, ncols + 1):
        width = table.widths[col - 1] if col - 1 < len(table.widths) else 14
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = tr("report.page_footer")
