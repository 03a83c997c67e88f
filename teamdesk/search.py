"""Household search as you type: diacritic- and case-insensitive, over names, phones and addresses.

Tiers, best first, each run only while the page is not full:
1. the head's name equal to the query (``nguyen van an`` → ``Nguyễn Văn Ấn``), then a member's
   name or a phone equal to it;
2. the head's name starting with it, then a member's name or phone (indexed range scans on
   folded keys, in name order);
3. every typed word starting some word of the household (FTS5 over the folded text), heads
   before members, so ``an nguyen`` or a hamlet's name also find it.
The search tables are local and derived: ``refresh`` rebuilds them for the households a write or
a merge touched.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from teamdesk.fold import fold, phone_digits

CHUNK = 500


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def refresh(conn: sqlite3.Connection, household_ids: Iterable[str]) -> None:
    """Re-index these households from their current rows (erased or merged ones drop out)."""
    ids = sorted(set(household_ids))
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        old = [r[0] for r in conn.execute(f"SELECT docid FROM search_docs WHERE household_id IN ({marks})", chunk)]
        if old:
            omarks = ",".join("?" * len(old))
            conn.execute(f"DELETE FROM search_keys WHERE docid IN ({omarks})", old)
            conn.execute(f"DELETE FROM search_fts WHERE rowid IN ({omarks})", old)
            conn.execute(f"DELETE FROM search_docs WHERE docid IN ({omarks})", old)
        live = conn.execute(
            f"SELECT id, village_id, head_name, phone, address FROM households"
            f" WHERE id IN ({marks}) AND deleted = 0 AND COALESCE(merged_into, '') = ''",
            chunk,
        ).fetchall()
        if not live:
            continue
        people: dict[str, list[tuple[str, str]]] = {}
        for hid, name, phone in conn.execute(
            f"SELECT household_id, full_name, phone FROM members WHERE household_id IN ({marks}) AND deleted = 0",
            chunk,
        ):
            people.setdefault(hid, []).append((name or "", phone or ""))
        next_docid = (conn.execute("SELECT COALESCE(MAX(docid), 0) FROM search_docs").fetchone()[0]) + 1
        docs, keys, bodies = [], [], []
        for offset, (hid, village_id, head, phone, address) in enumerate(live):
            docid = next_docid + offset
            names = [fold(head or "")] + [fold(n) for n, _ in people.get(hid, [])]
            phones = [p for p in [phone_digits(phone or "")] + [phone_digits(p) for _, p in people.get(hid, [])] if p]
            docs.append((docid, hid, village_id, names[0]))
            keys.extend((k, docid) for k in dict.fromkeys(names + phones) if k)
            bodies.append((docid, " ".join([*names, *phones, fold(address or "")])))
        conn.executemany("INSERT INTO search_docs (docid, household_id, village_id, head_key) VALUES (?,?,?,?)", docs)
        conn.executemany("INSERT INTO search_keys (key, docid) VALUES (?, ?)", keys)
        conn.executemany("INSERT INTO search_fts (rowid, body) VALUES (?, ?)", bodies)


def query_key(text: str) -> str:
    """The folded form of what was typed; a phone typed with spaces or +84 becomes its digits."""
    digits = phone_digits(text)
    if digits and len(digits) >= 3 and not any(c.isalpha() for c in text):
        return digits
    return fold(text)


def find_docids(conn: sqlite3.Connection, text: str, *, village_id: str | None = None, limit: int = 50) -> list[int]:
    """Matching search documents, best first (see the module docstring for the order)."""
    q = query_key(text)
    if not q or limit <= 0:
        return []
    where_village, vparams = ("", [])
    if village_id:
        where_village, vparams = " AND d.village_id = ?", [village_id]
    found: dict[int, None] = {}

    def take(sql: str, params: list) -> None:
        for (docid,) in conn.execute(sql, params + [limit]):
            found.setdefault(docid, None)

    heads = "SELECT d.docid FROM search_docs d WHERE "
    keys = "SELECT DISTINCT k.docid FROM search_keys k JOIN search_docs d ON d.docid = k.docid WHERE "
    for sql, params in (
        (heads + "d.head_key = ?" + where_village + " LIMIT ?", [q]),
        (keys + "k.key = ?" + where_village + " ORDER BY d.head_key LIMIT ?", [q]),
        (heads + "d.head_key > ? AND d.head_key < ?" + where_village + " ORDER BY d.head_key LIMIT ?", [q, q + "~"]),
        (keys + "k.key > ? AND k.key < ?" + where_village + " LIMIT ?", [q, q + "~"]),
    ):
        if len(found) < limit:
            take(sql, params + vparams)
    if len(found) < limit:
        words = q.split()
        match = " ".join(f'"{word}"*' for word in words)
        hits = conn.execute(
            "SELECT f.rowid, d.head_key FROM search_fts f JOIN search_docs d ON d.docid = f.rowid"
            " WHERE search_fts MATCH ?" + where_village + " LIMIT ?",
            [match] + vparams + [limit * 4],
        ).fetchall()
        # households whose head's own name has every word come before matches through a member
        head_words = lambda key: key.split()  # noqa: E731
        hits.sort(key=lambda h: not all(any(k.startswith(w) for k in head_words(h[1])) for w in words))
        for docid, _ in hits:
            found.setdefault(docid, None)
    return list(found)[:limit]


def find(conn: sqlite3.Connection, text: str, *, village_id: str | None = None, limit: int = 50) -> list[dict]:
    """Households matching ``text``, best first, as rows ready to show."""
    docids = find_docids(conn, text, village_id=village_id, limit=limit)
    if not docids:
        return []
    marks = ",".join("?" * len(docids))
    rows = conn.execute(
        f"""SELECT d.docid, h.id, h.head_name, h.phone, h.address, h.village_id, v.name,
                   (SELECT COUNT(*) FROM members m WHERE m.household_id = h.id AND m.deleted = 0)
            FROM search_docs d JOIN households h ON h.id = d.household_id
            LEFT JOIN villages v ON v.id = h.village_id
            WHERE d.docid IN ({marks})""",
        docids,
    ).fetchall()
    by_doc = {r[0]: r for r in rows}
    keys = ("id", "head_name", "phone", "address", "village_id", "village", "members")
    return [dict(zip(keys, by_doc[d][1:])) for d in docids if d in by_doc]
