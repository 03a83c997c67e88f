"""The leaflets screen: pick guides and a layout, see the real PDF pages, print or save them.

Every action is one core call through the runner: ``make_leaflets`` draws the PDF (the same call as
``teamdesk leaflet``); ``leaflet_pages`` turns its pages into images for the preview and paints
them on the system printer. The file and
printer dialogs are class methods (``ask_save_path``, ``ask_printer``) that tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from teamdesk import guides as guide_library
from teamdesk.help_services import SERVICES, service_label
from teamdesk.i18n import language, tr
from teamdesk.leaflets.document import LAYOUTS, make_leaflets
from teamdesk.ui.context import AppContext
from teamdesk.ui.leaflet_pages import configure_printer, page_size_of, print_pdf, render_pages

PREVIEW_PAGES = 4  # pages drawn for the live preview (the printed file has them all)
PREVIEW_DPI = 80


class LeafletsScreen(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.pdf: bytes | None = None
        self.images: list[QImage] = []
        self.page_index = 0
        self.last_result: dict | None = None
        self._preview_job = None
        self._preview_again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._make_preview)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(splitter)

        # --- left: what to print ---------------------------------------------------------------
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QWidget()
        left_scroll.setWidget(left)
        col = QVBoxLayout(left)
        col.setContentsMargins(18, 14, 10, 14)
        col.setSpacing(8)
        self.title = QLabel()
        self.title.setProperty("heading", True)
        col.addWidget(self.title)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill_guides)
        col.addWidget(self.search)
        self.guide_list = QListWidget()
        self.guide_list.setMinimumHeight(150)
        self.guide_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.guide_list.setWordWrap(True)
        self.guide_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.guide_list.itemChanged.connect(lambda _: self._changed())
        self.guide_list.itemDoubleClicked.connect(lambda item: self._edit(item.data(Qt.ItemDataRole.UserRole)))
        col.addWidget(self.guide_list, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton()
        self.new_button.clicked.connect(lambda: self._edit(None))
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self._edit_current)
        self.delete_button = QPushButton()
        self.delete_button.clicked.connect(self._delete_current)
        self.guide_list.currentItemChanged.connect(lambda *_: self._update_delete())
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        col.addLayout(row)

        self.box_layout = QGroupBox()
        form = QFormLayout(self.box_layout)
        self.layout_label = QLabel()
        self.layout_combo = QComboBox()
        for key in LAYOUTS:
            self.layout_combo.addItem(key, key)
        self.layout_combo.currentIndexChanged.connect(lambda _: self._changed())
        form.addRow(self.layout_label, self.layout_combo)
        self.two_up = QCheckBox()
        self.two_up.toggled.connect(lambda _: self._changed())
        form.addRow(self.two_up)
        self.copies_label = QLabel()
        self.copies = QSpinBox()
        self.copies.setRange(1, 500)
        self.copies.valueChanged.connect(lambda _: self._changed())
        form.addRow(self.copies_label, self.copies)
        col.addWidget(self.box_layout)

        self.box_people = QGroupBox()
        self.box_people.setCheckable(True)
        self.box_people.setChecked(False)
        self.box_people.toggled.connect(self._people_toggled)
        pform = QFormLayout(self.box_people)
        self.village_label = QLabel()
        self.village_combo = QComboBox()
        self.village_combo.currentIndexChanged.connect(lambda _: self._changed())
        pform.addRow(self.village_label, self.village_combo)
        self.needs_label = QLabel()
        self.needs_combo = QComboBox()
        self.needs_combo.currentIndexChanged.connect(lambda _: self._changed())
        pform.addRow(self.needs_label, self.needs_combo)
        self.people_count = QLabel()
        self.people_count.setWordWrap(True)
        self.people_count.setProperty("hint", True)
        pform.addRow(self.people_count)
        self.chosen_row = QHBoxLayout()
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        self.chosen_clear = QPushButton()
        self.chosen_clear.clicked.connect(lambda: self.set_households([]))
        self.chosen_row.addWidget(self.chosen_label, 1)
        self.chosen_row.addWidget(self.chosen_clear)
        pform.addRow(self.chosen_row)
        self.household_ids: list[str] = []
        col.addWidget(self.box_people)

        actions = QHBoxLayout()
        self.print_button = QPushButton()
        self.print_button.setProperty("primary", True)
        self.print_button.setProperty("big", True)
        self.print_button.clicked.connect(self.print_leaflets)
        self.save_button = QPushButton()
        self.save_button.setProperty("big", True)
        self.save_button.clicked.connect(self.save_pdf)
        actions.addWidget(self.print_button, 1)
        actions.addWidget(self.save_button, 1)
        col.addLayout(actions)
        self.status = QLabel()
        self.status.setWordWrap(True)
        col.addWidget(self.status)
        splitter.addWidget(left_scroll)

        # --- right: the preview -------------------------------------------------------------------
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(10, 14, 18, 14)
        nav = QHBoxLayout()
        self.preview_title = QLabel()
        self.preview_title.setProperty("heading", True)
        nav.addWidget(self.preview_title)
        nav.addStretch(1)
        self.prev_button = QPushButton("◀")
        self.prev_button.clicked.connect(lambda: self._show_page(self.page_index - 1))
        self.page_label = QLabel()
        self.next_button = QPushButton("▶")
        self.next_button.clicked.connect(lambda: self._show_page(self.page_index + 1))
        for w in (self.prev_button, self.page_label, self.next_button):
            nav.addWidget(w)
        rcol.addLayout(nav)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(320, 320)
        self.preview.setStyleSheet("background: #d9dde3; border-radius: 4px;")
        rcol.addWidget(self.preview, 1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setProperty("hint", True)
        rcol.addWidget(self.notes)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 700])

        for combo in (self.layout_combo, self.village_combo, self.needs_combo):
            # long labels (English, long service names) must not widen the panel past the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self._guides: list[dict] = []
        self._fill_villages()
        self.retranslate()
        self._load_guides(select=["vneid-level2"])

    # --- texts --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(tr("leaflets.ui.title"))
        self.search.setPlaceholderText(tr("leaflets.ui.search"))
        self.new_button.setText(tr("leaflets.ui.new_guide"))
        self.edit_button.setText(tr("leaflets.ui.edit_guide"))
        self.edit_button.setToolTip(tr("leaflets.ui.edit_guide.help"))
        self.delete_button.setText(tr("leaflets.ui.delete_guide"))
        self.delete_button.setToolTip(tr("leaflets.ui.delete_guide.help"))
        self.box_layout.setTitle(tr("leaflets.ui.layout_box"))
        self.layout_label.setText(tr("leaflets.ui.layout"))
        for i, key in enumerate(LAYOUTS):
            self.layout_combo.setItemText(i, tr(f"leaflet.layout.{key}"))
        self.two_up.setText(tr("leaflets.ui.two_up"))
        self.copies_label.setText(tr("leaflets.ui.copies"))
        self.box_people.setTitle(tr("leaflets.ui.people_box"))
        self.box_people.setToolTip(tr("leaflets.ui.people_box.help"))
        self.village_label.setText(tr("leaflets.ui.village"))
        self.needs_label.setText(tr("leaflets.ui.needs"))
        self.village_combo.setItemText(0, tr("leaflets.ui.all_villages"))
        self.needs_combo.clear()
        self.needs_combo.blockSignals(True)
        self.needs_combo.addItem(tr("leaflets.ui.needs_any"), "")
        for code in SERVICES:
            self.needs_combo.addItem(tr("leaflets.ui.needs_service", service=service_label(code)), code)
        index = self.needs_combo.findData("vneid_level2")
        self.needs_combo.setCurrentIndex(max(index, 0))
        self.needs_combo.blockSignals(False)
        self.print_button.setText(tr("leaflets.ui.print"))
        self.save_button.setText(tr("leaflets.ui.save_pdf"))
        self.preview_title.setText(tr("leaflets.ui.preview"))
        self.prev_button.setToolTip(tr("leaflets.ui.prev_page"))
        self.next_button.setToolTip(tr("leaflets.ui.next_page"))
        if self._guides:
            self._fill_guides()
        self._update_chosen()
        self._update_page_label()
        self._changed()

    def help_text(self) -> str:
        return tr("leaflets.ui.help")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- the guide list -----------------------------------------------------------------------
    def _load_guides(self, select: list[str] | None = None) -> None:
        checked = set(select or []) | set(self.selected_guides())
        self._guides = guide_library.shipped() + guide_library.own(self.ctx.reader())
        self._checked = checked
        self._fill_guides()
        self._changed()

    def _fill_guides(self) -> None:
        lang = language()
        self._checked = set(self.selected_guides()) | getattr(self, "_checked", set())
        visible = {g["slug"] for g in guide_library.search(self._guides, self.search.text(), lang=lang)}
        self.guide_list.blockSignals(True)
        self.guide_list.clear()
        for g in self._guides:
            item = QListWidgetItem(f"{g[lang]['title']}\n{g['slug']} · {tr('leaflet.source.' + g['source'])}")
            item.setData(Qt.ItemDataRole.UserRole, g["slug"])
            item.setToolTip(f"{g[lang]['purpose']}\n{g['link']}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if g["slug"] in self._checked else Qt.CheckState.Unchecked)
            self.guide_list.addItem(item)
            item.setHidden(g["slug"] not in visible)
        self.guide_list.blockSignals(False)
        self._scroll_to_checked()
        self._update_delete()

    def _scroll_to_checked(self) -> None:
        for i in range(self.guide_list.count()):
            item = self.guide_list.item(i)
            if item.checkState() == Qt.CheckState.Checked and not item.isHidden():
                self.guide_list.scrollToItem(item)
                break

    def selected_guides(self) -> list[str]:
        out = []
        for i in range(self.guide_list.count()):
            item = self.guide_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_guides(self, slugs: list[str]) -> None:
        """Check exactly these guides (tests, and ``receive``)."""
        self._checked = set(slugs)
        for i in range(self.guide_list.count()):
            item = self.guide_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in self._checked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._scroll_to_checked()
        self._changed()

    def receive(self, payload) -> None:
        """``{"guides": [slug…]}`` and/or ``{"households": [id…]}`` (e.g. from the households list)."""
        if isinstance(payload, dict) and payload.get("guides"):
            self.set_guides(list(payload["guides"]))
        if isinstance(payload, dict) and payload.get("households"):
            self.set_households(list(payload["households"]))

    def set_households(self, ids: list[str]) -> None:
        """Personalised handouts for exactly these households (instead of a village's)."""
        self.household_ids = list(dict.fromkeys(ids))
        self._update_chosen()
        if self.household_ids:
            self.box_people.setChecked(True)
        self._changed()

    def _update_chosen(self) -> None:
        chosen = bool(self.household_ids)
        self.chosen_label.setVisible(chosen)
        self.chosen_clear.setVisible(chosen)
        self.chosen_label.setText(tr("leaflets.ui.chosen", count=len(self.household_ids)))
        self.chosen_clear.setText(tr("leaflets.ui.chosen_clear"))
        on = self.box_people.isChecked()
        for w in (self.village_combo, self.needs_combo, self.village_label, self.needs_label):
            w.setEnabled(on and not chosen)

    def _fill_villages(self) -> None:
        current = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(tr("leaflets.ui.all_villages"), "")
        rows = self.ctx.reader().execute("SELECT name FROM villages WHERE deleted = 0").fetchall()
        from teamdesk.fold import natural_key

        names = sorted((r[0] for r in rows), key=natural_key)
        for name in names:
            self.village_combo.addItem(name, name)
        index = self.village_combo.findData(current)
        self.village_combo.setCurrentIndex(max(index, 0))
        self.village_combo.blockSignals(False)

    def refresh(self, changes) -> None:
        tables = {t for t, ids in getattr(changes, "rows", {}).items() if ids}
        if not tables or "guides" in tables:
            self._load_guides()
        if not tables or tables & {"villages", "households", "help_events"}:
            self._fill_villages()
            self._changed()

    def shown(self) -> None:
        self._fill_villages()

    # --- what to make -------------------------------------------------------------------------
    def request(self) -> dict:
        """The leaflet asked for on screen, as ``make_leaflets`` keyword arguments."""
        layout = self.layout_combo.currentData()
        personal = self.box_people.isChecked()
        req = {
            "guides": self.selected_guides(),
            "layout": "handout-a5" if personal else layout,
            "copies": 1 if personal else self.copies.value(),
            "two_up": self.two_up.isChecked() and (personal or layout == "handout-a5"),
        }
        if personal and self.household_ids:
            req["households"] = list(self.household_ids)
        elif personal:
            req["village"] = self.village_combo.currentData() or None
            req["needs"] = self.needs_combo.currentData() or None
        return req

    def _people_toggled(self, on: bool) -> None:
        if on:  # a personalised handout is an A5 page: show that in the layout box too
            self.layout_combo.blockSignals(True)
            self.layout_combo.setCurrentIndex(self.layout_combo.findData("handout-a5"))
            self.layout_combo.blockSignals(False)
        self._update_chosen()
        self._changed()

    def _changed(self) -> None:
        personal = self.box_people.isChecked()
        layout = self.layout_combo.currentData()
        self.layout_combo.setEnabled(not personal)
        self.copies.setEnabled(not personal)
        self.two_up.setEnabled(personal or layout == "handout-a5")
        has = bool(self.selected_guides())
        self.print_button.setEnabled(has)
        self.save_button.setEnabled(has)
        self._timer.start()

    def _make_preview(self) -> None:
        if self._preview_job is not None and not self._preview_job.done:
            self._preview_again = True
            return
        req = self.request()
        if not req["guides"]:
            self.pdf, self.images = None, []
            self._show_page(0)
            self.notes.setText(tr("leaflets.ui.pick_a_guide"))
            return
        personal = "village" in req or "households" in req

        def work(desk):
            result = make_leaflets(desk, out=None, max_pages=PREVIEW_PAGES, **req)
            counts = (result["households"], len(result["skipped"])) if personal else None
            return result, render_pages(result["pdf"], dpi=PREVIEW_DPI), counts

        self._preview_job = self.ctx.runner.query(work, self._preview_ready, on_error=self._preview_failed)

    def _after_preview(self) -> None:
        if self._preview_again:
            self._preview_again = False
            self._timer.start()

    def _preview_ready(self, answer) -> None:
        result, images, counts = answer
        self.last_result = result
        self.pdf = result["pdf"]
        self.images = images
        self._show_page(min(self.page_index, max(0, len(images) - 1)))
        notes = list(result["notes"])
        if result["pages_planned"] > len(images):
            notes.insert(0, tr("leaflets.ui.preview_first", shown=len(images), total=result["pages_planned"]))
        else:
            notes.insert(0, tr("leaflets.ui.pages", total=result["pages_planned"]))
        self.notes.setText("\n".join(notes))
        if counts is not None:
            self.people_count.setText(tr("leaflets.ui.people_count", count=counts[0], skipped=counts[1]))
        self.status.setText("")
        self._after_preview()

    def _preview_failed(self, exc) -> None:
        from teamdesk.ui.runner import error_text

        self.pdf, self.images, self.last_result = None, [], None
        self._show_page(0)
        self.notes.setText(error_text(exc))
        if self.box_people.isChecked():
            self.people_count.setText(error_text(exc))
        self._after_preview()

    def _show_page(self, index: int) -> None:
        if not self.images:
            self.page_index = 0
            self.preview.setPixmap(QPixmap())
            self._update_page_label()
            return
        self.page_index = max(0, min(index, len(self.images) - 1))
        self._scale_preview()
        self._update_page_label()

    def _scale_preview(self) -> None:
        if not self.images:
            return
        pix = QPixmap.fromImage(self.images[self.page_index])
        area = self.preview.size()
        self.preview.setPixmap(pix.scaled(area.width() - 16, area.height() - 16, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        self._scale_preview()

    def _update_page_label(self) -> None:
        total = len(self.images)
        self.page_label.setText(tr("leaflets.ui.page_of", page=self.page_index + 1 if total else 0, total=total))
        self.prev_button.setEnabled(self.page_index > 0)
        self.next_button.setEnabled(self.page_index + 1 < total)

    # --- printing and saving ------------------------------------------------------------------
    @classmethod
    def ask_save_path(cls, parent: QWidget, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, tr("leaflets.ui.save_pdf"), suggested, "PDF (*.pdf)")
        if path and not path.lower().endswith(".pdf"):
            path += ".pdf"
        return path or None

    @classmethod
    def ask_printer(cls, parent: QWidget, page_size: tuple[float, float]):
        """The system print dialog; returns a configured QPrinter, or None when cancelled."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(printer, page_size)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(tr("leaflets.ui.print"))
        return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None

    def _suggested_name(self) -> str:
        req = self.request()
        stem = "-".join(req["guides"][:2]) + f"-{req['layout']}"
        folder = Path(self.ctx.setting("leaflet_folder") or Path.home())
        return str(folder / f"{stem}.pdf")

    def save_pdf(self) -> None:
        path = self.ask_save_path(self, self._suggested_name())
        if not path:
            return
        req = self.request()
        self.status.setText(tr("leaflets.ui.working"))
        self.ctx.runner.op(
            lambda desk, progress, cancelled: make_leaflets(desk, out=path, progress=progress, cancelled=cancelled, **req),
            label_key="leaflets.ui.making", progress=True, writes=False, on_done=self._saved, on_error=self._failed,
        )

    def _saved(self, result: dict) -> None:
        if result["cancelled"]:
            self.status.setText(tr("leaflets.ui.cancelled"))
            return
        lines = [tr("leaflet.cli.written", file=result["out"], pages=result["pages"], layout=tr(f"leaflet.layout.{result['layout']}"))]
        if result["skipped"]:
            lines.append(tr("leaflets.ui.skipped", count=len(result["skipped"])))
        self.status.setText("\n".join(lines))

    def _failed(self, exc) -> None:
        from teamdesk.ui.runner import error_text

        self.status.setText(error_text(exc))
        self.status.setProperty("error", True)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def print_leaflets(self) -> None:
        req = self.request()
        size = page_size_of(req)
        printer = self.ask_printer(self, size)
        if printer is None:
            return
        self._printer = printer  # kept alive until the job is done
        self.status.setText(tr("leaflets.ui.working"))

        def work(desk, progress, cancelled):
            result = make_leaflets(desk, out=None, cancelled=cancelled,
                                   progress=lambda d, t: progress(d, 2 * t), **req)
            if result["cancelled"]:
                return result
            total = result["pages"]
            result["printed"] = print_pdf(result.pop("pdf"), printer, cancelled=cancelled,
                                          progress=lambda d, t: progress(total + d, 2 * total))
            return result

        self.ctx.runner.op(work, label_key="leaflets.ui.printing", progress=True, writes=False, on_done=self._printed,
                           on_error=self._failed)

    def _printed(self, result: dict) -> None:
        self._printer = None
        if result.get("cancelled"):
            self.status.setText(tr("leaflets.ui.cancelled"))
            return
        self.status.setText(tr("leaflets.ui.printed", pages=result.get("printed", 0)))

    # --- the guide editor and deleting ----------------------------------------------------------
    def _current_guide(self) -> dict | None:
        item = self.guide_list.currentItem()
        slug = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((g for g in self._guides if g["slug"] == slug), None)

    def _update_delete(self) -> None:
        current = self._current_guide()
        self.delete_button.setEnabled(bool(current and current["source"] == "own"))

    @classmethod
    def confirm_delete(cls, parent: QWidget, title: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(parent, tr("leaflets.ui.delete_guide"), tr("leaflets.ui.confirm_delete", title=title))
        return answer == QMessageBox.StandardButton.Yes

    def _delete_current(self) -> None:
        current = self._current_guide()
        if not current or current["source"] != "own":
            return
        if not self.confirm_delete(self, current[language()]["title"]):
            return
        slug = current["slug"]
        self.ctx.runner.op(lambda desk, *_: guide_library.delete(desk, slug), label_key="leaflets.ui.delete_guide")

    def _edit_current(self) -> None:
        item = self.guide_list.currentItem()
        self._edit(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def _edit(self, slug: str | None) -> None:
        from teamdesk.ui.guide_editor import GuideEditor

        body = None
        if slug:
            body = next((g for g in self._guides if g["slug"] == slug), None)
        editor = GuideEditor(self.ctx, body, parent=self)
        editor.saved.connect(lambda g: self._load_guides(select=[g["slug"]]))
        editor.open()
        self._editor = editor
