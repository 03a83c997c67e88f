"""Backups of the installation's database, and restoring one, for the CLI and the app alike.

A backup is a consistent single-file copy made with SQLite's online backup API (safe while the
app writes), written to a temporary name, flushed and renamed, named by date and time so a folder
of them sorts in time order (``teamdesk-backup-2026-11-22_081500.sqlite3``). A folder on a USB
stick (setting ``backup_dir``) gets one automatic backup per day, and rotation keeps the newest
backup of each of the last 7 days plus one per week for 4 more weeks.

Restoring verifies the file first (an SQLite file that passes ``integrity_check``, that TeamDesk
made, with no migration newer than this TeamDesk knows); only then is the current database copied
aside (``teamdesk-before-restore-….sqlite3`` in the home folder, so a wrong restore can be undone by
restoring that file) and overwritten through the backup API, in one transaction. A bad file is
refused with a clear message and the database is left exactly as it was.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from teamdesk import schema
from teamdesk.atomic_file import fsync_folder
from teamdesk.db import connect, open_db
from teamdesk.errors import Failed, InputRejected
from teamdesk.paths import DB_NAME

FOLDER_SETTING = "backup_dir"
LAST_SETTING = "backup_last"
PREFIX = "teamdesk-backup-"
SUFFIX = ".sqlite3"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
_NAME = re.compile(r"^teamdesk-backup-(\d{4}-\d{2}-\d{2})_(\d{6})\.sqlite3$")
_PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None] | None
Cancelled = Callable[[], bool] | None


class _Cancelled(Exception):
    pass


def file_name(when: datetime) -> str:
    return f"{PREFIX}{when:%Y-%m-%d_%H%M%S}{SUFFIX}"


def stamp_of(name: str) -> datetime | None:
    m = _NAME.match(name)
    return datetime.strptime(f"{m[1]} {m[2]}", "%Y-%m-%d %H%M%S") if m else None


def _copy(src: sqlite3.Connection, out: Path, *, progress: Progress, cancelled: Cancelled, pages: int = _PAGES_PER_STEP) -> None:
    """Copy ``src`` into ``out`` atomically: temp file beside it, backup API, fsync, rename.

    ``pages=-1`` copies in one step, inside one read transaction: writes by other connections
    meanwhile do not restart it (WAL), which a background copy needs.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".teamdesk-", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)

    def step(status: int, remaining: int, total: int) -> None:
        if cancelled and cancelled():
            raise _Cancelled
        if progress:
            progress(total - remaining, total)

    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst, pages=pages, progress=step)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_folder(out.parent)
    except _Cancelled:
        tmp.unlink(missing_ok=True)
        raise Failed("error.backup_cancelled")
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise Failed("error.backup_failed", path=str(out), detail=getattr(exc, "strerror", None) or str(exc)) from exc


def backup_file(desk, *, out: Path | str, progress: Progress = None, cancelled: Cancelled = None) -> dict:
    """Back up the installation to ``out`` (a file; a folder gets a dated name inside it)."""
    out = Path(out)
    if out.is_dir():
        out = out / file_name(datetime.now())
    _copy(desk.conn, out, progress=progress, cancelled=cancelled)
    desk.set_setting(LAST_SETTING, datetime.now().isoformat(timespec="seconds"))
    return {"file": str(out), "bytes": out.stat().st_size}


def backup_to_folder(
    desk, *, folder: Path | str, now: datetime | None = None, progress: Progress = None, cancelled: Cancelled = None
) -> dict:
    """A dated backup in ``folder``, then rotation of the older ones there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise Failed("error.backup_folder_missing", folder=str(folder))
    now = now or datetime.now()
    for left in folder.glob(".teamdesk-*.part"):  # a backup cut short (unplugged, app killed)
        left.unlink(missing_ok=True)
    done = backup_file(desk, out=folder / file_name(now), progress=progress, cancelled=cancelled)
    done["removed"] = [str(p) for p in rotate(folder, today=now.date())]
    return done


def auto_backup(desk, *, now: datetime | None = None) -> dict | None:
    """The daily backup: made when a folder is set and it holds none from today yet."""
    folder = desk.setting(FOLDER_SETTING)
    if not folder or made_today(folder, now=now):
        return None
    return backup_to_folder(desk, folder=folder, now=now)


def made_today(folder: Path | str, *, now: datetime | None = None) -> bool:
    today = (now or datetime.now()).date()
    return any(stamp_of(p.name).date() == today for p in backups_in(folder))


def daily_backup_of_home(home: Path | str, *, folder: Path | str, now: datetime | None = None) -> dict | None:
    """The daily backup made beside a running app, through a read-only connection of its own.

    The app's worker keeps logging meanwhile (one read snapshot, WAL): a big database on a slow
    stick must not hold up the volunteer. None when the folder already has one from today.
    Recording when it was made is the caller's (a write, through the worker).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise Failed("error.backup_folder_missing", folder=str(folder))
    now = now or datetime.now()
    if made_today(folder, now=now):
        return None
    for left in folder.glob(".teamdesk-*.part"):
        left.unlink(missing_ok=True)
    out = folder / file_name(now)
    src = connect(Path(home) / DB_NAME, readonly=True)
    try:
        _copy(src, out, progress=None, cancelled=None, pages=-1)
    finally:
        src.close()
    return {"file": str(out), "bytes": out.stat().st_size, "removed": [str(p) for p in rotate(folder, today=now.date())]}


def backups_in(folder: Path | str) -> list[Path]:
    """TeamDesk backups in ``folder``, newest first (other files are never touched)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and stamp_of(p.name)]
    return sorted(found, key=lambda p: stamp_of(p.name), reverse=True)


def rotate(folder: Path | str, *, today: date | None = None, keep_daily: int = KEEP_DAILY, keep_weekly: int = KEEP_WEEKLY) -> list[Path]:
    """Keep the newest backup of each of the last ``keep_daily`` days that have one, then the
    newest of each of ``keep_weekly`` older weeks; delete the other TeamDesk backups there."""
    keep: set[Path] = set()
    seen_days: set[date] = set()
    daily_weeks: set[tuple[int, int]] = set()
    weekly: list[tuple[int, int]] = []
    for path in backups_in(folder):  # newest first
        day = stamp_of(path.name).date()
        if today is not None and day > today + timedelta(days=1):
            keep.add(path)  # dated ahead by a wrong clock: never deleted on a guess
            continue
        if day in seen_days:
            continue
        seen_days.add(day)
        week = tuple(day.isocalendar()[:2])
        if len(seen_days) <= keep_daily:
            keep.add(path)
            daily_weeks.add(week)
        elif week not in daily_weeks and week not in weekly and len(weekly) < keep_weekly:
            weekly.append(week)
            keep.add(path)
    removed = []
    for path in backups_in(folder):
        if path not in keep:
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


# --- verifying and restoring ---------------------------------------------------------------------
def verify(file: Path | str) -> dict:
    """What a backup file holds, or ``InputRejected`` saying in words why it cannot be restored."""
    file = Path(file)
    if not file.is_file():
        raise InputRejected("error.backup_missing", file=str(file))
    with open(file, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise InputRejected("error.backup_not_sqlite", file=file.name)
    try:
        conn = connect(file, readonly=True)
    except sqlite3.Error as exc:
        raise InputRejected("error.backup_corrupt", file=file.name, detail=str(exc)) from exc
    try:
        try:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        except sqlite3.DatabaseError as exc:
            raise InputRejected("error.backup_corrupt", file=file.name, detail=str(exc)) from exc
        if problems != ["ok"]:
            raise InputRejected("error.backup_corrupt", file=file.name, detail="; ".join(problems))
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('device_id','device_name','role','commune_code')"))
            applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'teamdesk'")]
            households = conn.execute("SELECT COUNT(*) FROM households WHERE deleted = 0").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise InputRejected("error.backup_not_teamdesk", file=file.name) from exc
        if "device_id" not in meta:
            raise InputRejected("error.backup_not_teamdesk", file=file.name)
        newer = [n for n in applied if n not in schema.KNOWN]
        if newer:
            raise InputRejected("error.backup_too_new", file=file.name, steps=", ".join(newer))
    finally:
        conn.close()
    stamp = stamp_of(file.name)
    return {
        "file": str(file),
        "device_name": meta.get("device_name", ""),
        "role": meta.get("role", ""),
        "commune_code": meta.get("commune_code", ""),
        "households": households,
        "made": stamp.isoformat(sep=" ") if stamp else "",
    }


def _move_aside(live: Path, aside: Path) -> None:
    """Keep a damaged database (and its journal) under ``aside`` so a fresh file can take its place."""
    os.replace(live, aside)
    for suffix in ("-wal", "-journal"):
        extra = Path(f"{live}{suffix}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{suffix}"))
    Path(f"{live}-shm").unlink(missing_ok=True)
    fsync_folder(live.parent)


def is_damaged(home: Path | str) -> bool:
    """A database file is there but SQLite cannot read it as TeamDesk's (the app offers a restore)."""
    live = Path(home) / DB_NAME
    if not live.exists() or live.stat().st_size == 0:
        return False
    try:
        conn = connect(live, readonly=True)
        try:
            conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    return False


def restore(home: Path | str, file: Path | str, *, progress: Progress = None, cancelled: Cancelled = None) -> dict:
    """Replace the installation's database with a verified backup, keeping the current one aside.

    Works with the app's own connection still open (the backup API writes through SQLite's
    locks); the app must then reopen its ``Desk``, whose cached settings and undo are stale.
    """
    home = Path(home)
    found = verify(file)
    live = home / DB_NAME
    aside = None
    home.mkdir(parents=True, exist_ok=True)
    if live.exists():
        aside = home / f"teamdesk-before-restore-{datetime.now():%Y-%m-%d_%H%M%S}.sqlite3"
        try:
            current = connect(live, readonly=True)
            try:
                _copy(current, aside, progress=None, cancelled=None)
            finally:
                current.close()
        except (Failed, sqlite3.Error):
            _move_aside(live, aside)  # too damaged to copy: the file itself goes aside, as it is
    src = connect(file, readonly=True)
    try:
        dst = connect(live)
        try:
            src.backup(dst, pages=-1)  # one step: one transaction, all or nothing
        except sqlite3.Error as exc:
            raise Failed("error.restore_failed", detail=str(exc)) from exc
        finally:
            dst.close()
    finally:
        src.close()
    open_db(live).close()  # upgrade an older backup's schema now, in one transaction
    if progress:
        progress(1, 1)
    return found | {"kept_aside": str(aside) if aside else "", "home": str(home)}
