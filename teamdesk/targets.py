"""Targets: each village's population and households, target rates with a deadline, and progress.

Populations live on the synced ``villages`` rows (every device sees them); target rates are the
coordinator's own, in the local table ``report_targets`` (migration ``m004_reports``). A target set
for the commune (``village_id = ''``) also applies to every village without one of its own.

Progress is a share of the village's population (or households) and a plain sentence: "còn N
người nữa để đạt chỉ tiêu trước <ngày>", with where the current pace (the last 28 days) leads.
A village whose population was never entered shows "chưa rõ": never 0 %, never a division error.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from teamdesk import indicators, records
from teamdesk.changes import Changes
from teamdesk.dates import parse_date, show
from teamdesk.db import transaction
from teamdesk.errors import InputRejected, NotFound, UsageError
from teamdesk.fold import fold, natural_key
from teamdesk.i18n import language, number, tr

# indicator -> what its share is of: people ("population") or households ("households")
TARGETABLE = {
    "vneid_level2": "population",
    "vneid_install": "population",
    "epayment_account": "population",
    "people_helped": "population",
    "households_reached": "households",
    "online_households": "households",
}
PACE_DAYS = 28
MAX_COUNT = 1_000_000
MAX_CSV_BYTES = 1_000_000
_HEADERS = {
    "village": {"thon", "ten thon", "thon to dan pho", "ten thon to dan pho", "village", "name", "ten"},
    "population": {"dan so", "so dan", "so nhan khau", "nhan khau", "population", "people"},
    "households": {"so ho", "ho", "so ho gia dinh", "households", "household count", "household_count"},
}


# --- populations (synced, on the villages rows) ---------------------------------------------------
def _count(value, *, field: str, line: int | None = None) -> int | None:
    """A head count typed by a person: "1.234", "1 234", "1,234" are 1234; empty is unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(".", "").replace(",", "")
    if not text.isdigit() or int(text) > MAX_COUNT:
        params = {"value": str(value)[:40], "field": field, "max": MAX_COUNT}
        if line is not None:
            raise InputRejected("error.targets_csv_bad_count", line=line, **params)
        raise InputRejected("error.targets_bad_count", **params)
    return int(text)


def set_population(desk, *, village: str, population=None, households=None) -> Changes:
    """Enter a village's population and/or household count (``None`` keeps the current value)."""
    row = desk.village(village)
    pop = _count(population, field="population")
    hh = _count(households, field="households")
    return _write_populations(desk, [(row["id"], pop, hh)])


def _write_populations(desk, updates: list[tuple[str, int | None, int | None]]) -> Changes:
    changes = Changes()
    with transaction(desk.conn):
        for village_id, pop, hh in updates:
            fields = {k: v for k, v in (("population", pop), ("household_count", hh)) if v is not None}
            if fields:
                records.put(desk.conn, desk.clock, "villages", {"id": village_id, **fields})
                changes.add("villages", village_id)
        desk._save_clock()
    return changes


def import_populations(desk, path: Path | str) -> dict:
    """Populations from a CSV file (village, population, households), all rows or none.

    Accepts UTF-8 with or without a BOM, commas, semicolons or tabs, Vietnamese or English headers.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputRejected("error.targets_csv_too_big", file=path.name, max=MAX_CSV_BYTES // 1000)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputRejected("error.targets_csv_unreadable", file=path.name, detail=exc.strerror or str(exc)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputRejected("error.targets_csv_not_utf8", file=path.name) from None
    if "\x00" in text:
        raise InputRejected("error.targets_csv_not_utf8", file=path.name)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputRejected("error.targets_csv_empty", file=path.name)
    delimiter = max(",;\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as exc:
        raise InputRejected("error.targets_csv_broken", file=path.name, detail=str(exc)) from exc
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        for field, names in _HEADERS.items():
            if fold(name) in names and field not in columns:
                columns[field] = i
    if "village" not in columns or not ({"population", "households"} & set(columns)):
        raise InputRejected("error.targets_csv_header", file=path.name, header=delimiter.join(header)[:120])
    villages = {fold(v["name"]): v for v in desk.villages()}
    updates, seen, unknown = [], set(), []
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda f: row[columns[f]] if f in columns and columns[f] < len(row) else None  # noqa: E731
        name = (cell("village") or "").strip()
        village = villages.get(fold(name))
        if village is None:
            unknown.append(f"{name or '?'} ({tr('targets.line', line=n)})")
            continue
        if village["id"] in seen:
            raise InputRejected("error.targets_csv_duplicate", village=village["name"], line=n)
        seen.add(village["id"])
        updates.append((village["id"], _count(cell("population"), field="population", line=n),
                        _count(cell("households"), field="households", line=n)))
    if unknown:
        raise InputRejected("error.targets_csv_unknown_village", villages="; ".join(unknown[:10]))
    if not updates:
        raise InputRejected("error.targets_csv_empty", file=path.name)
    changes = _write_populations(desk, updates)
    return {"villages": len(updates), "updated": len(changes.ids("villages"))}


# --- target rates (local) -------------------------------------------------------------------------
def parse_rate(text) -> float:
    """"80", "80%", "80,5 %" or "0.8" → 0.8 (a share between 0 and 1)."""
    value = str(text).strip().replace("%", "").replace(",", ".").strip()
    try:
        rate = float(value)
    except ValueError:
        raise InputRejected("error.targets_bad_rate", value=str(text)) from None
    rate = rate / 100 if rate > 1 else rate
    if not 0 < rate <= 1 or math.isnan(rate):
        raise InputRejected("error.targets_bad_rate", value=str(text))
    return rate


def set_target(desk, *, indicator: str, rate, deadline, village: str | None = None) -> dict:
    """Set (or replace) a target: ``rate`` of the population/households by ``deadline``."""
    if indicator not in TARGETABLE:
        raise UsageError("error.targets_bad_indicator", indicator=indicator, known=", ".join(TARGETABLE))
    share = parse_rate(rate)
    day = deadline if isinstance(deadline, date) else parse_date(str(deadline))
    village_id = desk.village(village)["id"] if village else ""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT OR REPLACE INTO report_targets (indicator, village_id, rate, deadline, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (indicator, village_id, share, day.isoformat(), stamp),
        )
    return {"indicator": indicator, "village_id": village_id, "rate": share, "deadline": day.isoformat()}


def save_all(desk, *, populations: list[tuple[str, int | None, int | None]], removed: list[tuple[str, str]],
             wanted: list[dict]) -> Changes:
    """Everything a coordinator edited at once (populations, removed targets, new or changed ones),
    in one transaction: a rejected value leaves nothing half-saved."""
    with transaction(desk.conn):
        changes = _write_populations(desk, populations) | Changes(settings=True)
        for indicator, village_id in removed:
            remove_target(desk, indicator=indicator, village=village_id or None)
        for t in wanted:
            set_target(desk, indicator=t["indicator"], rate=t["rate"], deadline=t["deadline"], village=t["village_id"] or None)
            if t["village_id"]:  # its progress changed: the dashboard reloads on either
                changes.add("villages", t["village_id"])
    return changes


def remove_target(desk, *, indicator: str, village: str | None = None) -> None:
    village_id = desk.village(village)["id"] if village else ""
    with transaction(desk.conn):
        cur = desk.conn.execute("DELETE FROM report_targets WHERE indicator = ? AND village_id = ?", (indicator, village_id))
    if not cur.rowcount:
        raise NotFound("error.targets_none", indicator=indicator)


def list_targets(conn) -> list[dict]:
    rows = conn.execute(
        "SELECT t.indicator, t.village_id, v.name, t.rate, t.deadline FROM report_targets t"
        " LEFT JOIN villages v ON v.id = t.village_id ORDER BY t.village_id != '', v.name, t.indicator"
    ).fetchall()
    return [{"indicator": r[0], "village_id": r[1], "village": r[2] or "", "rate": r[3], "deadline": r[4]} for r in rows]


# --- progress -------------------------------------------------------------------------------------
def progress(conn, *, today: date, commune: str = "", indicator: str | None = None) -> list[dict]:
    """Progress of every target, for the commune first and then each village, in display order.

    Each item: indicator, village (``""`` for the commune), base (``None`` = "chưa rõ"), achieved,
    target (a count), share and target_share, remaining, pace_per_week, eta, status
    (unknown / reached / on_track / behind / late / no_pace) and a one-line ``message``.
    """
    targets = [t for t in list_targets(conn) if indicator in (None, t["indicator"])]
    if not targets:
        return []
    wanted = [i for i in TARGETABLE if any(t["indicator"] == i for t in targets)]
    counts = indicators.achieved(conn, fields=wanted, today=today, cut=today - timedelta(days=PACE_DAYS))
    now = {v: {f: c[0] for f, c in fields.items()} for v, fields in counts.items()}
    before = {v: {f: c[1] for f, c in fields.items()} for v, fields in counts.items()}
    villages = conn.execute("SELECT id, name, population, household_count FROM villages WHERE deleted = 0").fetchall()
    villages.sort(key=lambda v: natural_key(v[1]))
    commune_t = {t["indicator"]: t for t in targets if not t["village_id"]}
    own_t = {(t["indicator"], t["village_id"]): t for t in targets if t["village_id"]}
    out = []
    for ind in wanted:
        base_col = 2 if TARGETABLE[ind] == "population" else 3
        bases = [v[base_col] for v in villages]
        if ind in commune_t:
            out.append(_item(
                ind, "", commune or tr("report.commune"), commune_t[ind],
                None if any(b is None for b in bases) or not villages else sum(bases),
                sum(f.get(ind, 0) for f in now.values()), sum(f.get(ind, 0) for f in before.values()), today,
            ))
        for vid, name, *_ in villages:
            target = own_t.get((ind, vid)) or commune_t.get(ind)
            if target:
                base = next(v[base_col] for v in villages if v[0] == vid)
                out.append(_item(ind, vid, name, target, base, now.get(vid, {}).get(ind, 0),
                                 before.get(vid, {}).get(ind, 0), today))
    return out


def _decimal(value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language() == "vi" else text


def _item(ind: str, village_id: str, name: str, target: dict, base: int | None, achieved: int,
          achieved_before: int, today: date) -> dict:
    deadline = date.fromisoformat(target["deadline"])
    unit = tr(f"targets.unit_{TARGETABLE[ind]}")
    pace = max(0, achieved - achieved_before) / PACE_DAYS  # per day, over the last 28 days
    item = {
        "indicator": ind, "label": tr(f"report.field.{ind}"), "village_id": village_id, "village": name,
        "base": base, "base_kind": TARGETABLE[ind], "achieved": achieved, "rate": target["rate"],
        "deadline": target["deadline"], "target": None, "share": None, "target_share": target["rate"],
        "remaining": None, "pace_per_week": round(pace * 7, 1), "eta": None, "shortfall": None,
    }
    if not base:  # never entered (None) or zero: the share cannot be known
        key = "targets.unknown" if village_id else "targets.unknown_commune"
        return item | {"status": "unknown", "message": tr(key, unit=unit)}
    goal = math.ceil(target["rate"] * base)
    remaining = max(0, goal - achieved)
    item |= {"target": goal, "share": achieved / base, "remaining": remaining}
    if remaining == 0:
        return item | {"status": "reached", "message": tr("targets.reached", achieved=number(achieved), target=number(goal), unit=unit)}
    head = tr("targets.remaining", n=number(remaining), unit=unit, deadline=show(deadline))
    if today > deadline:
        return item | {"status": "late", "message": head + " " + tr("targets.late")}
    if pace <= 0:
        return item | {"status": "no_pace", "message": head + " " + tr("targets.no_pace", days=PACE_DAYS)}
    eta = today + timedelta(days=math.ceil(remaining / pace))
    shortfall = max(0, remaining - math.floor(pace * (deadline - today).days))
    item |= {"eta": eta.isoformat(), "shortfall": shortfall}
    if eta <= deadline:
        return item | {"status": "on_track", "message": head + " " + tr(
            "targets.on_track", pace=_decimal(item["pace_per_week"]), unit=unit, eta=show(eta))}
    return item | {"status": "behind", "message": head + " " + tr(
        "targets.behind", pace=_decimal(item["pace_per_week"]), unit=unit, eta=show(eta), shortfall=number(shortfall))}
