"""Logging a help given: the volunteer's hot path (one durable commit, well under 5 ms)."""

from __future__ import annotations

from datetime import date

from teamdesk import records, validate
from teamdesk.changes import Changes
from teamdesk.dates import EARLIEST, parse_date
from teamdesk.errors import ClockSuspect, InputRejected, UsageError
from teamdesk.help_services import OUTCOMES, SERVICES, extra_services
from teamdesk.ids import new_id


class HelpVerbs:
    def service_codes(self) -> list[str]:
        return [*SERVICES, *extra_services(self.setting("extra_services"))]

    def help_date(self, given: str | date | None) -> date:
        """The day a help is dated: the one given, or today when the clock can be trusted.

        A laptop with a wrong clock must not date a help in the future or the past silently: with
        a suspect clock the day must be given, and no day after the trusted today is accepted.
        """
        today = self.today()
        if given in (None, ""):
            if not self.clock_health()["ok"]:
                raise ClockSuspect("error.clock_suspect_give_date", day=today.strftime("%d/%m/%Y"))
            return today
        day = given if isinstance(given, date) else parse_date(given)
        if day > today:
            raise InputRejected("error.date_in_future", value=day.strftime("%d/%m/%Y"))
        if day < EARLIEST:
            raise InputRejected("error.date_too_old", value=day.strftime("%d/%m/%Y"))
        return day

    def log_help(
        self,
        *,
        household: str,
        service: str,
        member: str | None = None,
        detail: str = "",
        date: str | date | None = None,
        outcome: str = "done",
        volunteer: str | None = None,
        note: str = "",
    ) -> Changes:
        """Record one help given to a household (optionally to one member of it)."""
        if service not in self.service_codes():
            raise InputRejected("error.unknown_service", service=service, known=", ".join(self.service_codes()))
        if outcome not in OUTCOMES:
            raise InputRejected("error.unknown_outcome", outcome=outcome, known=", ".join(OUTCOMES))
        hid = self.resolve("households", household)
        if records.get(self.conn, "households", hid)["deleted"]:
            raise InputRejected("error.household_erased")
        member_id = None
        if member:
            member_id = self.resolve("members", member)
            if self.conn.execute(
                "SELECT household_id FROM members WHERE id = ? AND deleted = 0", (member_id,)
            ).fetchone() != (hid,):
                raise InputRejected("error.member_not_in_household")
        who = self.volunteer(volunteer) if volunteer else self.on_duty()
        if who is None:
            raise UsageError("error.no_volunteer_on_duty")
        row = {
            "id": new_id(),
            "household_id": hid,
            "member_id": member_id,
            "service": service,
            "detail": validate.text(detail, field="detail", max_len=200),
            "date": self.help_date(date).isoformat(),
            "volunteer_id": who["id"],
            "outcome": outcome,
            "note": validate.text(note, field="note", max_len=500, multiline=True),
        }
        with self._writing("undo.log_help") as changes:
            self._put(changes, "help_events", row)
        return changes

    def delete_help(self, ref: str) -> Changes:
        """A help logged by mistake: a tombstone (kept in history, and it syncs)."""
        eid = self.resolve("help_events", ref)
        with self._writing("undo.delete_help") as changes:
            self._put(changes, "help_events", {"id": eid, "deleted": 1})
        return changes

    def today_tally(self, *, day: date | None = None) -> dict:
        """Helps logged for a day (today by default), by service and by volunteer."""
        iso = (day or self.today()).isoformat()
        by_service = dict(
            self.conn.execute(
                "SELECT service, COUNT(*) FROM help_events WHERE date = ? AND deleted = 0 GROUP BY service", (iso,)
            ).fetchall()
        )
        by_volunteer = [
            {"id": r[0], "name": r[1] or "", "count": r[2]}
            for r in self.conn.execute(
                "SELECT e.volunteer_id, v.name, COUNT(*) FROM help_events e LEFT JOIN volunteers v ON v.id = e.volunteer_id"
                " WHERE e.date = ? AND e.deleted = 0 GROUP BY e.volunteer_id ORDER BY 3 DESC",
                (iso,),
            )
        ]
        return {"date": iso, "total": sum(by_service.values()), "by_service": by_service, "by_volunteer": by_volunteer}
