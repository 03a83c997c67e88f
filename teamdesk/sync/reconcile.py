"""Reconciliation: "nothing lost" as a sheet a person can check and sign.

Per village, per sending laptop (and its volunteers), per day: how many records each file said it
carried (sent), how many were read from it (received) and how many were applied (new + updated +
unchanged + conflicts: each one is now current or kept in history). A file whose three numbers
differ, a file held for approval, and a numbered file that never arrived are called out. A second
part counts the helps held here per village, volunteer and day, which the volunteer can compare
with the "today" tally on the laptop. Printable as CSV (Excel) and as a PDF.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

from teamdesk.dates import LOCAL, show
from teamdesk.i18n import tr
from teamdesk.atomic_file import write_atomic
from teamdesk.sync.import_ import missing_sequences


def _local_day(iso: str) -> str:
    try:
        moment = datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
        return moment.astimezone(LOCAL).date().isoformat()
    except ValueError:
        return iso[:10]


def reconciliation(desk) -> dict:
    """The sheet's numbers (also what ``sync reconcile --json`` prints)."""
    files: dict[tuple, dict] = {}
    for village, device, created, state, sent, received, new, updated, unchanged, conflicts in desk.conn.execute(
        "SELECT village, device_name, created_at, state, records, received, new, updated, unchanged, conflicts"
        " FROM sync_bundles WHERE direction = 'in' AND kind = 'records'"
    ):
        key = (village or "—", device or "—", _local_day(created))
        row = files.setdefault(
            key, {"village": key[0], "device": key[1], "day": key[2], "bundles": 0, "held": 0, "sent": 0, "received": 0, "applied": 0, "new": 0, "updated": 0, "conflicts": 0}
        )
        row["bundles"] += 1
        row["sent"] += sent
        if state == "held":
            row["held"] += 1
            continue
        row["received"] += received
        row["applied"] += new + updated + unchanged + conflicts
        row["new"] += new
        row["updated"] += updated
        row["conflicts"] += conflicts
    rows = sorted(files.values(), key=lambda r: (r["village"], r["device"], r["day"]))
    for r in rows:
        r["ok"] = r["held"] == 0 and r["sent"] == r["received"] == r["applied"]
    sent_here = [
        {"day": _local_day(created), "bundles": n, "records": records, "reached": reached}
        for created, n, records, reached in desk.conn.execute(
            "SELECT created_at, COUNT(*), SUM(records), SUM(state = 'reached') FROM sync_bundles"
            " WHERE direction = 'out' GROUP BY substr(created_at, 1, 10) ORDER BY 1"
        )
    ]
    helps = [
        {"village": v or "—", "volunteer": p or "—", "day": d, "helps": n}
        for v, p, d, n in desk.conn.execute(
            "SELECT vi.name, vo.name, e.date, COUNT(*) FROM help_events e"
            " LEFT JOIN households h ON h.id = e.household_id LEFT JOIN villages vi ON vi.id = h.village_id"
            " LEFT JOIN volunteers vo ON vo.id = e.volunteer_id WHERE e.deleted = 0"
            " GROUP BY vi.name, vo.name, e.date ORDER BY vi.name, vo.name, e.date"
        )
    ]
    totals = {k: sum(r[k] for r in rows) for k in ("bundles", "held", "sent", "received", "applied", "new", "updated", "conflicts")}
    return {
        "files": rows,
        "totals": totals,
        "ok": all(r["ok"] for r in rows) and not missing_sequences(desk),
        "missing": missing_sequences(desk),
        "sent_here": sent_here,
        "helps": helps,
        "commune": desk.info().get("commune", ""),
        "device": desk.device_name,
    }


FILE_COLUMNS = ("village", "device", "day", "bundles", "sent", "received", "applied", "new", "updated", "conflicts", "held", "ok")


def to_csv(sheet: dict) -> bytes:
    """UTF-8 with a BOM so Excel on Windows shows Vietnamese correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([tr(f"reconcile.col.{c}") for c in FILE_COLUMNS])
    for r in sheet["files"]:
        w.writerow([show(r[c]) if c == "day" else (tr("reconcile.ok") if r[c] else tr("reconcile.check")) if c == "ok" else r[c] for c in FILE_COLUMNS])
    w.writerow([])
    for m in sheet["missing"]:
        w.writerow([m["message"]])
    w.writerow([])
    w.writerow([tr("reconcile.col.village"), tr("reconcile.col.volunteer"), tr("reconcile.col.day"), tr("reconcile.col.helps")])
    for h in sheet["helps"]:
        w.writerow([h["village"], h["volunteer"], show(h["day"]), h["helps"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_pdf(sheet: dict) -> bytes:
    """An A4 sheet with the files table, what is missing, and a place to sign."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.lib.styles import ParagraphStyle

    from teamdesk import fonts

    fonts.register()
    title = ParagraphStyle("t", fontName=fonts.BOLD, fontSize=14, leading=18)
    body = ParagraphStyle("b", fontName=fonts.REGULAR, fontSize=9, leading=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm)
    story = [Paragraph(tr("reconcile.title", commune=sheet["commune"]), title), Spacer(1, 4 * mm)]
    data = [[tr(f"reconcile.col.{c}") for c in FILE_COLUMNS]]
    for r in sheet["files"]:
        data.append([show(r[c]) if c == "day" else (tr("reconcile.ok") if r[c] else tr("reconcile.check")) if c == "ok" else str(r[c]) for c in FILE_COLUMNS])
    t = sheet["totals"]
    data.append([tr("reconcile.total"), "", "", *[str(t[c]) for c in ("bundles", "sent", "received", "applied", "new", "updated", "conflicts", "held")], ""])
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8.5),
                ("FONT", (0, 0), (-1, 0), fonts.BOLD, 8.5),
                ("FONT", (0, -1), (-1, -1), fonts.BOLD, 8.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("ALIGN", (3, 1), (-2, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    if sheet["missing"]:
        for m in sheet["missing"]:
            story.append(Paragraph("• " + m["message"], body))
    else:
        story.append(Paragraph(tr("reconcile.none_missing"), body))
    if sheet["helps"]:
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(tr("reconcile.helps_title"), ParagraphStyle("h", fontName=fonts.BOLD, fontSize=11, leading=14)))
        story.append(Spacer(1, 2 * mm))
        rows = [[tr("reconcile.col.village"), tr("reconcile.col.volunteer"), tr("reconcile.col.day"), tr("reconcile.col.helps")]]
        rows += [[h["village"], h["volunteer"], show(h["day"]), str(h["helps"])] for h in sheet["helps"]]
        helps = Table(rows, repeatRows=1, hAlign="LEFT")
        helps.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8.5),
                    ("FONT", (0, 0), (-1, 0), fonts.BOLD, 8.5),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                    ("ALIGN", (3, 1), (3, -1), "RIGHT"),
                ]
            )
        )
        story.append(helps)
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(tr("reconcile.sign"), body))
    doc.build(story)
    return buf.getvalue()


def write_sheet(desk, *, out: Path | str) -> dict:
    """CSV or PDF by the file's extension (``.csv`` / ``.pdf``); anything else gets CSV."""
    sheet = reconciliation(desk)
    out = Path(out)
    data = to_pdf(sheet) if out.suffix.lower() == ".pdf" else to_csv(sheet)
    write_atomic(out, data)
    return {"file": str(out), "ok": sheet["ok"], "totals": sheet["totals"], "missing": len(sheet["missing"])}
