"""The lazy table model behind the households list: a thin Qt skin over ``HouseholdPages``.

It never holds more than a few pages of rows (``teamdesk.household_list`` fetches them by key
from the GUI's read-only connection as the view asks for them). Browsing and searching know
their row count, so the scroll bar spans the whole list and a jump to the end reads one page;
a need filter grows through ``canFetchMore`` / ``fetchMore`` instead.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from teamdesk.dates import show as show_date
from teamdesk.help_services import service_label
from teamdesk.household_list import HouseholdPages, HouseholdRow, ListQuery
from teamdesk.i18n import tr

COLUMNS = ("head_name", "village", "phone", "members", "last_help", "address")
ID_ROLE = Qt.ItemDataRole.UserRole
_DISPLAY, _TIP, _ALIGN = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole
_ROLES = frozenset((_DISPLAY, _TIP, _ALIGN, ID_ROLE))
_MEMBERS = COLUMNS.index("members")
Index = QModelIndex | QPersistentModelIndex


class HouseholdModel(QAbstractTableModel):
    # the list was rebuilt (a new query or a refresh): the screen updates its count label
    reloaded = Signal()

    def __init__(self, conn: sqlite3.Connection, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.pages = HouseholdPages(conn, ListQuery())
        self.fetched_rows = self.pages.fetched_rows  # across reloads, for tests and the benchmark

    # --- what is shown ----------------------------------------------------------------------
    @property
    def query(self) -> ListQuery:
        return self.pages.query

    def set_query(self, query: ListQuery) -> None:
        self._reload(query)

    def refresh(self) -> None:
        """Read the list again (after a write): counts and cached pages may be stale."""
        self._reload(self.pages.query)

    def _reload(self, query: ListQuery) -> None:
        self.beginResetModel()
        self.fetched_rows += self.pages.fetched_rows
        self.pages = HouseholdPages(self.conn, query)
        self.endResetModel()
        self.reloaded.emit()

    def total_fetched(self) -> int:
        return self.fetched_rows + self.pages.fetched_rows

    def household_id(self, row: int) -> str | None:
        r = self.pages.row(row)
        return r.household_id if r else None

    def row_of(self, household_id: str) -> int | None:
        return self.pages.index_of(household_id)

    # --- Qt's model interface ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 — Qt's names
        return 0 if parent.isValid() else self.pages.count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self.pages.open_ended and not self.pages.exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or not self.canFetchMore():
            return
        start = self.pages.count()
        # the rows are read first, then announced (Qt wants the count before and after)
        grown = self.pages.grow()
        if grown:
            self.beginInsertRows(QModelIndex(), start, start + grown - 1)
            self.endInsertRows()
        self.reloaded.emit()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(f"hh.col.{COLUMNS[section]}")
        if role == _TIP:  # the short heading's whole meaning
            return tr(f"hh.col.{COLUMNS[section]}.tip")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        # called for every visible cell and role on each paint: the cheap refusals come first
        if role not in _ROLES:
            return None
        if role == _ALIGN:
            return int(Qt.AlignmentFlag.AlignCenter) if index.column() == _MEMBERS else None
        row = self.pages.row(index.row())
        if row is None:
            return None
        if role == ID_ROLE:
            return row.household_id
        return _cell(row, COLUMNS[index.column()], tooltip=role == _TIP)


def _cell(row: HouseholdRow, column: str, *, tooltip: bool) -> str | None:
    if column == "head_name":
        return row.head_name
    if column == "village":
        return row.village
    if column == "phone":
        return row.phone
    if column == "address":
        return row.address
    if column == "members":
        return str(row.members)
    if column == "last_help":
        if not row.last_date:
            return tr("hh.no_help_yet") if not tooltip else None
        return f"{show_date(row.last_date)} · {service_label(row.last_service)}"
    return None
