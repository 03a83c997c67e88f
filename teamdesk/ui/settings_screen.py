"""Settings: language and text size (applied live), backups to a USB stick, addresses, this device.

Every action is one core call through the runner (``teamdesk.backup`` for backups and restore,
``Desk.set_setting`` for settings). File and folder pickers and the restore confirmation are
class methods (``ask_folder``, ``ask_backup_file``, ``confirm_restore``) that tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from teamdesk import backup
from teamdesk.changes import Changes
from teamdesk.i18n import number, tr
from teamdesk.ui.context import AppContext

URL_SETTINGS = ("hub_url", "province_portal_url")


class SettingsScreen(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        page = QVBoxLayout(body)
        page.setContentsMargins(24, 18, 24, 18)
        page.setSpacing(14)

        self.title = QLabel()
        self.title.setProperty("heading", True)
        page.addWidget(self.title)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        page.addLayout(grid)

        # language and text size
        self.box_view = QGroupBox()
        form = QFormLayout(self.box_view)
        self.lang_label = QLabel()
        self.lang_combo = QComboBox()
        self.lang_combo.addItem("Tiếng Việt", "vi")
        self.lang_combo.addItem("English", "en")
        self.lang_combo.activated.connect(lambda i: self.ctx.set_language(self.lang_combo.itemData(i)))
        form.addRow(self.lang_label, self.lang_combo)
        self.large_check = QCheckBox()
        self.large_check.toggled.connect(self._large_toggled)
        form.addRow(self.large_check)
        grid.addWidget(self.box_view, 0, 0)

        # this device
        self.box_device = QGroupBox()
        dform = QFormLayout(self.box_device)
        self.device_labels = [QLabel() for _ in range(4)]
        self.device_values = [QLabel() for _ in range(4)]
        for label, value in zip(self.device_labels, self.device_values):
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            dform.addRow(label, value)
        grid.addWidget(self.box_device, 0, 1)

        # backups
        self.box_backup = QGroupBox()
        bl = QVBoxLayout(self.box_backup)
        self.backup_hint = QLabel()
        self.backup_hint.setProperty("hint", True)
        self.backup_hint.setWordWrap(True)
        bl.addWidget(self.backup_hint)
        row = QHBoxLayout()
        self.folder_label = QLabel()
        self.folder_edit = QLineEdit()
        self.folder_edit.setReadOnly(True)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_folder)
        row.addWidget(self.folder_label)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.folder_button)
        bl.addLayout(row)
        self.backup_button = QPushButton()
        self.backup_button.setProperty("primary", True)
        self.backup_button.clicked.connect(self.backup_now)
        self.last_label = QLabel()
        now_row = QHBoxLayout()
        now_row.addWidget(self.backup_button)
        now_row.addWidget(self.last_label, 1)
        bl.addLayout(now_row)
        self.backup_list = QListWidget()
        self.backup_list.setMaximumHeight(130)
        self.backup_list.currentItemChanged.connect(lambda *_: self._enable_restore())
        self.backup_list.itemActivated.connect(lambda _: self.restore_selected())
        bl.addWidget(self.backup_list)
        self.restore_selected_button = QPushButton()
        self.restore_selected_button.clicked.connect(self.restore_selected)
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(self.restore_from_file)
        restores = QHBoxLayout()  # under the list they act on
        restores.addWidget(self.restore_selected_button)
        restores.addWidget(self.restore_button)
        restores.addStretch(1)
        bl.addLayout(restores)
        self.backup_status = QLabel()
        self.backup_status.setWordWrap(True)
        bl.addWidget(self.backup_status)
        grid.addWidget(self.box_backup, 1, 0)

        # addresses
        self.box_net = QGroupBox()
        nform = QFormLayout(self.box_net)
        nform.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.url_labels: dict[str, QLabel] = {}
        self.url_edits: dict[str, QLineEdit] = {}
        for key in URL_SETTINGS:
            label, edit = QLabel(), QLineEdit()
            edit.editingFinished.connect(lambda k=key: self._save_url(k))
            self.url_labels[key], self.url_edits[key] = label, edit
            nform.addRow(label, edit)
        self.net_hint = QLabel()
        self.net_hint.setProperty("hint", True)
        self.net_hint.setWordWrap(True)
        nform.addRow(self.net_hint)
        grid.addWidget(self.box_net, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        page.addStretch(1)

        ctx.large_text_changed.connect(self._show_large)
        ctx.language_changed.connect(lambda _: self._status(""))  # no sentence left in the old language
        self.load()
        self.retranslate()

    # --- showing ---------------------------------------------------------------------------
    def load(self) -> None:
        self.lang_combo.setCurrentIndex(max(0, self.lang_combo.findData(self.ctx.language)))
        self._show_large(self.ctx.large_text)
        self.folder_edit.setText(self.ctx.setting(backup.FOLDER_SETTING) or "")
        self._list_backups()
        for key, edit in self.url_edits.items():
            if not edit.hasFocus():
                edit.setText(self.ctx.setting(key) or "")

    def _show_large(self, on: bool) -> None:
        self.large_check.blockSignals(True)
        self.large_check.setChecked(on)
        self.large_check.blockSignals(False)

    def retranslate(self) -> None:
        self.title.setText(tr("settings.title"))
        self.box_view.setTitle(tr("settings.view"))
        self.lang_label.setText(tr("settings.language"))
        self.large_check.setText(tr("settings.large_text"))
        self.large_check.setToolTip(tr("settings.large_text_tip"))
        self.box_device.setTitle(tr("settings.device"))
        for label, key in zip(self.device_labels, ("settings.device_name", "settings.role", "settings.commune", "settings.home")):
            label.setText(tr(key))
        values = (self.ctx.device_name, tr(f"role.{self.ctx.role}"), self.ctx.commune_name or "—", str(self.ctx.home))
        for label, value in zip(self.device_values, values):
            label.setText(value)
        self.box_backup.setTitle(tr("settings.backup"))
        self.backup_hint.setText(tr("settings.backup_hint", daily=backup.KEEP_DAILY, weekly=backup.KEEP_WEEKLY))
        self.folder_label.setText(tr("settings.backup_folder"))
        self.folder_edit.setPlaceholderText(tr("settings.backup_folder_none"))
        self.folder_button.setText(tr("settings.choose_folder"))
        self.folder_button.setToolTip(tr("settings.choose_folder_tip"))
        self.backup_button.setText(tr("menu.backup_now"))
        self.backup_button.setToolTip(tr("settings.backup_now_tip"))
        self.restore_selected_button.setText(tr("settings.restore_selected"))
        self.restore_selected_button.setToolTip(tr("settings.restore_tip"))
        self.restore_button.setText(tr("settings.restore_other"))
        self.restore_button.setToolTip(tr("settings.restore_tip"))
        last = self.ctx.setting(backup.LAST_SETTING)
        self.last_label.setText(tr("settings.backup_last", when=_show_when(last)) if last else tr("settings.backup_never"))
        self.box_net.setTitle(tr("settings.addresses"))
        for key in URL_SETTINGS:
            self.url_labels[key].setText(tr(f"settings.{key}"))
            self.url_edits[key].setPlaceholderText(tr(f"settings.{key}_placeholder"))
            self.url_edits[key].setToolTip(tr(f"settings.{key}_tip"))
        self.net_hint.setText(tr("settings.addresses_hint"))

    def refresh(self, changes) -> None:
        if changes.settings:
            self.load()
            self.retranslate()


    def help_text(self) -> str:
        return tr("nav.settings.help")

    # --- actions ---------------------------------------------------------------------------
    def _large_toggled(self, on: bool) -> None:
        self.ctx.set_large_text(on)

    def _save_url(self, key: str) -> None:
        value = self.url_edits[key].text().strip()
        if value and not value.lower().startswith(("http://", "https://")):
            self._net_status(tr("settings.url_invalid", value=value), error=True)
            return
        self._net_status(tr("settings.addresses_hint"))
        if value != (self.ctx.setting(key) or ""):
            self.ctx.set_setting(key, value or None)

    def _net_status(self, text: str, *, error: bool = False) -> None:
        self.net_hint.setText(text)
        self.net_hint.setProperty("error", error)
        self.net_hint.setProperty("hint", not error)
        self.net_hint.style().unpolish(self.net_hint)
        self.net_hint.style().polish(self.net_hint)

    def choose_folder(self) -> None:
        folder = self.ask_folder(self, tr("settings.choose_folder"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.ctx.set_setting(backup.FOLDER_SETTING, folder, on_done=lambda _: self.backup_now())

    def backup_now(self) -> None:
        folder = self.folder_edit.text().strip()
        if not folder:
            self._status(tr("backup.choose_folder_first"), error=True)
            return
        self._status(tr("backup.running"))
        self.ctx.runner.op(
            lambda desk, progress, cancelled: backup.backup_to_folder(desk, folder=folder, progress=progress, cancelled=cancelled)
            | {"changes": Changes(settings=True)},  # only the "last backup" setting changed
            label_key="backup.running",
            progress=True,
            on_done=self._backed_up,
            on_error=lambda exc: self._status(_message(exc), error=True),
        )

    def _backed_up(self, result: dict) -> None:
        self._status(tr("backup.done", file=result["file"]))
        self._list_backups()
        self.retranslate()  # the "last backup" line

    def _list_backups(self) -> None:
        """The backups in the chosen folder, newest first (a USB stick not plugged in: none)."""
        self.backup_list.clear()
        folder = self.folder_edit.text().strip()
        for path in backup.backups_in(folder) if folder else []:
            when = backup.stamp_of(path.name)
            size = path.stat().st_size / 2**20
            item = QListWidgetItem(tr("settings.backup_item", when=when.strftime("%d/%m/%Y %H:%M"), mb=f"{size:.1f}"))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.backup_list.addItem(item)
        self._enable_restore()

    def _enable_restore(self) -> None:
        self.restore_selected_button.setEnabled(self.backup_list.currentItem() is not None)

    def restore_selected(self) -> None:
        item = self.backup_list.currentItem()
        if item is not None:
            self._verify_then_confirm(item.data(Qt.ItemDataRole.UserRole))

    def restore_from_file(self) -> None:
        start = self.folder_edit.text() or str(Path.home())
        file = self.ask_backup_file(self, tr("settings.restore"), start)
        if file:
            self._verify_then_confirm(file)

    def _verify_then_confirm(self, file: str) -> None:
        self._status(tr("settings.verifying"))
        self.ctx.runner.op(
            lambda desk, *_: backup.verify(file),  # integrity_check of a big file takes a while
            label_key="settings.verifying",
            progress=True,
            quiet=True,
            on_done=self._confirm_and_restore,
            on_error=lambda exc: self._status(_message(exc), error=True),
        )

    def _confirm_and_restore(self, found: dict) -> None:
        if not self.confirm_restore(self, found):
            return
        home = self.ctx.home
        self.ctx.runner.op(
            lambda desk, progress, cancelled: backup.restore(home, found["file"], progress=progress),
            label_key="settings.restoring",
            progress=True,
            on_done=self._restored,
            on_error=lambda exc: self._status(_message(exc), error=True),
        )

    def _restored(self, result: dict) -> None:
        self._status(tr("settings.restored", aside=result.get("kept_aside") or "—"))
        window = self.ctx.window
        if window is not None and hasattr(window, "request_restart"):
            window.request_restart()

    def _status(self, text: str, *, error: bool = False) -> None:
        self.backup_status.setText(text)
        self.backup_status.setProperty("error", error)
        self.backup_status.style().unpolish(self.backup_status)
        self.backup_status.style().polish(self.backup_status)

    # --- questions (tests replace these) -------------------------------------------------
    @staticmethod
    def ask_folder(parent: QWidget, title: str, start: str) -> str:
        return QFileDialog.getExistingDirectory(parent, title, start)

    @staticmethod
    def ask_backup_file(parent: QWidget, title: str, start: str) -> str:
        file, _ = QFileDialog.getOpenFileName(parent, title, start, tr("settings.backup_filter") + " (*.sqlite3);;* (*)")
        return file

    @staticmethod
    def confirm_restore(parent: QWidget, found: dict) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("settings.restore"))
        box.setText(tr("settings.restore_confirm", **_describe(found)))
        yes = box.addButton(tr("settings.restore_yes"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("ui.cancel"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes


def _describe(found: dict) -> dict:
    from teamdesk.units import commune

    try:
        name = commune(found["commune_code"])["name"] if found.get("commune_code") else "—"
    except Exception:  # noqa: BLE001
        name = found.get("commune_code") or "—"
    return {
        "file": Path(found["file"]).name,
        "made": _show_when(found.get("made")) if found.get("made") else "—",
        "device": found.get("device_name") or "—",
        "commune": name,
        "households": number(found.get("households", 0)),
    }


def _show_when(iso: str | None) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return iso or "—"


def _message(exc: BaseException) -> str:
    from teamdesk.ui.runner import error_text

    return error_text(exc)
