"""The guide editor: a trainer writes their own guide, or edits a copy of a shipped one, with a
live preview of the real A5 handout.

Saving is one core call (``teamdesk.guides.save``) through the runner; a shipped guide is never
overwritten — the core stores a copy with ``based_on`` and the editor says so.
"""

from __future__ import annotations

import copy
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from teamdesk import guides as guide_library
from teamdesk.help_services import SERVICES, service_label
from teamdesk.i18n import tr
from teamdesk.leaflets.document import make_leaflets
from teamdesk.ui.context import AppContext
from teamdesk.ui.leaflet_pages import render_pages

TEXT_FIELDS = ("title", "purpose", "card_line", "next_step")
LIST_FIELDS = ("steps", "tips", "warnings")


class GuideEditor(QDialog):
    saved = Signal(dict)

    def __init__(self, ctx: AppContext, guide: dict | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.original = copy.deepcopy(guide) if guide else guide_library.blank()
        self.shipped = bool(guide and guide.get("source") == "shipped")
        self._job = None
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self._preview)
        self.resize(1100, 680)

        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        outer.addLayout(left, 3)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setProperty("hint", True)
        left.addWidget(self.notice)
        top = QFormLayout()
        self.slug_label, self.slug = QLabel(), QLineEdit(self.original["slug"])
        self.link_label, self.link = QLabel(), QLineEdit(self.original["link"])
        self.service_label, self.service = QLabel(), QComboBox()
        self.service.addItem("—", "")
        for code in SERVICES:
            self.service.addItem(service_label(code), code)
        self.service.setCurrentIndex(max(0, self.service.findData(self.original.get("service", ""))))
        for label, field in ((self.slug_label, self.slug), (self.link_label, self.link), (self.service_label, self.service)):
            top.addRow(label, field)
        left.addLayout(top)
        self.tabs = QTabWidget()
        self.fields: dict[str, dict[str, QLineEdit | QPlainTextEdit]] = {}
        self.labels: dict[str, dict[str, QLabel]] = {}
        for lang in ("vi", "en"):
            page = QWidget()
            form = QFormLayout(page)
            self.fields[lang], self.labels[lang] = {}, {}
            part = self.original.get(lang) or {}
            for name in ("title", "purpose", "steps", "tips", "warnings", "card_line", "next_step"):
                if name in LIST_FIELDS:
                    widget = QPlainTextEdit("\n".join(part.get(name) or []))
                    widget.setFixedHeight(96 if name == "steps" else 52)
                    widget.textChanged.connect(self._changed)
                else:
                    widget = QLineEdit(part.get(name) or "")
                    widget.textChanged.connect(self._changed)
                label = QLabel()
                form.addRow(label, widget)
                self.fields[lang][name], self.labels[lang][name] = widget, label
            self.tabs.addTab(page, "Tiếng Việt" if lang == "vi" else "English")
        left.addWidget(self.tabs, 1)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setProperty("error", True)
        left.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        left.addWidget(self.buttons)
        for w in (self.slug, self.link):
            w.textChanged.connect(self._changed)
        self.service.currentIndexChanged.connect(self._changed)

        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumWidth(360)
        self.preview.setStyleSheet("background: #d9dde3; border-radius: 4px;")
        outer.addWidget(self.preview, 2)
        self.retranslate()
        self._timer.start()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("leaflets.editor.title"))
        if self.shipped:
            self.notice.setText(tr("leaflets.editor.shipped_notice", slug=self.original["slug"]))
        else:
            self.notice.setText(tr("leaflets.editor.notice"))
        self.slug_label.setText(tr("leaflets.editor.slug"))
        self.slug.setToolTip(tr("leaflets.editor.slug.help"))
        self.link_label.setText(tr("leaflets.editor.link"))
        self.link.setToolTip(tr("leaflets.editor.link.help"))
        self.service_label.setText(tr("leaflets.editor.service"))
        for lang in ("vi", "en"):
            for name, label in self.labels[lang].items():
                label.setText(tr("leaflets.editor.title_field" if name == "title" else f"leaflets.editor.{name}"))
                if name in LIST_FIELDS:
                    self.fields[lang][name].setToolTip(tr("leaflets.editor.one_per_line"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("leaflets.editor.save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("ui.cancel"))

    def body(self) -> dict:
        """The guide as typed (not yet checked)."""
        out = {
            "format": 1,
            "slug": self.slug.text().strip(),
            "link": self.link.text().strip(),
            "service": self.service.currentData() or "",
            "checked": date.today().isoformat(),
            "sources": [s for s in self.original.get("sources", []) if s.startswith("https://")] or None,
        }
        if self.original.get("link_setting"):
            out["link_setting"] = self.original["link_setting"]
        for lang in ("vi", "en"):
            part = {}
            for name, widget in self.fields[lang].items():
                if name in LIST_FIELDS:
                    part[name] = [ln.strip() for ln in widget.toPlainText().splitlines() if ln.strip()]
                else:
                    part[name] = widget.text().strip()
            out[lang] = part
        if not out["sources"]:
            out.pop("sources")
        return out

    def _changed(self) -> None:
        self._timer.start()

    def _preview(self) -> None:
        if self._job is not None and not self._job.done:
            self._again = True
            return
        body = self.body()
        try:
            checked = guide_library.check(body, origin=body["slug"] or "?")
        except Exception as exc:  # noqa: BLE001 — shown to the trainer as they type
            self._show_error(exc)
            return
        self.error.setText("")

        def work(desk):
            result = make_leaflets(desk, guides=[checked], layout="handout-a5", out=None)
            return render_pages(result["pdf"], dpi=80)

        self._job = self.ctx.runner.query(work, self._preview_ready, on_error=self._preview_failed)

    def _show_error(self, exc) -> None:
        from teamdesk.ui.runner import error_text

        self.error.setText(error_text(exc))

    def _preview_ready(self, images) -> None:
        self.images = images
        if images:
            pix = QPixmap.fromImage(images[0])
            self.preview.setPixmap(pix.scaled(self.preview.width() - 12, self.preview.height() - 12,
                                              Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self._again_if_needed()

    def _preview_failed(self, exc) -> None:
        self._show_error(exc)
        self._again_if_needed()

    def _again_if_needed(self) -> None:
        if self._again:
            self._again = False
            self._timer.start()

    def save(self) -> None:
        body = self.body()
        try:
            guide_library.check(body, origin=body["slug"] or "?")
        except Exception as exc:  # noqa: BLE001
            self._show_error(exc)
            return
        self.buttons.setEnabled(False)
        own_id = self.original.get("id") if self.original.get("source") == "own" else None
        is_new = self.original.get("source") not in ("own", "shipped")
        self.ctx.runner.op(lambda desk, *_: guide_library.save(desk, body, row_id=own_id, new=is_new),
                           label_key="leaflets.editor.save",
                           on_done=self._saved, on_error=self._save_failed)

    def _saved(self, stored: dict) -> None:
        self.buttons.setEnabled(True)
        self.stored = stored
        self.saved.emit(stored)
        self.accept()

    def _save_failed(self, exc) -> None:
        self.buttons.setEnabled(True)
        self._show_error(exc)
