"""``Desk``: the one entry object over an installation (its home folder and database).

The CLI, the UI and sync all call its verbs; every write goes through ``_writing`` (one
transaction, stamped versions, search refreshed, the clock saved) and returns ``Changes``.
Verbs live in mixins, one module per idea: ``team`` (villages, volunteers), ``households``,
``helps``. Features beyond those (leaflets, sync, reports) are modules of functions that take
a ``Desk``.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from teamdesk import RELEASE_DATE, records, search
from teamdesk.changes import Changes
from teamdesk.clock import HybridClock
from teamdesk.dates import local_day
from teamdesk.db import open_db, transaction
from teamdesk.errors import Failed, InputRejected, NotInitialised, UsageError
from teamdesk.households import HouseholdVerbs
from teamdesk.helps import HelpVerbs
from teamdesk.paths import DB_NAME, default_home
from teamdesk.schema import SYNCED
from teamdesk.team import TeamVerbs
from teamdesk.units import commune as find_commune

ROLES = ("volunteer", "coordinator", "hub")
# A wall clock this far behind the newest version held is wrong, not just a little slow.
CLOCK_TOLERANCE_MS = 5 * 60 * 1000


@dataclass
class UndoStep:
    label: str
    # (table, id, the version before the write or None for a row the write created)
    before: list[tuple[str, str, dict | None]]


class Desk(TeamVerbs, HouseholdVerbs, HelpVerbs):
    def __init__(self, home: Path, conn: sqlite3.Connection):
        self.home = home
        self.conn = conn
        self._meta = dict(conn.execute("SELECT key, value FROM meta"))
        self.clock = HybridClock.resume(self.device_id, self._newest_stamp())
        self._undo: list[UndoStep] = []
        self._recording: list[tuple[str, str, dict | None]] | None = None
        self._action: Changes | None = None  # the user action under way, which nested verbs join

    # --- opening -----------------------------------------------------------------------------
    @staticmethod
    def db_path(home: Path | str | None = None) -> Path:
        return Path(home or default_home()) / DB_NAME

    @classmethod
    def exists(cls, home: Path | str | None = None) -> bool:
        path = cls.db_path(home)
        if not path.exists():
            return False
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone())
        except sqlite3.DatabaseError:
            return False
        finally:
            conn.close()

    @classmethod
    def open(cls, home: Path | str | None = None) -> "Desk":
        """Open an initialised installation (``teamdesk init`` or ``demo`` made it)."""
        home = Path(home or default_home())
        if not cls.exists(home):
            raise NotInitialised("error.not_initialised", home=str(home))
        return cls(home, open_db(cls.db_path(home)))

    @classmethod
    def create(
        cls,
        home: Path | str | None = None,
        *,
        role: str,
        name: str,
        commune_code: str = "",
        villages: list[str] | tuple[str, ...] = (),
    ) -> "Desk":
        """A new installation: identity, role, commune, and the commune's first villages."""
        from teamdesk import validate

        home = Path(home or default_home())
        if role not in ROLES:
            raise UsageError("error.bad_role", role=role)
        name = validate.text(name, field="name", max_len=80, required=True)
        if role != "hub":
            if not commune_code:
                raise UsageError("error.commune_required")
            commune_code = find_commune(commune_code)["code"]  # raises NotFound for an unknown code
        if cls.exists(home):
            raise UsageError("error.already_initialised", home=str(home))
        try:
            home.mkdir(parents=True, exist_ok=True)
            conn = open_db(cls.db_path(home))
        except OSError as exc:
            raise Failed("error.home_not_writable", home=str(home), detail=exc.strerror or str(exc)) from exc
        with transaction(conn):
            for key, value in {
                "device_id": secrets.token_hex(8),
                "role": role,
                "device_name": name,
                "commune_code": commune_code,
                "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }.items():
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        desk = cls(home, conn)
        for village in villages:
            desk.add_village(village)
        return desk

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Desk":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- identity and settings ---------------------------------------------------------------
    @property
    def device_id(self) -> str:
        return self._meta["device_id"]

    @property
    def role(self) -> str:
        return self._meta.get("role", "volunteer")

    @property
    def commune_code(self) -> str:
        return self._meta.get("commune_code", "")

    @property
    def device_name(self) -> str:
        return self._meta.get("device_name", "")

    def setting(self, key: str, default: str | None = None) -> str | None:
        return self._meta.get(key, default)

    def set_setting(self, key: str, value: str | None) -> Changes:
        """Local settings (not synced): language, volunteer on duty, backup folder, hub address …"""
        with transaction(self.conn):
            if value is None:
                self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))
        if value is None:
            self._meta.pop(key, None)
        else:
            self._meta[key] = str(value)
        return Changes(settings=True)

    # --- time -------------------------------------------------------------------------------
    def _newest_stamp(self) -> str | None:
        stamps = [self._meta.get("clock_last") or ""]
        for table in SYNCED:
            stamps.append(self.conn.execute(f"SELECT MAX(hlc) FROM [{table}]").fetchone()[0] or "")
        return max(stamps) or None

    def clock_health(self) -> dict:
        """Is the system clock believable? Behind the newest version held, or before the release."""
        wall = self.clock.wall()
        behind = self.clock.last_ms - wall
        before_release = local_day(wall) < RELEASE_DATE
        return {
            "ok": behind <= CLOCK_TOLERANCE_MS and not before_release,
            "behind_minutes": max(0, behind) // 60000,
            "before_release": before_release,
            "system_day": local_day(wall).isoformat(),
            "trusted_day": self.today().isoformat(),
        }

    def today(self) -> date:
        """Today, local: the wall clock's day unless newer versions held prove it is behind."""
        return local_day(max(self.clock.wall(), self.clock.last_ms))

    # --- the write path ---------------------------------------------------------------------
    @contextmanager
    def _writing(self, label: str = "", *, undoable: bool = True) -> Iterator[Changes]:
        """One transaction for one user action: stamped versions, search kept current, undo noted.

        A verb called inside another verb's action joins it: one transaction, one undo step.
        """
        if self._action is not None:
            yield self._action
            return
        changes = self._action = Changes()
        self._recording = []
        saved = (self.clock.last_ms, self.clock.counter)
        try:
            with transaction(self.conn):
                yield changes
                # search covers heads and members; a logged help changes nothing it indexes
                touched = set(changes.ids("households"))
                members = changes.ids("members")
                if members:
                    marks = ",".join("?" * len(members))
                    touched.update(
                        r[0] for r in self.conn.execute(f"SELECT household_id FROM members WHERE id IN ({marks})", list(members))
                    )
                if touched:
                    search.refresh(self.conn, touched)
                self._save_clock()
        except sqlite3.OperationalError as exc:
            self.clock.last_ms, self.clock.counter = saved
            raise Failed("error.write_failed", detail=str(exc)) from exc
        except BaseException:
            self.clock.last_ms, self.clock.counter = saved
            raise
        finally:
            recorded, self._recording, self._action = self._recording, None, None
        if undoable and label and recorded:
            self._undo.append(UndoStep(label, recorded))
            del self._undo[:-20]

    def _put(self, changes: Changes, table: str, row: dict) -> dict:
        before = records.get(self.conn, table, row["id"])
        if self._recording is not None:
            self._recording.append((table, row["id"], before))
        stored = records.put(self.conn, self.clock, table, row)
        changes.add(table, row["id"])
        return stored

    def _save_clock(self) -> None:
        stamp = f"{self.clock.last_ms:013d}-{self.clock.counter:04x}-{self.device_id}"
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_last', ?)", (stamp,))
        self._meta["clock_last"] = stamp

    # --- undo ---------------------------------------------------------------------------------
    def undo_label(self) -> str | None:
        """What Ctrl+Z would undo (a message key), or None."""
        return self._undo[-1].label if self._undo else None

    def undo(self) -> Changes:
        """Undo the last action by writing the earlier versions back (so the undo syncs too)."""
        if not self._undo:
            raise InputRejected("error.nothing_to_undo")
        step = self._undo.pop()
        with self._writing(undoable=False) as changes:
            for table, row_id, before in reversed(step.before):
                if before is None:
                    self._put(changes, table, {"id": row_id, "deleted": 1})
                else:
                    self._put(changes, table, {c: before[c] for c in SYNCED[table]} | {"id": row_id, "deleted": before["deleted"]})
        return changes

    # --- facts for screens -------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Live rows per table: a full scan (about 0.8 s at 200,000 households), so not for start-up."""
        return {
            t: self.conn.execute(f"SELECT COUNT(*) FROM [{t}] WHERE deleted = 0").fetchone()[0]
            for t in ("villages", "volunteers", "households", "members", "help_events")
        }

    def info(self) -> dict:
        """Who and where this installation is (cheap: no counting)."""
        from teamdesk.units import commune

        unit = commune(self.commune_code) if self.commune_code else None
        return {
            "home": str(self.home),
            "device_id": self.device_id,
            "device_name": self.device_name,
            "role": self.role,
            "commune_code": self.commune_code,
            "commune": unit["name"] if unit else "",
            "province": unit["province_name"] if unit else "",
            "clock": self.clock_health(),
            "db_bytes": os.path.getsize(self.db_path(self.home)),
        }
