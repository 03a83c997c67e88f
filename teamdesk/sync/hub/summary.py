"""The province's indicators per commune, computed the same way on the hub and on a coordinator.

It reads only columns that survive de-identification (service, outcome, household and village
ids, the village's commune), so a coordinator running it on its own full database gets exactly
the numbers the hub shows for that commune — the check that nothing was lost or counted twice.

Indicators (helps that are not deleted, of households that are not erased):
- ``households_reached``: households with at least one help logged;
- ``helps`` and ``helps_by_service``: helps logged, whatever the outcome;
- ``vneid_level2``, ``epayment_accounts``, ``online_services``: helps of that service done;
- ``follow_ups_pending``: helps to follow up for which the household has no ``done`` help of the
  same service.
"""

from __future__ import annotations

import csv
import io
import sqlite3

from teamdesk.help_services import SERVICES

BY = ("commune", "province")
DONE_INDICATORS = {"vneid_level2": "vneid_level2", "epayment_accounts": "epayment_account", "online_services": "online_service"}
FIELDS = ("households_reached", "helps", "vneid_level2", "epayment_accounts", "online_services", "follow_ups_pending")

_FROM = (
    " FROM help_events e JOIN households h ON h.id = e.household_id JOIN villages v ON v.id = h.village_id"
    " WHERE e.deleted = 0 AND h.deleted = 0"
)
# One commune: walk its villages → households → helps by index (CROSS JOIN fixes SQLite's join order).
_FROM_ONE = (
    " FROM villages v CROSS JOIN households h ON h.village_id = v.id CROSS JOIN help_events e ON e.household_id = h.id"
    " WHERE e.deleted = 0 AND h.deleted = 0"
)


def _unit(code: str) -> dict:
    from teamdesk.units import commune

    try:
        return commune(code)
    except Exception:  # an unknown code still gets a line, named by its code
        return {"code": code, "name": code, "province": code[:2], "province_name": code[:2]}


def _empty(code: str) -> dict:
    unit = _unit(code)
    return {
        "commune_code": code,
        "commune": unit["name"],
        "province_code": unit["province"],
        "province": unit["province_name"],
        **{f: 0 for f in FIELDS},
        "helps_by_service": {},
    }


def by_commune(conn: sqlite3.Connection, *, communes: list[str] | None = None, only: list[str] | None = None) -> list[dict]:
    """One line per commune (all communes with data, plus those named in ``communes``).

    ``only``: compute just these communes (the hub refreshes the one a bundle touched; the query
    then walks that commune's villages → households → helps by index, not every help held).
    """
    lines: dict[str, dict] = {c: _empty(c) for c in (only if only is not None else communes or ())}
    where, params = _FROM, []
    if only is not None:
        if not only:
            return []
        where = _FROM_ONE + f" AND v.commune_code IN ({','.join('?' * len(only))})"
        params = list(only)

    def line(code: str) -> dict:
        if code not in lines:
            lines[code] = _empty(code)
        return lines[code]

    for code, reached in conn.execute(f"SELECT v.commune_code, COUNT(DISTINCT e.household_id){where} GROUP BY 1", params):
        line(code)["households_reached"] = reached
    for code, service, outcome, n in conn.execute(
        f"SELECT v.commune_code, e.service, e.outcome, COUNT(*){where} GROUP BY 1, 2, 3", params
    ):
        entry = line(code)
        entry["helps"] += n
        entry["helps_by_service"][service] = entry["helps_by_service"].get(service, 0) + n
        if outcome == "done":
            for field, svc in DONE_INDICATORS.items():
                if service == svc:
                    entry[field] += n
    for code, n in conn.execute(
        f"SELECT v.commune_code, COUNT(*){where} AND e.outcome = 'follow_up' AND NOT EXISTS ("
        " SELECT 1 FROM help_events d WHERE d.household_id = e.household_id AND d.service = e.service"
        " AND d.outcome = 'done' AND d.deleted = 0) GROUP BY 1",
        params,
    ):
        line(code)["follow_ups_pending"] = n
    for entry in lines.values():
        entry["helps_by_service"] = _ordered(entry["helps_by_service"])
    return sorted(lines.values(), key=lambda e: (e["province_code"], e["commune_code"]))


def _ordered(by_service: dict[str, int]) -> dict[str, int]:
    known = {s: by_service[s] for s in SERVICES if s in by_service}
    return known | {s: n for s, n in sorted(by_service.items()) if s not in known}


def provinces_of(commune_lines: list[dict]) -> list[dict]:
    """Add communes' lines up per province."""
    out: dict[str, dict] = {}
    for entry in commune_lines:
        code = entry["province_code"]
        total = out.setdefault(
            code,
            {"province_code": code, "province": entry["province"], "communes": 0, **{f: 0 for f in FIELDS}, "helps_by_service": {}},
        )
        total["communes"] += 1
        for f in FIELDS:
            total[f] += entry[f]
        for s, n in entry["helps_by_service"].items():
            total["helps_by_service"][s] = total["helps_by_service"].get(s, 0) + n
    for total in out.values():
        total["helps_by_service"] = _ordered(total["helps_by_service"])
    return sorted(out.values(), key=lambda e: e["province_code"])



def to_csv(lines: list[dict], *, by: str = "commune") -> str:
    """The summary as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly)."""
    services = list(SERVICES) + sorted({s for e in lines for s in e["helps_by_service"] if s not in SERVICES})
    head = ["commune_code", "commune", "province_code", "province"] if by == "commune" else ["province_code", "province", "communes"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(head + list(FIELDS) + [f"helps_{s}" for s in services])
    for e in lines:
        writer.writerow([e[h] for h in head] + [e[f] for f in FIELDS] + [e["helps_by_service"].get(s, 0) for s in services])
    return "\ufeff" + buf.getvalue()
