"""What a write changed: returned by every verb, so screens refresh only what they must."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    # table name -> ids written (new or updated versions, tombstones included)
    rows: dict[str, set[str]] = field(default_factory=dict)
    settings: bool = False

    def add(self, table: str, row_id: str) -> "Changes":
        self.rows.setdefault(table, set()).add(row_id)
        return self

    def __or__(self, other: "Changes") -> "Changes":
        merged = Changes({t: set(ids) for t, ids in self.rows.items()}, self.settings or other.settings)
        for table, ids in other.rows.items():
            merged.rows.setdefault(table, set()).update(ids)
        return merged

    def ids(self, table: str) -> set[str]:
        return self.rows.get(table, set())

    def touches(self, *tables: str) -> bool:
        return any(self.rows.get(t) for t in tables)

    def first(self, table: str) -> str:
        return sorted(self.ids(table))[0]

    def to_json(self) -> dict:
        return {t: sorted(ids) for t, ids in self.rows.items() if ids}
