"""The sync screen: files on a USB stick between village laptops and the commune.

A volunteer sees what has not reached the commune yet, one big "Xuất dữ liệu cho xã" button
(pick the USB stick's folder), and an import area for the commune's receipts and shared data.
The coordinator imports the villages' files (drop them on the window), then works through the
conflict inbox, the likely duplicates and the devices; exports the commune's data for the
villages; prints the reconciliation sheet. Every action is one call into ``teamdesk.sync``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from teamdesk.fold import fold
from teamdesk.i18n import tr
from teamdesk.ui.sync_import import ImportPanel
from teamdesk.ui.sync_review import ConflictsPanel, DevicesPanel, DuplicatesPanel


class SyncScreen(QWidget):
    status_loaded = Signal(object)
    exported = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.coordinator = ctx.role == "coordinator"
        self.status: dict | None = None

        self.title = QLabel()
        self.title.setProperty("heading", True)
        self.intro = QLabel()
        self.intro.setProperty("hint", True)
        self.intro.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("syncStatus")
        self.status_label.setProperty("subheading", True)

        self.export_button = QPushButton()
        self.export_button.setProperty("primary", True)
        self.export_button.setProperty("big", True)
        self.export_button.clicked.connect(self.export_now)
        self.sheet_button = QPushButton()
        self.sheet_button.clicked.connect(self.print_sheet)
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.sheet_button)
        actions.addStretch(1)

        self.importer = ImportPanel(ctx)
        self.importer.imported.connect(lambda _: self.reload_status())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(self.status_label)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        if self.coordinator:
            self.conflicts = ConflictsPanel(ctx)
            self.duplicates = DuplicatesPanel(ctx)
            self.devices = DevicesPanel(ctx)
            self.tabs = QTabWidget()
            self.tabs.addTab(self.importer, "")
            self.tabs.addTab(self.conflicts, "")
            self.tabs.addTab(self.duplicates, "")
            self.tabs.addTab(self.devices, "")
            self.conflicts.loaded.connect(lambda items: self._tab_count(1, "syncui.tab_conflicts", len(items)))
            self.duplicates.loaded.connect(lambda pairs: self._tab_count(2, "syncui.tab_duplicates", len(pairs)))
            self.devices.loaded.connect(lambda ds: self._tab_count(3, "syncui.tab_devices", sum(d["state"] == "pending" for d in ds)))
            layout.addWidget(self.tabs, 1)
        else:
            self.importer.receipts.setChecked(False)
            self.importer.receipts.hide()
            self.importer.show_summary(False)
            self.import_label = QLabel()
            self.import_label.setProperty("subheading", True)
            layout.addWidget(self.import_label)
            layout.addWidget(self.importer, 1)
        self.retranslate()

    # --- texts -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        role = "coordinator" if self.coordinator else "volunteer"
        self.title.setText(tr("syncui.title"))
        self.intro.setText(tr(f"syncui.intro_{role}"))
        self.export_button.setText(tr(f"syncui.export_{role}"))
        self.export_button.setToolTip(tr(f"syncui.export_{role}.help"))
        self.sheet_button.setText(tr("syncui.print_sheet"))
        self.sheet_button.setToolTip(tr("syncui.print_sheet.help"))
        self.importer.retranslate()
        if self.coordinator:
            self.tabs.setTabText(0, tr("syncui.tab_import"))
            for i, key in ((1, "syncui.tab_conflicts"), (2, "syncui.tab_duplicates"), (3, "syncui.tab_devices")):
                self.tabs.setTabText(i, tr(key))
            self.conflicts.retranslate()
            self.duplicates.retranslate()
            self.devices.retranslate()
        else:
            self.import_label.setText(tr("syncui.import_from_commune"))
            self.importer.drop.setText(tr("syncui.drop_here_volunteer"))
        self.reload_status()

    def help_text(self) -> str:
        return tr("syncui.help")

    def _tab_count(self, index: int, key: str, count: int) -> None:
        self.tabs.setTabText(index, tr(key) + (f" ({count})" if count else ""))

    # --- status ------------------------------------------------------------------------------
    def reload_status(self) -> None:
        from teamdesk.sync.status import status_lines, sync_status

        def read(desk):
            status = sync_status(desk)
            return status, status_lines(status)

        self.ctx.runner.query(read, self._show_status)

    def _show_status(self, result) -> None:
        self.status, lines = result
        self.status_label.setText("\n".join(lines))
        self.status_loaded.emit(self.status)

    def refresh(self, changes=None) -> None:
        self.reload_status()
        if self.coordinator:
            self.conflicts.reload()
            self.duplicates.reload()
            self.devices.reload()

    def shown(self) -> None:
        self.refresh()

    def receive(self, payload) -> None:
        if isinstance(payload, dict) and payload.get("files"):
            self.importer.add_files(payload["files"])

    # --- actions -----------------------------------------------------------------------------
    def ask_folder(self) -> str:
        """Where to write (a USB stick's folder). Tests replace this method."""
        return QFileDialog.getExistingDirectory(self, tr("syncui.choose_folder"))

    def file_name(self) -> str:
        """A name a person recognises; the content, not the name, is what import trusts."""
        place = (self.status or {}).get("village") or self.ctx.device_name or "xa"
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return f"teamdesk-{'-'.join(fold(place).split())}-{stamp}.tdsync"

    def export_now(self) -> None:
        folder = self.ask_folder()
        if not folder:
            return
        out = Path(folder) / self.file_name()

        def work(desk, progress, cancelled):
            from teamdesk.sync.export import export_bundle

            return export_bundle(desk, out=out, progress=progress, cancelled=cancelled)

        def done(result: dict) -> None:
            self.message.setText(tr("sync.cli.exported", file=result["file"], records=result["records"], sequence=result["sequence"]))
            self.reload_status()
            self.exported.emit(result)

        self.ctx.runner.op(work, label_key=f"syncui.export_{'coordinator' if self.coordinator else 'volunteer'}", on_done=done, progress=True)

    def ask_save_sheet(self) -> str:
        found, _ = QFileDialog.getSaveFileName(self, tr("syncui.print_sheet"), "doi-chieu.pdf", "PDF (*.pdf);;CSV (*.csv)")
        return found

    def print_sheet(self) -> None:
        out = self.ask_save_sheet()
        if not out:
            return

        def work(desk, progress, cancelled):
            from teamdesk.sync.reconcile import write_sheet

            return write_sheet(desk, out=out)

        self.ctx.runner.op(
            work,
            label_key="syncui.print_sheet",
            writes=False,
            on_done=lambda r: self.message.setText(
                tr("sync.cli.sheet_written", file=r["file"]) + " " + (tr("reconcile.all_ok") if r["ok"] else tr("reconcile.not_ok"))
            ),
        )
