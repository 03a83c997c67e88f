"""The households list: which households a list shows, in what order, a page at a time.

A commune may hold 200,000 households, so a list never loads them all. ``HouseholdPages`` knows
how many rows a list has and fetches only the pages a screen asks for, keeping a few in memory:

* browsing (no text typed) is ordered by the folded head name, paged by key on
  ``search_docs(head_key, docid)``; a jump far down (a dragged scroll bar) finds its anchor by
  an offset over that index alone, then pages by key again;
* a typed search shows ``teamdesk.search`` matches, best first (at most ``SEARCH_CAP``);
* "what a household still needs" (``NEEDS``) filters either of them.

Qt-free: the UI's lazy table model wraps it, and reports may reuse ``matching_ids`` for a
click-through. Reads only; every query runs on whatever connection it is given (the UI passes
its read-only one).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from teamdesk import search

PAGE_SIZE = 50  # a laptop screen shows about 20 rows; a smaller page makes a keystroke cheaper
KEEP_PAGES = 10  # pages held in memory; a screen shows at most two
SEARCH_CAP = 1000  # a search shows this many matches at most ("type more to narrow")

# What a household still needs; each is a condition on ``d.household_id`` (d = search_docs).
NEEDS: dict[str, str] = {
    "no_vneid_level2": (
        "NOT EXISTS (SELECT 1 FROM help_events e WHERE e.household_id = d.household_id"
        " AND e.service = 'vneid_level2' AND e.outcome = 'done' AND e.deleted = 0)"
    ),
    # a follow-up promised for a service and not done for that service since
    "follow_up": (
        "EXISTS (SELECT 1 FROM help_events f WHERE f.household_id = d.household_id"
        " AND f.outcome = 'follow_up' AND f.deleted = 0 AND NOT EXISTS ("
        "SELECT 1 FROM help_events g WHERE g.household_id = f.household_id AND g.service = f.service"
        " AND g.outcome = 'done' AND g.deleted = 0 AND (g.date > f.date OR (g.date = f.date AND g.hlc > f.hlc))))"
    ),
    "no_epayment": (
        "NOT EXISTS (SELECT 1 FROM help_events e WHERE e.household_id = d.household_id"
        " AND e.service = 'epayment_account' AND e.outcome = 'done' AND e.deleted = 0)"
    ),
}


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: typed text (accents optional), a village id, a need (a ``NEEDS`` key)."""

    text: str = ""
    village_id: str | None = None
    need: str | None = None

    def __post_init__(self) -> None:
        if self.need is not None and self.need not in NEEDS:
            raise ValueError(f"unknown need {self.need!r}")

    @property
    def searching(self) -> bool:
        return bool(search.query_key(self.text))


class HouseholdRow(NamedTuple):
    docid: int
    head_key: str
    household_id: str
    head_name: str
    village: str
    phone: str
    address: str
    members: int
    last_date: str  # yyyy-mm-dd of the latest help, or ""
    last_service: str


_ROW_SQL = """SELECT d.docid, d.head_key, d.household_id, h.head_name, COALESCE(v.name, ''),
       COALESCE(h.phone, ''), COALESCE(h.address, ''),
       (SELECT COUNT(*) FROM members m WHERE m.household_id = d.household_id AND m.deleted = 0),
       (SELECT e.date || ' ' || e.service FROM help_events e WHERE e.household_id = d.household_id
          AND e.deleted = 0 ORDER BY e.date DESC, e.hlc DESC LIMIT 1)
  FROM search_docs d JOIN households h ON h.id = d.household_id
  LEFT JOIN villages v ON v.id = d.village_id"""


def _row(r: tuple) -> HouseholdRow:
    last = (r[8] or "").split(" ", 1)
    return HouseholdRow(*r[:8], last[0], last[1] if len(last) > 1 else "")


def _where(query: ListQuery) -> tuple[list[str], list]:
    clauses, params = [], []
    if query.village_id:
        clauses.append("d.village_id = ?")
        params.append(query.village_id)
    if query.need:
        clauses.append(NEEDS[query.need])
    return clauses, params


def _search_docids(conn: sqlite3.Connection, query: ListQuery, cap: int) -> tuple[list[int], bool]:
    """A search's matches (need filter applied), and whether asking for more could find more."""
    docids = search.find_docids(conn, query.text, village_id=query.village_id, limit=cap)
    more = len(docids) >= cap
    if not query.need or not docids:
        return docids, more
    keep: set[int] = set()
    for i in range(0, len(docids), 500):
        chunk = docids[i : i + 500]
        keep.update(
            r[0]
            for r in conn.execute(
                f"SELECT d.docid FROM search_docs d WHERE d.docid IN ({','.join('?' * len(chunk))})"
                f" AND {NEEDS[query.need]}",
                chunk,
            )
        )
    return [d for d in docids if d in keep], more


def matching_ids(conn: sqlite3.Connection, query: ListQuery, *, limit: int = 100_000) -> list[str]:
    """Household ids a list shows, in its order (for a report's click-through or an export)."""
    if query.searching:
        docids, _ = _search_docids(conn, query, min(limit, SEARCH_CAP))
        return [r.household_id for r in _rows_by_docid(conn, docids)]
    clauses, params = _where(query)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return [
        r[0]
        for r in conn.execute(
            f"SELECT d.household_id FROM search_docs d{where} ORDER BY d.head_key, d.docid LIMIT ?", [*params, limit]
        )
    ]


def _rows_by_docid(conn: sqlite3.Connection, docids: list[int]) -> list[HouseholdRow]:
    if not docids:
        return []
    rows = {r[0]: _row(r) for r in conn.execute(f"{_ROW_SQL} WHERE d.docid IN ({','.join('?' * len(docids))})", docids)}
    return [rows[d] for d in docids if d in rows]


class HouseholdPages:
    """The rows of one list (one ``ListQuery``), fetched a page at a time, a few pages kept.

    Browsing knows its row count up front. A need filter over the whole commune would have to
    test every household to count them, so that list is open-ended instead: it grows a page at
    a time (``grow``) as the view scrolls, and ``count_matching`` gives the total off the
    screen's thread. A search is open-ended too: a keystroke fetches one page of the best
    matches, and the rest (up to ``SEARCH_CAP``) only if the view scrolls past them. ``fetched_rows`` counts every row read from the database, so
    a test can prove the list never loads everything.
    """

    def __init__(
        self, conn: sqlite3.Connection, query: ListQuery = ListQuery(), *, page_size: int = PAGE_SIZE, keep: int = KEEP_PAGES
    ):
        self.conn = conn
        self.query = query
        self.page_size = page_size
        self.keep = max(2, keep)
        self.fetched_rows = 0
        self._pages: OrderedDict[int, list[HouseholdRow]] = OrderedDict()
        self._anchors: dict[int, tuple[str, int]] = {}  # page -> its first (head_key, docid)
        self._docids: list[int] | None = None  # a search's matches, best first
        self.capped = False  # the search had more matches than SEARCH_CAP
        self.open_ended = False
        self.exhausted = True
        if query.searching:
            # a keystroke asks for one page of the best matches only; more when the view scrolls
            self._docids, more = _search_docids(conn, query, page_size + 1)
            del self._docids[page_size:]
            self._count = len(self._docids)
            self.open_ended = self.exhausted = True
            if more:
                self.exhausted = False
        elif query.need:
            self.open_ended, self.exhausted, self._count = True, False, 0
            self.grow()
        else:
            self._count = count_matching(conn, query)

    def count(self) -> int:
        """Rows in the list (for an open-ended list: rows found so far)."""
        return self._count

    def grow(self) -> int:
        """Open-ended lists: find the next page of matches; returns how many rows were added."""
        if self.exhausted:
            return 0
        if self._docids is not None:  # a search: all its matches up to the cap, at once
            found, _ = _search_docids(self.conn, self.query, SEARCH_CAP + 1)
            known = set(self._docids)
            before = len(self._docids)
            self._docids.extend(d for d in found if d not in known)
            self.capped = len(self._docids) > SEARCH_CAP
            del self._docids[SEARCH_CAP:]
            self._count = len(self._docids)
            self.exhausted = True
            self._pages.clear()  # the last page shown may have been short: read pages again
            return self._count - before
        number = self._count // self.page_size
        rows = self.page(number)
        if len(rows) < self.page_size:
            self.exhausted = True
        self._count = number * self.page_size + len(rows)
        return len(rows)

    def row(self, index: int) -> HouseholdRow | None:
        """One row (the view asks for each cell and role: the page held is looked up first)."""
        if not 0 <= index < self._count:
            return None
        number, offset = divmod(index, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self.page(number)
        return page[offset] if offset < len(page) else None

    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def page(self, number: int) -> list[HouseholdRow]:
        if number in self._pages:
            self._pages.move_to_end(number)
            return self._pages[number]
        rows = self._fetch(number)
        self.fetched_rows += len(rows)
        self._pages[number] = rows
        if rows:
            self._anchors[number] = (rows[0].head_key, rows[0].docid)
        while len(self._pages) > self.keep:
            self._pages.popitem(last=False)
        return rows

    def index_of(self, household_id: str) -> int | None:
        """Where a household sits in this list (to select it after a save or a refresh), or None.

        Browsing counts the keys before it on the index; a search looks in its matches; an
        open-ended list only knows the rows it has found so far.
        """
        for number, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r.household_id == household_id:
                    return number * self.page_size + i
        doc = self.conn.execute(
            "SELECT docid, head_key, village_id FROM search_docs WHERE household_id = ?", (household_id,)
        ).fetchone()
        if doc is None:
            return None
        if self._docids is not None:
            return self._docids.index(doc[0]) if doc[0] in self._docids else None
        if self.open_ended or (self.query.village_id and doc[2] != self.query.village_id):
            return None
        clauses, params = _where(self.query)
        clauses.append("(d.head_key < ? OR (d.head_key = ? AND d.docid < ?))")
        where = " WHERE " + " AND ".join(clauses)
        return self.conn.execute(f"SELECT COUNT(*) FROM search_docs d{where}", [*params, doc[1], doc[1], doc[0]]).fetchone()[0]

    # --- fetching ---------------------------------------------------------------------------
    def _fetch(self, number: int) -> list[HouseholdRow]:
        start = number * self.page_size
        if self._docids is not None:
            return _rows_by_docid(self.conn, self._docids[start : start + self.page_size])
        clauses, params = _where(self.query)
        if number in self._anchors:  # seen before: start again from its own first key
            return self._keyset(clauses, params, ">=", self._anchors[number])
        before = self._pages.get(number - 1)
        if before:  # scrolling down: continue after the previous page's last key
            return self._keyset(clauses, params, ">", (before[-1].head_key, before[-1].docid))
        after = self._pages.get(number + 1)
        if after:  # scrolling up: the page that ends just before the next page's first key
            return self._keyset(clauses, params, "<", (after[0].head_key, after[0].docid))
        if start == 0:
            return self._keyset(clauses, params, None, None)
        # a jump: find the anchor by offset (over the index alone when no need filter applies)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        anchor = self.conn.execute(
            f"SELECT d.head_key, d.docid FROM search_docs d{where} ORDER BY d.head_key, d.docid LIMIT 1 OFFSET ?",
            [*params, start],
        ).fetchone()
        if anchor is None:
            return []
        return self._keyset(clauses, params, ">=", tuple(anchor))

    def _keyset(self, clauses: list[str], params: list, direction: str | None, key: tuple | None) -> list[HouseholdRow]:
        clauses, params = list(clauses), list(params)
        order = "DESC" if direction == "<" else "ASC"
        if direction:
            # written so SQLite walks the head_key index (docid is its rowid) from the key on
            strict = direction[0]
            clauses.append(f"d.head_key {strict}= ? AND (d.head_key {strict} ? OR d.docid {direction} ?)")
            params += [key[0], key[0], key[1]]
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = [
            _row(r)
            for r in self.conn.execute(
                f"{_ROW_SQL}{where} ORDER BY d.head_key {order}, d.docid {order} LIMIT ?", [*params, self.page_size]
            )
        ]
        return rows if order == "ASC" else rows[::-1]


def count_matching(conn: sqlite3.Connection, query: ListQuery) -> int:
    """How many households a list shows (a need filter tests each one: run it off the UI thread)."""
    if query.searching:
        return len(_search_docids(conn, query, SEARCH_CAP)[0])
    clauses, params = _where(query)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return conn.execute(f"SELECT COUNT(*) FROM search_docs d{where}", params).fetchone()[0]
