"""The Today screen: log helps on the left, today's tally and the village's progress on the right.

The tally is ``Desk.today_tally``; the progress is ``teamdesk.today.village_progress`` against
the village's entered targets ("chưa nhập" when none), and under it the whole commune's total
(``teamdesk.today.commune_progress``) so a coordinator sees the commune at a glance (on the
coordinator's installation only: a village laptop holds the commune as of its last sync, and the
commune-wide count costs about 75 ms at 20,000 households). All are read on the runner after each
write while the screen is visible.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from teamdesk.dates import show as show_date
from teamdesk.help_services import extra_services, service_label
from teamdesk.i18n import number, tr
from teamdesk.today import commune_progress, share, village_progress
from teamdesk.ui.log_panel import LogPanel, service_icon


class TodayScreen(QWidget):
    tally_shown = Signal(object)  # the tally dict, once drawn (tests wait on it)
    progress_shown = Signal(object)
    commune_shown = Signal(object)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tally: dict | None = None
        self.progress: dict | None = None
        self.commune: dict | None = None
        self._villages: list[dict] = []
        self._stale = False

        self.log = LogPanel(ctx)
        self.log.logged.connect(lambda _: self._reload())
        self.log.undone.connect(self._reload)

        self.tally_title = QLabel()
        self.tally_title.setProperty("heading", True)
        self.tally_total = QLabel()
        self.tally_grid = QGridLayout()
        self.tally_grid.setColumnStretch(1, 1)
        self.by_volunteer_title = QLabel()
        self.by_volunteer_title.setProperty("hint", True)
        self.by_volunteer = QLabel()
        self.by_volunteer.setWordWrap(True)

        self.progress_title = QLabel()
        self.progress_title.setProperty("heading", True)
        self.village = QComboBox()
        self.village.currentIndexChanged.connect(lambda _: self._load_progress())
        self.reached_label = QLabel()
        self.reached_label.setWordWrap(True)
        self.reached_bar = QProgressBar()
        self.level2_label = QLabel()
        self.level2_label.setWordWrap(True)
        self.level2_bar = QProgressBar()
        self.with_commune = ctx.role == "coordinator"
        self.commune_title = QLabel()
        self.commune_title.setProperty("heading", True)
        self.commune_title.setWordWrap(True)
        self.commune_reached_label = QLabel()
        self.commune_reached_label.setWordWrap(True)
        self.commune_reached_bar = QProgressBar()
        self.commune_level2_label = QLabel()
        self.commune_level2_label.setWordWrap(True)
        self.commune_level2_bar = QProgressBar()
        for bar in (self.reached_bar, self.level2_bar, self.commune_reached_bar, self.commune_level2_bar):
            bar.setRange(0, 1000)
            bar.setTextVisible(False)
            bar.setFixedHeight(14)

        side = QFrame()
        side.setFrameShape(QFrame.Shape.StyledPanel)
        side.setMinimumWidth(340)
        side.setMaximumWidth(470)
        right = QVBoxLayout(side)
        right.addWidget(self.tally_title)
        right.addWidget(self.tally_total)
        right.addLayout(self.tally_grid)
        right.addWidget(self.by_volunteer_title)
        right.addWidget(self.by_volunteer)
        right.addSpacing(12)
        village_row = QHBoxLayout()
        village_row.addWidget(self.progress_title, 1)
        village_row.addWidget(self.village)
        right.addLayout(village_row)
        right.addWidget(self.reached_label)
        right.addWidget(self.reached_bar)
        right.addWidget(self.level2_label)
        right.addWidget(self.level2_bar)
        if self.with_commune:
            right.addSpacing(12)
            for widget in (self.commune_title, self.commune_reached_label, self.commune_reached_bar,
                           self.commune_level2_label, self.commune_level2_bar):
                right.addWidget(widget)
        right.addStretch(1)

        # a safety net for very large text on a small screen: the panel scrolls, nothing is cut
        self.log_scroll = QScrollArea()
        self.log_scroll.setWidgetResizable(True)
        self.log_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.log_scroll.setWidget(self.log)
        layout = QHBoxLayout(self)
        layout.addWidget(self.log_scroll, 3)
        layout.addWidget(side, 2)

        self._coalesce = QTimer(self)  # several writes in a row: read once
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(50)
        self._coalesce.timeout.connect(self._reload_now)
        self.retranslate()
        self._load_villages()
        self._reload_now()

    # --- reading ------------------------------------------------------------------------------
    def _reload(self) -> None:
        self._coalesce.start()

    def _reload_now(self) -> None:
        self._stale = False
        self.ctx.runner.query(lambda desk: desk.today_tally(), on_done=self._show_tally)
        self._load_progress()
        self._load_commune()

    def _load_villages(self) -> None:
        self.ctx.runner.query(lambda desk: desk.villages(), on_done=self._fill_villages)

    def _fill_villages(self, villages: list[dict]) -> None:
        self._villages = villages
        current = self.village.currentData()
        if not current:  # the on-duty volunteer's village first
            duty = self.ctx.on_duty()
            if duty:
                row = self.ctx.reader().execute("SELECT village_id FROM volunteers WHERE id = ?", (duty["id"],)).fetchone()
                current = row[0] if row else None
        self.village.blockSignals(True)
        self.village.clear()
        for v in villages:
            self.village.addItem(v["name"], v["id"])
        self.village.setCurrentIndex(max(0, self.village.findData(current)) if current else 0)
        self.village.blockSignals(False)
        self._load_progress()

    def _load_progress(self) -> None:
        vid = self.village.currentData()
        if vid:
            self.ctx.runner.query(lambda desk: village_progress(desk.conn, vid), on_done=self._show_progress)

    def _load_commune(self) -> None:
        if self.with_commune:
            self.ctx.runner.query(lambda desk: commune_progress(desk.conn), on_done=self._show_commune)

    # --- drawing ------------------------------------------------------------------------------
    def _show_tally(self, tally: dict) -> None:
        self.tally = tally
        self.tally_title.setText(tr("today.title", date=show_date(tally["date"])))
        self.tally_total.setText(tr("today.total", n=number(tally["total"])))
        while self.tally_grid.count():
            item = self.tally_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        extras = extra_services(self.ctx.setting("extra_services"))
        rows = sorted(tally["by_service"].items(), key=lambda kv: -kv[1])
        if not rows:
            empty = QLabel(tr("today.none_yet"))
            empty.setProperty("hint", True)
            self.tally_grid.addWidget(empty, 0, 0, 1, 3)
        side = max(16, self.fontMetrics().height())
        for i, (code, count) in enumerate(rows):
            glyph = QLabel()
            glyph.setPixmap(service_icon(code, side).pixmap(side, side))
            name = QLabel(service_label(code, extras))
            value = QLabel(number(count))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tally_grid.addWidget(glyph, i, 0)
            self.tally_grid.addWidget(name, i, 1)
            self.tally_grid.addWidget(value, i, 2)
        people = [f"{v['name'] or tr('today.unknown_volunteer')}: {number(v['count'])}" for v in tally["by_volunteer"]]
        self.by_volunteer.setText(" · ".join(people) if people else "—")
        self.tally_shown.emit(tally)

    def _show_progress(self, p: dict) -> None:
        if p["id"] != self.village.currentData():
            return
        self.progress = p
        self.reached_label.setText(self._line("today.reached", p["reached"], p["household_target"], "today.unit_households"))
        self.level2_label.setText(self._line("today.level2", p["vneid_level2"], p["population_target"], "today.unit_people"))
        for bar, done, target in ((self.reached_bar, p["reached"], p["household_target"]),
                                  (self.level2_bar, p["vneid_level2"], p["population_target"])):
            ratio = share(done, target)
            bar.setEnabled(ratio is not None)
            bar.setValue(int((ratio or 0) * 1000))
        self.progress_shown.emit(p)

    def _show_commune(self, c: dict) -> None:
        self.commune = c
        name = self.ctx.commune_name
        self.commune_title.setText(tr("today.commune_named", commune=name) if name else tr("today.commune"))
        self.commune_reached_label.setText(
            self._line("today.reached", c["reached"], c["household_target"], "today.unit_households", scope="commune"))
        self.commune_level2_label.setText(
            self._line("today.level2", c["vneid_level2"], c["population_target"], "today.unit_people", scope="commune"))
        for bar, done, target in ((self.commune_reached_bar, c["reached"], c["household_target"]),
                                  (self.commune_level2_bar, c["vneid_level2"], c["population_target"])):
            ratio = share(done, target)
            bar.setEnabled(ratio is not None)
            bar.setValue(int((ratio or 0) * 1000))
        self.commune_shown.emit(c)

    @staticmethod
    def _line(key: str, done: int, target: int | None, unit_key: str, *, scope: str = "village") -> str:
        if target:
            return tr(key, done=number(done), target=number(target), unit=tr(unit_key),
                      pct=f"{min(100.0, 100 * done / target):.0f}")
        suffix = "_no_target" if scope == "village" else "_no_target_commune"
        return tr(f"{key}{suffix}", done=number(done), unit=tr(unit_key))

    # --- the shell's hooks --------------------------------------------------------------------
    def refresh(self, changes) -> None:
        if changes.touches("villages"):
            self._load_villages()
        if changes.touches("help_events", "households", "villages", "volunteers") or changes.settings:
            if self.isVisible():
                self._reload()
            else:
                self._stale = True

    def shown(self) -> None:
        if self._stale:
            self._reload_now()
        self.log.focus_search()

    def focus_search(self) -> None:
        self.log.focus_search()

    def receive(self, payload) -> None:
        if isinstance(payload, dict) and payload.get("household"):
            self.log.choose(payload["household"])

    def retranslate(self) -> None:
        self.log.retranslate()
        self.by_volunteer_title.setText(tr("today.by_volunteer"))
        self.progress_title.setText(tr("today.progress"))
        self.village.setToolTip(tr("today.village.tip"))
        self.reached_bar.setToolTip(tr("today.reached.tip"))
        self.level2_bar.setToolTip(tr("today.level2.tip"))
        self.commune_reached_bar.setToolTip(tr("today.commune_reached.tip"))
        self.commune_level2_bar.setToolTip(tr("today.commune_level2.tip"))
        if self.tally is not None:
            self._show_tally(self.tally)
        else:
            self.tally_title.setText(tr("today.title", date=""))
        if self.progress is not None:
            self._show_progress(self.progress)
        if self.commune is not None:
            self._show_commune(self.commune)

    def help_text(self) -> str:
        return tr("today.help")
