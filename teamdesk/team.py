"""Villages (thôn, tổ dân phố) of the installation's commune, and the team's volunteers."""

from __future__ import annotations

from teamdesk import validate
from teamdesk.changes import Changes
from teamdesk.errors import InputRejected, NotFound
from teamdesk.fold import fold, natural_key
from teamdesk.ids import is_id, new_id


class TeamVerbs:
    # --- villages ----------------------------------------------------------------------------
    def villages(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT id, name, population, household_count FROM villages WHERE deleted = 0"
        ).fetchall()
        out = [dict(zip(("id", "name", "population", "household_count"), r)) for r in rows]
        return sorted(out, key=lambda v: natural_key(v["name"]))

    def village(self, ref: str) -> dict:
        """A village by id or by name (accents optional)."""
        ref = (ref or "").strip()
        for v in self.villages():
            if v["id"] == ref or fold(v["name"]) == fold(ref):
                return v
        raise NotFound("error.unknown_village", village=ref)

    def add_village(self, name: str, *, population: int | None = None, household_count: int | None = None) -> Changes:
        name = validate.text(name, field="village", max_len=80, required=True)
        if any(fold(v["name"]) == fold(name) for v in self.villages()):
            raise InputRejected("error.village_exists", village=name)
        with self._writing("undo.add_village") as changes:
            self._put(
                changes,
                "villages",
                {
                    "id": new_id(),
                    "name": name,
                    "commune_code": self.commune_code,
                    "population": population,
                    "household_count": household_count,
                },
            )
        return changes

    # --- volunteers --------------------------------------------------------------------------
    def volunteers(self, *, active_only: bool = True) -> list[dict]:
        rows = self.conn.execute(
            "SELECT v.id, v.name, v.phone, v.village_id, vi.name, v.active FROM volunteers v"
            " LEFT JOIN villages vi ON vi.id = v.village_id WHERE v.deleted = 0"
            + (" AND v.active = 1" if active_only else "")
        ).fetchall()
        out = [dict(zip(("id", "name", "phone", "village_id", "village", "active"), r)) for r in rows]
        return sorted(out, key=lambda v: fold(v["name"]).split()[-1:] + [fold(v["name"])])

    def volunteer(self, ref: str) -> dict:
        ref = (ref or "").strip()
        for v in self.volunteers(active_only=False):
            if v["id"] == ref or (len(ref) >= 6 and v["id"].endswith(ref)) or fold(v["name"]) == fold(ref):
                return v
        raise NotFound("error.unknown_volunteer", volunteer=ref)

    def add_volunteer(self, name: str, *, phone: str = "", village: str | None = None) -> Changes:
        name = validate.person_name(name)
        phone = validate.phone(phone)
        village_id = self.village(village)["id"] if village else None
        with self._writing("undo.add_volunteer") as changes:
            self._put(changes, "volunteers", {"id": new_id(), "name": name, "phone": phone, "village_id": village_id, "active": 1})
        return changes

    def on_duty(self) -> dict | None:
        """The volunteer whose name goes on every help logged at this laptop now."""
        ref = self.setting("volunteer_on_duty")
        if not ref or not is_id(ref):
            return None
        try:
            return self.volunteer(ref)
        except NotFound:
            return None

    def set_on_duty(self, ref: str) -> Changes:
        return self.set_setting("volunteer_on_duty", self.volunteer(ref)["id"])
