"""Likely duplicate households (the same family registered in two villages) and merging a pair.

After a merge of villages' files the coordinator sees pairs that share a folded head name
(``fold``: no accents, lower case, đ → d) plus a phone or a birth year, or share a phone and a
member's name. Merging keeps both families' helps: the dropped household points to the kept one
(``merged_into``), its members move over (a member already there by folded name and birth year
is folded into that one) and its helps follow. Every step is an ordinary stamped write, so the
merge syncs to every laptop, and ``desk.undo()`` takes it back.
"""

from __future__ import annotations

from itertools import combinations

from teamdesk import records
from teamdesk.changes import Changes
from teamdesk.db import transaction
from teamdesk.errors import InputRejected
from teamdesk.fold import fold, phone_digits
from teamdesk.sync.team import utc_now

MAX_GROUP = 40  # a very common name: compare within phone/birth-year sub-groups only


def _households(desk) -> dict[str, dict]:
    rows = desk.conn.execute(
        "SELECT h.id, h.head_name, h.phone, h.village_id, v.name, h.consent_at FROM households h"
        " LEFT JOIN villages v ON v.id = h.village_id WHERE h.deleted = 0 AND COALESCE(h.merged_into, '') = ''"
    ).fetchall()
    out = {
        r[0]: {"id": r[0], "head_name": r[1] or "", "phone": r[2] or "", "village_id": r[3], "village": r[4] or "", "registered": r[5] or "",
               "members": [], "helps": 0}
        for r in rows
    }
    for hid, name, year, phone in desk.conn.execute(
        "SELECT household_id, full_name, birth_year, phone FROM members WHERE deleted = 0"
    ):
        if hid in out:
            out[hid]["members"].append({"name": name or "", "birth_year": year, "phone": phone or ""})
    for hid, n in desk.conn.execute("SELECT household_id, COUNT(*) FROM help_events WHERE deleted = 0 GROUP BY household_id"):
        if hid in out:
            out[hid]["helps"] = n
    return out


def _phones(h: dict) -> set[str]:
    return {p for p in [phone_digits(h["phone"])] + [phone_digits(m["phone"]) for m in h["members"]] if p}


def _years(h: dict) -> set[int]:
    return {m["birth_year"] for m in h["members"] if m["birth_year"]}


def _names(h: dict) -> set[str]:
    return {fold(m["name"]) for m in h["members"] if m["name"]}


def _reasons(a: dict, b: dict) -> list[str]:
    reasons = []
    same_name = fold(a["head_name"]) == fold(b["head_name"])
    if same_name:
        reasons.append("name")
    if _phones(a) & _phones(b):
        reasons.append("phone")
    if _years(a) & _years(b):
        reasons.append("birth_year")
    if len(_names(a) & _names(b)) >= (2 if same_name else 1):
        reasons.append("members")
    if a["village_id"] != b["village_id"]:
        reasons.append("other_village")
    likely = (same_name and any(r in reasons for r in ("phone", "birth_year", "members"))) or (
        "phone" in reasons and "members" in reasons
    )
    return reasons if likely else []


def find_duplicates(desk, *, limit: int = 500) -> list[dict]:
    """Likely pairs, the most certain first; pairs the coordinator said are different are left out."""
    households = _households(desk)
    dismissed = {
        (a, b) for a, b in desk.conn.execute("SELECT first_id, second_id FROM sync_duplicate_decisions WHERE decision = 'different'")
    }
    groups: dict[str, list[str]] = {}
    for h in households.values():
        groups.setdefault("n:" + fold(h["head_name"]), []).append(h["id"])
        for p in _phones(h):
            groups.setdefault("p:" + p, []).append(h["id"])
    pairs: dict[tuple[str, str], list[str]] = {}
    for key, ids in groups.items():
        if len(ids) < 2:
            continue
        if len(ids) > MAX_GROUP:  # split a common name by birth year to stay near-linear
            by_year: dict[int, list[str]] = {}
            for hid in ids:
                for y in _years(households[hid]):
                    by_year.setdefault(y, []).append(hid)
            chunks = [v[:MAX_GROUP] for v in by_year.values() if len(v) > 1]
        else:
            chunks = [ids]
        for chunk in chunks:
            for a, b in combinations(sorted(set(chunk)), 2):
                if (a, b) in pairs or (a, b) in dismissed:
                    continue
                reasons = _reasons(households[a], households[b])
                if reasons:
                    pairs[(a, b)] = reasons
    ranked = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    # the older registration (ids are time-ordered) is kept by default
    return [{"keep": households[a], "drop": households[b], "reasons": reasons} for (a, b), reasons in ranked]


def dismiss(desk, first: str, second: str) -> None:
    """"Not the same family": this pair is not offered again (a local decision)."""
    a, b = sorted((desk.resolve("households", first), desk.resolve("households", second)))
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT OR REPLACE INTO sync_duplicate_decisions (first_id, second_id, decision, decided_at) VALUES (?, ?, 'different', ?)",
            (a, b, utc_now()),
        )


def merge_pair(desk, *, keep: str, drop: str) -> Changes:
    """Fold household ``drop`` into ``keep`` in one undoable, synced action."""
    keep_id, drop_id = desk.resolve("households", keep), desk.resolve("households", drop)
    if keep_id == drop_id:
        raise InputRejected("error.sync_merge_same")
    for hid in (keep_id, drop_id):
        row = records.get(desk.conn, "households", hid)
        if row["deleted"] or row["merged_into"]:
            raise InputRejected("error.sync_merge_gone", ref=hid[-8:])
    kept_members = {
        (fold(name or ""), year): mid
        for mid, name, year in desk.conn.execute(
            "SELECT id, full_name, birth_year FROM members WHERE household_id = ? AND deleted = 0", (keep_id,)
        )
    }
    moved: dict[str, str] = {}
    with desk._writing("undo.merge_households") as changes:
        for mid, name, year in desk.conn.execute(
            "SELECT id, full_name, birth_year FROM members WHERE household_id = ? AND deleted = 0", (drop_id,)
        ).fetchall():
            same = kept_members.get((fold(name or ""), year))
            if same:
                moved[mid] = same
                desk._put(changes, "members", {"id": mid, "deleted": 1})
            else:
                desk._put(changes, "members", {"id": mid, "household_id": keep_id})
        for eid, member_id in desk.conn.execute(
            "SELECT id, member_id FROM help_events WHERE household_id = ? AND deleted = 0", (drop_id,)
        ).fetchall():
            desk._put(changes, "help_events", {"id": eid, "household_id": keep_id, "member_id": moved.get(member_id, member_id)})
        desk._put(changes, "households", {"id": drop_id, "merged_into": keep_id})
        changes.add("households", keep_id)
        a, b = sorted((keep_id, drop_id))
        desk.conn.execute(
            "INSERT OR REPLACE INTO sync_duplicate_decisions (first_id, second_id, decision, decided_at) VALUES (?, ?, 'merged', ?)",
            (a, b, utc_now()),
        )
    return changes
