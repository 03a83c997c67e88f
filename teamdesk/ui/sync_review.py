"""The coordinator's review panels: the conflict inbox, likely duplicates, and the team's devices.

Each panel reads through ``ctx.runner.query`` and acts through ``ctx.runner.op`` with one core
call (``teamdesk.sync.conflicts.resolve``, ``duplicates.merge_pair`` / ``dismiss``,
``devices.approve`` / ``revoke``, ``enrolment.export_enrolment``); it reloads on ``refresh``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from teamdesk.i18n import tr
from teamdesk.sync.status import local_time
from teamdesk.ui.sync_import import _cell, _table


class ConflictsPanel(QWidget):
    loaded = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[dict] = []
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._show)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.mine = QPushButton()
        self.mine.clicked.connect(lambda: self.resolve("mine"))
        self.theirs = QPushButton()
        self.theirs.clicked.connect(lambda: self.resolve("theirs"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.mine)
        buttons.addWidget(self.theirs)
        buttons.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.detail, 1)
        rl.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([380, 700])
        self.empty = QLabel()
        self.empty.setProperty("hint", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.mine.setText(tr("syncui.keep_mine"))
        self.theirs.setText(tr("syncui.keep_theirs"))
        self.mine.setToolTip(tr("syncui.keep_mine.help"))
        self.theirs.setToolTip(tr("syncui.keep_theirs.help"))
        self.empty.setText(tr("syncui.no_conflicts"))
        self.reload()

    def reload(self) -> None:
        from teamdesk.sync.conflicts import list_conflicts

        self.ctx.runner.query(list_conflicts, self._draw)

    def _draw(self, items: list[dict]) -> None:
        self.items = items
        self.list.clear()
        for c in items:
            self.list.addItem(QListWidgetItem(f"{c['label']} — {', '.join(tr('sync.field.' + f) for f in c['fields'])}"))
        self.empty.setVisible(not items)
        if items:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)
        self.loaded.emit(items)

    def _show(self, row: int) -> None:
        ok = 0 <= row < len(self.items)
        self.detail.setText(self.items[row]["explanation"] if ok else "")
        self.mine.setEnabled(ok)
        self.theirs.setEnabled(ok)

    def resolve(self, keep: str) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            return
        cid = self.items[row]["id"]

        def work(desk, progress, cancelled):
            from teamdesk.sync.conflicts import resolve

            return resolve(desk, cid, keep=keep)

        self.ctx.runner.op(work, label_key="undo.resolve_conflict", on_done=lambda _: self.reload())


class DuplicatesPanel(QWidget):
    loaded = Signal(object)
    COLUMNS = ("keep", "drop", "reasons")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.pairs: list[dict] = []
        self.table = _table(len(self.COLUMNS))
        self.merge_button = QPushButton()
        self.merge_button.setProperty("primary", True)
        self.merge_button.clicked.connect(lambda: self.merge(swap=False))
        self.swap_button = QPushButton()
        self.swap_button.clicked.connect(lambda: self.merge(swap=True))
        self.dismiss_button = QPushButton()
        self.dismiss_button.clicked.connect(self.dismiss)
        self.hint = QLabel()
        self.hint.setProperty("hint", True)
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.merge_button, self.swap_button, self.dismiss_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.merge_button.setText(tr("syncui.merge_keep_left"))
        self.swap_button.setText(tr("syncui.merge_keep_right"))
        self.dismiss_button.setText(tr("syncui.not_duplicates"))
        self.table.setHorizontalHeaderLabels([tr(f"syncui.col.dup_{c}") for c in self.COLUMNS])
        self.reload()

    def reload(self) -> None:
        from teamdesk.sync.duplicates import find_duplicates

        self.ctx.runner.query(find_duplicates, self._draw)

    @staticmethod
    def _describe(h: dict) -> str:
        years = sorted({m["birth_year"] for m in h["members"] if m["birth_year"]})
        parts = [h["head_name"], h["village"], h["phone"], tr("syncui.members_years", count=len(h["members"]), years=", ".join(map(str, years)) or "—"),
                 tr("syncui.helps_count", count=h["helps"])]
        return " · ".join(p for p in parts if p)

    def _draw(self, pairs: list[dict]) -> None:
        self.pairs = pairs
        self.table.setRowCount(len(pairs))
        for r, p in enumerate(pairs):
            self.table.setItem(r, 0, _cell(self._describe(p["keep"])))
            self.table.setItem(r, 1, _cell(self._describe(p["drop"])))
            self.table.setItem(r, 2, _cell(", ".join(tr(f"dup.reason.{x}") for x in p["reasons"])))
        self.hint.setText(tr("syncui.duplicates_hint", count=len(pairs)) if pairs else tr("syncui.no_duplicates"))
        for b in (self.merge_button, self.swap_button, self.dismiss_button):
            b.setEnabled(bool(pairs))
        if pairs:
            self.table.selectRow(0)
        self.loaded.emit(pairs)

    def _current(self) -> dict | None:
        row = self.table.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) else None

    def merge(self, *, swap: bool) -> None:
        pair = self._current()
        if pair is None:
            return
        keep, drop = (pair["drop"]["id"], pair["keep"]["id"]) if swap else (pair["keep"]["id"], pair["drop"]["id"])

        def work(desk, progress, cancelled):
            from teamdesk.sync.duplicates import merge_pair

            return merge_pair(desk, keep=keep, drop=drop)

        self.ctx.runner.op(work, label_key="undo.merge_households", on_done=lambda _: self.reload())

    def dismiss(self) -> None:
        pair = self._current()
        if pair is None:
            return
        a, b = pair["keep"]["id"], pair["drop"]["id"]

        def work(desk, progress, cancelled):
            from teamdesk.sync.duplicates import dismiss

            dismiss(desk, a, b)
            return {}

        # a local decision this list reloads itself for; an error is shown, not swallowed
        self.ctx.runner.op(work, label_key="syncui.not_duplicates", on_done=lambda _: self.reload(), writes=False)


class DevicesPanel(QWidget):
    loaded = Signal(object)
    COLUMNS = ("device", "village", "state", "bundles", "held", "last_seen")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.devices: list[dict] = []
        self.table = _table(len(self.COLUMNS))
        self.approve_button = QPushButton()
        self.approve_button.setProperty("primary", True)
        self.approve_button.clicked.connect(lambda: self.approve(deputy=False))
        self.deputy_button = QPushButton()
        self.deputy_button.clicked.connect(lambda: self.approve(deputy=True))
        self.revoke_button = QPushButton()
        self.revoke_button.clicked.connect(self.revoke)
        self.enrol_button = QPushButton()
        self.enrol_button.clicked.connect(self.export_enrolment)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.approve_button, self.deputy_button, self.revoke_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.enrol_button)
        self.table.itemSelectionChanged.connect(self._enable)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.retranslate()

    def retranslate(self) -> None:
        self.approve_button.setText(tr("syncui.approve"))
        self.deputy_button.setText(tr("syncui.approve_deputy"))
        self.revoke_button.setText(tr("syncui.revoke"))
        self.enrol_button.setText(tr("syncui.export_enrolment"))
        self.enrol_button.setToolTip(tr("syncui.export_enrolment.help"))
        self.table.setHorizontalHeaderLabels([tr(f"syncui.col.{c}") for c in self.COLUMNS])
        self.reload()

    def reload(self) -> None:
        from teamdesk.sync.devices import list_devices

        self.ctx.runner.query(list_devices, self._draw)

    def _draw(self, devices: list[dict]) -> None:
        self.devices = devices
        self.table.setRowCount(len(devices))
        for r, d in enumerate(devices):
            values = [d["name"] or d["device_id"], d["village"], tr(f"device.state.{d['state']}"), d["bundles"], d["held"], local_time(d["last_seen"]) if d["last_seen"] else ""]
            for c, v in enumerate(values):
                self.table.setItem(r, c, _cell(v))
        self._enable()
        self.loaded.emit(devices)

    def _current(self) -> dict | None:
        row = self.table.currentRow()
        return self.devices[row] if 0 <= row < len(self.devices) else None

    def _enable(self) -> None:
        d = self._current()
        other = d is not None and d["state"] != "self"
        self.approve_button.setEnabled(other and d["state"] != "approved")
        self.deputy_button.setEnabled(other and not d["recipient"])
        self.revoke_button.setEnabled(other and d["state"] != "revoked")

    def confirm(self, text: str) -> bool:
        """Ask before something that cannot be undone (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("syncui.revoke"), text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(tr("syncui.revoke"))
        box.button(QMessageBox.StandardButton.No).setText(tr("ui.cancel"))
        return box.exec() == QMessageBox.StandardButton.Yes

    def approve(self, *, deputy: bool) -> None:
        d = self._current()
        if d is None:
            return
        device_id = d["device_id"]

        def work(desk, progress, cancelled):
            from teamdesk.sync.devices import approve

            return approve(desk, device_id, deputy=deputy, progress=progress, cancelled=cancelled)

        def done(result: dict) -> None:
            t = result["import"]["totals"]
            self.message.setText(tr("sync.cli.approved", device=d["name"] or device_id) + " " + tr("sync.cli.totals", **t))
            self.reload()

        self.ctx.runner.op(work, label_key="syncui.approve", on_done=done, progress=True)

    def revoke(self) -> None:
        d = self._current()
        if d is None or not self.confirm(tr("syncui.revoke_confirm", device=d["name"] or d["device_id"])):
            return
        device_id = d["device_id"]

        def work(desk, progress, cancelled):
            from teamdesk.sync.devices import revoke

            return revoke(desk, device_id)

        self.ctx.runner.op(work, label_key="syncui.revoke", on_done=lambda _: self.reload())

    def ask_save(self) -> str:
        found, _ = QFileDialog.getSaveFileName(self, tr("syncui.export_enrolment"), "tham-gia-to.json", "JSON (*.json)")
        return found

    def export_enrolment(self) -> None:
        out = self.ask_save()
        if not out:
            return

        def work(desk, progress, cancelled):
            from pathlib import Path

            from teamdesk.sync import enrolment

            result = enrolment.export_enrolment(desk, out=out)
            result["card"] = enrolment.write_card(desk, out=Path(out).with_suffix(".pdf"))["file"]
            return result

        self.ctx.runner.op(
            work,
            label_key="syncui.export_enrolment",
            on_done=lambda r: self.message.setText(tr("syncui.enrolment_written", file=r["file"], card=r["card"])),
        )
