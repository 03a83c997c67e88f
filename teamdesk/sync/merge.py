"""Applying versions of synced rows that came from elsewhere: greatest ``hlc`` wins, nothing is lost.

For each incoming version of a row (same ``id``):

* unknown id → **new**: inserted;
* same ``hlc`` as the current row, or an older version already held → **unchanged** (replays are
  harmless; an older version not yet held is archived in ``history``);
* greater ``hlc`` and descending from the current version (its ``prev_hlc`` chain reaches it)
  → **updated**: the current version moves to ``history``;
* otherwise the two versions are **concurrent** (edited on two laptops from a common ancestor):
  fields changed on only one side are all kept — when that differs from both versions a merged
  version is written, stamped by this installation's clock — and a field changed on both sides
  takes the later value while the pair waits in the conflict inbox (``sync_conflicts``).
  ``deleted`` counts as a field, so a concurrent edit never undoes an erasure, and a merged
  version of an erased household carries no personal fields.

The rule is commutative, associative and idempotent on what wins; every version ends up either
current or in ``history``. Bulk work is SQL ``executemany``: one query to read the current
versions of all incoming ids, one upsert (``ON CONFLICT(id) DO UPDATE … WHERE excluded.hlc >
hlc``) and one archive insert per table. Only concurrent rows take a slower, per-row path.

Public API (the province hub uses it too): ``apply_records(desk, sections, bundle_id=) -> MergeSummary``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from operator import itemgetter
from datetime import datetime, timezone
from typing import Mapping

from teamdesk import search
from teamdesk.db import transaction
from teamdesk.households import purge_erased
from teamdesk.schema import PERSONAL, SYNC_COLUMNS, SYNCED

# Parents before children, so a screen reading mid-way (it cannot: one transaction) would make sense.
ORDER = ("villages", "volunteers", "households", "members", "help_events", "guides")
_CHUNK = 50_000


@dataclass
class MergeSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    merged: int = 0  # versions written here by a field-level merge
    by_table: dict[str, dict[str, int]] = field(default_factory=dict)
    household_ids: set[str] = field(default_factory=set)  # touched in any way (erasure purge)
    search_ids: set[str] = field(default_factory=set)  # whose names or phones may have changed
    min_written_hlc: str = ""  # the oldest version this merge added (current or history)
    max_hlc: str = ""

    @property
    def records(self) -> int:
        return self.new + self.updated + self.unchanged + self.conflicts

    def add(self, other: "MergeSummary") -> None:
        for key in ("new", "updated", "unchanged", "conflicts", "merged"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        for table, counts in other.by_table.items():
            mine = self.by_table.setdefault(table, {})
            for key, n in counts.items():
                mine[key] = mine.get(key, 0) + n
        self.household_ids |= other.household_ids
        self.search_ids |= other.search_ids
        if other.min_written_hlc and (not self.min_written_hlc or other.min_written_hlc < self.min_written_hlc):
            self.min_written_hlc = other.min_written_hlc
        self.max_hlc = max(self.max_hlc, other.max_hlc)

    def to_json(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "merged": self.merged,
            "records": self.records,
            "by_table": self.by_table,
        }


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _full_rows(table: str, columns: tuple[str, ...], rows: list) -> list:
    """Rows in the table's column order; a section carrying fewer columns (the province's
    de-identified rows) gets ``None`` for the rest."""
    cols = SYNC_COLUMNS + SYNCED[table]
    if tuple(columns) == cols:
        return rows
    at = [columns.index(c) if c in columns else None for c in cols]
    defaults = {"prev_hlc": "", "deleted": 0}
    return [[r[i] if i is not None else defaults.get(c) for i, c in zip(at, cols)] for r in rows]


class _TableMerge:
    """One table's incoming versions against what this installation holds."""

    def __init__(self, conn: sqlite3.Connection, desk, table: str, bundle_id: str):
        self.conn, self.desk, self.table, self.bundle_id = conn, desk, table, bundle_id
        self.cols = SYNC_COLUMNS + SYNCED[table]
        self.fields = SYNCED[table] + ("deleted",)
        self.at = {c: i for i, c in enumerate(self.cols)}
        self.summary = MergeSummary()
        self.write: list = []  # winners to upsert
        self.archive: list = []  # versions to keep in history
        self.conflicts: list = []

    # --- reading ------------------------------------------------------------------------------
    def _current(self, ids: list[str]) -> dict[str, tuple]:
        out: dict[str, tuple] = {}
        select = f"SELECT {', '.join(self.cols)} FROM [{self.table}] WHERE id IN (SELECT value FROM json_each(?))"
        for i in range(0, len(ids), _CHUNK):
            for row in self.conn.execute(select, (json.dumps(ids[i : i + _CHUNK]),)):
                out[row[0]] = row
        return out

    def _history(self, ids: list[str]) -> dict[str, dict[str, tuple]]:
        """Archived versions of these rows: id → hlc → full row tuple."""
        out: dict[str, dict[str, tuple]] = {}
        rows = self.conn.execute(
            "SELECT id, hlc, prev_hlc, origin, deleted, data FROM history"
            " WHERE table_name = ? AND id IN (SELECT value FROM json_each(?))",
            (self.table, json.dumps(ids)),
        )
        for rid, hlc, prev, origin, deleted, data in rows:
            values = json.loads(data or "{}")
            out.setdefault(rid, {})[hlc] = (rid, hlc, prev, origin, deleted, *[values.get(c) for c in SYNCED[self.table]])
        return out

    # --- deciding -----------------------------------------------------------------------------
    def run(self, rows: list) -> None:
        best: dict[str, list] = dict(zip(map(itemgetter(0), rows), rows))
        extra: list = []
        if len(best) == len(rows):  # one version per id (the usual file): nothing to sort out
            current = self._current(list(best))
            if not current:  # all new (a village's first file): no per-row work at all
                self.write = rows if isinstance(rows, list) else list(rows)
                self.summary.new = len(rows)
                self.summary.by_table[self.table] = {"new": len(rows)}
                return
        else:
            best = self._versions(rows, extra)
            current = self._current(list(best))
        self._classify(best, extra, current)

    def _versions(self, rows: list, extra: list) -> dict[str, list]:
        """The newest version of each id; older ones of the same id go to ``extra``."""
        best: dict[str, list] = {}
        for r in rows:
            cur = best.get(r[0])
            if cur is None:
                best[r[0]] = r
            elif r[1] > cur[1]:
                extra.append(cur)
                best[r[0]] = r
            elif r[1] < cur[1]:
                extra.append(r)
        return best

    def _classify(self, best: dict[str, list], extra: list, current: dict[str, tuple]) -> None:
        counts = {"new": 0, "updated": 0, "unchanged": len(extra), "conflicts": 0}
        self.archive.extend(extra)
        hard: list[tuple[list, tuple]] = []
        for rid, inc in best.items():
            cur = current.get(rid)
            if cur is None:
                self.write.append(inc)
                counts["new"] += 1
            elif inc[1] == cur[1]:
                counts["unchanged"] += 1
            elif inc[1] > cur[1] and inc[2] == cur[1]:
                self.write.append(inc)
                self.archive.append(cur)
                counts["updated"] += 1
            elif inc[1] < cur[1] and inc[1] == cur[2]:
                self.archive.append(inc)
                counts["unchanged"] += 1
            else:
                hard.append((inc, cur))
        if hard:
            self._resolve(hard, extra, counts)
        self.summary.new, self.summary.updated = counts["new"], counts["updated"]
        self.summary.unchanged, self.summary.conflicts = counts["unchanged"], counts["conflicts"]
        self.summary.by_table[self.table] = {k: v for k, v in counts.items() if v}

    def _resolve(self, hard: list, extra: list, counts: dict) -> None:
        """Rows whose incoming and current versions are not simply parent and child."""
        ids = [inc[0] for inc, _ in hard]
        known = self._history(ids)
        wanted = set(ids)
        for r in extra:
            if r[0] in wanted:
                known.setdefault(r[0], {})[r[1]] = r
        for inc, cur in hard:
            versions = known.setdefault(inc[0], {})
            versions[inc[1]] = tuple(inc)
            versions[cur[1]] = tuple(cur)
            newer, older = (inc, cur) if inc[1] > cur[1] else (cur, inc)
            if older[1] in _ancestry(versions, newer[1]):
                # a straight line of edits: the newer simply wins
                if newer is inc:
                    self.write.append(inc)
                    self.archive.append(cur)
                    counts["updated"] += 1
                else:
                    self.archive.append(inc)
                    counts["unchanged"] += 1
                continue
            changed = self._field_merge(versions, winner=newer, loser=older, mine_won=newer is cur)
            counts["conflicts" if changed == "conflict" else ("updated" if changed else "unchanged")] += 1

    def _field_merge(self, versions: dict, *, winner, loser, mine_won: bool) -> str:
        """Concurrent versions: keep each side's own changes; the later wins a field both changed."""
        common = _ancestry(versions, winner[1]) & _ancestry(versions, loser[1])
        base = versions.get(max(common)) if common else None
        at, fields = self.at, self.fields
        if base is not None:
            changed_w = {f for f in fields if winner[at[f]] != base[at[f]]}
            changed_l = {f for f in fields if loser[at[f]] != base[at[f]]}
        else:
            changed_w = changed_l = {f for f in fields if winner[at[f]] != loser[at[f]]}
        merged = list(winner)
        for f in changed_l - changed_w:
            merged[at[f]] = loser[at[f]]
        clashes = sorted(f for f in changed_w & changed_l if winner[at[f]] != loser[at[f]])
        if merged[at["deleted"]] and self.table in PERSONAL:
            for f in PERSONAL[self.table]:
                merged[at[f]] = ""
        self.archive.append(loser)
        kept_hlc = winner[1]
        rewritten = False
        if any(merged[at[f]] != winner[at[f]] for f in fields):
            self.desk.clock.observe(max(winner[1], loser[1]))
            merged[at["hlc"]] = kept_hlc = self.desk.clock.now()
            merged[at["prev_hlc"]] = winner[1]
            merged[at["origin"]] = self.desk.device_id
            self.archive.append(winner)
            self.write.append(merged)
            self.summary.merged += 1
            rewritten = True
        elif winner is not loser and not mine_won:
            self.write.append(winner)
        if clashes:
            self.conflicts.append(
                (
                    self.table,
                    winner[0],
                    json.dumps(clashes),
                    kept_hlc,
                    loser[1],
                    json.dumps({f: winner[at[f]] for f in clashes}, ensure_ascii=False),
                    json.dumps({f: loser[at[f]] for f in clashes}, ensure_ascii=False),
                    int(mine_won),
                    self.bundle_id,
                    _now(),
                )
            )
            return "conflict"
        return "updated" if (not mine_won or rewritten) else ""

    # --- writing ------------------------------------------------------------------------------
    def flush(self) -> None:
        conn, table, cols = self.conn, self.table, self.cols
        own = SYNCED[table]
        if self.archive:
            conn.executemany(
                "INSERT OR IGNORE INTO history (table_name, id, hlc, prev_hlc, origin, deleted, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (table, r[0], r[1], r[2] or "", r[3], r[4], json.dumps(dict(zip(own, r[5:])), ensure_ascii=False))
                    for r in self.archive
                ],
            )
        if self.write:
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
            conn.executemany(
                f"INSERT INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                f" ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.hlc > [{table}].hlc",
                self.write,
            )
        if self.conflicts:
            conn.executemany(
                "INSERT OR IGNORE INTO sync_conflicts (table_name, row_id, fields, kept_hlc, other_hlc, kept, other,"
                " kept_is_mine, bundle_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.conflicts,
            )
        hlc = itemgetter(1)
        written = [min(map(hlc, rows)) for rows in (self.write, self.archive) if rows]
        if written:
            self.summary.min_written_hlc = min(written)
        touched = self.summary.household_ids
        if table == "households":
            key = itemgetter(0)
        elif table in ("members", "help_events"):
            key = itemgetter(self.at["household_id"])
        else:
            return
        for rows in (self.write, self.archive):
            ids = set(map(key, rows))
            ids.discard(None)
            ids.discard("")
            touched |= ids
            # names live in households and members (a member moved away leaves its old household too)
            if table == "members" or (table == "households" and rows is self.write):
                self.summary.search_ids |= ids


def _ancestry(versions: dict, hlc: str) -> set[str]:
    """The stamps reachable from ``hlc`` by ``prev_hlc`` links among the versions held."""
    seen: set[str] = set()
    while hlc and hlc not in seen:
        seen.add(hlc)
        row = versions.get(hlc)
        hlc = row[2] if row else ""
    return seen


def _sections(sections) -> list[tuple[str, tuple[str, ...], list]]:
    items = sections.sections if hasattr(sections, "sections") else sections
    out = []
    for name, section in items.items():
        columns, rows = (section.columns, section.rows) if hasattr(section, "rows") else section
        out.append((name, tuple(columns), rows))
    return sorted(out, key=lambda s: ORDER.index(s[0]) if s[0] in ORDER else len(ORDER))


def apply_records(desk, sections: Mapping | object, *, bundle_id: str = "") -> MergeSummary:
    """Merge row versions into ``desk`` in one transaction (a savepoint inside the caller's).

    ``sections``: a ``bundle.Payload`` or a mapping table → ``bundle.Section`` / ``(columns, rows)``,
    already checked by ``teamdesk.sync.shape``. Afterwards the clock has moved past every incoming
    stamp, search covers the touched households and erasures are purged here too.
    """
    parts = _sections(sections)
    total = MergeSummary()
    max_hlc = max((max((r[c.index("hlc")] for r in rows), default="") for _, c, rows in parts if rows), default="")
    with transaction(desk.conn):
        if max_hlc:
            desk.clock.observe(max_hlc)
        for table, columns, rows in parts:
            if not rows:
                continue
            step = _TableMerge(desk.conn, desk, table, bundle_id)
            step.run(_full_rows(table, columns, rows))
            step.flush()
            total.add(step.summary)
        if total.search_ids and desk.role != "hub":  # the hub holds no names: nothing to search
            search.refresh(desk.conn, sorted(total.search_ids))
        if total.household_ids:
            purge_erased(desk.conn, sorted(total.household_ids))
        desk._save_clock()
    total.max_hlc = max_hlc
    return total
