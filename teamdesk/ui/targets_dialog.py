"""The coordinator's targets in the app: each village's population and households, and target rates.

Before this dialog the dashboard sent the coordinator to the command line. Everything here calls
the same ``teamdesk.targets`` functions as ``teamdesk targets …``; nothing is computed twice.
Edits stay in the dialog until "Lưu", which is ONE runner op; the op returns ``Changes`` with
``settings=True`` (target rates live in a local table, not on synced rows) so the dashboard reloads.
A CSV import runs at once (the core takes the whole file or nothing) and refills the village table.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
    QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from teamdesk import targets
from teamdesk.changes import Changes
from teamdesk.dates import show
from teamdesk.errors import TeamDeskError
from teamdesk.i18n import language, number, tr

COUNT_COLUMNS = (("population", "field.population"), ("household_count", "field.households"))


def parse_count(text: str) -> int | None:
    """A count typed in a cell: "1.234", "1 234", "1,234" → 1234; empty → None (not entered).

    Raises ValueError for anything else, so the dialog can name the village before any write.
    """
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(".", "").replace(",", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > targets.MAX_COUNT:
        raise ValueError(text)
    return int(raw)


def show_count(n: int | None) -> str:
    return "" if n is None else number(n)


def show_rate(rate: float) -> str:
    text = f"{rate * 100:g}%"
    return text.replace(".", ",") if language() == "vi" else text


def load(desk) -> dict:
    """What the dialog shows (on the runner's worker)."""
    return {"villages": desk.villages(), "targets": targets.list_targets(desk.conn), "today": desk.today()}


class TargetEditor(QDialog):
    """One target: indicator, place (the commune or a village), rate in %, deadline dd/mm/yyyy."""

    def __init__(self, villages: list[dict], target: dict | None, today: date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("tgt.edit_title"))
        self.indicator = QComboBox()
        for key in targets.TARGETABLE:
            self.indicator.addItem(tr(f"report.field.{key}"), key)
        self.place = QComboBox()
        self.place.addItem(tr("tgt.whole_commune"), "")
        for v in villages:
            self.place.addItem(v["name"], v["id"])
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.1, 100.0)
        self.rate.setDecimals(1)
        self.rate.setSuffix(" %")
        self.rate.setLocale(QLocale(QLocale.Language.Vietnamese if language() == "vi" else QLocale.Language.English))
        self.rate.setValue(80.0)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("dd/MM/yyyy")
        self.deadline.setDate(QDate(today.year, 12, 31))
        if target:
            self.indicator.setCurrentIndex(max(0, self.indicator.findData(target["indicator"])))
            self.place.setCurrentIndex(max(0, self.place.findData(target["village_id"])))
            self.rate.setValue(round(target["rate"] * 100, 1))
            self.deadline.setDate(QDate.fromString(target["deadline"], "yyyy-MM-dd"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 60)
        form = QFormLayout(self)
        form.addRow(tr("tgt.col_indicator"), self.indicator)
        form.addRow(tr("tgt.col_place"), self.place)
        form.addRow(tr("tgt.col_rate"), self.rate)
        form.addRow(tr("tgt.col_deadline"), self.deadline)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("tgt.ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("tgt.cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> dict:
        return {"indicator": self.indicator.currentData(), "village_id": self.place.currentData() or "",
                "rate": round(self.rate.value() / 100, 4), "deadline": self.deadline.date().toPython().isoformat()}


class TargetsDialog(QDialog):
    """Chỉ tiêu và dân số các thôn: populations (typed or imported) and the target list."""

    loaded = Signal(object)  # the data, once shown (tests wait on it)
    saved = Signal(object)  # the Changes, once the Save op is done
    imported = Signal(object)  # the core's import summary

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.villages: list[dict] = []
        self.original: dict[tuple[str, str], dict] = {}
        self.targets: list[dict] = []
        self.today = date.today()
        self._close_after_save = False
        # wide enough for the indicators' names in large text, inside the window (1366×768 at least)
        room = parent.window().size() if parent is not None else self.screen().availableGeometry().size()
        self.resize(max(640, min(1180, room.width() - 40)), max(480, min(640, room.height() - 60)))

        self.people_box = QGroupBox()
        self.people_hint = QLabel()
        self.people_hint.setWordWrap(True)
        self.people_hint.setProperty("hint", True)
        self.people = QTableWidget(0, 3)
        self.people.verticalHeader().setVisible(False)
        self.people.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.people.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            self.people.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.people.horizontalHeader().setMinimumSectionSize(self.fontMetrics().horizontalAdvance("1.000.000") + 16)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_csv)
        pv = QVBoxLayout(self.people_box)
        pv.addWidget(self.people_hint)
        pv.addWidget(self.people, 1)
        prow = QHBoxLayout()
        prow.addStretch(1)
        prow.addWidget(self.import_button)
        pv.addLayout(prow)

        self.targets_box = QGroupBox()
        self.list = QTableWidget(0, 4)
        self.list.verticalHeader().setVisible(False)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            self.list.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.list.setWordWrap(True)  # a long indicator name wraps rather than being cut
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.cellDoubleClicked.connect(lambda row, _c: self.edit_target(row))
        self.add_button, self.edit_button, self.remove_button = QPushButton(), QPushButton(), QPushButton()
        self.add_button.clicked.connect(self.add_target)
        self.edit_button.clicked.connect(lambda: self.edit_target(self.list.currentRow()))
        self.remove_button.clicked.connect(lambda: self.remove_target(self.list.currentRow()))
        tv = QVBoxLayout(self.targets_box)
        tv.addWidget(self.list, 1)
        trow = QHBoxLayout()
        trow.addWidget(self.add_button)
        trow.addWidget(self.edit_button)
        trow.addWidget(self.remove_button)
        trow.addStretch(1)
        tv.addLayout(trow)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        parts = QHBoxLayout()
        parts.addWidget(self.people_box, 2)
        parts.addWidget(self.targets_box, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(parts, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self.reload()

    @classmethod
    def ask(cls, ctx, parent: QWidget | None = None) -> "TargetsDialog":
        """Open the dialog (window-modal, not blocking; tests replace or drive it)."""
        dialog = cls(ctx, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @classmethod
    def ask_target(cls, parent: QWidget, villages: list[dict], target: dict | None, today: date) -> dict | None:
        """One target from the small editor, or None if cancelled (tests replace this)."""
        editor = TargetEditor(villages, target, today, parent)
        return editor.value() if editor.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_csv_path(cls, parent: QWidget) -> str:
        """The population file to import (tests replace this)."""
        path, _ = QFileDialog.getOpenFileName(parent, tr("tgt.import_title"), "", tr("tgt.csv_filter"))
        return path

    @classmethod
    def ask_unsaved(cls, parent: QWidget) -> str:
        """Closing with edits not saved: "save", "discard" or "stay" (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("tgt.title"), tr("tgt.unsaved"), parent=parent)
        save = box.addButton(tr("tgt.save"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(tr("tgt.discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("tgt.cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        return {save: "save", discard: "discard"}.get(box.clickedButton(), "stay")

    def dirty(self) -> bool:
        """Anything typed or changed here that the database does not hold yet."""
        current = {(t["indicator"], t["village_id"]): (t["rate"], t["deadline"]) for t in self.targets}
        if current != {k: (t["rate"], t["deadline"]) for k, t in self.original.items()}:
            return True
        for i, v in enumerate(self.villages):
            for c, (key, _label) in enumerate(COUNT_COLUMNS, start=1):
                item = self.people.item(i, c)
                try:
                    typed = parse_count(item.text() if item else "")
                except ValueError:
                    return True
                if typed is not None and typed != v[key]:
                    return True
        return False

    def reject(self) -> None:  # Close, Esc or the window's ×: nothing typed is lost without asking
        if self.dirty():
            answer = self.ask_unsaved(self)
            if answer == "stay":
                return
            if answer == "save":
                self._close_after_save = self.save() is not None
                return
        super().reject()

    # --- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self.ctx.runner.query(load, on_done=self._show)

    def _show(self, data: dict) -> None:
        self.today = data["today"]
        self.villages = data["villages"]
        self.original = {(t["indicator"], t["village_id"]): t for t in data["targets"]}
        self.targets = [dict(t) for t in data["targets"]]
        self._fill_people()
        self._fill_list()
        self.loaded.emit(data)

    def _fill_people(self) -> None:
        t = self.people
        t.setRowCount(len(self.villages))
        for i, v in enumerate(self.villages):
            name = QTableWidgetItem(v["name"])
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(i, 0, name)
            for c, (key, _label) in enumerate(COUNT_COLUMNS, start=1):
                item = QTableWidgetItem(show_count(v[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(tr("tgt.count_tip"))
                t.setItem(i, c, item)

    def _place(self, village_id: str) -> str:
        if not village_id:
            return tr("tgt.whole_commune")
        return next((v["name"] for v in self.villages if v["id"] == village_id), village_id)

    def _fill_list(self) -> None:
        t = self.list
        t.setRowCount(len(self.targets))
        for i, g in enumerate(self.targets):
            values = [tr(f"report.field.{g['indicator']}"), self._place(g["village_id"]), show_rate(g["rate"]),
                      show(date.fromisoformat(g["deadline"]))]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(i, c, item)
        has = bool(self.targets)
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        if has and t.currentRow() < 0:
            t.selectRow(0)

    # --- editing ---------------------------------------------------------------------------------
    def set_count(self, village: str, column: str, text: str) -> None:
        """Type ``text`` into a village's "population" or "household_count" cell (tests, shortcuts)."""
        row = next(i for i, v in enumerate(self.villages) if village in (v["id"], v["name"]))
        col = 1 + [k for k, _ in COUNT_COLUMNS].index(column)
        self.people.item(row, col).setText(text)

    def _put(self, target: dict) -> None:
        """Add or replace (one target per indicator and place, as in the core)."""
        key = (target["indicator"], target["village_id"])
        self.targets = [t for t in self.targets if (t["indicator"], t["village_id"]) != key] + [target]
        self._fill_list()

    def add_target(self) -> None:
        chosen = self.ask_target(self, self.villages, None, self.today)
        if chosen:
            self._put(chosen)

    def edit_target(self, row: int) -> None:
        if not 0 <= row < len(self.targets):
            return
        chosen = self.ask_target(self, self.villages, self.targets[row], self.today)
        if chosen:
            del self.targets[row]
            self._put(chosen)

    def remove_target(self, row: int) -> None:
        if 0 <= row < len(self.targets):
            del self.targets[row]
            self._fill_list()

    # --- saving ----------------------------------------------------------------------------------
    def _populations(self) -> list[tuple[str, int | None, int | None]] | None:
        """Changed counts, or None after showing which cell is wrong (nothing written)."""
        out = []
        for i, v in enumerate(self.villages):
            counts = []
            for c, (key, label) in enumerate(COUNT_COLUMNS, start=1):
                text = self.people.item(i, c).text()
                try:
                    counts.append(parse_count(text))
                except ValueError:
                    self._say(tr("tgt.bad_count", village=v["name"], field=tr(label), value=text.strip()[:40],
                                 max=show_count(targets.MAX_COUNT)), error=True)
                    self.people.setCurrentCell(i, c)
                    return None
            pop, hh = counts
            pop = pop if pop != v["population"] else None
            hh = hh if hh != v["household_count"] else None
            if pop is not None or hh is not None:
                out.append((v["id"], pop, hh))
        return out

    def save(self):
        """ONE runner op for everything edited; returns the Job (None if a cell is wrong)."""
        populations = self._populations()
        if populations is None:
            return None
        current = {(t["indicator"], t["village_id"]): t for t in self.targets}
        removed = [k for k in self.original if k not in current]
        wanted = [t for k, t in current.items()
                  if k not in self.original or (self.original[k]["rate"], self.original[k]["deadline"])
                  != (t["rate"], t["deadline"])]
        self.save_button.setEnabled(False)
        return self.ctx.runner.op(
            lambda desk, progress, cancelled: targets.save_all(desk, populations=populations, removed=removed, wanted=wanted),
            label_key="tgt.saving", on_done=self._saved, on_error=self._failed)

    def _saved(self, changes: Changes) -> None:
        self.save_button.setEnabled(True)
        self._say(tr("tgt.saved"))
        self.saved.emit(changes)
        if self._close_after_save:
            self._close_after_save = False
            QDialog.reject(self)  # saved: nothing left to ask about
            return
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._close_after_save = False  # stay open: the message says what to fix
        # nothing was saved (one transaction): the edits stay on screen to be put right
        self._say(exc.message() if isinstance(exc, TeamDeskError) else tr("tgt.failed", detail=str(exc)), error=True)

    def import_csv(self):
        """The core import (all rows or none); returns the Job, or None if no file was chosen."""
        path = self.ask_csv_path(self)
        if not path:
            return None
        return self.ctx.runner.op(lambda desk, progress, cancelled: targets.import_populations(desk, path),
                                  label_key="tgt.importing", on_done=self._imported, on_error=self._import_failed)

    def _imported(self, summary: dict) -> None:
        self._say(tr("targets.imported", villages=summary["villages"]))
        self.imported.emit(summary)
        self.ctx.runner.query(load, on_done=self._refill_people)

    def _refill_people(self, data: dict) -> None:
        self.villages = data["villages"]
        self._fill_people()

    def _import_failed(self, exc: BaseException) -> None:
        self._say(exc.message() if isinstance(exc, TeamDeskError) else tr("tgt.failed", detail=str(exc)), error=True)
        self.imported.emit(None)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828; font-weight: bold;" if error else "color: #2e7d32;")

    # --- language --------------------------------------------------------------------------------
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()
        for i in range(self.people.rowCount()):  # the counts typed so far stay; only the tips change
            for c in (1, 2):
                if self.people.item(i, c):
                    self.people.item(i, c).setToolTip(tr("tgt.count_tip"))
        self._fill_list()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("tgt.title"))
        self.people_box.setTitle(tr("tgt.people_box"))
        self.people_hint.setText(tr("tgt.people_hint"))
        self.people.setHorizontalHeaderLabels([tr("report.group_village")] + [tr(k) for _, k in COUNT_COLUMNS])
        self.import_button.setText(tr("tgt.import"))
        self.import_button.setToolTip(tr("tgt.import_tip"))
        self.targets_box.setTitle(tr("tgt.targets_box"))
        self.list.setHorizontalHeaderLabels([tr(k) for k in ("tgt.col_indicator", "tgt.col_place", "tgt.col_rate",
                                                             "tgt.col_deadline")])
        self.add_button.setText(tr("tgt.add"))
        self.edit_button.setText(tr("tgt.edit"))
        self.remove_button.setText(tr("tgt.remove"))
        self.save_button.setText(tr("tgt.save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("tgt.close"))

