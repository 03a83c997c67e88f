"""The coordinator's dashboard: progress against targets, the village league table, volunteers'
activity, a chart per indicator over months, exports, and a click from a number to its households.

Every number comes from ONE ``teamdesk.report.build`` on the runner (the same call the exports and
``teamdesk report`` make), so what the dashboard shows is what the Excel and PDF files say. A
click on a number asks ``teamdesk.indicators`` for the households behind it, shown in a list
dialog whose rows open in the households screen.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QFrame,
    QGridLayout, QHBoxLayout,
    QHeaderView, QLabel, QProgressBar, QPushButton, QScrollArea, QSplitter, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget,
)

from teamdesk import indicators, report, targets
from teamdesk.errors import Failed
from teamdesk.fold import natural_key
from teamdesk.i18n import language, number, tr
from teamdesk.ui.dashboard_charts import MonthCharts
from teamdesk.ui.dashboard_list import HouseholdList
from teamdesk.ui.targets_dialog import TargetsDialog

CARDS = ("households_reached", "people_helped", "vneid_level2", "epayment_account", "online_service", "follow_up_open")
CHARTS = ("households_reached", "people_helped", "vneid_install", "vneid_level2", "epayment_account", "online_service")
MONTHS = 6
STATUS_COLOURS = {"reached": "#2e7d32", "on_track": "#2e7d32", "behind": "#c62828", "late": "#c62828",
                  "no_pace": "#ef6c00", "unknown": "#757575"}


def percent(share: float | None) -> str:
    if share is None:
        return tr("report.unknown_value")
    text = f"{share * 100:.1f}%"
    return text.replace(".", ",") if language() == "vi" else text


def two_lines(text: str, *, longer_than: int = 12) -> str:
    """A long column heading on two lines, cut at the space nearest its middle (narrower columns)."""
    if len(text) <= longer_than or " " not in text:
        return text
    middle = len(text) / 2
    cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - middle))
    return text[:cut] + "\n" + text[cut + 1:]


def assessment(goal: dict) -> str:
    """The league cell: the status and what is left, short; the full sentence goes in the tooltip."""
    status = goal.get("status", "unknown")
    unit = tr(f"targets.unit_{goal.get('base_kind', 'population')}")
    if status == "unknown" or goal.get("remaining") is None:
        return tr("dash.assess.unknown", unit=unit)
    return tr(f"dash.assess.{status}", remaining=number(goal["remaining"]), unit=unit,
              achieved=number(goal.get("achieved") or 0), target=number(goal.get("target") or 0),
              shortfall=number(goal.get("shortfall") or 0))


def load(desk, period: indicators.Period) -> dict:
    """What the dashboard shows first (runs on the runner's worker; no widgets here): the report's
    own computation, so the screen and the exported files cannot disagree."""
    return {"report": report.build_for(desk, period=period, by="village", with_series=False), "today": desk.today()}


def load_more(desk, period: indicators.Period) -> dict:
    """Read after the first paint: the charts' months and the volunteers' tab."""
    return {"series": report.series_for(desk.conn, period=period, today=desk.today()),
            "volunteers": indicators.compute(desk.conn, period=period, by="volunteer", today=desk.today(),
                                             with_total=False)}


class DashboardScreen(QWidget):
    targets_dialog = TargetsDialog
    loaded = Signal(object)  # the data dict, once drawn (tests and the benchmark wait on it)
    volunteers_loaded = Signal(object)  # then the charts and the volunteers' tab

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: dict | None = None
        self._people_rows: list = []
        self._stale = False
        self._split_set = False
        today = date.today()  # until the worker answers with the trusted day (Desk.today)
        self._today = today
        self.period = indicators.Period.month(today.year, today.month)

        self.title = QLabel()
        self.title.setProperty("heading", True)
        self.period_box = QComboBox()
        self.period_box.currentIndexChanged.connect(self._period_chosen)
        self.export_buttons = {fmt: QPushButton() for fmt in ("xlsx", "pdf", "csv", "json")}
        for fmt, button in self.export_buttons.items():
            button.clicked.connect(lambda _=False, f=fmt: self.export(f))
        self.export_buttons["xlsx"].setProperty("primary", True)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.period_box)
        head.addStretch(1)
        for button in self.export_buttons.values():
            head.addWidget(button)

        self.cards: dict[str, QPushButton] = {}
        cards = QHBoxLayout()
        for key in CARDS:
            card = QPushButton()
            card.setFlat(True)
            card.setCursor(Qt.CursorShape.PointingHandCursor)
            card.setMinimumHeight(58)
            card.setStyleSheet("QPushButton { border: 1px solid #c8d3e0; border-radius: 6px; padding: 4px 8px;"
                               " background: #f6f9fc; text-align: left; } QPushButton:hover { background: #e6eef7; }")
            card.clicked.connect(lambda _=False, k=key: self.show_households(field=k))
            self.cards[key] = card
            cards.addWidget(card, 1)

        self.targets_title = QLabel()
        self.targets_title.setProperty("heading", True)
        self.targets_box = QGridLayout()
        self.targets_box.setColumnStretch(2, 1)
        targets_frame = QFrame()
        targets_frame.setLayout(self.targets_box)
        self.targets_scroll = QScrollArea()
        self.targets_scroll.setWidgetResizable(True)
        self.targets_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.targets_scroll.setWidget(targets_frame)
        self.targets_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.targets_scroll.viewport().installEventFilter(self)  # a new width: the notes wrap again
        self.target_choice = QComboBox()
        self.target_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # a link that wraps (a button's one line set the left side's minimum width, squeezing the charts)
        self.behind = QLabel()
        self.behind.setWordWrap(True)
        self.behind.setTextFormat(Qt.TextFormat.RichText)
        self.behind.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.behind.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.behind.linkActivated.connect(lambda _link: self._show_most_behind())
        self.target_choice.currentIndexChanged.connect(lambda _: self._fill_league())

        self.league = self._table()
        self.league.cellClicked.connect(self._league_clicked)
        self.people = self._table()
        self.people.cellClicked.connect(self._people_clicked)
        self.tables = QTabWidget()
        self.tables.addTab(self.league, "")
        self.tables.addTab(self.people, "")

        self.charts = MonthCharts(CHARTS)
        self.chart_views = self.charts.views
        self.note = QLabel()
        self.note.setProperty("hint", True)
        self.note.setWordWrap(True)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.targets_title)
        row.addStretch(1)
        row.addWidget(self.target_choice)
        self.targets_button = QPushButton()  # populations and targets, in TargetsDialog (tests replace it)
        self.targets_button.clicked.connect(lambda: self.targets_dialog.ask(self.ctx, self))
        row.addWidget(self.targets_button)
        lv.addLayout(row)
        lv.addWidget(self.targets_scroll)
        lv.addWidget(self.behind)
        lv.addWidget(self.tables, 1)
        self.split = split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.charts)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(cards)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)
        self._fill_periods(today)
        ctx.large_text_changed.connect(lambda _: self._restyle())
        self.retranslate()
        self.reload()

    # --- fitting ---------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        if not self._split_set:  # the charts get their share whatever the tables would like
            self._split_set = True
            width = max(800, self.split.width())
            self.split.setSizes([int(width * 0.64), int(width * 0.36)])

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        self._fit_cards()

    def _fit_cards(self) -> None:
        """A card's words on two lines when its share of the row is too narrow (large text, English).

        Decided on the equal share of the screen's width, not the card's own width, which itself
        follows the text: the choice cannot swing back and forth.
        """
        if self.data is None:
            return
        total = self.data["report"].indicators.total.values
        margins = self.layout().contentsMargins()
        share = (self.width() - margins.left() - margins.right()) // len(self.cards) - self.layout().spacing()
        lines = 2
        for key, card in self.cards.items():
            label = tr(f"dash.card.{key}")
            metrics = card.fontMetrics()
            if metrics.horizontalAdvance(label) > share - 2 * metrics.horizontalAdvance("  "):
                label = two_lines(label, longer_than=0)
            text = f"{number(total[key])}\n{label}"
            if card.text() != text:
                card.setText(text)
            lines = max(lines, text.count("\n") + 1)
        for card in self.cards.values():  # one height for the row
            card.setMinimumHeight(max(58, lines * card.fontMetrics().lineSpacing() + 16))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Resize:
            if obj is self.targets_scroll.viewport():
                QTimer.singleShot(0, self._fit_targets)
        return super().eventFilter(obj, event)

    def _fit_targets(self) -> None:
        """The targets box as tall as its wrapped notes, up to a quarter of the screen; past that it
        scrolls, but the first target (its name, bar and whole note) always shows in full."""
        frame = self.targets_scroll.widget()
        grid = self.targets_box
        width = self.targets_scroll.viewport().width()
        need = grid.totalHeightForWidth(width) if grid.hasHeightForWidth() else grid.totalSizeHint().height()
        first = need
        note = grid.itemAtPosition(1, 0)
        if note is not None and note.widget() is not None:
            margins = grid.contentsMargins()
            top = max(grid.itemAtPosition(0, c).widget().sizeHint().height() for c in (0, 1))
            inner = width - margins.left() - margins.right()
            first = margins.top() + top + grid.verticalSpacing() + note.widget().heightForWidth(inner) + grid.verticalSpacing()
        cap = max(first, self.height() // 4)
        self.targets_scroll.setFixedHeight(min(need, cap) + 2 * self.targets_scroll.frameWidth())
        frame.updateGeometry()

    def _restyle(self) -> None:
        """Large text on or off: the charts take the new font, the notes wrap again."""
        if self.data is not None and self.data["report"].series:
            self.charts.draw(self.data["report"].series)
        QTimer.singleShot(0, self._fit_targets)
        QTimer.singleShot(0, self._fit_cards)

    # --- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        period = self.period
        self.ctx.runner.query(lambda desk: load(desk, period), on_done=self._show)

    def refresh(self, changes) -> None:
        if changes.touches("help_events", "households", "members", "villages", "volunteers") or changes.settings:
            self._stale = True
            if self.isVisible():
                self._stale = False
                self.reload()

    def shown(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()

    def receive(self, payload) -> None:
        if isinstance(payload, dict) and payload.get("period"):
            self.set_period(indicators.parse_period(str(payload["period"])))

    def set_period(self, period: indicators.Period) -> None:
        self.period = period
        index = self.period_box.findData(period.key)
        if index < 0:
            self.period_box.addItem(period.label(), period.key)
            index = self.period_box.count() - 1
        self.period_box.blockSignals(True)
        self.period_box.setCurrentIndex(index)
        self.period_box.blockSignals(False)
        self.reload()

    def _fill_periods(self, today: date) -> None:
        self.period_box.blockSignals(True)
        current = self.period_box.currentData() or self.period.key
        self.period_box.clear()
        for month in reversed(indicators.last_months(today, 12).months()):
            self.period_box.addItem(month.label(), month.key)
        quarter = (today.month - 1) // 3 + 1
        for y, q in ((today.year, quarter), (today.year - (quarter == 1), (quarter - 2) % 4 + 1)):
            p = indicators.Period.quarter(y, q)
            self.period_box.addItem(p.label(), p.key)
        for p in (indicators.Period.week(today), indicators.Period.week(today - timedelta(days=7))):
            self.period_box.addItem(p.label(), p.key)
        self.period_box.addItem(tr("dash.period_custom"), "custom")
        index = self.period_box.findData(current)
        if index < 0:
            self.period_box.addItem(self.period.label(), self.period.key)
            index = self.period_box.count() - 1
        self.period_box.setCurrentIndex(index)
        self.period_box.blockSignals(False)

    def _period_chosen(self, _index: int) -> None:
        key = self.period_box.currentData()
        if key == "custom":
            chosen = self.ask_range(self, self.period)
            if chosen is None:  # cancelled: show the period still on screen
                self.set_period(self.period)
            else:
                self.set_period(chosen)
        elif key:
            self.period = indicators.parse_period(key)
            self.reload()

    @classmethod
    def ask_range(cls, parent: QWidget, current: indicators.Period) -> indicators.Period | None:
        """A custom range of days (tests replace this)."""
        dialog = QDialog(parent)
        dialog.setWindowTitle(tr("dash.period_custom"))
        start, end = QDateEdit(current.start), QDateEdit(current.end)
        for edit in (start, end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        form = QFormLayout(dialog)
        form.addRow(tr("dash.range_from"), start)
        form.addRow(tr("dash.range_to"), end)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        a, b = start.date().toPython(), end.date().toPython()
        return indicators.Period.between(min(a, b), max(a, b))

    # --- drawing ---------------------------------------------------------------------------------
    def _show(self, data: dict) -> None:
        self.data = data
        if data["today"] != self._today:  # the system clock was wrong: offer the right months
            self._today = data["today"]
            self._fill_periods(self._today)
        rep = data["report"]
        for key, card in self.cards.items():
            card.setToolTip(f"{tr(f'report.field.{key}')}. {tr('dash.card_tip')}")
        self._fit_cards()
        self._fill_targets(rep.progress)
        self._fill_target_choice(rep.progress)
        self._fill_league()
        if data.get("volunteers") is not None:
            self._fill_people(data["volunteers"])
        if rep.series:
            self.charts.draw(rep.series)
        notes = []
        bad = rep.indicators.invalid_dates
        if bad.get("total"):
            notes.append(tr("dash.invalid_dates", total=bad["total"], future=bad["future"], before=bad["before_start"]))
        self.note.setText("  ".join(notes) or tr("dash.note_rules"))
        self.loaded.emit(data)
        if data.get("volunteers") is None:
            period = self.period
            self.ctx.runner.query(lambda desk: load_more(desk, period), on_done=lambda more: self._got_more(data, more))

    def _got_more(self, data: dict, more: dict) -> None:
        if data is not self.data:
            return  # a newer load is on its way
        data["volunteers"] = more["volunteers"]
        data["report"].series = more["series"]
        self._fill_people(more["volunteers"])
        self.charts.draw(more["series"])
        self.volunteers_loaded.emit(more["volunteers"])

    def _fill_targets(self, progress: list[dict]) -> None:
        while self.targets_box.count():
            item = self.targets_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        commune = [g for g in progress if not g["village_id"]]
        if not commune:
            hint = QLabel(tr("dash.no_targets"))
            hint.setProperty("hint", True)
            hint.setWordWrap(True)
            self.targets_box.addWidget(hint, 0, 0, 1, 3)
            QTimer.singleShot(0, self._fit_targets)
            return
        for i, g in enumerate(commune):
            row = 2 * i
            name = QLabel(f"<b>{g['label']}</b>")
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setFixedWidth(140)
            share = g["share"]
            bar.setValue(0 if share is None else int(min(1.0, share / max(g["rate"], 1e-9)) * 1000))
            bar.setFormat(percent(share) if share is None else f"{percent(share)} / {percent(g['rate'])}")
            message = QLabel(g["message"])
            message.setWordWrap(True)
            message.setObjectName("targetNote")
            message.setStyleSheet(f"color: {STATUS_COLOURS.get(g['status'], '#333')}")
            self.targets_box.addWidget(name, row, 0)
            self.targets_box.addWidget(bar, row, 1)
            # the note under its bar, across the whole box: two lines instead of five in a narrow column
            self.targets_box.addWidget(message, row + 1, 0, 1, 3)
        QTimer.singleShot(0, self._fit_targets)

    def _fill_target_choice(self, progress: list[dict]) -> None:
        current = self.target_choice.currentData() or "vneid_level2"
        self.target_choice.blockSignals(True)
        self.target_choice.clear()
        for key in targets.TARGETABLE:
            self.target_choice.addItem(tr(f"report.field.{key}"), key)
        self.target_choice.setCurrentIndex(max(0, self.target_choice.findData(current)))
        self.target_choice.blockSignals(False)

    def _table(self) -> QTableWidget:
        table = QTableWidget()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        return table

    def league_rows(self) -> list[dict]:
        """The league table for the chosen target: villages ranked by share reached (unknown last)."""
        if self.data is None:
            return []
        rep = self.data["report"]
        indicator = self.target_choice.currentData() or "vneid_level2"
        goals = {g["village_id"]: g for g in rep.progress if g["indicator"] == indicator and g["village_id"]}
        rows = []
        for r in rep.indicators.rows:
            if not r.key:
                continue
            g = goals.get(r.key)
            rows.append({"village_id": r.key, "village": r.label, "period": r.values.get(indicator, 0),
                         "reached": r.values["households_reached"], "goal": g})
        # by share of the target; without one, by what the period achieved; then "Thôn 2" before "Thôn 10"
        rows.sort(key=lambda x: (x["goal"] is None or x["goal"]["share"] is None,
                                 -(x["goal"]["share"] or 0) if x["goal"] and x["goal"]["share"] is not None else 0,
                                 -x["period"], natural_key(x["village"])))
        return rows

    def most_behind(self) -> dict | None:
        """The village furthest from the chosen target (lowest share reached, known population)."""
        known = [r for r in self.league_rows() if r["goal"] and r["goal"]["share"] is not None
                 and r["goal"]["status"] != "reached"]
        return min(known, key=lambda r: r["goal"]["share"]) if known else None

    def _show_most_behind(self) -> None:
        r = self.most_behind()
        if r:
            indicator = self.target_choice.currentData() or "vneid_level2"
            self.show_needing(service=_service_of(indicator), village_id=r["village_id"], place=r["village"])

    LEAGUE_COLUMNS = ("dash.col_rank", "dash.col_village", "report.field.households_reached", "dash.col_period_value",
                      "dash.col_cumulative", "report.col_share", "dash.col_needing", "report.col_assessment")

    def _fill_league(self) -> None:
        rows = self.league_rows()
        t = self.league
        t.clear()
        t.setColumnCount(len(self.LEAGUE_COLUMNS))
        t.setHorizontalHeaderLabels([two_lines(tr(k)) for k in self.LEAGUE_COLUMNS])
        for c, k in enumerate(self.LEAGUE_COLUMNS):
            t.horizontalHeaderItem(c).setToolTip(tr(k))
        t.setWordWrap(True)
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            g = r["goal"] or {}
            share = g.get("share")
            values = [str(i + 1), r["village"], number(r["reached"]), number(r["period"]),
                      number(g["achieved"]) if g else "—", percent(share) if g else "—",
                      tr("dash.needing_link"), assessment(g) if g else tr("dash.no_target_here")]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (0, 2, 3, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c in (2, 3, 6):
                    item.setForeground(QBrush(QColor("#1f5fa8")))
                    item.setToolTip(tr("dash.click_tip"))
                if c == 7 and g:
                    item.setForeground(QBrush(QColor(STATUS_COLOURS.get(g["status"], "#333"))))
                    item.setToolTip(g["message"])
                t.setItem(i, c, item)
        header = t.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)  # the assessment takes what is left
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # wrapped: rows grow
        t.verticalHeader().setMinimumSectionSize(t.fontMetrics().height() + 10)
        worst = self.most_behind()
        self.behind.setVisible(worst is not None)
        if worst:
            text = tr("dash.most_behind", village=worst["village"], share=percent(worst["goal"]["share"]),
                      what=self.target_choice.currentText())
            self.behind.setText(f'<a href="behind" style="color: #c62828; font-weight: bold; text-decoration: none;">'
                                f"{html.escape(text)}</a>")

    PEOPLE_COLUMNS = ("report.group_volunteer", "report.field.helps_logged", "report.field.helps_done",
                      "report.field.households_reached", "report.field.people_helped", "report.field.follow_up_open")

    def _fill_people(self, volunteers: indicators.Indicators) -> None:
        t = self.people
        t.clear()
        t.setColumnCount(len(self.PEOPLE_COLUMNS))
        t.setHorizontalHeaderLabels([tr(k) for k in self.PEOPLE_COLUMNS])
        rows = sorted(volunteers.rows, key=lambda r: -r.values["helps_logged"])
        self._people_rows = rows
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [r.label] + [number(r.values[k]) for k in ("helps_logged", "helps_done", "households_reached",
                                                                 "people_helped", "follow_up_open")]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setToolTip(tr("dash.click_tip"))
                t.setItem(i, c, item)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)

    # --- click-through ---------------------------------------------------------------------------
    def _league_clicked(self, row: int, column: int) -> None:
        rows = self.league_rows()
        if row >= len(rows):
            return
        village = rows[row]
        indicator = self.target_choice.currentData() or "vneid_level2"
        if column == 2:
            self.show_households(field="households_reached", village_id=village["village_id"], place=village["village"])
        elif column == 3:
            self.show_households(field=indicator, village_id=village["village_id"], place=village["village"])
        elif column == 6:
            self.show_needing(service=_service_of(indicator), village_id=village["village_id"], place=village["village"])

    def _people_clicked(self, row: int, column: int) -> None:
        if column == 0 or row >= len(self._people_rows):
            return
        r = self._people_rows[row]
        field = self.PEOPLE_COLUMNS[column].removeprefix("report.field.")
        self.show_households(field="households_reached" if field in ("helps_logged", "helps_done") else field,
                             volunteer_id=r.key, place=r.label)

    def show_households(self, *, field: str, village_id: str | None = None, volunteer_id: str | None = None,
                        place: str = "") -> "HouseholdList":
        period = self.period
        title = tr("dash.list_title", what=tr(f"report.field.{field}"), place=place or tr("report.commune"),
                   period=period.label())
        dialog = HouseholdList(self.ctx, title, self)
        self.ctx.runner.query(
            lambda desk: indicators.households_behind(desk.conn, field=field, period=period, today=desk.today(),
                                                      village_id=village_id, volunteer_id=volunteer_id),
            on_done=dialog.fill)
        dialog.show()
        return dialog

    def show_needing(self, *, service: str, village_id: str | None = None, place: str = "") -> "HouseholdList":
        title = tr("dash.needing_title", service=tr(f"service.{service}"), place=place or tr("report.commune"))
        dialog = HouseholdList(self.ctx, title, self, needing=True)
        self.ctx.runner.query(
            lambda desk: indicators.households_needing(desk.conn, service=service, today=desk.today(),
                                                       village_id=village_id),
            on_done=dialog.fill)
        dialog.show()
        return dialog

    # --- exports ---------------------------------------------------------------------------------
    @classmethod
    def ask_save_path(cls, parent: QWidget, suggested: str, fmt: str) -> str:
        """Where to save (tests replace this)."""
        path, _ = QFileDialog.getSaveFileName(parent, tr("dash.save_title"), suggested, f"*.{fmt}")
        return path

    def export(self, fmt: str):
        suggested = str(Path.home() / f"bao-cao-{self.period.key}.{fmt}")
        path = self.ask_save_path(self, suggested, fmt)
        if not path:
            return None
        period = self.period

        def work(desk, progress, cancelled):
            made = report.build_for(desk, period=period, by="village", progress=progress)
            if cancelled():
                raise Failed("error.cancelled")
            return report.write(made, fmt=fmt, out=path)

        return self.ctx.runner.op(work, label_key="dash.exporting", progress=True, writes=False,
                                  on_done=lambda out: self.note.setText(tr("dash.exported", file=str(out))))

    def retranslate(self) -> None:
        self.title.setText(tr("dash.title"))
        self.targets_title.setText(tr("dash.targets"))
        self.target_choice.setToolTip(tr("dash.target_choice_tip"))
        self.targets_button.setText(tr("dash.targets_button"))
        self.targets_button.setToolTip(tr("dash.targets_button_tip"))
        self.period_box.setToolTip(tr("dash.period_tip"))
        for fmt, button in self.export_buttons.items():
            button.setText(tr(f"dash.export_{fmt}"))
            button.setToolTip(tr("dash.export_tip"))
        self.tables.setTabText(0, tr("dash.tab_league"))
        self.tables.setTabText(1, tr("dash.tab_volunteers"))
        self.charts.retranslate()
        self._fill_periods(self._today)
        if self.data is not None:
            # read again, not redraw: the targets' sentences and names were written in the old language
            self.reload()


def _service_of(indicator: str) -> str:
    return {"online_households": "online_service", "households_reached": "vneid_level2",
            "people_helped": "vneid_level2"}.get(indicator, indicator)
