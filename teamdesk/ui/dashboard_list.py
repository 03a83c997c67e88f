"""The households behind a number on the dashboard, in a list; a row opens in the households screen.

Erased households are never named (they keep no personal data): only their count is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from teamdesk.i18n import number, tr


SHOWN = 500  # rows built in the dialog; the count still says how many there are

class HouseholdList(QDialog):
    """The households behind a number; a row opens in the households screen."""

    filled = Signal(object)

    def __init__(self, ctx, title: str, parent=None, *, needing: bool = False):
        super().__init__(parent)
        self.ctx = ctx
        self.needing = needing
        self.rows: list[dict] = []
        self.setWindowTitle(title)
        self.resize(760, 480)
        self.heading = QLabel(title)
        self.heading.setProperty("heading", True)
        self.heading.setWordWrap(True)
        self.count = QLabel(tr("dash.loading"))
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_row(row))
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(tr("dash.open_household"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        buttons.addButton(tr("dash.close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def fill(self, result: dict) -> None:
        # a commune-wide list can hold tens of thousands: building every row would freeze the window
        found = len(result["households"])
        self.rows = result["households"][:SHOWN]
        heads = ["report.group_village", "field.head_name", "field.phone", "field.address",
                 "dash.col_members_needing" if self.needing else "dash.col_times"]
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels([tr(h) for h in heads])
        self.table.setRowCount(len(self.rows))
        for i, h in enumerate(self.rows):
            last = ", ".join(h.get("members", [])) if self.needing else number(h["count"])
            for c, text in enumerate((h["village"], h["head_name"], h["phone"], h["address"], last)):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        text = tr("dash.list_count", n=number(found))
        if found > SHOWN:
            text += " " + tr("dash.list_first", shown=number(SHOWN))
        if result.get("erased"):
            text += " " + tr("dash.list_erased", n=result["erased"])
        self.count.setText(text)
        if self.rows:
            self.table.selectRow(0)
        self.filled.emit(result)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.ctx.navigate("households", {"household": self.rows[row]["id"]})
            self.accept()
