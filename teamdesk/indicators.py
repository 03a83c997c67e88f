"""The commune's indicators, computed once here and shown alike by the dashboard and every report.

Counting rules (the README's "Reports" section repeats them for coordinators):

- Only live rows count (``deleted = 0``); a help deleted by mistake is a tombstone and is left out.
- A household merged into another (``merged_into`` set, following chains) counts once, as the
  winner, in the winner's village; its helps count for the winner.
- Erased households' helps still count (they keep no personal data, so the numbers stay true);
  they are never listed by name.
- Achievements count helps with ``outcome = 'done'``. A ``follow_up`` is open until a later
  ``done`` of the same service for the same household (and the same member, when the follow-up
  named one); "still open" is counted as of the period's last day, whenever it was logged.
- A person is the member a help names, or the household's head when it names nobody.
- Events dated after today or before the team existed (the ``team_started`` setting, else
  ``dates.EARLIEST``) are left out of every figure and counted apart as "ngày không hợp lệ".
- Periods are ranges of local days (the ``date`` column): day, ISO week, month, quarter, range.

Figures of one group (``FIELDS``):
households_reached  households with at least one help logged (any outcome)
people_helped       people with at least one help done
helps_logged        helps logged (any outcome); helps_done: helps done
vneid_install, vneid_level2, epayment_account   people with that help done
online_service      online public services done (uses: one person may use several)
online_households   households where someone used an online public service
follow_up_open      follow-ups still open at the end of the period
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

from teamdesk.dates import EARLIEST, parse_date, show
from teamdesk.errors import InputRejected, UsageError
from teamdesk.fold import fold, natural_key
from teamdesk.help_services import OUTCOMES, SERVICES
from teamdesk.i18n import tr

FIELDS = (
    "households_reached",
    "people_helped",
    "helps_logged",
    "helps_done",
    "vneid_install",
    "vneid_level2",
    "epayment_account",
    "online_service",
    "online_households",
    "follow_up_open",
)
# The columns a report's main table shows, in order (online_households only feeds targets).
REPORT_FIELDS = tuple(f for f in FIELDS if f != "online_households")
GROUPINGS = ("commune", "village", "volunteer", "month")
UNKNOWN_GROUP = ""


# --- periods --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """An inclusive range of local days: a day, an ISO week, a month, a quarter or any range."""

    kind: str
    start: date
    end: date

    @classmethod
    def day(cls, day: date) -> "Period":
        return cls("day", day, day)

    @classmethod
    def week(cls, day: date) -> "Period":
        start = day - timedelta(days=day.weekday())
        return cls("week", start, start + timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls("month", date(year, month, 1), nxt - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        return cls("quarter", cls.month(year, 3 * quarter - 2).start, cls.month(year, 3 * quarter).end)

    @classmethod
    def between(cls, start: date, end: date) -> "Period":
        if end < start:
            raise UsageError("error.report_bad_range", start=show(start), end=show(end))
        return cls("range", start, end)

    @property
    def key(self) -> str:
        """A stable text form, which ``parse_period`` reads back."""
        s = self.start
        return {
            "day": s.isoformat(),
            "week": f"{s.isocalendar()[0]}-W{s.isocalendar()[1]:02d}",
            "month": f"{s.year}-{s.month:02d}",
            "quarter": f"{s.year}-Q{(s.month - 1) // 3 + 1}",
        }.get(self.kind, f"{s.isoformat()}..{self.end.isoformat()}")

    def label(self, lang: str | None = None) -> str:
        s = self.start
        if self.kind == "day":
            return tr("report.period_day", lang, day=show(s))
        if self.kind == "week":
            y, w, _ = s.isocalendar()
            return tr("report.period_week", lang, week=w, year=y, start=show(s), end=show(self.end))
        if self.kind == "month":
            return tr("report.period_month", lang, month=s.month, year=s.year)
        if self.kind == "quarter":
            return tr("report.period_quarter", lang, quarter=(s.month - 1) // 3 + 1, year=s.year)
        return tr("report.period_range", lang, start=show(s), end=show(self.end))

    def months(self) -> list["Period"]:
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_DMY = re.compile(r"^(\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)


def parse_period(text: str) -> Period:
    """``2026-11`` / ``11/2026`` (month), ``2026-Q4``, ``2026-W47``, a day, or ``DAY..DAY``."""
    text = (text or "").strip()
    try:
        if ".." in text:
            a, b = text.split("..", 1)
            return Period.between(parse_date(a), parse_date(b))
        if m := _MONTH.match(text):
            return Period.month(int(m.group(1)), int(m.group(2)))
        if m := _MONTH_DMY.match(text):
            return Period.month(int(m.group(2)), int(m.group(1)))
        if m := _QUARTER.match(text):
            return Period.quarter(int(m.group(1)), int(m.group(2)))
        if m := _WEEK.match(text):
            return Period.week(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        return Period.day(parse_date(text))
    except (ValueError, InputRejected):
        raise UsageError("error.report_bad_period", value=text) from None


# --- results --------------------------------------------------------------------------------------
@dataclass
class Row:
    """The figures of one group (a village, a volunteer, a month, or the whole commune)."""

    key: str
    label: str
    values: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.values[name]


@dataclass
class Indicators:
    period: Period
    by: str
    today: date
    team_started: date
    rows: list[Row]
    total: Row
    by_service: dict[str, dict[str, int]]  # service -> outcome -> helps logged (and "total")
    procedures: list[tuple[str, int]]  # online public services done, by procedure (detail)
    invalid_dates: dict[str, int] = field(default_factory=dict)  # future / before_start / total

    def to_json(self) -> dict:
        return {
            "period": {"key": self.period.key, "kind": self.period.kind, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(), "label": self.period.label()},
            "by": self.by,
            "today": self.today.isoformat(),
            "team_started": self.team_started.isoformat(),
            "rows": [{"key": r.key, "label": r.label, **r.values} for r in self.rows],
            "total": {"key": self.total.key, "label": self.total.label, **self.total.values},
            "by_service": self.by_service,
            "procedures": [{"procedure": p, "count": n} for p, n in self.procedures],
            "invalid_dates": self.invalid_dates,
        }


# --- the valid events, materialised once per database state ---------------------------------------
def team_started(conn: sqlite3.Connection) -> date:
    """When the team began: the ``team_started`` setting, else the earliest day any team worked."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'team_started'").fetchone()
    try:
        return max(date.fromisoformat(row[0]), EARLIEST) if row else EARLIEST
    except ValueError:
        return EARLIEST


_BUILT: dict[int, tuple[str, date, date]] = {}  # id(connection) -> (state, first, last day) of temp.ind_ev


def _state(conn: sqlite3.Connection, started: date) -> str:
    """Changes when another connection committed (data_version) or this one wrote rows."""
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    return f"{version}:{conn.total_changes}:{started.isoformat()}"


def prepare(conn: sqlite3.Connection, *, today: date, since: date | None = None, until: date | None = None) -> date:
    """Fill ``temp.ind_ev`` with the live, validly dated helps from ``since`` (default: the team's
    start) to ``until`` (default and at most: ``today``).

    One pass over ``help_events`` resolves merges (canonical household and its village) and the
    person helped; every figure then aggregates this compact table. It is rebuilt only when the
    database changed or an earlier day is asked for; temp tables live with their connection, so the
    GUI's read-only connection holds one too. Returns the team's start.
    """
    started = team_started(conn)
    low = max(started, since or started)
    high = min(until or today, today)
    exists = conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'ind_ev'").fetchone()
    built = _BUILT.get(id(conn))
    if exists and built and built[0] == _state(conn, started) and built[1] <= low and built[2] >= high:
        return started  # every query bounds its days, so a wider table serves it
    conn.execute("DROP TABLE IF EXISTS temp.ind_ev")
    conn.execute("DROP TABLE IF EXISTS temp.ind_merge")
    conn.execute("CREATE TEMP TABLE ind_merge (id TEXT PRIMARY KEY, canon TEXT NOT NULL) WITHOUT ROWID")
    merged = dict(conn.execute("SELECT id, merged_into FROM households WHERE COALESCE(merged_into, '') != ''"))
    for hid in merged:
        winner, seen = hid, {hid}
        while winner in merged and merged[winner] not in seen:  # chains resolved; a cycle stops
            winner = merged[winner]
            seen.add(winner)
        conn.execute("INSERT INTO ind_merge VALUES (?, ?)", (hid, winner))
    join = "LEFT JOIN ind_merge mg ON mg.id = e.household_id" if merged else ""
    canon = "COALESCE(mg.canon, e.household_id)" if merged else "e.household_id"
    # hid: the canonical household's rowid (an integer: distinct counts are cheaper; its id if it
    # has not arrived yet); person: the member's id, else the household head's (a help for "the
    # household"), else the household's own id.
    conn.execute(
        f"CREATE TEMP TABLE ind_ev AS SELECT COALESCE(h.rowid, {canon}) AS hid,"
        " COALESCE(e.member_id, (SELECT hm.id FROM members hm WHERE hm.household_id = h.id AND hm.relation = 'head'"
        f"  ORDER BY hm.deleted LIMIT 1), 'h:' || {canon}) AS person,"
        " COALESCE(h.village_id, '') AS village_id,"
        " COALESCE(e.volunteer_id, '') AS volunteer_id, e.service AS service, e.outcome AS outcome,"
        " e.detail AS detail, e.date AS date"
        f" FROM help_events e {join} LEFT JOIN households h ON h.id = {canon}"
        # +date: one sequential pass beats the date index when most rows qualify
        " WHERE e.deleted = 0 AND +e.date BETWEEN ? AND ? AND length(e.date) = 10",
        (low.isoformat(), high.isoformat()),
    )
    conn.execute("CREATE INDEX temp.ind_merge_canon ON ind_merge(canon)")
    _BUILT[id(conn)] = (_state(conn, started), low, high)
    return started


_GROUP = {"commune": "''", "village": "village_id", "volunteer": "volunteer_id", "month": "substr(date, 1, 7)"}
# Each figure as an SQL aggregate over temp.ind_ev: (condition, what is counted; None = rows).
_COUNTS = {
    "households_reached": ("1", "hid"),
    "people_helped": ("outcome = 'done'", "person"),
    "helps_logged": ("1", None),
    "helps_done": ("outcome = 'done'", None),
    "vneid_install": ("outcome = 'done' AND service = 'vneid_install'", "person"),
    "vneid_level2": ("outcome = 'done' AND service = 'vneid_level2'", "person"),
    "epayment_account": ("outcome = 'done' AND service = 'epayment_account'", "person"),
    "online_service": ("outcome = 'done' AND service = 'online_service'", None),
    "online_households": ("outcome = 'done' AND service = 'online_service'", "hid"),
}


def _aggregate(field: str, extra: str = "") -> str:
    condition, counted = _COUNTS[field]
    condition = f"{extra} AND {condition}" if extra else condition
    if counted is None:
        return f"SUM({condition})"
    return f"COUNT(DISTINCT {counted})" if condition == "1" else f"COUNT(DISTINCT CASE WHEN {condition} THEN {counted} END)"


_MAIN = ", ".join(_aggregate(f) for f in FIELDS if f in _COUNTS)
# A follow-up is open at day :b unless a later done of its service closes it (same household,
# merged ones included; the same member when it named one), ordered by (date, hlc). Read from
# help_events itself (follow-ups logged any time before :b count), probing through its household
# index; ``+`` keeps the planner off the date and service indexes.
_OPEN = (
    "SELECT {g}, COUNT(*) FROM help_events f LEFT JOIN ind_merge mg ON mg.id = f.household_id"
    " LEFT JOIN households h ON h.id = COALESCE(mg.canon, f.household_id)"
    " WHERE f.deleted = 0 AND f.outcome = 'follow_up' AND +f.date BETWEEN :s AND :b AND length(f.date) = 10{where}"
    " AND NOT EXISTS (SELECT 1 FROM help_events d WHERE {same_household}"
    "  AND d.deleted = 0 AND +d.outcome = 'done' AND +d.service = f.service"
    "  AND +d.date BETWEEN :s AND :b AND length(d.date) = 10 AND (f.member_id IS NULL OR d.member_id = f.member_id)"
    "  AND (d.date > f.date OR (d.date = f.date AND d.hlc > f.hlc)))"
    " GROUP BY 1"
)
_OPEN_GROUP = {"commune": "''", "village": "COALESCE(h.village_id, '')", "volunteer": "COALESCE(f.volunteer_id, '')",
               "household": "COALESCE(mg.canon, f.household_id)"}


def _open_sql(conn: sqlite3.Connection, by: str, where: str = "") -> str:
    merged = conn.execute("SELECT 1 FROM ind_merge LIMIT 1").fetchone()
    same = ("(d.household_id = COALESCE(mg.canon, f.household_id) OR d.household_id IN"
            " (SELECT id FROM ind_merge WHERE canon = COALESCE(mg.canon, f.household_id)))"
            if merged else "d.household_id = f.household_id")
    return _OPEN.format(g=_OPEN_GROUP[by], same_household=same, where=where)


def _span(period: Period, today: date, started: date | None = None) -> dict:
    return {"a": period.start.isoformat(), "b": min(period.end, today).isoformat(),
            "s": (started or EARLIEST).isoformat()}


def _zero() -> dict[str, int]:
    return dict.fromkeys(FIELDS, 0)


def _sum(rows: list[Row]) -> dict[str, int]:
    return {f: sum(r.values[f] for r in rows) for f in FIELDS}


def figures(conn: sqlite3.Connection, *, period: Period, by: str = "commune", today: date,
            stocks: bool = True) -> dict[str, dict[str, int]]:
    """Group key -> ``FIELDS`` -> value, for the valid helps dated in ``period`` (SQL aggregates).

    ``stocks=False`` skips the open follow-ups (targets need only the achievements).
    """
    if by not in _GROUP:
        raise UsageError("error.report_bad_by", by=by, known=", ".join(GROUPINGS))
    started = prepare(conn, today=today, since=period.start, until=period.end)
    params = _span(period, today, started)
    g = _GROUP[by]
    out: dict[str, dict[str, int]] = {}
    for row in conn.execute(f"SELECT {g}, {_MAIN} FROM ind_ev WHERE date BETWEEN :a AND :b GROUP BY 1", params):
        out[row[0] or UNKNOWN_GROUP] = dict(zip(FIELDS, [int(v or 0) for v in row[1:]] + [0]))
    if stocks and by != "month":  # a stock at the period's end: open follow-ups, whenever they were logged
        for key, n in conn.execute(_open_sql(conn, by), params):
            out.setdefault(key or UNKNOWN_GROUP, _zero())["follow_up_open"] = n
    return out


def achieved(conn: sqlite3.Connection, *, fields: list[str], today: date, cut: date) -> dict[str, dict[str, tuple[int, int]]]:
    """Village -> field -> (count up to ``today``, count up to ``cut``), since the team began: what
    targets are measured on, and its pace. One pass over only the helps these fields look at."""
    if not fields:
        return {}
    prepare(conn, today=today)
    columns = ", ".join(f"{_aggregate(f)}, {_aggregate(f, 'date <= :cut')}" for f in fields)
    rows = " OR ".join(f"({_COUNTS[f][0]})" for f in fields)
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for row in conn.execute(f"SELECT village_id, {columns} FROM ind_ev WHERE date <= :today AND ({rows}) GROUP BY 1",
                            {"cut": cut.isoformat(), "today": today.isoformat()}):
        out[row[0] or UNKNOWN_GROUP] = {f: (int(row[1 + 2 * i] or 0), int(row[2 + 2 * i] or 0)) for i, f in enumerate(fields)}
    return out


def invalid_dates(conn: sqlite3.Connection, *, today: date, started: date) -> dict[str, int]:
    """Live helps whose day cannot be true: after today, before the team existed, or unreadable."""
    future, before = conn.execute(
        "SELECT COALESCE(SUM(date > :t), 0), COALESCE(SUM(date < :s OR date IS NULL), 0)"
        " FROM help_events WHERE (date > :t OR date < :s OR date IS NULL) AND deleted = 0",
        {"t": today.isoformat(), "s": started.isoformat()},
    ).fetchone()
    return {"future": future, "before_start": before, "total": future + before}


def _labels(conn: sqlite3.Connection, by: str, keys: list[str], commune: str) -> list[tuple[str, str]]:
    """Every group in display order: all villages (or active volunteers) even with nothing yet."""
    if by == "commune":
        return [("", commune)]
    if by == "month":
        return [(k, f"{k[5:7]}/{k[:4]}") for k in sorted(keys)]
    table = "villages" if by == "village" else "volunteers"
    active = "" if by == "village" else " AND active = 1"
    named = dict(conn.execute(f"SELECT id, name FROM {table} WHERE deleted = 0{active}"))
    extra = [k for k in keys if k and k not in named]
    if extra:
        named.update(conn.execute(f"SELECT id, name FROM {table} WHERE id IN ({','.join('?' * len(extra))})", extra))
    out = sorted(named.items(), key=lambda item: natural_key(item[1]))
    if any(k == UNKNOWN_GROUP or k not in named for k in keys):
        out.append((UNKNOWN_GROUP, tr(f"report.unknown_{by}")))
    return out


def compute(conn: sqlite3.Connection, *, period: Period, by: str = "village", today: date,
            commune: str = "", with_total: bool = True) -> Indicators:
    """Every figure of a report for ``period``, grouped ``by`` village, volunteer, month or commune.

    ``with_total=False`` skips counting the commune's own total where it is not a sum (volunteers,
    months): the dashboard's volunteer table does not show it.
    """
    started = prepare(conn, today=today, since=period.start, until=period.end)
    groups = figures(conn, period=period, by=by, today=today)
    # Each household lives in one village, so village rows add up to the commune; volunteers and
    # months share households, so their total is counted on its own.
    shared = by in ("volunteer", "month")
    total = figures(conn, period=period, by="commune", today=today).get("", _zero()) if shared and with_total else None
    labels = _labels(conn, by, list(groups), commune or tr("report.commune"))
    known = {k for k, _ in labels}
    merged: dict[str, dict[str, int]] = {}
    for key, vals in groups.items():  # helps of unknown villages/volunteers fold into "unknown"
        acc = merged.setdefault(key if key in known else UNKNOWN_GROUP, _zero())
        for f in FIELDS:
            acc[f] += vals[f]
    rows = [Row(k, label, merged.get(k, _zero())) for k, label in labels]
    params = _span(period, today, started)
    by_service: dict[str, dict[str, int]] = {}
    details: dict[str, dict[str, int]] = {}
    for service, outcome, detail, n in conn.execute(  # one pass: helps by kind, procedures done
        "SELECT service, outcome, CASE WHEN service = 'online_service' AND outcome = 'done'"
        " THEN TRIM(COALESCE(detail, '')) END, COUNT(*) FROM ind_ev WHERE date BETWEEN :a AND :b GROUP BY 1, 2, 3",
        params,
    ):
        cell = by_service.setdefault(service, dict.fromkeys((*OUTCOMES, "total"), 0))
        if outcome in OUTCOMES:
            cell[outcome] += n
        cell["total"] += n
        if detail is not None:
            details.setdefault(fold(detail), {})[detail] = n
    order = {s: i for i, s in enumerate(SERVICES)}
    return Indicators(
        period=period, by=by, today=today, team_started=started, rows=rows,
        total=Row("", commune or tr("report.commune"), total if total is not None else _sum(rows)),
        by_service=dict(sorted(by_service.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))),
        procedures=_procedures(details), invalid_dates=invalid_dates(conn, today=today, started=started),
    )


def _procedures(details: dict[str, dict[str, int]]) -> list[tuple[str, int]]:
    """Online public services done, by procedure: spellings that fold alike count together, under
    their most used spelling (capitalised first)."""
    out = []
    for spellings in details.values():
        name = max(spellings, key=lambda s: (spellings[s], s[:1].isupper(), s)) or tr("report.no_procedure")
        out.append((name, sum(spellings.values())))
    return sorted(out, key=lambda p: (-p[1], fold(p[0])))


def last_months(today: date, count: int) -> Period:
    """The ``count`` calendar months up to ``today`` (this month included), as one range."""
    first = today.replace(day=1)
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period.between(first, today)


def series(conn: sqlite3.Connection, *, months: int, today: date, village_id: str | None = None) -> list[dict]:
    """Each of the last ``months`` months' figures, oldest first (the dashboard's charts)."""
    span = last_months(today, months)
    prepare(conn, today=today, since=span.start)
    where = "" if village_id is None else " AND village_id = :v"
    by_month = {
        row[0]: dict(zip(FIELDS, [int(v or 0) for v in row[1:]] + [0]))
        for row in conn.execute(
            f"SELECT substr(date, 1, 7), {_MAIN} FROM ind_ev WHERE date BETWEEN :a AND :b{where} GROUP BY 1",
            _span(span, today) | {"v": village_id},
        )
    }
    return [{"month": p.key, "label": f"{p.start.month:02d}/{p.start.year}", **by_month.get(p.key, _zero())}
            for p in span.months()]


# --- the households behind a number ----------------------------------------------------------------
_BEHIND = {
    "households_reached": "1",
    "people_helped": "outcome = 'done'",
    "helps_logged": "1",
    "helps_done": "outcome = 'done'",
    "vneid_install": "outcome = 'done' AND service = 'vneid_install'",
    "vneid_level2": "outcome = 'done' AND service = 'vneid_level2'",
    "epayment_account": "outcome = 'done' AND service = 'epayment_account'",
    "online_service": "outcome = 'done' AND service = 'online_service'",
    "online_households": "outcome = 'done' AND service = 'online_service'",
}


def households_behind(conn: sqlite3.Connection, *, field: str, period: Period, today: date,
                      village_id: str | None = None, volunteer_id: str | None = None) -> dict:
    """The households counted in one figure (a click on a number): live ones by name, erased ones
    only as a count (they keep no name)."""
    started = prepare(conn, today=today, since=period.start, until=period.end)
    params = _span(period, today, started) | {"v": village_id, "w": volunteer_id}
    where = " AND village_id = :v" if village_id is not None else ""
    where += " AND volunteer_id = :w" if volunteer_id is not None else ""
    if field == "follow_up_open":
        where = (" AND h.village_id = :v" if village_id is not None else "") + (
            " AND f.volunteer_id = :w" if volunteer_id is not None else "")
        counted = dict(conn.execute(_open_sql(conn, "household", where), params))
    elif field in _BEHIND:
        counted = dict(conn.execute(
            f"SELECT hid, COUNT(*) FROM ind_ev WHERE date BETWEEN :a AND :b AND {_BEHIND[field]}{where} GROUP BY 1",
            params))
    else:
        raise UsageError("error.report_bad_field", field=field)
    return _named(conn, counted)


def _named(conn: sqlite3.Connection, counted: dict) -> dict:
    """Household rows (live ones, by name) for household rowid or id -> count; erased ones only as
    a count (they keep no name)."""
    rows, erased = [], 0
    for column, keys in (("rowid", [k for k in counted if isinstance(k, int)]),
                         ("id", [k for k in counted if isinstance(k, str)])):
        for chunk in (keys[i : i + 500] for i in range(0, len(keys), 500)):
            for key, hid, head, phone, address, village, deleted in conn.execute(
                f"SELECT h.{column}, h.id, h.head_name, h.phone, h.address, v.name, h.deleted FROM households h"
                f" LEFT JOIN villages v ON v.id = h.village_id WHERE h.{column} IN ({','.join('?' * len(chunk))})", chunk
            ):
                if deleted:
                    erased += 1
                    continue
                rows.append({"id": hid, "head_name": head or "", "phone": phone or "", "address": address or "",
                             "village": village or "", "count": counted[key]})
    rows.sort(key=lambda r: (fold(r["village"]), fold(r["head_name"])))
    return {"households": rows, "erased": erased}


ADULT_AGE = 14  # VNeID level 2 and payment accounts are for people aged 14 and over


def households_needing(conn: sqlite3.Connection, *, service: str, today: date,
                       village_id: str | None = None) -> dict:
    """Live households where someone aged 14+ (or of unknown age) has no help of ``service`` done yet,
    e.g. the households in Thôn 2 still needing VNeID level 2."""
    prepare(conn, today=today)
    done = {r[0] for r in conn.execute(
        "SELECT DISTINCT person FROM ind_ev WHERE service = ? AND outcome = 'done' AND date <= ?",
        (service, today.isoformat()))}
    sql = (
        "SELECT h.id, m.id, m.full_name, m.birth_year FROM households h"
        " JOIN members m ON m.household_id = h.id AND m.deleted = 0"
        " WHERE h.deleted = 0 AND COALESCE(h.merged_into, '') = ''"
        + (" AND h.village_id = ?" if village_id is not None else "")
    )
    counted: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    oldest = today.year - ADULT_AGE
    for hid, mid, name, born in conn.execute(sql, (village_id,) if village_id is not None else ()):
        if mid in done or (born and int(born) > oldest):
            continue
        counted[hid] = counted.get(hid, 0) + 1
        names.setdefault(hid, []).append(name or "")
    out = _named(conn, counted)
    for row in out["households"]:
        row["members"] = names[row["id"]]
    return out
