"""Dates people see and type are local (Asia/Ho_Chi_Minh, dd/mm/yyyy); clocks are UTC."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from teamdesk.errors import InputRejected

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = date(2020, 1, 1)  # before any team's work: a typo, not a help
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def local_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone(LOCAL).date()


def utc_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text: str) -> date:
    """``dd/mm/yyyy`` (what people type) or ``yyyy-mm-dd`` (what scripts pass)."""
    m = _DMY.match(text or "")
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO.match(text or "")
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise InputRejected("error.bad_date", value=text)


def show(day: date | str | None) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return day.strftime("%d/%m/%Y")
