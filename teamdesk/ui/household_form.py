"""Register or edit a household: checks as you type, a similar-household warning, members inline,
and consent recorded explicitly (the wording shown, a box that is never pre-ticked, who gave it).

Every keystroke goes to the draft store (``AppContext.draft``), so a closed window or a power
cut loses nothing; the draft is cleared once the household is saved. Registering is one
``Desk.add_household`` call on the runner; an edit is one job of ``edit_household`` and the
member verbs it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teamdesk import validate
from teamdesk.dates import LOCAL
from teamdesk.errors import InputRejected
from teamdesk.households import CONSENT_SCOPES, RELATIONS
from teamdesk.i18n import tr
from teamdesk.ui.runner import error_text

FIELDS = ("head_name", "head_sex", "head_birth_year", "phone", "village", "address", "note")
SEXES = ("", "M", "F")
ID_ROLE = Qt.ItemDataRole.UserRole


def _check(fn: Callable[[], object]) -> str:
    """The message a check raises, or "" when the value is fine."""
    try:
        fn()
    except InputRejected as exc:
        return exc.message()
    return ""


class HouseholdForm(QDialog):
    saved = Signal(str)  # the household id

    def __init__(self, ctx, *, household_id: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.household_id = household_id
        self.original: dict | None = None
        self.similar: list[dict] = []
        self._restoring = True  # until the villages (and the household, or a draft) are in
        self.draft = ctx.draft(f"household_form:{household_id}" if household_id else "household_form")
        self.setModal(False)
        self._size_to(parent)

        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in FIELDS:
            if name in ("head_sex", "village"):
                widget: QLineEdit | QComboBox = QComboBox()
                widget.currentIndexChanged.connect(self._edited)
            else:
                widget = QLineEdit()
                widget.textChanged.connect(self._edited)
            if name == "head_birth_year":
                widget.setMaxLength(4)
                widget.setMaximumWidth(160)
            else:
                widget.setMinimumWidth(240)
            self.inputs[name] = widget
            error = QLabel()
            error.setProperty("error", True)
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(error)
            label = QLabel()
            label.setBuddy(widget)
            self.labels[name] = label
            form.addRow(label, box)
        self.similar_label = QLabel()
        self.similar_label.setWordWrap(True)
        self.similar_label.setStyleSheet("background: #fff4ce; color: #5c4400; border: 1px solid #e0c36a; padding: 6px;")
        self.similar_label.hide()

        # members, inline
        self.members_box = QGroupBox()
        self.members = QTableWidget(0, 4)
        self.members.verticalHeader().setVisible(False)
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.members.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.members.itemChanged.connect(self._edited)
        self.members.setMinimumHeight(130)
        self.add_member_button = QPushButton()
        self.add_member_button.clicked.connect(lambda: self.add_member_row())
        self.remove_member_button = QPushButton()
        self.remove_member_button.clicked.connect(self.remove_member_row)
        self.members_error = QLabel()
        self.members_error.setProperty("error", True)
        self.members_error.setWordWrap(True)
        self.members_error.hide()
        self._removed_members: list[str] = []
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.add_member_button)
        member_buttons.addWidget(self.remove_member_button)
        member_buttons.addStretch(1)
        members_layout = QVBoxLayout(self.members_box)
        members_layout.addWidget(self.members)
        members_layout.addWidget(self.members_error)
        members_layout.addLayout(member_buttons)

        # consent, explicit
        self.consent_box = QGroupBox()
        self.consent_text = QLabel()
        self.consent_text.setWordWrap(True)
        self.consent_text.setFrameShape(QFrame.Shape.StyledPanel)
        self.consent_text.setStyleSheet("padding: 6px; background: #f5f7fa;")
        self.consent_given = QCheckBox()  # never pre-ticked
        self.consent_given.toggled.connect(self._consent_toggled)
        self.consent_by_label = QLabel()
        self.consent_by = QLineEdit()
        self.consent_by.textChanged.connect(self._edited)
        self.consent_by_label.setBuddy(self.consent_by)
        self.scopes: dict[str, QCheckBox] = {}
        scope_row = QHBoxLayout()
        self.scope_label = QLabel()
        scope_row.addWidget(self.scope_label)
        for scope in CONSENT_SCOPES:
            box = QCheckBox()
            box.toggled.connect(self._edited)
            if scope == "help":  # the scope registration needs; shown, not optional
                box.setChecked(True)
                box.setEnabled(False)
            self.scopes[scope] = box
            scope_row.addWidget(box)
        scope_row.addStretch(1)
        self.consent_error = QLabel()
        self.consent_error.setProperty("error", True)
        self.consent_error.setWordWrap(True)
        self.consent_existing = QLabel()
        self.consent_existing.setWordWrap(True)
        consent_layout = QVBoxLayout(self.consent_box)
        consent_layout.addWidget(self.consent_text)
        consent_layout.addWidget(self.consent_given)
        by_row = QHBoxLayout()
        by_row.addWidget(self.consent_by_label)
        by_row.addWidget(self.consent_by, 1)
        consent_layout.addLayout(by_row)
        consent_layout.addLayout(scope_row)
        consent_layout.addWidget(self.consent_error)
        consent_layout.addWidget(self.consent_existing)

        self.notice = QLabel()
        self.notice.setProperty("hint", True)
        self.notice.setWordWrap(True)
        self.save_button = QPushButton()
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.discard)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        columns = QHBoxLayout(body)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.similar_label)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.members_box, 1)
        right.addWidget(self.consent_box)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)

        self._similar_timer = QTimer(self)
        self._similar_timer.setSingleShot(True)
        self._similar_timer.setInterval(250)
        self._similar_timer.timeout.connect(self._look_for_similar)
        self.retranslate()
        ctx.language_changed.connect(self._relabel)
        self._consent_toggled(False)
        if household_id:
            self.consent_given.hide()
            self.consent_text.hide()
            self.consent_by.hide()
            self.consent_by_label.hide()
            self.scope_label.hide()
            for box in self.scopes.values():
                box.hide()
        else:
            self.consent_existing.hide()
        self.ctx.runner.query(self._load, on_done=self._loaded)

    # --- opening ------------------------------------------------------------------------------
    def _size_to(self, parent) -> None:
        """Most of the main window (1366×768 is the common laptop), so large text still fits."""
        from PySide6.QtGui import QGuiApplication

        if parent is not None:
            area = parent.window().geometry()
        else:
            area = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(max(900, min(1280, area.width() - 60)), max(600, min(720, area.height() - 40)))

    @classmethod
    def open_for(cls, ctx, *, household_id: str | None = None, parent=None, on_saved: Callable[[str], None] | None = None) -> "HouseholdForm":
        """Show the form (non-blocking); tests replace or drive it."""
        form = cls(ctx, household_id=household_id, parent=parent)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_saved is not None:
            form.saved.connect(on_saved)
        form.open()
        return form

    def _load(self, desk) -> dict:
        out = {"villages": desk.villages(), "duty_village": None, "household": None}
        duty = desk.on_duty()
        if duty:
            out["duty_village"] = duty.get("village_id")
        if self.household_id:
            out["household"] = desk.household(self.household_id)
        return out

    def _loaded(self, data: dict) -> None:
        self._restoring = True
        village = self.inputs["village"]
        for v in data["villages"]:
            village.addItem(v["name"], v["id"])
        if data["duty_village"]:
            village.setCurrentIndex(max(0, village.findData(data["duty_village"])))
        h = data["household"]
        if h is not None:
            self.original = h
            head = next((m for m in h["members"] if m["relation"] == "head"), None)
            self.inputs["head_name"].setText(h["head_name"])
            self.inputs["phone"].setText(h["phone"])
            self.inputs["address"].setText(h["address"])
            self.inputs["note"].setText(h["note"] or "")
            village.setCurrentIndex(max(0, village.findData(h["village_id"])))
            if head:
                self.inputs["head_sex"].setCurrentIndex(max(0, SEXES.index(head["sex"] or "")))
                self.inputs["head_birth_year"].setText(str(head["birth_year"] or ""))
            for m in h["members"]:
                if m is not head:
                    self.add_member_row(m)
            c = h["consent"]
            scopes = ", ".join(tr(f"consent.scope.{s}") for s in c["scope"])
            self.consent_existing.setText(tr("form.consent_existing", who=c["by"] or "—", scopes=scopes or "—"))
        draft = self.draft.load()
        if draft:
            self.restore(draft)
            self.notice.setText(tr("form.draft_restored"))
        self._restoring = False
        self._validate()

    # --- members ------------------------------------------------------------------------------
    def add_member_row(self, member: dict | None = None) -> int:
        member = member or {}
        row = self.members.rowCount()
        self.members.blockSignals(True)
        self.members.insertRow(row)
        name = QTableWidgetItem(member.get("full_name", ""))
        name.setData(ID_ROLE, member.get("id", ""))
        self.members.setItem(row, 0, name)
        sex = QComboBox()
        for code in SEXES:
            sex.addItem(tr(f"sex.{code}") if code else "—", code)
        sex.setCurrentIndex(max(0, SEXES.index(member.get("sex") or "")))
        sex.currentIndexChanged.connect(self._edited)
        self.members.setCellWidget(row, 1, sex)
        self.members.setItem(row, 2, QTableWidgetItem(str(member.get("birth_year") or "")))
        relation = QComboBox()
        for code in RELATIONS[1:]:  # one head per household: the head is the form's own fields
            relation.addItem(tr(f"relation.{code}"), code)
        relation.setCurrentIndex(max(0, relation.findData(member.get("relation") or "other")))
        relation.currentIndexChanged.connect(self._edited)
        self.members.setCellWidget(row, 3, relation)
        self.members.blockSignals(False)
        if not self._restoring:
            self.members.setCurrentCell(row, 0)
            self.members.editItem(self.members.item(row, 0))
            self._edited()
        return row

    def remove_member_row(self) -> None:
        row = self.members.currentRow()
        if row < 0:
            return
        mid = self.members.item(row, 0).data(ID_ROLE)
        if mid:
            self._removed_members.append(mid)
        self.members.removeRow(row)
        self._edited()

    def member_rows(self) -> list[dict]:
        rows = []
        for r in range(self.members.rowCount()):
            rows.append({
                "id": self.members.item(r, 0).data(ID_ROLE) or "",
                "full_name": self.members.item(r, 0).text().strip(),
                "sex": self.members.cellWidget(r, 1).currentData(),
                "birth_year": (self.members.item(r, 2).text() if self.members.item(r, 2) else "").strip(),
                "relation": self.members.cellWidget(r, 3).currentData(),
            })
        return rows

    # --- values, drafts, checks ---------------------------------------------------------------
    def values(self) -> dict:
        out = {}
        for name, widget in self.inputs.items():
            out[name] = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        out["members"] = self.member_rows()
        out["removed_members"] = list(self._removed_members)
        out["consent_given"] = self.consent_given.isChecked()
        out["consent_by"] = self.consent_by.text()
        out["consent_scope"] = [s for s, box in self.scopes.items() if box.isChecked()]
        return out

    def restore(self, data: dict) -> None:
        self._restoring = True
        for name, widget in self.inputs.items():
            if name not in data:
                continue
            if isinstance(widget, QComboBox):
                found = widget.findData(data[name])
                if found >= 0:
                    widget.setCurrentIndex(found)
            else:
                widget.setText(str(data[name] or ""))
        self.members.setRowCount(0)
        for m in data.get("members", []):
            self.add_member_row(m)
        self._removed_members = list(data.get("removed_members", []))
        self.consent_given.setChecked(bool(data.get("consent_given")))
        self.consent_by.setText(data.get("consent_by", ""))
        for scope in data.get("consent_scope", []):
            if scope in self.scopes:
                self.scopes[scope].setChecked(True)
        self._restoring = False

    def _edited(self, *_args) -> None:
        if self._restoring:
            return
        self.draft.changed(self.values())
        self._validate()
        self._similar_timer.start()

    def _consent_toggled(self, on: bool) -> None:
        self.consent_by.setEnabled(on)
        for scope, box in self.scopes.items():
            box.setEnabled(on and scope != "help")
        if on and not self.consent_by.text().strip():
            self.consent_by.setText(self.inputs["head_name"].text())
        self._edited()

    def problems(self) -> dict[str, str]:
        """Each field's message a person understands ("" when fine); shown as they type."""
        v = self.values()
        today = datetime.now(LOCAL).date()
        found = {
            "head_name": _check(lambda: validate.person_name(v["head_name"], field="head_name")),
            "head_birth_year": _check(lambda: validate.birth_year(v["head_birth_year"], today=today)),
            "phone": _check(lambda: validate.phone(v["phone"])),
            "address": _check(lambda: validate.text(v["address"], field="address", max_len=200)),
            "note": _check(lambda: validate.text(v["note"], field="note", max_len=500, multiline=True)),
            "village": "" if v["village"] else tr("form.need_village"),
        }
        member_problems = []
        for i, m in enumerate(v["members"], start=1):
            msg = _check(lambda m=m: validate.person_name(m["full_name"], field="member")) or _check(
                lambda m=m: validate.birth_year(m["birth_year"], today=today)
            )
            if msg:
                member_problems.append(tr("form.member_row", n=i, message=msg))
        found["members"] = " ".join(member_problems)
        if not self.household_id:
            if not v["consent_given"]:
                found["consent"] = tr("form.need_consent")
            else:
                found["consent"] = _check(lambda: validate.person_name(v["consent_by"], field="consent_by"))
        return {k: msg for k, msg in found.items() if msg}

    def _validate(self) -> bool:
        problems = self.problems()
        for name, label in self.errors.items():
            typed = self.inputs[name].text() if isinstance(self.inputs[name], QLineEdit) else "x"
            # an empty required field is not scolded before anything was typed into it
            message = problems.get(name, "") if (typed or name != "head_name") else ""
            label.setText(message)
            label.setVisible(bool(message))
        self.members_error.setText(problems.get("members", ""))
        self.members_error.setVisible("members" in problems)
        self.consent_error.setText(problems.get("consent", ""))
        self.consent_error.setVisible("consent" in problems)
        self.save_button.setEnabled(not problems)
        return not problems

    def _look_for_similar(self) -> None:
        name, phone, exclude = self.inputs["head_name"].text(), self.inputs["phone"].text(), self.household_id
        if not name.strip() and not phone.strip():
            self._show_similar([])
            return
        self.ctx.runner.query(lambda desk: desk.similar_households(name, phone=phone, exclude=exclude),
                              on_done=self._show_similar, on_error=lambda _e: None)

    def _show_similar(self, found: list[dict]) -> None:
        self.similar = found
        if not found:
            self.similar_label.hide()
            return
        lines = [f"• {h['head_name']} — {h['village'] or '—'}" + (f" — {h['phone']}" if h["phone"] else "") for h in found[:3]]
        more = [tr("form.similar_more", n=len(found) - 3)] if len(found) > 3 else []
        self.similar_label.setText("\n".join([tr("form.similar"), *lines, *more]))
        self.similar_label.show()

    # --- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        if not self._validate():
            return
        v = self.values()
        self.save_button.setEnabled(False)
        if self.household_id:
            work = self._edit_work(v)
        else:
            def work(desk, *_):
                return desk.add_household(
                    head_name=v["head_name"], village=v["village"], consent_by=v["consent_by"],
                    consent_scope=v["consent_scope"], phone=v["phone"], address=v["address"], note=v["note"],
                    head_sex=v["head_sex"], head_birth_year=v["head_birth_year"] or None,
                    members=[{k: m[k] for k in ("full_name", "sex", "birth_year", "relation")} | {"birth_year": m["birth_year"] or None}
                             for m in v["members"]],
                )
        self.ctx.runner.op(work, label_key="form.save_title", on_done=self._saved, on_error=self._failed)

    def _edit_work(self, v: dict):
        hid = self.household_id
        members = [{"id": m["id"], "full_name": m["full_name"], "sex": m["sex"], "birth_year": m["birth_year"] or "",
                    "relation": m["relation"]} for m in v["members"]]

        def work(desk, *_):
            return desk.save_household(
                hid, head_name=v["head_name"], village=v["village"], phone=v["phone"], address=v["address"],
                note=v["note"], head_sex=v["head_sex"], head_birth_year=v["head_birth_year"] or "",
                members=members, removed_members=v["removed_members"],
            )

        return work

    def _saved(self, changes) -> None:
        hid = self.household_id or changes.first("households")
        self.draft.clear()
        self.saved.emit(hid)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.notice.setText(error_text(exc))
        self.notice.setProperty("error", True)
        self.notice.style().polish(self.notice)
        self._validate()

    def discard(self) -> None:
        """Cancel: what was typed is thrown away (closing the window keeps it as a draft)."""
        self.draft.clear()
        self.reject()

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        self.draft.flush()
        super().closeEvent(event)

    # --- text ---------------------------------------------------------------------------------
    def _relabel(self, _lang: str) -> None:
        self.retranslate()
        for r in range(self.members.rowCount()):  # the sex and relation lists of each member row
            for column, codes, key in ((1, SEXES, "sex"), (3, RELATIONS[1:], "relation")):
                combo = self.members.cellWidget(r, column)
                for i, code in enumerate(codes):
                    combo.setItemText(i, tr(f"{key}.{code}") if code else "—")
        self._validate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("form.title_edit") if self.household_id else tr("form.title_add"))
        for name, label in self.labels.items():
            label.setText(tr(f"form.{name}"))
        for name in ("head_name", "phone", "head_birth_year", "address"):
            self.inputs[name].setPlaceholderText(tr(f"form.{name}.placeholder"))
            self.inputs[name].setToolTip(tr(f"form.{name}.tip"))
        sex = self.inputs["head_sex"]
        current = sex.currentData()
        sex.blockSignals(True)
        sex.clear()
        for code in SEXES:
            sex.addItem(tr(f"sex.{code}") if code else "—", code)
        sex.setCurrentIndex(max(0, SEXES.index(current or "")))
        sex.blockSignals(False)
        self.members_box.setTitle(tr("form.members"))
        self.members.setHorizontalHeaderLabels([tr("form.member.name"), tr("form.member.sex"), tr("form.member.birth_year"), tr("form.member.relation")])
        self.add_member_button.setText(tr("form.add_member"))
        self.add_member_button.setToolTip(tr("form.add_member.tip"))
        self.remove_member_button.setText(tr("form.remove_member"))
        self.consent_box.setTitle(tr("form.consent"))
        self.consent_text.setText(tr("consent.text"))
        self.consent_given.setText(tr("form.consent_given"))
        self.consent_by_label.setText(tr("form.consent_by"))
        self.scope_label.setText(tr("form.consent_scope"))
        for scope, box in self.scopes.items():
            box.setText(tr(f"consent.scope.{scope}"))
        self.save_button.setText(tr("form.save"))
        self.save_button.setToolTip(tr("form.save.tip"))
        self.cancel_button.setText(tr("form.cancel"))
        self.cancel_button.setToolTip(tr("form.cancel.tip"))
