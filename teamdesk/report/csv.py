"""The report as CSV that Excel opens correctly: UTF-8 with a BOM, one section per table.

Each section is a title line, a header line, the rows and the totals row, then a blank line.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from teamdesk.i18n import tr


def write(report, fh: BinaryIO) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([report.title])
    out.writerow([f"{report.commune}, {report.province}" if report.province else report.commune])
    out.writerow([tr("report.period"), report.period_label])
    out.writerow([])
    for table in report.tables:
        out.writerow([table.title])
        out.writerow(table.headers)
        out.writerows(table.rows)
        if table.total is not None and table.rows:
            out.writerow(table.total)
        if table.note:
            out.writerow([table.note])
        out.writerow([])
    for note in report.notes:
        out.writerow([note])
    fh.write(buf.getvalue().encode("utf-8-sig"))
