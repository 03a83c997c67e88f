"""Which households get a personalised handout, in what order, and who is left out and why.

A handout with a family's name on it is personal data on paper: only households whose consent
scope includes "leaflet" (and was not withdrawn) get one. The others are reported, not printed.
The batch is in village then name order, the way a volunteer walks the village.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from teamdesk.errors import InputRejected
from teamdesk.fold import fold, natural_key

CONSENT_SCOPE = "leaflet"


@dataclass
class Recipients:
    households: list[dict] = field(default_factory=list)  # desk.household(...) dicts, in print order
    skipped: list[dict] = field(default_factory=list)  # {"id", "village", "reason"} (a key)


def _needing(desk, *, village: str | None, needs: str | None) -> list[str]:
    sql = "SELECT h.id FROM households h WHERE h.deleted = 0 AND COALESCE(h.merged_into, '') = ''"
    params: list = []
    if village:
        sql += " AND h.village_id = ?"
        params.append(desk.village(village)["id"])
    if needs:
        if needs not in desk.service_codes():
            raise InputRejected("error.unknown_service", service=needs, known=", ".join(desk.service_codes()))
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM help_events e WHERE e.household_id = h.id AND e.deleted = 0"
            " AND e.service = ? AND e.outcome = 'done')"
        )
        params.append(needs)
    return [r[0] for r in desk.conn.execute(sql, params)]


def select(desk, *, ids: tuple[str, ...] | list[str] = (), village: str | None = None, needs: str | None = None,
           cancelled=None) -> Recipients:
    """The households named by ``ids`` (an unknown id is an error), or those of ``village`` that
    still need service ``needs``, split into those who may get a named handout and the rest."""
    chosen = [desk.resolve("households", ref) for ref in ids]  # raises NotFound for an unknown one
    if village or needs:
        chosen += _needing(desk, village=village, needs=needs)
    out = Recipients()
    for hid in dict.fromkeys(chosen):
        if cancelled and cancelled():
            break
        h = desk.household(hid)
        consent = h["consent"]
        if h["deleted"]:
            out.skipped.append({"id": hid, "village": h["village"], "reason": "leaflet.skip_erased"})
        elif CONSENT_SCOPE not in consent["scope"] or consent["withdrawn_at"]:
            out.skipped.append({"id": hid, "village": h["village"], "reason": "leaflet.skip_no_consent"})
        else:
            out.households.append(h)
    out.households.sort(key=lambda h: (natural_key(h["village"]), fold(h["head_name"] or ""), h["id"]))
    return out
