"""Households and their members: registration with consent, edits, look-up, erasure.

Privacy (Law 91/2025/QH15, Decree 356/2025/ND-CP): only what the work needs is stored; never a
full CCCD number, an ID-card photo or a credential (``validate.text`` refuses 12-digit numbers).
Consent is recorded (who, when, scope, wording version); withdrawing it erases the household.
"""

from __future__ import annotations

from teamdesk import records, search, validate
from teamdesk.changes import Changes
from teamdesk.dates import utc_iso
from teamdesk.errors import InputRejected, NotFound
from teamdesk.fold import fold, phone_digits
from teamdesk.ids import is_id, new_id
from teamdesk.schema import PERSONAL

CONSENT_VERSION = "2026-01"  # the wording in the catalogues under "consent.text"
CONSENT_SCOPES = ("help", "contact", "leaflet")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
ERASE_REASONS = ("request", "consent_withdrawn")


class HouseholdVerbs:
    # --- finding ----------------------------------------------------------------------------
    def resolve(self, table: str, ref: str) -> str:
        """A row id from a full id or the last 6+ characters of one (what people copy from a screen)."""
        ref = (ref or "").strip().lower()
        if is_id(ref):
            if self.conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", (ref,)).fetchone():
                return ref
        elif len(ref) >= 6 and all(c in "0123456789abcdef-" for c in ref):
            found = [r[0] for r in self.conn.execute(f"SELECT id FROM [{table}] WHERE id LIKE ? LIMIT 2", ("%" + ref,))]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise InputRejected("error.ambiguous_id", ref=ref)
        raise NotFound(f"error.unknown_{table}", ref=ref)

    def find_households(self, text: str, *, village: str | None = None, limit: int = 50) -> list[dict]:
        village_id = self.village(village)["id"] if village else None
        return search.find(self.conn, text, village_id=village_id, limit=max(1, min(limit, 500)))

    def similar_households(self, head_name: str, *, phone: str = "", exclude: str | None = None) -> list[dict]:
        """Households that may be this one already: the same folded name, or the same phone."""
        keys = [k for k in (fold(head_name), phone_digits(phone)) if k]
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        ids = [
            r[0]
            for r in self.conn.execute(
                f"SELECT DISTINCT d.household_id FROM search_keys k JOIN search_docs d ON d.docid = k.docid"
                f" WHERE k.key IN ({marks}) LIMIT 20",
                keys,
            )
        ]
        return [self.household_summary(i) for i in ids if i != exclude]

    def household_summary(self, household_id: str) -> dict:
        row = self.conn.execute(
            "SELECT h.id, h.head_name, h.phone, h.address, v.name FROM households h"
            " LEFT JOIN villages v ON v.id = h.village_id WHERE h.id = ?",
            (household_id,),
        ).fetchone()
        return dict(zip(("id", "head_name", "phone", "address", "village"), row))

    def household(self, ref: str) -> dict:
        """Everything a screen shows about one household: fields, consent, members, helps."""
        hid = self.resolve("households", ref)
        h = records.get(self.conn, "households", hid)
        village = self.conn.execute("SELECT name FROM villages WHERE id = ?", (h["village_id"],)).fetchone()
        members = [
            dict(zip(("id", "full_name", "sex", "birth_year", "relation", "phone", "note"), r))
            for r in self.conn.execute(
                "SELECT id, full_name, sex, birth_year, relation, phone, note FROM members"
                " WHERE household_id = ? AND deleted = 0 ORDER BY relation != 'head', birth_year, full_name",
                (hid,),
            )
        ]
        helps = [
            dict(zip(("id", "date", "service", "detail", "outcome", "note", "member_id", "member", "volunteer_id", "volunteer"), r))
            for r in self.conn.execute(
                "SELECT e.id, e.date, e.service, e.detail, e.outcome, e.note, e.member_id, m.full_name,"
                " e.volunteer_id, v.name FROM help_events e"
                " LEFT JOIN members m ON m.id = e.member_id LEFT JOIN volunteers v ON v.id = e.volunteer_id"
                " WHERE e.household_id = ? AND e.deleted = 0 ORDER BY e.date DESC, e.hlc DESC",
                (hid,),
            )
        ]
        out = {k: h[k] for k in ("id", "village_id", "head_name", "phone", "address", "note", "deleted", "merged_into")}
        out["village"] = village[0] if village else ""
        out["consent"] = {
            "by": h["consent_by"],
            "at": h["consent_at"],
            "scope": (h["consent_scope"] or "").split(",") if h["consent_scope"] else [],
            "version": h["consent_version"],
            "withdrawn_at": h["consent_withdrawn_at"],
        }
        out["members"] = members
        out["helps"] = helps
        return out

    # --- writing ----------------------------------------------------------------------------
    def _member_row(self, m: dict) -> dict:
        relation = (m.get("relation") or "other").strip()
        if relation not in RELATIONS:
            raise InputRejected("error.bad_relation", value=relation)
        return {
            "full_name": validate.person_name(m.get("full_name"), field="member"),
            "sex": validate.sex(m.get("sex")),
            "birth_year": validate.birth_year(m.get("birth_year"), today=self.today()),
            "relation": relation,
            "phone": validate.phone(m.get("phone")),
            "note": validate.text(m.get("note"), field="note", max_len=500, multiline=True),
        }

    def add_household(
        self,
        *,
        head_name: str,
        village: str,
        consent_by: str,
        consent_scope: tuple[str, ...] | list[str] = ("help",),
        phone: str = "",
        address: str = "",
        note: str = "",
        head_sex: str = "",
        head_birth_year: int | str | None = None,
        members: list[dict] | tuple[dict, ...] = (),
    ) -> Changes:
        """Register a household. Consent must be given explicitly (never pre-ticked) and cover "help".

        The head becomes the first member; ``members`` adds the others.
        """
        head_name = validate.person_name(head_name, field="head_name")
        consent_by = validate.person_name(consent_by, field="consent_by", required=False)
        if not consent_by:
            raise InputRejected("error.consent_required")
        scope = [s.strip() for s in consent_scope if s and s.strip()]
        if "help" not in scope or any(s not in CONSENT_SCOPES for s in scope):
            raise InputRejected("error.bad_consent_scope", scope=",".join(scope))
        village_id = self.village(village)["id"]
        head = self._member_row({"full_name": head_name, "sex": head_sex, "birth_year": head_birth_year, "relation": "head", "phone": phone})
        others = [self._member_row(m) for m in members]
        hid = new_id()
        row = {
            "id": hid,
            "village_id": village_id,
            "head_name": head_name,
            "phone": validate.phone(phone),
            "address": validate.text(address, field="address", max_len=200),
            "note": validate.text(note, field="note", max_len=500, multiline=True),
            "consent_by": consent_by,
            "consent_at": utc_iso(self.clock.wall()),
            "consent_scope": ",".join(dict.fromkeys(scope)),
            "consent_version": CONSENT_VERSION,
            "consent_withdrawn_at": "",
            "registered_by": (self.on_duty() or {}).get("id", ""),
            "merged_into": "",
        }
        with self._writing("undo.add_household") as changes:
            self._put(changes, "households", row)
            for m in [head, *others]:
                self._put(changes, "members", m | {"id": new_id(), "household_id": hid})
        return changes

    def edit_household(self, ref: str, **fields) -> Changes:
        """Change some of: village, head_name, phone, address, note. Other fields are refused."""
        hid = self.resolve("households", ref)
        current = records.get(self.conn, "households", hid)
        if current["deleted"]:
            raise InputRejected("error.household_erased")
        clean: dict = {}
        for key, value in fields.items():
            if value is None:
                continue
            if key == "village":
                clean["village_id"] = self.village(value)["id"]
            elif key == "head_name":
                clean["head_name"] = validate.person_name(value, field="head_name")
            elif key == "phone":
                clean["phone"] = validate.phone(value)
            elif key == "address":
                clean["address"] = validate.text(value, field="address", max_len=200)
            elif key == "note":
                clean["note"] = validate.text(value, field="note", max_len=500, multiline=True)
            else:
                raise InputRejected("error.unknown_field", field=key)
        changed = {k: v for k, v in clean.items() if current[k] != v}
        with self._writing("undo.edit_household") as changes:
            if changed:
                self._put(changes, "households", {"id": hid, **changed})
        return changes

    def save_household(
        self,
        ref: str,
        *,
        members: list[dict] | tuple[dict, ...] = (),
        removed_members: list[str] | tuple[str, ...] = (),
        head_sex: str | None = None,
        head_birth_year: int | str | None = None,
        **fields,
    ) -> Changes:
        """The edit form's Save: the household, its head, removed, changed and new members — all or
        nothing, and one Ctrl+Z. ``members`` without an ``id`` are added."""
        hid = self.resolve("households", ref)
        head = self.conn.execute(
            "SELECT id FROM members WHERE household_id = ? AND relation = 'head' AND deleted = 0", (hid,)
        ).fetchone()
        with self._writing("undo.edit_household") as changes:
            self.edit_household(hid, **fields)
            if head:
                self.edit_member(head[0], full_name=fields.get("head_name"), sex=head_sex, birth_year=head_birth_year)
            for mid in removed_members:
                self.remove_member(mid)
            for m in members:
                values = {k: v for k, v in m.items() if k != "id"}
                self.edit_member(m["id"], **values) if m.get("id") else self.add_member(hid, **values)
            changes.add("households", hid)
        return changes

    def add_member(self, household: str, **member) -> Changes:
        hid = self.resolve("households", household)
        if records.get(self.conn, "households", hid)["deleted"]:
            raise InputRejected("error.household_erased")
        row = self._member_row(member)
        with self._writing("undo.add_member") as changes:
            self._put(changes, "members", row | {"id": new_id(), "household_id": hid})
        return changes

    def edit_member(self, ref: str, **fields) -> Changes:
        mid = self.resolve("members", ref)
        current = records.get(self.conn, "members", mid)
        merged = {k: current[k] for k in ("full_name", "sex", "birth_year", "relation", "phone", "note")}
        merged.update({k: v for k, v in fields.items() if v is not None})
        unknown = set(fields) - set(merged)
        if unknown:
            raise InputRejected("error.unknown_field", field=", ".join(sorted(unknown)))
        row = self._member_row(merged)
        changed = {k: v for k, v in row.items() if current[k] != v}
        with self._writing("undo.edit_member") as changes:
            if changed:
                self._put(changes, "members", {"id": mid, **changed})
        return changes

    def remove_member(self, ref: str) -> Changes:
        mid = self.resolve("members", ref)
        with self._writing("undo.remove_member") as changes:
            self._put(changes, "members", {"id": mid, "deleted": 1})
        return changes

    def erase_household(self, ref: str, *, reason: str = "request") -> Changes:
        """The right to deletion: a tombstone that syncs, and personal fields purged everywhere here.

        Helps stay (the numbers remain true) but lose their free text. Not undoable.
        """
        if reason not in ERASE_REASONS:
            raise InputRejected("error.bad_erase_reason", reason=reason)
        hid = self.resolve("households", ref)
        now = utc_iso(self.clock.wall())
        blank = lambda table: {f: "" for f in PERSONAL[table]}  # noqa: E731
        with self._writing(undoable=False) as changes:
            extra = {"consent_withdrawn_at": now} if reason == "consent_withdrawn" else {}
            self._put(changes, "households", {"id": hid, "deleted": 1, **blank("households"), **extra})
            for (mid,) in self.conn.execute("SELECT id FROM members WHERE household_id = ?", (hid,)).fetchall():
                self._put(changes, "members", {"id": mid, "deleted": 1, **blank("members")})
            for (eid,) in self.conn.execute(
                "SELECT id FROM help_events WHERE household_id = ? AND (detail != '' OR note != '')", (hid,)
            ).fetchall():
                self._put(changes, "help_events", {"id": eid, **blank("help_events")})
            purge_erased(self.conn, [hid])
        return changes


def purge_erased(conn, household_ids: list[str]) -> None:
    """Blank the personal fields of erased households' archived versions (members' and helps' too).

    Sync calls this after a merge, so an erasure made anywhere purges history everywhere.
    """
    erased = [
        r[0]
        for chunk in (household_ids[i : i + 500] for i in range(0, len(household_ids), 500))
        for r in conn.execute(
            f"SELECT id FROM households WHERE deleted = 1 AND id IN ({','.join('?' * len(chunk))})", chunk
        )
    ]
    for hid in erased:
        members = [r[0] for r in conn.execute("SELECT id FROM members WHERE household_id = ?", (hid,))]
        events = [r[0] for r in conn.execute("SELECT id FROM help_events WHERE household_id = ?", (hid,))]
        for table, ids in (("households", [hid]), ("members", members), ("help_events", events)):
            if not ids:
                continue
            paths = ", ".join(f"'$.{f}', ''" for f in PERSONAL[table])
            marks = ",".join("?" * len(ids))
            conn.execute(
                f"UPDATE history SET data = json_set(data, {paths}) WHERE table_name = ? AND id IN ({marks})",
                [table, *ids],
            )
            personal = ", ".join(f"{f} = ''" for f in PERSONAL[table])
            # A live member of an erased household (arrived by sync after the erasure) is purged too.
            if table == "members":
                conn.execute(f"UPDATE members SET {personal}, deleted = 1 WHERE id IN ({marks})", ids)
