"""Draws the Qt-free ``teamdesk.wizard.SetupWizard``: one page per step, Back / Next, big choices.

The view holds no rules: it passes what was typed to the wizard, shows the wizard's Vietnamese
messages in red under the page, and runs ``finish()`` on a background thread (demo data takes a
few seconds) with a progress bar. ``finished_setup(dict)`` is emitted once the installation exists.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from teamdesk.errors import TeamDeskError
from teamdesk.i18n import tr
from teamdesk.wizard import SetupWizard

CODE_ROLE = Qt.ItemDataRole.UserRole


def sync_hooks() -> tuple:
    """``(joiner, peek)`` from the sync feature, or ``(None, None)`` when it is not installed."""
    try:
        from teamdesk.sync import enrolment
    except ImportError:
        return None, None

    def peek(path: Path) -> dict:
        body = enrolment.read_enrolment(path)["team"]
        cols = body["village_columns"]
        villages = [r[cols.index("name")] for r in body["villages"] if not r[cols.index("deleted")]]
        return {"commune": body["commune"], "villages": villages, "coordinator": body["coordinator"].get("name", "")}

    return enrolment.join_team, peek


class _Bridge(QObject):
    progress = Signal(int, int)
    done = Signal(object, object)  # (info, error)


def _choice(parent_layout: QVBoxLayout, group: QButtonGroup, key: str) -> tuple[QPushButton, QLabel]:
    button = QPushButton()
    button.setCheckable(True)
    button.setProperty("big", True)
    button.setProperty("choice", key)
    button.setMinimumHeight(48)
    group.addButton(button)
    hint = QLabel()
    hint.setProperty("hint", True)
    hint.setWordWrap(True)
    parent_layout.addWidget(button)
    parent_layout.addWidget(hint)
    parent_layout.addSpacing(6)
    return button, hint


class WizardWindow(QWidget):
    finished_setup = Signal(object)

    def __init__(self, home: Path, *, wizard: SetupWizard | None = None):
        super().__init__()
        if wizard is None:
            joiner, peek = sync_hooks()
            wizard = SetupWizard(home=Path(home), joiner=joiner, peek=peek)
        self.wizard = wizard
        self.created = False
        self.busy = False  # finishing: the window stays until the installation is complete
        self._enter_used = False  # a text box acted on the Enter key being handled
        self.info: dict | None = None
        self._bridge = _Bridge()
        self._bridge.progress.connect(self._on_progress)
        self._bridge.done.connect(self._on_done)
        self.resize(920, 640)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        self.title = QLabel()
        self.title.setProperty("heading", True)
        self.step_label = QLabel()
        self.step_label.setProperty("hint", True)
        outer.addWidget(self.title)
        outer.addWidget(self.step_label)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.error = QLabel()
        self.error.setProperty("error", True)
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        self.bar = QProgressBar()
        self.bar.hide()
        outer.addWidget(self.bar)
        buttons = QHBoxLayout()
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton()
        self.next_button.setProperty("primary", True)
        self.next_button.setProperty("big", True)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)

        self.pages: dict[str, QWidget] = {}
        for step in ("language", "start", "role", "commune", "villages", "people", "join", "finish"):
            page = QWidget()
            getattr(self, f"_build_{step}")(page)
            self.pages[step] = page
            self.stack.addWidget(page)
        self.retranslate()
        self._show()

    # --- pages ------------------------------------------------------------------------------
    def _build_language(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.welcome = QLabel()
        self.welcome.setWordWrap(True)
        lay.addWidget(self.welcome)
        self.lang_group = QButtonGroup(self)
        self.lang_buttons = {}
        for lang, text in (("vi", "Tiếng Việt"), ("en", "English")):
            button, _hint = _choice(lay, self.lang_group, lang)
            button.setText(text)
            _hint.hide()
            button.clicked.connect(lambda _=False, l=lang: self._choose_language(l))
            self.lang_buttons[lang] = button
        self.lang_buttons[self.wizard.lang].setChecked(True)
        lay.addStretch(1)

    def _build_start(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons = {}
        for mode in ("new", "join", "demo"):
            button, hint = _choice(lay, self.mode_group, mode)
            button.clicked.connect(lambda _=False, m=mode: setattr(self.wizard, "mode", m))
            self.mode_buttons[mode] = (button, hint)
            if mode not in self.wizard.modes():
                button.hide()
                hint.hide()
        self.mode_buttons[self.wizard.mode][0].setChecked(True)
        lay.addStretch(1)

    def _build_role(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.role_group = QButtonGroup(self)
        self.role_buttons = {}
        for role in ("volunteer", "coordinator"):
            button, hint = _choice(lay, self.role_group, role)
            button.clicked.connect(lambda _=False, r=role: setattr(self.wizard, "role", r))
            self.role_buttons[role] = (button, hint)
        self.role_buttons[self.wizard.role][0].setChecked(True)
        lay.addStretch(1)

    def _build_commune(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.commune_hint = QLabel()
        self.commune_hint.setWordWrap(True)
        lay.addWidget(self.commune_hint)
        self.commune_edit = QLineEdit()
        self.commune_edit.textChanged.connect(self._search_communes)
        self.commune_edit.returnPressed.connect(self._pick_first_commune)  # Enter again: next step
        lay.addWidget(self.commune_edit)
        self.commune_list = QListWidget()
        self.commune_list.currentItemChanged.connect(self._commune_chosen)
        self.commune_list.itemActivated.connect(lambda _: self.go_next())
        lay.addWidget(self.commune_list, 1)
        self.commune_chosen_label = QLabel()
        lay.addWidget(self.commune_chosen_label)

    def _build_villages(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.villages_hint = QLabel()
        self.villages_hint.setWordWrap(True)
        lay.addWidget(self.villages_hint)
        row = QHBoxLayout()
        self.village_edit = QLineEdit()
        self.village_edit.returnPressed.connect(self._village_enter)
        self.village_add = QPushButton()
        self.village_add.clicked.connect(self._add_village)
        row.addWidget(self.village_edit, 1)
        row.addWidget(self.village_add)
        lay.addLayout(row)
        self.village_list = QListWidget()
        lay.addWidget(self.village_list, 1)
        self.village_remove = QPushButton()
        self.village_remove.clicked.connect(self._remove_village)
        lay.addWidget(self.village_remove, 0, Qt.AlignmentFlag.AlignLeft)

    def _build_people(self, page: QWidget) -> None:
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.person_label, self.person_edit = QLabel(), QLineEdit()
        self.person_edit.textChanged.connect(lambda t: setattr(self.wizard, "person_name", t))
        self.person_hint = QLabel()
        self.person_hint.setProperty("hint", True)
        self.person_hint.setWordWrap(True)
        self.device_label, self.device_edit = QLabel(), QLineEdit()
        self.device_edit.textChanged.connect(lambda t: setattr(self.wizard, "device_name", t))
        self.device_hint = QLabel()
        self.device_hint.setProperty("hint", True)
        self.device_hint.setWordWrap(True)
        form.addRow(self.person_label, self.person_edit)
        form.addRow(self.person_hint)
        form.addRow(self.device_label, self.device_edit)
        form.addRow(self.device_hint)

    def _build_join(self, page: QWidget) -> None:
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.join_hint = QLabel()
        self.join_hint.setWordWrap(True)
        form.addRow(self.join_hint)
        row = QHBoxLayout()
        self.join_file_edit = QLineEdit()
        self.join_file_edit.setReadOnly(True)
        self.join_file_button = QPushButton()
        self.join_file_button.clicked.connect(self._choose_enrolment)
        row.addWidget(self.join_file_edit, 1)
        row.addWidget(self.join_file_button)
        self.join_file_label = QLabel()
        form.addRow(self.join_file_label, row)
        self.join_found = QLabel()  # what the file says: the commune and its coordinator
        self.join_found.setWordWrap(True)
        self.join_found.setProperty("hint", True)
        form.addRow(self.join_found)
        self.join_person_label, self.join_person_edit = QLabel(), QLineEdit()
        self.join_person_edit.textChanged.connect(lambda t: setattr(self.wizard, "person_name", t))
        form.addRow(self.join_person_label, self.join_person_edit)
        self.join_village_label, self.join_village_combo = QLabel(), QComboBox()
        self.join_village_combo.currentIndexChanged.connect(self._join_village_chosen)
        form.addRow(self.join_village_label, self.join_village_combo)

    def _build_finish(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.summary)
        lay.addStretch(1)

    # --- texts -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(tr("wizard.window_title"))
        self.back_button.setText(tr("wizard.back"))
        self.welcome.setText(tr("wizard.welcome"))
        for mode, (button, hint) in self.mode_buttons.items():
            button.setText(tr(f"wizard.mode_{mode}"))
            hint.setText(tr(f"wizard.mode_{mode}_hint"))
        for role, (button, hint) in self.role_buttons.items():
            button.setText(tr(f"wizard.role_{role}"))
            hint.setText(tr(f"wizard.role_{role}_hint"))
        self.commune_hint.setText(tr("wizard.commune_hint"))
        self.commune_edit.setPlaceholderText(tr("wizard.commune_placeholder"))
        self.village_add.setText(tr("wizard.village_add"))
        self.village_remove.setText(tr("wizard.village_remove"))
        self.village_edit.setPlaceholderText(tr("wizard.village_placeholder"))
        self.person_label.setText(tr("wizard.person_name"))
        self.person_hint.setText(tr("wizard.person_hint"))
        self.device_label.setText(tr("wizard.device_name"))
        self.device_hint.setText(tr("wizard.device_hint"))
        self.join_hint.setText(tr("wizard.join_hint"))
        self.join_file_label.setText(tr("wizard.join_file"))
        self.join_file_button.setText(tr("wizard.join_choose"))
        self.join_person_label.setText(tr("wizard.person_name"))
        self.join_village_label.setText(tr("wizard.join_village"))
        self._show()

    def _show(self) -> None:
        w = self.wizard
        self.stack.setCurrentWidget(self.pages[w.step])
        self.title.setText(tr(f"wizard.step_{w.step}"))
        self.step_label.setText(tr("wizard.step_of", n=w.index() + 1, total=len(w.path())))
        self.back_button.setEnabled(not w.is_first())
        self.next_button.setText(tr("wizard.start_using") if w.is_last() else tr("wizard.next"))
        if w.step == "commune":
            self._show_commune_choice()
            self.commune_edit.setFocus()
        elif w.step == "villages":
            self.villages_hint.setText(tr(f"wizard.villages_hint_{w.role}"))
            self.village_edit.setFocus()
        elif w.step == "people":
            if not self.device_edit.text():
                self.device_edit.setText(w.device_name or w.suggested_device_name())
            self.person_edit.setFocus()
        elif w.step == "finish":
            self.summary.setText(self._summary_text())

    def _summary_text(self) -> str:
        s = self.wizard.summary()
        if s["mode"] == "demo":
            return tr("wizard.summary_demo", households=s["demo_households"])
        if s["mode"] == "join":
            return tr(
                "wizard.summary_join",
                file=Path(s["enrolment_file"]).name,
                commune=s["commune"],
                village=s["join_village"] or "—",
                person=s["person_name"],
            )
        return tr(
            "wizard.summary_new",
            role=tr(f"role.{s['role']}"),
            commune=s["commune"],
            villages=", ".join(s["villages"]),
            device=s["device_name"],
            person=s["person_name"],
        )

    # --- actions -------------------------------------------------------------------------------
    def _choose_language(self, lang: str) -> None:
        self.wizard.set_language(lang)
        self.retranslate()

    def _search_communes(self, text: str) -> None:
        self.commune_list.blockSignals(True)
        self.commune_list.clear()
        found = self.wizard.find_communes(text) if text.strip() else []
        for c in found:
            item = QListWidgetItem(f"{c['name']} — {c['province_name']}")
            item.setData(CODE_ROLE, c["code"])
            self.commune_list.addItem(item)
        self.commune_list.blockSignals(False)
        if text.strip() and not found:
            self.error.setText(tr("wizard.commune_none", text=text.strip()))
        elif self.wizard.step == "commune":
            self.error.clear()

    def _pick_first_commune(self) -> None:
        item = self.commune_list.currentItem()
        if self.commune_list.count() and (item is None or item.data(CODE_ROLE) != self.wizard.commune_code):
            self.commune_list.setCurrentRow(0)
            self._enter_used = True  # this Enter chose; the next one moves on

    def _commune_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.wizard.commune_code = item.data(CODE_ROLE)
            self.error.clear()
        self._show_commune_choice()

    def _show_commune_choice(self) -> None:
        unit = self.wizard.commune()
        self.commune_chosen_label.setText(
            tr("wizard.commune_chosen", commune=f"{unit['name']}, {unit['province_name']}") if unit else ""
        )

    def _village_enter(self) -> None:
        if self.village_edit.text().strip():
            self._add_village()
            self._enter_used = True  # Enter on a typed name adds it; on an empty box, moves on

    def _add_village(self) -> None:
        try:
            self.wizard.add_village(self.village_edit.text())
        except TeamDeskError as exc:
            self.error.setText(exc.message())
            return
        self.error.clear()
        self.village_edit.clear()
        self._fill_villages()

    def _remove_village(self) -> None:
        item = self.village_list.currentItem()
        if item is not None:
            self.wizard.remove_village(item.text())
            self._fill_villages()

    def _fill_villages(self) -> None:
        self.village_list.clear()
        self.village_list.addItems(self.wizard.villages)

    def _choose_enrolment(self) -> None:
        file = self.ask_enrolment_file(self)
        if not file:
            return
        self.join_file_edit.setText(file)
        try:
            found = self.wizard.choose_enrolment(file)
        except TeamDeskError as exc:
            self.error.setText(exc.message())
            self.join_found.clear()
            self.join_village_combo.clear()
            return
        self.error.clear()
        from teamdesk.ui.context import commune_name

        self.join_found.setText(tr("wizard.join_found", commune=commune_name(found["commune"]), coordinator=found.get("coordinator") or "—"))
        self.join_village_combo.blockSignals(True)
        self.join_village_combo.clear()
        if len(found["villages"]) != 1:
            self.join_village_combo.addItem(tr("wizard.join_pick_village"), "")
        for name in found["villages"]:
            self.join_village_combo.addItem(name, name)
        self.join_village_combo.setCurrentIndex(max(0, self.join_village_combo.findData(self.wizard.join_village)))
        self.join_village_combo.blockSignals(False)

    def _join_village_chosen(self, index: int) -> None:
        self.wizard.join_village = self.join_village_combo.itemData(index) or ""

    @staticmethod
    def ask_enrolment_file(parent: QWidget) -> str:
        file, _ = QFileDialog.getOpenFileName(parent, tr("wizard.join_file"), str(Path.home()))
        return file

    def go_back(self) -> None:
        self.error.clear()
        self.wizard.back()
        self._show()

    def go_next(self) -> None:
        if self.wizard.step == "villages" and self.village_edit.text().strip():
            self._add_village()  # typed but not added yet: add it rather than complain
        if self.wizard.is_last():
            self.start_finish()
            return
        try:
            self.wizard.next()
        except TeamDeskError as exc:
            self.error.setText(exc.message())
            return
        self.error.clear()
        self._show()

    def start_finish(self) -> None:
        self.busy = True
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.error.clear()
        self.bar.setRange(0, 0)
        self.bar.show()
        wizard, bridge = self.wizard, self._bridge

        def work() -> None:
            try:
                info = wizard.finish(progress=lambda d, t: bridge.progress.emit(d, t))
            except BaseException as exc:  # noqa: BLE001 — shown on the page
                bridge.done.emit(None, exc)
            else:
                bridge.done.emit(info, None)

        threading.Thread(target=work, name="teamdesk-setup", daemon=True).start()

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt's name
        """Enter moves on, from any page (keyboard first), unless a text box just used it."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            used, self._enter_used = self._enter_used, False
            if not used and self.next_button.isEnabled():
                self.go_next()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        if self.busy:
            event.ignore()  # half an installation helps nobody; it takes seconds
            return
        super().closeEvent(event)

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _on_done(self, info: dict | None, error: BaseException | None) -> None:
        self.busy = False
        self.bar.hide()
        if error is not None:
            from teamdesk.ui.runner import error_text

            self.error.setText(error_text(error))
            self.next_button.setEnabled(True)
            self.back_button.setEnabled(True)
            return
        self.created = True
        self.info = info
        self.finished_setup.emit(info)
        self.close()
