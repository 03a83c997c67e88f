"""``teamdesk guides list`` and ``teamdesk leaflet``: the trainer's printing commands.

A thin layer over ``teamdesk.guides`` and ``teamdesk.leaflets.document.make_leaflets`` — the
same calls the app's leaflets screen makes.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from teamdesk import guides as guide_library
from teamdesk.cli import Run, cli, command
from teamdesk.i18n import language, tr
from teamdesk.leaflets.document import LAYOUTS, make_leaflets

SKIPPED_SHOWN = 12  # the rest are in --json

guides_group = click.Group("guides", help="Thư viện hướng dẫn có mã QR. / The QR guide library.")
cli.add_command(guides_group)


def _summary(g: dict, lang: str) -> dict:
    return {
        "slug": g["slug"],
        "title": g[lang]["title"],
        "link": g["link"],
        "link_setting": g.get("link_setting") or None,
        "source": g["source"],
        "based_on": g.get("based_on") or None,
        "checked": g["checked"],
        "service": g.get("service") or None,
    }


@command(guides_group, "list", help="Liệt kê các hướng dẫn (có sẵn và của tổ). / List the guides (shipped and the team's own).")
@click.option("--search", "text", default="", help="Lọc theo chữ (không cần dấu) / filter by words (accents optional).")
def guides_list(run: Run, text: str):
    desk = run.desk()
    lang = language()
    found = guide_library.search(guide_library.library(desk), text, lang=lang)
    rows = [_summary(g, lang) for g in found]
    lines = [tr("leaflet.cli.guides_header", count=len(rows))]
    lines += [
        tr("leaflet.cli.guide_line", slug=r["slug"], title=r["title"], source=tr(f"leaflet.source.{r['source']}"), link=r["link"])
        for r in rows
    ]
    run.emit({"guides": rows}, lines)


@command(guides_group, "save", help="Lưu hướng dẫn của tổ từ tệp JSON (hướng dẫn có sẵn được lưu thành bản riêng). "
         "/ Save a team guide from a JSON file (a shipped one is saved as a copy).")
@click.argument("file", type=click.Path(path_type=Path))
def guides_save(run: Run, file: Path):
    desk = run.desk()
    body = guide_library.load_file(file)
    stored = guide_library.save(desk, body)
    if stored.get("based_on") and stored["slug"] != body["slug"]:
        text = tr("leaflet.cli.guide_copy", slug=stored["slug"], based_on=stored["based_on"])
    else:
        text = tr("leaflet.cli.guide_saved", slug=stored["slug"])
    run.emit({"guide": _summary(stored, language())}, text)


@command(guides_group, "delete", help="Xóa một hướng dẫn của tổ (hướng dẫn có sẵn không xóa được). "
         "/ Delete a team guide (shipped guides cannot be deleted).")
@click.argument("guide")
def guides_delete(run: Run, guide: str):
    guide_library.delete(run.desk(), guide)
    run.emit({"deleted": guide}, tr("leaflet.cli.guide_deleted", slug=guide))


@command(guides_group, "show", help="Xem một hướng dẫn dạng JSON. / Show one guide as JSON.")
@click.argument("guide")
def guides_show(run: Run, guide: str):
    g = guide_library.get(run.desk(), guide)
    run.emit({"guide": g}, json.dumps(g, ensure_ascii=False, indent=2))


@command(cli, "leaflet", help="In tờ hướng dẫn có mã QR ra PDF: áp phích A4, tờ A5, thẻ cắt rời, hoặc tờ riêng cho từng hộ. "
         "/ Print QR guide leaflets to PDF: A4 posters, A5 handouts, cut-out cards, or personalised handouts.")
@click.argument("guides", nargs=-1, required=True)
@click.option("--layout", required=True, type=click.Choice(LAYOUTS), help="Khổ in / layout.")
@click.option("--copies", default=1, show_default=True, type=click.IntRange(1, 500), help="Số bản (số trang thẻ với cards-a4) / copies.")
@click.option("--household", "households", multiple=True, help="Mã hộ (lặp lại) — tờ riêng cho hộ / household id (repeat).")
@click.option("--village", default=None, help="Mọi hộ ở thôn này / every household in this village.")
@click.option("--needs", default=None, help="Chỉ hộ chưa xong dịch vụ này, vd. vneid_level2 / only households still needing this service.")
@click.option("--two-up", is_flag=True, help="Hai tờ A5 trên một trang A4 ngang / two A5 handouts per A4 sheet.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Tệp PDF xuất ra / output PDF file.")
def leaflet(run: Run, guides: tuple[str, ...], layout: str, copies: int, households: tuple[str, ...],
            village: str | None, needs: str | None, two_up: bool, out: Path):
    desk = run.desk()
    result = make_leaflets(desk, guides=list(guides), layout=layout, copies=copies, households=households,
                           village=village, needs=needs, two_up=two_up, out=out)
    lines = [tr("leaflet.cli.written", file=result["out"], pages=result["pages"], layout=tr(f"leaflet.layout.{layout}"))]
    if result["households"]:
        lines.append(tr("leaflet.cli.households", count=result["households"]))
    if result["skipped"]:
        lines.append(tr("leaflet.cli.skipped_title", count=len(result["skipped"])))
        shown = result["skipped"][:SKIPPED_SHOWN]
        lines += [tr("leaflet.cli.skipped_line", id=s["id"][-8:], village=s["village"], reason=s["reason_text"]) for s in shown]
        if len(result["skipped"]) > len(shown):
            lines.append(tr("leaflet.cli.skipped_more", count=len(result["skipped"]) - len(shown)))
    lines += [tr("leaflet.cli.note", note=n) for n in result["notes"]]
    run.emit(result, lines)

