"""Logging a help: the volunteer's hot path, made for the keyboard.

Type part of a name (no accents needed), ↓/↑ to choose, Enter; press the service's number
(1–9); Enter saves. The cursor goes straight back to the search box for the next household.
Every log is one ``Desk.log_help`` call on the runner; a slip costs nothing: the notice offers
"Hoàn tác (Ctrl+Z)" (``Desk.undo``). The volunteer on duty signs every log; when none is
chosen yet the panel asks once.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from teamdesk import search
from teamdesk.help_services import OUTCOMES, extra_services, service_label
from teamdesk.i18n import tr
from teamdesk.ui.runner import error_text

RESULTS = 6  # households offered as you type
ID_ROLE = Qt.ItemDataRole.UserRole
# one colour and one glyph per service, so the buttons can be told apart at a glance
GLYPHS = {
    "vneid_install": ("#1565c0", "↓"),
    "vneid_level1": ("#2e7d32", "ID1"),
    "vneid_level2": ("#c62828", "ID2"),
    "online_service": ("#6a1b9a", "DVC"),
    "epayment_account": ("#ef6c00", "₫"),
    "ecommerce": ("#00838f", "⇄"),
    "online_safety": ("#ad1457", "⚠"),
    "digital_skills": ("#4e342e", "✎"),
    "other": ("#546e7a", "+"),
}


def service_icon(code: str, size: int = 40) -> QIcon:
    """A coloured tile with the service's glyph (drawn, so no icon files are needed)."""
    colour, glyph = GLYPHS.get(code, ("#546e7a", code[:2].upper()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.2, size * 0.2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * (0.55 if len(glyph) == 1 else 0.34)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    return QIcon(pixmap)


class ServiceButton(QPushButton):
    """A big checkable button: the service's glyph and its whole label, wrapped when long."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.setCheckable(True)
        self.setProperty("service", code)
        self.glyph = QLabel()
        self.glyph.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.caption.setStyleSheet("font-weight: 600; background: transparent;")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.glyph)
        row.addWidget(self.caption, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("QPushButton:checked { background: #ffe08a; border: 2px solid #c79a00; border-radius: 4px; }")

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.setAccessibleName(text)

    def fit(self, side: int, line_height: int) -> None:
        self._side = side
        self.glyph.setPixmap(service_icon(self.code, side).pixmap(side, side))
        self.setMinimumHeight(max(side, 2 * line_height) + 14)

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        """Tall enough for the label as it wraps at this width (large text may need 3 lines)."""
        super().resizeEvent(event)
        need = max(getattr(self, "_side", 0), self.caption.heightForWidth(max(1, self.caption.width()))) + 14
        if need > self.minimumHeight():
            self.setMinimumHeight(need)


class LogPanel(QWidget):
    logged = Signal(str)  # the help event id
    undone = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.household: dict | None = None  # id, head_name, village
        self.last: dict | None = None  # the last help logged here: id, service, who
        self._own_write = False
        self._codes: list[str] = []
        self._extras: dict = {}

        # 1. the household
        self.find_label = QLabel()
        self.find_label.setProperty("heading", True)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(self._typed)
        self.find_label.setBuddy(self.search)
        self.results = QListWidget()
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.itemClicked.connect(lambda item: self.choose(item.data(ID_ROLE)))
        self.results.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)

        # 2. the member
        self.member_label = QLabel()
        self.member = QComboBox()
        self.member.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.member.setMinimumContentsLength(18)
        self.member_label.setBuddy(self.member)
        self.member.installEventFilter(self)  # number keys still pick the service from here

        # 3. the service: big buttons, number keys
        self.service_label = QLabel()
        self.service_label.setProperty("heading", True)
        self.services = QButtonGroup(self)
        self.services.setExclusive(True)
        self.service_grid = QGridLayout()
        self.service_grid.setSpacing(6)
        self.service_buttons: dict[str, ServiceButton] = {}

        # 4. the outcome, detail, save
        self.outcome_label = QLabel()
        self.outcomes = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        outcome_row = QHBoxLayout()
        outcome_row.addWidget(self.outcome_label)
        for code in OUTCOMES:
            button = QRadioButton()
            self.outcomes.addButton(button)
            self.outcome_buttons[code] = button
            outcome_row.addWidget(button)
        outcome_row.addStretch(1)
        self.outcome_buttons["done"].setChecked(True)
        self.outcome_label.setBuddy(self.outcome_buttons["done"])
        self.detail_label = QLabel()
        self.detail = QLineEdit()
        self.detail.returnPressed.connect(self.save)
        self.detail_label.setBuddy(self.detail)
        # the day of the help: empty means today; needed when the laptop's clock cannot be trusted
        self.date_label = QLabel()
        self.date = QLineEdit()
        self.date.setMaxLength(10)
        self.date.returnPressed.connect(self.save)
        self.date_label.setBuddy(self.date)
        self.save_button = QPushButton()
        self.save_button.setProperty("primary", True)
        self.save_button.setProperty("big", True)
        self.save_button.clicked.connect(self.save)

        # the notice: what was just logged, with its undo
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.undo_button = QPushButton()
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        self.on_duty_label = QLabel()
        self.on_duty_label.setProperty("hint", True)

        member_row = QHBoxLayout()
        member_row.addWidget(self.chosen, 1)
        member_row.addWidget(self.member_label)
        member_row.addWidget(self.member, 1)
        detail_row = QHBoxLayout()
        detail_row.addWidget(self.detail_label)
        detail_row.addWidget(self.detail, 1)
        detail_row.addWidget(self.date_label)
        detail_row.addWidget(self.date)
        detail_row.addWidget(self.save_button)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.undo_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.find_label)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addLayout(member_row)
        layout.addWidget(self.service_label)
        layout.addLayout(self.service_grid)
        layout.addLayout(outcome_row)
        layout.addLayout(detail_row)
        layout.addLayout(notice_row)
        layout.addWidget(self.on_duty_label)
        layout.addStretch(1)

        self._last_find = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._find)
        for i, code in enumerate(OUTCOMES, start=1):
            QShortcut(QKeySequence(f"Alt+{i}"), self, lambda c=code: self.outcome_buttons[c].setChecked(True),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._undo_shortcut: QShortcut | None = None
        ctx.runner.changed.connect(self._on_changed)
        ctx.large_text_changed.connect(lambda _: self._fit())
        self._build_services(self._service_codes())
        self.retranslate()
        self._clear_household()
        self._show_on_duty()

    # --- services -----------------------------------------------------------------------------
    def _service_codes(self) -> list[str]:
        from teamdesk.help_services import SERVICES

        self._extras = extra_services(self.ctx.setting("extra_services"))
        return [*SERVICES, *self._extras]

    def _build_services(self, codes: list[str]) -> None:
        for button in self.service_buttons.values():
            self.services.removeButton(button)
            button.deleteLater()
        self.service_buttons = {}
        self._codes = codes
        columns = 3
        for i, code in enumerate(codes):
            button = ServiceButton(code)
            self.services.addButton(button)
            self.service_buttons[code] = button
            self.service_grid.addWidget(button, i // columns, i % columns)
        if self._codes:
            self.service_label.setBuddy(self.service_buttons[self._codes[0]])
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        side = max(28, int(metrics.height() * 1.9))
        for button in self.service_buttons.values():
            button.fit(side, metrics.height())
        from teamdesk.ui import theme

        rows = RESULTS - 2 if theme.is_large() else RESULTS - 1  # room for the rest at 1366×768
        self.results.setFixedHeight(int((metrics.height() + 8) * rows + 6))

    def pick_service(self, code: str) -> None:
        if code in self.service_buttons:
            self.service_buttons[code].setChecked(True)
            self.service_buttons[code].setFocus()

    def selected_service(self) -> str | None:
        button = self.services.checkedButton()
        return button.property("service") if button else None

    def selected_outcome(self) -> str:
        return next(code for code, b in self.outcome_buttons.items() if b.isChecked())

    # --- finding and choosing the household ----------------------------------------------
    def _typed(self, _text: str) -> None:
        """The first key after a pause searches at once; a fast burst is gathered (trailing edge)."""
        if self._timer.isActive() or time.monotonic() - self._last_find < self._timer.interval() / 1000:
            self._timer.start()
        else:
            self._find()

    def _find(self) -> None:
        self._timer.stop()
        self._last_find = time.monotonic()
        text = self.search.text()
        self.results.clear()
        if not search.query_key(text):
            return
        for h in search.find(self.ctx.reader(), text, limit=RESULTS):
            line = f"{h['head_name']} — {h['village']}" + (f" — {h['phone']}" if h["phone"] else "")
            if h.get("address"):
                line += f" — {h['address']}"
            item = QListWidgetItem(line)
            item.setData(ID_ROLE, h["id"])
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if obj is self.member and event.type() == event.Type.KeyPress:
            if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9 or event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.keyPressEvent(event)
                return True
        if obj is self.search and event.type() == event.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                if self._timer.isActive():
                    self._find()
                n = self.results.count()
                if n:
                    row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                    self.results.setCurrentRow(max(0, min(n - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self._find()
                item = self.results.currentItem()
                if item is not None:
                    self.choose(item.data(ID_ROLE))
                elif self.household and not self.search.text().strip():
                    self.save()
                return True
            if key == Qt.Key.Key_Escape and (self.search.text() or self.household):
                if self.search.text():
                    self.search.setText("")
                    self.results.clear()
                else:  # a second Esc lets go of the household chosen
                    self._clear_household()
                return True
        return super().eventFilter(obj, event)

    def choose(self, household_id: str) -> None:
        """Take this household; then the member list fills in and the cursor moves to the services."""
        row = self.ctx.reader().execute(
            "SELECT h.id, h.head_name, COALESCE(v.name, ''), COALESCE(h.phone, '') FROM households h"
            " LEFT JOIN villages v ON v.id = h.village_id WHERE h.id = ? AND h.deleted = 0",
            (household_id,),
        ).fetchone()
        if row is None:
            return
        self.household = dict(zip(("id", "head_name", "village", "phone"), row))
        self.search.blockSignals(True)
        self.search.setText("")  # unlike clear(), leaves no typing to undo: Ctrl+Z then undoes the log
        self.search.blockSignals(False)
        self.results.clear()
        self._show_chosen()
        self.member.clear()
        self.member.addItem(tr("log.whole_household"), "")
        self.ctx.runner.query(lambda desk: desk.household(household_id)["members"], on_done=lambda ms: self._fill_members(household_id, ms))
        button = self.services.checkedButton() or (self.service_buttons[self._codes[0]] if self._codes else None)
        if button is not None:
            button.setFocus()

    def _fill_members(self, household_id: str, members: list[dict]) -> None:
        if not self.household or self.household["id"] != household_id:
            return
        for m in members:
            bits = [tr(f"relation.{m['relation']}")]
            if m["birth_year"]:
                bits.append(str(m["birth_year"]))
            self.member.addItem(f"{m['full_name']} ({', '.join(bits)})", m["id"])

    def _show_chosen(self) -> None:
        if self.household:
            h = self.household
            self.chosen.setText(tr("log.chosen", name=h["head_name"], village=h["village"] or "—"))
            self.chosen.setProperty("hint", False)
        else:
            self.chosen.setText(tr("log.none_chosen"))
            self.chosen.setProperty("hint", True)
        self.chosen.style().unpolish(self.chosen)
        self.chosen.style().polish(self.chosen)

    def _clear_household(self) -> None:
        self.household = None
        self.member.clear()
        self.member.addItem(tr("log.whole_household"), "")
        self._show_chosen()

    # --- saving -------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt's name
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            i = key - Qt.Key.Key_1
            if i < len(self._codes):
                self.pick_service(self._codes[i])
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)

    def save(self) -> None:
        if not self.household:
            self._say(tr("log.need_household"), error=True)
            self.search.setFocus()
            return
        code = self.selected_service()
        if not code:
            self._say(tr("log.need_service"), error=True)
            self.service_buttons[self._codes[0]].setFocus()
            return
        if self.ctx.on_duty() is None:
            volunteer = self.ask_volunteer()
            if not volunteer:
                self._say(tr("log.need_volunteer"), error=True)
                return
            self.ctx.runner.op(lambda desk, *_: desk.set_on_duty(volunteer), label_key="log.on_duty_title",
                               on_done=lambda _: self._show_on_duty())
        hid, member = self.household["id"], self.member.currentData() or None
        who = self.member.currentText() if member else self.household["head_name"]
        detail, outcome, day = self.detail.text(), self.selected_outcome(), self.date.text().strip() or None
        self.ctx.runner.op(
            lambda desk, *_: desk.log_help(household=hid, service=code, member=member, detail=detail, outcome=outcome, date=day),
            label_key="undo.log_help",
            on_done=lambda changes: self._saved(changes, code, who.split(" (")[0], outcome),
            on_error=self._not_saved,
        )

    def _not_saved(self, exc: BaseException) -> None:
        from teamdesk.errors import ClockSuspect

        self._say(error_text(exc), error=True)
        if isinstance(exc, ClockSuspect) or getattr(exc, "key", "").startswith("error.date"):
            self.date.setFocus()  # the clock is wrong or the day was: the volunteer types the day

    def ask_volunteer(self) -> str | None:
        """Who is on duty, asked once (tests replace this). Returns a volunteer id or None."""
        volunteers = [tuple(r) for r in self.ctx.reader().execute(
            "SELECT id, name FROM volunteers WHERE deleted = 0 AND active = 1 ORDER BY name")]
        if not volunteers:
            return None
        names = [v[1] for v in volunteers]
        name, ok = QInputDialog.getItem(self, tr("log.on_duty_title"), tr("log.on_duty_question"), names, 0, False)
        return volunteers[names.index(name)][0] if ok and name in names else None

    def _saved(self, changes, code: str, who: str, outcome: str) -> None:
        self._own_write = True
        self.last = {"id": changes.first("help_events"), "service": code, "who": who}
        label = service_label(code, self._extras)
        if outcome != "done":
            label += f" ({tr(f'outcome.{outcome}')})"
        if self.date.text().strip():  # a day other than today stays for the next log: say so
            self._say(tr("log.saved_on", service=label, who=who, date=self.date.text().strip()), undo=True)
        else:
            self._say(tr("log.saved", service=label, who=who), undo=True)
        self._clear_household()
        self.services.setExclusive(False)
        for button in self.service_buttons.values():
            button.setChecked(False)
        self.services.setExclusive(True)
        self.outcome_buttons["done"].setChecked(True)
        self.detail.clear()
        self.search.setFocus()
        self.logged.emit(self.last["id"])

    def undo(self) -> None:
        # nothing to undo: desk.undo() says so in words, shown in the panel by on_error
        self.ctx.runner.op(lambda desk, *_: desk.undo(), label_key="log.undo", on_done=self._undone,
                           on_error=lambda exc: self._say(error_text(exc), error=True))

    def _undone(self, changes) -> None:
        self._own_write = True
        self._show_undone()

    def _show_undone(self) -> None:
        if self.last:
            self._say(tr("log.undone", service=service_label(self.last["service"], self._extras), who=self.last["who"]))
        self.last = None
        self.search.setFocus()
        self.undone.emit()

    def _on_changed(self, changes) -> None:
        if self._own_write:  # the write this panel just made
            self._own_write = False
        elif self.last and self.last["id"] in changes.ids("help_events"):
            # the main window's Ctrl+Z (or another screen) undid or deleted the last log
            row = self.ctx.reader().execute("SELECT deleted FROM help_events WHERE id = ?", (self.last["id"],)).fetchone()
            if row and row[0]:
                self._show_undone()
        if changes.settings:
            self._show_on_duty()
            if set(self._service_codes()) != set(self._codes):
                self._build_services(self._service_codes())
                self.retranslate()

    def _say(self, text: str, *, error: bool = False, undo: bool = False) -> None:
        self.notice.setText(text)
        self.notice.setProperty("error", error)
        # a saved log stands out (green), so a volunteer sees at a glance that it went in
        self.notice.setStyleSheet("" if error or not undo else
                                  "background: #e3f5e1; color: #1b5e20; border: 1px solid #9ccc9a; padding: 6px; font-weight: 600;")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.undo_button.setVisible(undo)

    def _show_on_duty(self) -> None:
        who = self.ctx.on_duty()
        self.on_duty_label.setText(tr("log.on_duty", name=who["name"]) if who else tr("log.no_one_on_duty"))

    # --- Ctrl+Z when no main window offers it -------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        if self._undo_shortcut is None:
            window = self.window()
            taken = any(
                a.shortcut().matches(QKeySequence(QKeySequence.StandardKey.Undo)) == QKeySequence.SequenceMatch.ExactMatch
                for a in window.findChildren(QAction)
            )
            if not taken:
                self._undo_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, self.undo,
                                                context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.find_label.setText(tr("log.step_find"))
        self.search.setPlaceholderText(tr("log.search.placeholder"))
        self.search.setToolTip(tr("log.search.tip"))
        self.member_label.setText(tr("log.step_member"))
        self.member.setToolTip(tr("log.member.tip"))
        if self.member.count():
            self.member.setItemText(0, tr("log.whole_household"))
        self.service_label.setText(tr("log.step_service"))
        for i, (code, button) in enumerate(self.service_buttons.items(), start=1):
            key = f"{i}  " if i <= 9 else ""
            button.set_caption(f"{key}{service_label(code, self._extras)}")
            button.setToolTip(tr("log.service.tip", service=service_label(code, self._extras), key=i) if i <= 9 else service_label(code, self._extras))
        self.outcome_label.setText(tr("log.step_outcome"))
        for i, (code, button) in enumerate(self.outcome_buttons.items(), start=1):
            button.setText(tr(f"outcome.{code}"))
            button.setToolTip(tr("log.outcome.tip", key=i))
        self.detail_label.setText(tr("log.detail"))
        self.detail.setPlaceholderText(tr("log.detail.placeholder"))
        self.date_label.setText(tr("log.date"))
        self.date.setPlaceholderText(tr("log.date.placeholder"))
        self.date.setToolTip(tr("log.date.tip"))
        self.date.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 16)
        self.save_button.setText(tr("log.save"))
        self.save_button.setToolTip(tr("log.save.tip"))
        self.undo_button.setText(tr("log.undo_button"))
        self.undo_button.setToolTip(tr("log.undo.tip"))
        self._show_chosen()
        self._show_on_duty()
