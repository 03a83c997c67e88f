"""Who is on duty at this laptop: a label and a list in the status bar; switching is one click.

Several volunteers share one laptop at the village hall; every help logged records the volunteer
on duty (``Desk.set_on_duty``, the local setting ``volunteer_on_duty``). The list's last item adds
a new volunteer, who is on duty at once. It re-reads itself when the runner says volunteers or
settings changed, and says who is on duty now through ``said(str)`` (the status bar shows it).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from teamdesk.changes import Changes
from teamdesk.fold import fold
from teamdesk.i18n import tr

ADD_VOLUNTEER = "+add"  # the list's last item: a new volunteer


class DutySwitcher(QWidget):
    said = Signal(str)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.label = QLabel()
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(16)
        self.combo.activated.connect(self._chosen)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.combo)
        ctx.runner.changed.connect(self._changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(tr("ui.on_duty"))
        self.combo.setToolTip(tr("ui.on_duty_tip"))
        self.load()

    def _changed(self, changes: Changes) -> None:
        if changes.settings or changes.touches("volunteers"):
            self.load()

    def load(self) -> None:
        try:
            rows = self.ctx.reader().execute("SELECT id, name FROM volunteers WHERE deleted = 0 AND active = 1").fetchall()
        except Exception:  # noqa: BLE001 — a database that cannot be read shows an empty list
            rows = []
        rows.sort(key=lambda r: (fold(r[1]).split()[-1:], fold(r[1])))  # by given name, as people say it
        duty = self.ctx.on_duty() if rows else None
        self.combo.blockSignals(True)
        self.combo.clear()
        if duty is None:
            self.combo.addItem(tr("ui.on_duty_none"), None)
        for vid, name in rows:
            self.combo.addItem(name, vid)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(tr("ui.add_volunteer"), ADD_VOLUNTEER)
        if duty is not None:
            self.combo.setCurrentIndex(max(0, self.combo.findData(duty["id"])))
        self.combo.blockSignals(False)

    def _chosen(self, index: int) -> None:
        vid = self.combo.itemData(index)
        if vid == ADD_VOLUNTEER:
            self.add_volunteer()
            return
        if not vid:
            return
        name = self.combo.itemText(index)
        self.ctx.runner.op(
            lambda desk, *_: desk.set_on_duty(vid),
            label_key="ui.on_duty",
            on_done=lambda _: self.said.emit(tr("ui.on_duty_now", name=name)),
        )

    def add_volunteer(self) -> None:
        """A new volunteer at this laptop: their name, and they are on duty at once."""
        name = self.ask_volunteer_name(self)
        self.load()  # back on whoever is on duty until the write lands
        if not name:
            return

        def work(desk, *_):
            added = desk.add_volunteer(name)
            return added | desk.set_on_duty(added.first("volunteers"))

        self.ctx.runner.op(work, label_key="ui.add_volunteer", on_done=lambda _: self.said.emit(tr("ui.on_duty_now", name=name)))

    @staticmethod
    def ask_volunteer_name(parent: QWidget) -> str:
        """Asks for a name (tests replace this)."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(parent, tr("ui.add_volunteer"), tr("ui.add_volunteer_question"))
        return name.strip() if ok else ""
