"""Hybrid logical clock (HLC) that stamps every synced write.

A stamp is fixed-width text that sorts in time order:
``"{milliseconds:013d}-{counter:04x}-{device}"``. The device id at the end means two devices
never produce equal stamps. The clock never goes backwards, even when the wall clock does, and
``observe`` jumps it past every stamp seen in imported data, so one import fixes the order of
later edits on a laptop whose CMOS battery has gone flat.

This module imports nothing of TeamDesk: both the core and ``teamdesk.sync`` use it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone

STAMP = re.compile(r"^\d{13}-[0-9a-f]{4}-[0-9a-z]{1,32}$")
MAX_COUNTER = 0xFFFF


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def parse(stamp: str) -> tuple[int, int, str]:
    ms, counter, device = stamp.split("-", 2)
    return int(ms), int(counter, 16), device


def format_stamp(ms: int, counter: int, device: str) -> str:
    return f"{ms:013d}-{counter:04x}-{device}"


def stamp_time(stamp: str) -> datetime:
    """The UTC moment a stamp's physical part names."""
    return datetime.fromtimestamp(parse(stamp)[0] / 1000, tz=timezone.utc)


def is_stamp(text: object) -> bool:
    return isinstance(text, str) and bool(STAMP.match(text))


@dataclass
class HybridClock:
    device: str
    last_ms: int = 0
    counter: int = 0
    wall = staticmethod(wall_ms)

    @classmethod
    def resume(cls, device: str, last: str | None) -> "HybridClock":
        """A clock that continues after ``last`` (the newest stamp this installation holds)."""
        clock = cls(device)
        if last:
            clock.observe(last)
        return clock

    def now(self) -> str:
        """A new stamp, greater than every stamp made or observed before."""
        physical = self.wall()
        if physical > self.last_ms:
            self.last_ms, self.counter = physical, 0
        else:
            self.counter += 1
            if self.counter > MAX_COUNTER:
                self.last_ms, self.counter = self.last_ms + 1, 0
        return format_stamp(self.last_ms, self.counter, self.device)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen elsewhere (imported data), so later local stamps sort after it."""
        ms, counter, _ = parse(stamp)
        if (ms, counter) > (self.last_ms, self.counter):
            self.last_ms, self.counter = ms, counter

    def behind_ms(self) -> int:
        """How far the wall clock is behind the newest stamp held (0 when it is not)."""
        return max(0, self.last_ms - self.wall())
