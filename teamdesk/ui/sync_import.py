"""The coordinator's import panel: drop or pick sync files, see what each is, import them all.

What each file is comes from its manifest (``teamdesk.sync.import_.preview``: no keys, nothing
written), so a wrong file is spotted before importing. The import itself is one core call
(``import_files``) on the runner, with a progress bar; afterwards a summary by village.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teamdesk.dates import show
from teamdesk.i18n import tr


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _cell(text) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setToolTip(item.text())
    if isinstance(text, int):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ImportPanel(QWidget):
    """Files waiting to be imported, their previews, the import and its summary."""

    imported = Signal(object)  # the ImportReport as JSON (tests wait on it)
    FILE_COLUMNS = ("file", "from", "village", "sequence", "records", "created", "state")
    SUMMARY_COLUMNS = ("village", "new", "updated", "unchanged", "conflicts", "rejected", "held")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.paths: list[Path] = []
        self.previews: dict[str, dict] = {}
        self.results: dict[str, dict] = {}
        self.setAcceptDrops(True)

        self.drop = QLabel()
        self.drop.setObjectName("dropZone")
        self.drop.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop.setWordWrap(True)
        self.drop.setMinimumHeight(56)
        self.drop.setFrameShape(QFrame.Shape.StyledPanel)
        self.pick_button = QPushButton()
        self.pick_button.clicked.connect(self.pick_files)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self.import_button = QPushButton()
        self.import_button.setProperty("primary", True)
        self.import_button.clicked.connect(self.import_all)
        self.receipts = QCheckBox()
        self.receipts.setChecked(True)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(240)
        self.bar.hide()
        row = QHBoxLayout()
        row.addWidget(self.pick_button)
        row.addWidget(self.import_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.bar)
        row.addSpacing(12)
        row.addWidget(self.receipts)
        row.addStretch(1)

        self.files = _table(len(self.FILE_COLUMNS))
        self.summary_label = QLabel()
        self.summary_label.setProperty("subheading", True)
        self.summary = _table(len(self.SUMMARY_COLUMNS))
        self.summary.setMaximumHeight(170)
        self.summary.horizontalHeader().setStretchLastSection(False)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setProperty("error", True)
        self.note = QLabel()
        self.note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.drop)
        layout.addLayout(row)
        layout.addWidget(self.files, 3)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.summary, 2)
        layout.addWidget(self.missing)
        layout.addWidget(self.note)
        self.retranslate()

    def show_summary(self, visible: bool) -> None:
        """The by-village summary (the coordinator's; a volunteer imports one file at a time)."""
        self.summary_label.setVisible(visible)
        self.summary.setVisible(visible)

    # --- texts ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.drop.setText(tr("syncui.drop_here"))
        self.pick_button.setText(tr("syncui.pick_files"))
        self.clear_button.setText(tr("syncui.clear"))
        self.import_button.setText(tr("syncui.import_all"))
        self.import_button.setToolTip(tr("syncui.import_all.help"))
        self.receipts.setText(tr("syncui.write_receipts"))
        self.receipts.setToolTip(tr("syncui.write_receipts.help"))
        self.files.setHorizontalHeaderLabels([tr(f"syncui.col.{c}") for c in self.FILE_COLUMNS])
        self.summary.setHorizontalHeaderLabels([tr(f"syncui.col.{c}") for c in self.SUMMARY_COLUMNS])
        self.summary_label.setText(tr("syncui.summary_by_village"))
        self._draw_files()

    # --- choosing files ----------------------------------------------------------------------
    def ask_files(self) -> list[str]:
        """The file picker (tests replace this method)."""
        found, _ = QFileDialog.getOpenFileNames(self, tr("syncui.pick_files"), "", tr("syncui.file_filter"))
        return found

    def ask_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, tr("syncui.receipts_folder"))

    def pick_files(self) -> None:
        self.add_files(self.ask_files())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 — Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.add_files([u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()])
        event.acceptProposedAction()

    def add_files(self, paths) -> None:
        """Add files (or every file inside a dropped folder); each previewed from its manifest."""
        from teamdesk.sync.import_ import expand, preview

        for p in expand(paths):
            key = str(p)
            if key in self.previews:
                continue
            self.paths.append(p)
            self.previews[key] = preview(p)
        self._draw_files()

    def clear(self) -> None:
        self.paths, self.previews, self.results = [], {}, {}
        self._draw_files()
        self.summary.setRowCount(0)
        self.missing.clear()
        self.note.clear()

    def _draw_files(self) -> None:
        self.files.setRowCount(len(self.paths))
        for row, path in enumerate(self.paths):
            p = self.previews[str(path)]
            done = self.results.get(str(path))
            if p["ok"]:
                values = [path.name, p["device_name"], p["village"], p["sequence"], p["records"], show(p["created_at"][:10]),
                          tr("syncui.kind_receipt") if p["kind"] == "receipt" else tr("syncui.ready")]
            else:
                values = [path.name, "", "", "", "", "", p["message"]]
            if done is not None:
                values[-1] = tr(f"sync.state.{done['state']}") + (f" — {done['message']}" if done["message"] else "")
            for col, value in enumerate(values):
                item = _cell(value)
                if col == len(values) - 1 and ((done and done["state"] == "rejected") or not p["ok"]):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.files.setItem(row, col, item)
        self.import_button.setEnabled(bool(self.paths))
        self.drop.setVisible(True)

    # --- importing ----------------------------------------------------------------------------
    def import_all(self) -> None:
        paths = [p for p in self.paths if str(p) not in self.results]
        if not paths:
            return
        folder = None
        if self.receipts.isChecked():
            folder = self.ask_folder() or None
        self.bar.setRange(0, len(paths))
        self.bar.setValue(0)
        self.bar.show()
        self.import_button.setEnabled(False)

        def work(desk, progress, cancelled):
            from teamdesk.sync.import_ import import_files

            def step(done: int, total: int) -> None:
                progress(done, total)

            return import_files(desk, paths, receipts_dir=folder, progress=step, cancelled=cancelled).to_json()

        self.ctx.runner.op(work, label_key="syncui.importing", on_done=self._done, on_error=self._failed, progress=True)

    def _failed(self, exc: BaseException) -> None:
        self.bar.hide()
        self.import_button.setEnabled(True)
        from teamdesk.ui.runner import error_text

        self.ctx.runner.show_error(self, tr("syncui.importing"), error_text(exc))

    def _done(self, report: dict) -> None:
        self.bar.setValue(self.bar.maximum())
        self.bar.hide()
        by_name: dict[str, list[dict]] = {}
        for f in report["files"]:
            by_name.setdefault(f["file"], []).append(f)
        for path in self.paths:
            got = by_name.get(path.name)
            if got and str(path) not in self.results:
                self.results[str(path)] = got.pop(0)
        self._draw_files()
        rows = sorted(report["by_village"].items())
        self.summary.setRowCount(len(rows))
        for r, (village, counts) in enumerate(rows):
            values = [village] + [counts[c] for c in self.SUMMARY_COLUMNS[1:]]
            for c, value in enumerate(values):
                self.summary.setItem(r, c, _cell(value))
        self.missing.setText("\n".join(m["message"] for m in report["missing"]))
        self.note.setText(tr("syncui.receipts_written", count=len(report["receipts"])) if report["receipts"] else "")
        self.import_button.setEnabled(any(str(p) not in self.results for p in self.paths))
        self.imported.emit(report)
