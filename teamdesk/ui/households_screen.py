"""The households screen: find any household of the commune, see it, register or edit one.

Left, the list (a lazy model over ``teamdesk.household_list``: search as you type without
accents, filters by village and by what a household still needs); right, the selected
household (``HouseholdDetail``). Enter or a double click on a row opens the log panel on it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from teamdesk.household_list import NEEDS, SEARCH_CAP, ListQuery, count_matching
from teamdesk.i18n import number, tr
from teamdesk.ui.household_detail import HouseholdDetail
from teamdesk.ui.household_model import HouseholdModel

# Typing: the first key after a pause updates the list at once; keys that follow faster than
# this are gathered and the list follows once they stop (a short debounce, on the trailing edge)
SEARCH_DELAY_MS = 80
DETAIL_DELAY_MS = 150  # and the detail panel after the selection stops moving


class HouseholdsScreen(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._dirty = False
        self._split_set = False
        self._last_query = 0.0
        self._count_job = 0

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self._open_current_in_log)
        self.search.installEventFilter(self)
        self.village = QComboBox()
        self.village.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.village.currentIndexChanged.connect(self._apply_query)
        self.need = QComboBox()
        self.need.currentIndexChanged.connect(self._apply_query)
        self.add_button = QPushButton()
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add_household)
        QShortcut(QKeySequence("Ctrl+N"), self, self.add_household, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.count_label = QLabel()
        self.count_label.setProperty("hint", True)

        self.model = HouseholdModel(ctx.reader(), self)
        self.model.reloaded.connect(self._show_count)
        ctx.large_text_changed.connect(lambda _: self._fit_columns())
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        # fixed row heights: the view never asks every row for its size
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.viewport().installEventFilter(self)  # a resize fits the columns again
        self.view.doubleClicked.connect(lambda _: self._open_current_in_log())
        self.view.activated.connect(lambda _: self._open_current_in_log())

        self.detail = HouseholdDetail(ctx)
        self.detail.edit_requested.connect(self.edit_household)
        self.detail.log_requested.connect(lambda hid: self.ctx.navigate("today", {"household": hid}))

        top = QHBoxLayout()
        top.addWidget(self.search, 4)
        top.addWidget(self.village, 1)
        top.addWidget(self.need, 2)
        top.addWidget(self.add_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.title = QLabel()
        self.title.setProperty("heading", True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._apply_query)
        self._detail_for: str | None = None
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(lambda: self.detail.show_household(self._detail_for))
        self._villages: list[dict] = []
        self.retranslate()
        self._load_villages()
        self._show_count()

    # --- the query ------------------------------------------------------------------------------
    def current_query(self) -> ListQuery:
        village = self.village.currentData()
        need = self.need.currentData()
        return ListQuery(text=self.search.text(), village_id=village or None, need=need or None)

    def _typed(self, _text: str) -> None:
        if self._timer.isActive() or time.monotonic() - self._last_query < SEARCH_DELAY_MS / 1000:
            self._timer.start()  # a burst of keys: wait for it to end
        else:
            self._apply_query()

    def _apply_query(self, *_args) -> None:
        self._timer.stop()
        self._last_query = time.monotonic()
        query = self.current_query()
        if query != self.model.query:
            self.model.set_query(query)
            if self.model.rowCount():
                self.view.scrollToTop()
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(0, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
            else:
                self._detail_for = None
                self._detail_timer.start()

    def _show_count(self) -> None:
        pages = self.model.pages
        q = pages.query
        if q.searching:
            if pages.capped:
                text = tr("hh.count_capped", n=number(SEARCH_CAP))
            elif not pages.exhausted:
                text = tr("hh.count_found_more", n=number(pages.count()))
            else:
                text = tr("hh.count_found", n=number(pages.count()))
        elif pages.open_ended:
            if pages.exhausted:
                text = tr("hh.count_need", n=number(pages.count()), need=tr(f"hh.need.{q.need}"))
            else:
                text = tr("hh.counting")
                self._count_in_background(q)
        else:
            text = tr("hh.count_all", n=number(pages.count()))
        self.count_label.setText(text)

    def _count_in_background(self, query: ListQuery) -> None:
        """A need filter must test each household to count them: done on the worker."""
        self._count_job += 1
        job = self._count_job

        def show(n: int) -> None:
            if job == self._count_job and self.model.query == query:
                self.count_label.setText(tr("hh.count_need", n=number(n), need=tr(f"hh.need.{query.need}")))

        self.ctx.runner.query(lambda desk: count_matching(desk.conn, query), on_done=show)

    def _load_villages(self) -> None:
        self.ctx.runner.query(lambda desk: desk.villages(), on_done=self._fill_villages)

    def _fill_villages(self, villages: list[dict]) -> None:
        self._villages = villages
        current = self.village.currentData()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(tr("hh.all_villages"), "")
        for v in villages:
            self.village.addItem(v["name"], v["id"])
        found = self.village.findData(current) if current else 0
        self.village.setCurrentIndex(max(0, found))
        self.village.blockSignals(False)

    # --- selection and actions -------------------------------------------------------------
    def selected_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.household_id(index.row()) if index.isValid() else None

    def _current_changed(self, current, _previous) -> None:
        # the detail follows once the list settles: typing and arrowing stay quick
        self._detail_for = self.model.household_id(current.row()) if current.isValid() else None
        self._detail_timer.start()

    def _open_current_in_log(self) -> None:
        if self._timer.isActive():  # Enter right after typing: the list catches up first
            self._apply_query()
        hid = self.selected_id()
        if hid:
            self.ctx.navigate("today", {"household": hid})

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        """Arrow keys in the search box move through the list; the cursor stays in the box."""
        if obj is self.view.viewport() and event.type() == event.Type.Resize:
            self._fit_columns()
            return False
        if obj is self.search and event.type() == event.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                if self._timer.isActive():
                    self._apply_query()
                rows = self.model.rowCount()
                if rows:
                    step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}[key]
                    row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
                    row = max(0, min(rows - 1, row + step))
                    self.view.selectionModel().setCurrentIndex(
                        self.model.index(row, 0),
                        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    self.view.scrollTo(self.model.index(row, 0))
                return True
        return super().eventFilter(obj, event)

    def add_household(self) -> None:
        from teamdesk.ui.household_form import HouseholdForm

        HouseholdForm.open_for(self.ctx, parent=self, on_saved=self._saved)

    def edit_household(self, household_id: str) -> None:
        from teamdesk.ui.household_form import HouseholdForm

        HouseholdForm.open_for(self.ctx, household_id=household_id, parent=self, on_saved=self._saved)

    def _saved(self, household_id: str) -> None:
        self.model.refresh()
        self.select(household_id)

    def select(self, household_id: str) -> None:
        """Select a household in the list when it is in it; show it in the detail panel anyway."""
        row = self.model.row_of(household_id)
        if row is not None:
            index = self.model.index(row, 0)
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._detail_timer.stop()
        self.detail.show_household(household_id)

    # --- the shell's hooks ---------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        self._fit_columns()  # the style sheet's font is known once shown
        if not self._split_set:  # the list gets most of the width, whatever the detail would like
            self._split_set = True
            width = max(800, self.splitter.width())
            self.splitter.setSizes([int(width * 0.58), int(width * 0.42)])

    def shown(self) -> None:
        if self._dirty:
            self._dirty = False
            self._reload_keeping_selection()

    def refresh(self, changes) -> None:
        if changes.touches("villages"):
            self._load_villages()
        if not changes.touches("households", "members", "help_events"):
            return
        if not self.isVisible():
            self._dirty = True  # read again when shown; a log at the village hall costs nothing here
            return
        self._reload_keeping_selection()

    def _reload_keeping_selection(self) -> None:
        hid = self.selected_id() or self.detail._wanted
        self.model.refresh()
        if hid:
            self.select(hid)
            self.detail.reload()

    def receive(self, payload) -> None:
        """``{"household": id}`` selects one; ``{"text", "village_id", "need"}`` set the list's query."""
        if not isinstance(payload, dict):
            return
        if any(k in payload for k in ("text", "village_id", "need")):
            for combo, key in ((self.village, "village_id"), (self.need, "need")):
                if key in payload:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(max(0, combo.findData(payload[key] or "")))
                    combo.blockSignals(False)
            if "text" in payload:
                self.search.blockSignals(True)
                self.search.setText(str(payload["text"] or ""))
                self.search.blockSignals(False)
            self._apply_query()
        if payload.get("household"):
            self.select(payload["household"])

    def help_text(self) -> str:
        return tr("hh.help")

    def retranslate(self) -> None:
        self.title.setText(tr("hh.title"))
        self.search.setPlaceholderText(tr("hh.search.placeholder"))
        self.search.setToolTip(tr("hh.search.tip"))
        self.village.setToolTip(tr("hh.village.tip"))
        self.need.setToolTip(tr("hh.need.tip"))
        self.add_button.setText(tr("hh.add"))
        self.add_button.setToolTip(tr("hh.add.tip"))
        need = self.need.currentData()
        self.need.blockSignals(True)
        self.need.clear()
        self.need.addItem(tr("hh.need.all"), "")
        for code in NEEDS:
            self.need.addItem(tr(f"hh.need.{code}"), code)
        self.need.setCurrentIndex(max(0, self.need.findData(need)) if need else 0)
        self.need.blockSignals(False)
        if self.village.count():
            self.village.setItemText(0, tr("hh.all_villages"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self.detail.retranslate()
        self._show_count()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Every column inside the list's width (no sideways scrolling, large text too).

        Village, phone and the member count get what they need; the name, the latest help and the
        address share the rest in proportion to what they would like, never below a readable
        minimum. Cut text keeps its whole value in the cell's tooltip. Runs again on every resize.
        """
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        bold = QFont(header.font())
        bold.setBold(True)  # the style draws headings in bold: measure them so
        heading = QFontMetrics(bold)
        pad = metrics.horizontalAdvance("  ")

        def width(column: int, sample: str) -> int:
            title = self.model.headerData(column, Qt.Orientation.Horizontal) or ""
            return max(metrics.horizontalAdvance(sample), heading.horizontalAdvance(title)) + pad

        fixed = {1: width(1, "Thôn 10"), 2: width(2, "0999999999"), 3: width(3, "99")}
        wants = {0: width(0, "Nguyễn Thị Phương Thảo"), 4: width(4, "20/11/2026 · Kích hoạt VNeID mức 2"),
                 5: width(5, "Xóm Chùa, Thôn 10")}
        # the address is in the detail panel too: when room is short, the latest help gets it first
        floors = {0: width(0, "Nguyễn Văn Anh"), 4: width(4, "20/11/2026 · Cài"), 5: width(5, "Xóm Chùa")}
        room = self.view.viewport().width() - sum(fixed.values())
        if room >= sum(wants.values()):
            flexible = wants  # the last column stretches over what is left
        else:
            spare = max(0, room - sum(floors.values()))
            weight = {c: (wants[c] - floors[c]) * (1 if c != 5 else 0.3) for c in wants}
            extra = sum(weight.values()) or 1
            flexible = {c: floors[c] + min(wants[c] - floors[c], int(spare * weight[c] / extra)) for c in wants}
            over = sum(flexible.values()) - room
            if over > 0:  # a very narrow list: every flexible column gives up its share
                total = sum(flexible.values())
                flexible = {c: max(24, w - (over * w + total - 1) // total) for c, w in flexible.items()}
        for column, size in {**fixed, **flexible}.items():
            self.view.setColumnWidth(column, size)
        self.view.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
        self.village.setMinimumWidth(self.village.fontMetrics().horizontalAdvance(tr("hh.all_villages")) + 48)
