"""Sending the commune's figures to the province: the outbox, the hub's reachability, "Gửi ngay".

Network work never runs on the database worker (``ctx.runner``): ``AutoUploader`` runs
``teamdesk.sync.upload.probe`` / ``push`` on a thread of its own, and ``push`` opens its own
connection. The runner only reads the outbox for the table. ``AutoUploader`` probes the hub every
minute and pushes by itself when it answers, so a coordinator's office that was offline for days
catches up without anyone clicking; ``start_auto_upload(ctx)`` starts it with the app (the shell
calls it for coordinators), and the screen shares the same instance.
"""

from __future__ import annotations

import threading
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teamdesk.errors import TeamDeskError
from teamdesk.i18n import language, number, tr

URL_SETTING = "hub_url"
AUTO_SETTING = "hub_auto_push"
PROBE_INTERVAL_MS = 60_000
SHOWN_BUNDLES = 200  # the newest bundles listed (the counts above the table cover them all)
PACK_INTERVAL_S = 15 * 60  # automatic pushes pack new changes at most this often (one bundle, not hundreds a day)


class AutoUploader(QObject):
    """Probe the hub now and then; push the outbox when it answers. One network job at a time.

    Signals carry plain dicts and arrive on the GUI thread: ``reachability(bool)``,
    ``progress(done, total)``, ``finished(result dict)``, ``failed(TeamDeskError|Exception)``.
    """

    reachability = Signal(object)
    progress = Signal(int, int)
    started = Signal()
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, ctx, *, interval_ms: int = PROBE_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent or ctx)
        self.ctx = ctx
        self.home = ctx.home
        self.busy = False
        self.reachable: bool | None = None
        self.last_result: dict | None = None
        self.last_error: BaseException | None = None
        self.blocked = False  # the hub's key changed: no automatic push until the user decides
        self._cancel = threading.Event()
        self._last_pack = float("-inf")
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.finished.connect(self._done)
        self.failed.connect(self._failed)
        self.reachability.connect(self._set_reachable)

    def start(self) -> "AutoUploader":
        self.timer.start()
        QTimer.singleShot(0, self.tick)
        return self

    def stop(self) -> None:
        self.timer.stop()
        self._cancel.set()

    def url(self) -> str:
        url = self.ctx.setting(URL_SETTING) or ""
        if not url:
            row = self.ctx.reader().execute("SELECT url FROM hub_pins WHERE slot = 'province'").fetchone()
            url = (row[0] if row else "") or ""
        return url

    def auto_enabled(self) -> bool:
        return self.ctx.setting(AUTO_SETTING, "1") == "1"

    def tick(self) -> None:
        """The timer: probe, and push when the hub answers (unless switched off or blocked)."""
        if self.busy:
            return
        url = self.url()
        if not url:
            self._set_reachable(None)
            return
        self._run(url, push=self.auto_enabled() and not self.blocked, probe_only_first=True)

    def push_now(self, url: str | None = None) -> bool:
        """"Gửi ngay": push at once (whatever the automatic setting). False when already busy."""
        if self.busy:
            return False
        self.blocked = False
        self._run(url or self.url(), push=True, probe_only_first=False, explicit_url=bool(url))
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def _run(self, url: str, *, push: bool, probe_only_first: bool, explicit_url: bool = False) -> None:
        import time

        self.busy = True
        self._cancel = threading.Event()
        cancel = self._cancel
        home = self.home
        now = time.monotonic()
        pack = not probe_only_first or now - self._last_pack >= PACK_INTERVAL_S  # "Gửi ngay" always packs
        self.started.emit()

        def work() -> None:
            from teamdesk.sync import upload

            try:
                if probe_only_first:
                    ok = upload.probe(url)
                    self.reachability.emit(ok)
                    if not ok or not push:
                        self.finished.emit({"reachable": ok, "probe_only": True})
                        return
                if pack:
                    self._last_pack = now
                result = upload.push(
                    home, hub_url=url if explicit_url else None, prepare=pack, cancelled=cancel.is_set,
                    progress=lambda done, total: self.progress.emit(done, total),
                )
                self.reachability.emit(result["reachable"])
                self.finished.emit(result)
            except BaseException as exc:  # noqa: BLE001 — every error reaches the GUI thread
                if isinstance(exc, upload.HubKeyChanged):
                    self.reachability.emit(True)  # it answered — with the wrong key
                self.failed.emit(exc)

        threading.Thread(target=work, name="teamdesk-upload", daemon=True).start()

    def _set_reachable(self, ok) -> None:
        self.reachable = ok

    def _done(self, result: dict) -> None:
        self.busy = False
        if not result.get("probe_only"):
            self.last_result = result
            self.last_error = None

    def _failed(self, exc: BaseException) -> None:
        from teamdesk.sync.upload import HubKeyChanged

        self.busy = False
        self.last_error = exc
        if isinstance(exc, HubKeyChanged):
            self.blocked = True


def start_auto_upload(ctx, *, interval_ms: int = PROBE_INTERVAL_MS) -> AutoUploader | None:
    """The background uploader of a coordinator's app (None for other roles). Idempotent."""
    if ctx.role != "coordinator":
        return None
    existing = getattr(ctx, "auto_upload", None)
    if existing is None:
        existing = AutoUploader(ctx, interval_ms=interval_ms).start()
        ctx.auto_upload = existing
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(existing.stop)
    return existing


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        from teamdesk.dates import LOCAL

        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(LOCAL)
    except ValueError:
        return iso
    return moment.strftime("%d/%m/%Y %H:%M")


def _size(n: int) -> str:
    text = f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"
    return text.replace(".", ",") if language() == "vi" else text


class UploadScreen(QWidget):
    """The outbox per bundle ("đang chờ / đang gửi / tỉnh đã nhận"), the hub's state, "Gửi ngay"."""

    loaded = Signal(object)  # the outbox view model, once drawn (tests wait on it)
    COLUMNS = ("bundle", "created", "records", "size", "state", "attempts", "note")

    def __init__(self, ctx, parent: QWidget | None = None, *, uploader: AutoUploader | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model: dict | None = None
        self._message_fn = None  # how to say the current message again (after a language switch)
        self._warning_fn = None
        self.uploader = uploader or start_auto_upload(ctx) or AutoUploader(ctx)

        self.title = QLabel()
        self.title.setProperty("heading", True)
        self.intro = QLabel()
        self.intro.setProperty("hint", True)
        self.intro.setWordWrap(True)

        self.url_label = QLabel()
        self.url = QLineEdit()
        self.url.setMinimumWidth(360)
        self.url.editingFinished.connect(self._save_url)
        self.light = QLabel()
        self.light.setObjectName("hubLight")
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.check_now)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_label)
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.check_button)
        url_row.addWidget(self.light)

        self.pin_label = QLabel()
        self.pin_label.setProperty("hint", True)
        self.warning = QLabel()
        self.warning.setProperty("error", True)
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.trust_button = QPushButton()
        self.trust_button.clicked.connect(self._trust_new_key)
        self.trust_button.hide()

        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.send_button = QPushButton()
        self.send_button.setProperty("primary", True)
        self.send_button.setProperty("big", True)
        self.send_button.clicked.connect(self.send_now)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.uploader.cancel)
        self.cancel_button.hide()
        self.auto = QCheckBox()
        self.auto.toggled.connect(self._auto_toggled)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.send_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.bar)
        actions.addSpacing(16)
        actions.addWidget(self.auto)
        actions.addStretch(1)

        self.message = QLabel()
        self.message.setWordWrap(True)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(url_row)
        layout.addWidget(self.pin_label)
        layout.addWidget(self.warning)
        layout.addWidget(self.trust_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(line)
        layout.addWidget(self.counts)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self.uploader.started.connect(self._busy)
        self.uploader.progress.connect(self._progress)
        self.uploader.reachability.connect(self._show_reachable)
        self.uploader.finished.connect(self._finished)
        self.uploader.failed.connect(self._failed)
        self.retranslate()
        self.url.setText(self.uploader.url())
        self.auto.blockSignals(True)
        self.auto.setChecked(self.uploader.auto_enabled())
        self.auto.blockSignals(False)
        self._show_reachable(self.uploader.reachable)
        if self.uploader.busy:
            self._busy()
        self.reload()

    # --- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(tr("upload.title"))
        self.intro.setText(tr("upload.intro"))
        self.url_label.setText(tr("upload.hub_address"))
        self.url.setPlaceholderText("https://tdsodtt.example.gov.vn")
        self.check_button.setText(tr("upload.check"))
        self.send_button.setText(tr("upload.send_now"))
        self.send_button.setToolTip(tr("upload.send_now.help"))
        self.cancel_button.setText(tr("ui.cancel"))
        self.auto.setText(tr("upload.auto"))
        self.auto.setToolTip(tr("upload.auto.help"))
        self.trust_button.setText(tr("upload.trust_new_key"))
        self.table.setHorizontalHeaderLabels([tr(f"upload.col.{c}") for c in self.COLUMNS])
        self._show_reachable(self.uploader.reachable)
        if self._message_fn is not None:
            self.message.setText(self._message_fn())
        if self._warning_fn is not None:
            self.warning.setText(self._warning_fn())
        if self.model is not None:
            self._draw(self.model)

    def _say(self, text_fn) -> None:
        """Show a message, remembering how to say it again after a language switch."""
        self._message_fn = text_fn
        self.message.setText(text_fn() if text_fn else "")

    def help_text(self) -> str:
        return tr("upload.help")

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        def read(desk):
            from teamdesk.sync import outbox, upload

            return {"entries": outbox.entries(desk, latest=SHOWN_BUNDLES), "status": outbox.status(desk), "pin": upload.pinned(desk)}

        self.ctx.runner.query(read, self._draw)

    def refresh(self, changes) -> None:
        """New helps mean new rows to send. Counting them reads every table (0.15 s at 20,000
        households) on the database worker, so only while the screen is in sight."""
        if self.isVisible():
            self.reload()  # hidden: ``shown()`` reloads when it comes back

    def shown(self) -> None:
        self.reload()

    def _draw(self, model: dict) -> None:
        self.model = model
        status = model["status"]
        self.counts.setText(tr("upload.counts", pending=number(status["pending"]), acknowledged=number(status["acknowledged"]), rows=number(status["unsent_rows"])))
        if not model["entries"] and not self.uploader.busy and self._message_fn is None:
            self._say(lambda: tr("upload.empty"))
        pin = model["pin"]
        if pin:
            from teamdesk.sync.upload import fingerprint

            self.pin_label.setText(tr("upload.pinned", name=pin["name"] or pin["device_id"], day=_when(pin["pinned_at"]), fingerprint=fingerprint(pin["signing_key"])))
        else:
            self.pin_label.setText(tr("upload.not_pinned"))
        entries = list(reversed(model["entries"]))  # newest first
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            note = e["last_error"] or ""
            if e["state"] == "acknowledged":
                note = tr("upload.note_received", day=_when(e["acknowledged_at"]))
            elif note:
                note = tr("upload.note_error", error=_error_words(note))
            cells = (e["bundle_id"][-8:], _when(e["created_at"]), number(e["records"]),
                     _size(e["bytes"]), tr(f"upload.state.{e['state']}"), str(e["attempts"]), note)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 4 and e["state"] == "acknowledged":
                    item.setForeground(Qt.GlobalColor.darkGreen)
                self.table.setItem(r, c, item)
        self.loaded.emit(model)

    # --- actions ------------------------------------------------------------------------------
    def _typed_url(self) -> str:
        return self.url.text().strip()

    def _save_url(self) -> None:
        url = self._typed_url()
        if url and url != (self.ctx.setting(URL_SETTING) or "") and url.startswith(("http://", "https://")):
            self.ctx.set_setting(URL_SETTING, url)

    def send_now(self) -> None:
        url = self._typed_url()
        if url and not url.startswith(("http://", "https://")):
            self._say(lambda: tr("error.hub_bad_url", url=url))
            return
        if not url and not self.uploader.url():
            self._say(lambda: tr("error.hub_no_url"))
            return
        self.uploader.push_now(url or None)

    def check_now(self) -> None:
        self._save_url()
        if not self.uploader.busy and (self._typed_url() or self.uploader.url()):
            url = self._typed_url() or self.uploader.url()
            self.uploader._run(url, push=False, probe_only_first=True)

    def _auto_toggled(self, on: bool) -> None:
        self.ctx.set_setting(AUTO_SETTING, "1" if on else "0")

    def _trust_new_key(self) -> None:
        from teamdesk.sync.upload import forget_pin

        def done(_):
            self.uploader.blocked = False
            self._warning_fn = None
            self.warning.hide()
            self.trust_button.hide()
            self.reload()

        self.ctx.runner.op(lambda desk, *_: forget_pin(desk), label_key="upload.trust_new_key", on_done=done)

    # --- the uploader's news ------------------------------------------------------------------
    def _busy(self) -> None:
        self.send_button.setEnabled(False)
        self.cancel_button.show()
        self.bar.setRange(0, 0)
        self.bar.show()
        self._say(lambda: tr("upload.working"))

    def _idle(self) -> None:
        self.send_button.setEnabled(True)
        self.cancel_button.hide()
        self.bar.hide()

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.reload()  # show the bundle turning "đang gửi" / "tỉnh đã nhận" as it goes

    def _show_reachable(self, ok) -> None:
        key = {True: "upload.reachable", False: "upload.unreachable"}.get(ok, "upload.unknown")
        colour = {True: "#1a7f37", False: "#b35900"}.get(ok, "#4a5560")
        self.light.setText(f"<span style='color:{colour}'>●</span> {tr(key)}")

    def _finished(self, result: dict) -> None:
        self._idle()
        if result.get("probe_only"):
            self._say(lambda: "" if result["reachable"] else tr("upload.waiting_for_network"))
        elif not result["reachable"]:
            self._say(lambda: tr("hub.cli.push_unreachable", hub=result["hub"], pending=result["pending"]))
        else:

            def text() -> str:
                said = tr("hub.cli.push_done", **result)
                if result.get("error"):
                    said += "\n" + tr("hub.cli.push_error", message=tr(result["error_key"], **result["error_params"]))
                return said

            self._say(text)
            self._warning_fn = None
            self.warning.hide()
            self.trust_button.hide()
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        from teamdesk.sync.upload import HubKeyChanged

        self._idle()
        def text() -> str:
            return exc.message() if isinstance(exc, TeamDeskError) else tr("ui.error_unexpected", detail=f"{type(exc).__name__}: {exc}")

        if isinstance(exc, HubKeyChanged):
            self._warning_fn = text
            self.warning.setText(text())
            self.warning.show()
            self.trust_button.show()
            self._say(None)
        else:
            self._say(text)
        self.reload()


def _error_words(key: str) -> str:
    """An outbox's last error (a message key or a transport name) in words."""
    if key.startswith("error."):
        return tr(key, url="", reason="", attempts="", status="", device="", limit="", ref="")
    return tr("upload.network_error", detail=key)
