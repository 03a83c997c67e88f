"""The province view: one HTML page with a table by commune, in Vietnamese, no scripts.

Served by the hub at ``/`` for whoever holds the operator token; the same numbers as
``/api/v1/summary`` and ``/summary.csv``.
"""

from __future__ import annotations

from html import escape

from teamdesk.help_services import SERVICES, service_label
from teamdesk.i18n import tr

_STYLE = """
body{font-family:"Be Vietnam Pro","Segoe UI",Arial,sans-serif;margin:24px;color:#1d2733;background:#f6f8fa}
h1{font-size:22px;margin:0 0 4px} p.sub{color:#5b6775;margin:0 0 16px}
table{border-collapse:collapse;background:#fff;font-size:13px;box-shadow:0 1px 2px rgba(0,0,0,.15)}
th,td{padding:5px 8px;border-bottom:1px solid #e3e7ec;text-align:right;white-space:nowrap}
th{background:#0b5cab;color:#fff;font-weight:600;position:sticky;top:0;white-space:normal;max-width:90px;vertical-align:bottom}
td.name,th.name{text-align:left} th.group{text-align:center;border-bottom:1px solid #ffffff55} tr.total td{font-weight:700;background:#eef3f9}
td.zero{color:#a0a8b2} a.button{display:inline-block;margin:12px 8px 0 0;padding:6px 12px;
background:#0b5cab;color:#fff;text-decoration:none;border-radius:4px}
"""
_COLUMNS = ("households_reached", "helps", "vneid_level2", "epayment_accounts", "online_services", "follow_ups_pending")


def _local(iso: str | None) -> str:
    if not iso:
        return "—"
    from datetime import datetime

    from teamdesk.dates import LOCAL

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def _cell(value: int) -> str:
    return '<td class="zero">0</td>' if not value else f"<td>{value:,}</td>".replace(",", ".")


def province_page(*, name: str, lines: list[dict], bundles: dict[str, dict]) -> str:
    head = "".join(f"<th>{escape(tr(f'hub.col.{c}', 'vi'))}</th>" for c in _COLUMNS)
    head += "".join(f"<th>{escape(service_label(s, lang='vi'))}</th>" for s in SERVICES)
    rows = []
    totals = {c: 0 for c in _COLUMNS}
    by_service = {s: 0 for s in SERVICES}  # apart: "vneid_level2" is both an indicator and a service
    for e in lines:
        got = bundles.get(e["commune_code"], {})
        last = escape(_local(got.get("last")))
        cells = "".join(_cell(e[c]) for c in _COLUMNS) + "".join(_cell(e["helps_by_service"].get(s, 0)) for s in SERVICES)
        for c in _COLUMNS:
            totals[c] += e[c]
        for s in SERVICES:
            by_service[s] += e["helps_by_service"].get(s, 0)
        rows.append(
            f'<tr><td class="name">{escape(e["commune"])}</td><td class="name">{escape(e["province"])}</td>'
            f"{cells}<td>{got.get('bundles', 0)}</td><td class=\"name\">{last}</td></tr>"
        )
    total_cells = "".join(_cell(totals[c]) for c in _COLUMNS) + "".join(_cell(by_service[s]) for s in SERVICES)
    rows.append(
        f'<tr class="total"><td class="name">{escape(tr("hub.page.total", "vi"))}</td><td></td>{total_cells}'
        f"<td>{sum(b.get('bundles', 0) for b in bundles.values())}</td><td></td></tr>"
    )
    empty = "" if lines else f"<p>{escape(tr('hub.page.empty', 'vi'))}</p>"
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="300">
<title>{escape(tr('hub.page.title', 'vi'))} — {escape(name)}</title><style>{_STYLE}</style></head>
<body><h1>{escape(tr('hub.page.title', 'vi'))}</h1>
<p class="sub">{escape(name)} · {escape(tr('hub.page.communes', 'vi', count=len(lines)))}</p>
{empty}<table><thead><tr><th class="name" rowspan="2">{escape(tr('hub.col.commune', 'vi'))}</th>
<th class="name" rowspan="2">{escape(tr('hub.col.province', 'vi'))}</th>
<th class="group" colspan="{len(_COLUMNS)}">{escape(tr('hub.page.indicators', 'vi'))}</th>
<th class="group" colspan="{len(SERVICES)}">{escape(tr('hub.page.by_service', 'vi'))}</th>
<th rowspan="2">{escape(tr('hub.col.bundles', 'vi'))}</th><th class="name" rowspan="2">{escape(tr('hub.col.last', 'vi'))}</th></tr>
<tr>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<a class="button" href="/summary.csv?by=commune">{escape(tr('hub.page.csv_commune', 'vi'))}</a>
<a class="button" href="/summary.csv?by=province">{escape(tr('hub.page.csv_province', 'vi'))}</a>
</body></html>"""


def login_page() -> str:
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>TeamDesk</title>
<style>{_STYLE}</style></head><body><h1>{escape(tr('hub.page.title', 'vi'))}</h1>
<p>{escape(tr('hub.page.need_token', 'vi'))}</p></body></html>"""
