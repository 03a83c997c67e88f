"""The main window: a thin shell that holds the screens of ``teamdesk.ui.screens``.

Left: large navigation (icon + label). Right: the screen, built on first show. Top: a banner in
plain words when the laptop's clock cannot be trusted. Bottom: the commune, the volunteer on duty
(``duty_switcher.py``: one click to switch), and short messages (what Ctrl+Z undid). Shortcuts: Ctrl+1..9 screens, Ctrl+F search, Ctrl+Z undo the last
action (through the runner; a text box with its own typing to undo keeps Ctrl+Z for itself),
F1 help for the focused control. Screens never call each other: they listen to
``runner.changed`` and ``ctx.navigate``.
"""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QFontMetrics, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from teamdesk import dates
from teamdesk.changes import Changes
from teamdesk.i18n import tr
from teamdesk.paths import resource
from teamdesk.ui import screens as registry
from teamdesk.ui.context import AppContext

KEY_ROLE = Qt.ItemDataRole.UserRole


def _short(path: str) -> str:
    """A backup's name and its folder's, for the status bar (the whole path is in Settings)."""
    from pathlib import Path

    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def _error_text(exc: BaseException) -> str:
    from teamdesk.ui.runner import error_text

    return error_text(exc)


def icon(name: str) -> QIcon:
    """A navigation icon from ``resources/icons/<name>.svg``, drawn white when selected."""
    path = resource("icons", f"{name}.svg")
    if not name or not path.exists():
        return QIcon()
    drawn = QIcon(str(path))
    both = QIcon()
    for size in (24, 32, 48):
        normal = drawn.pixmap(size, size)
        white = QPixmap(normal.size())
        white.setDevicePixelRatio(normal.devicePixelRatio())
        white.fill(Qt.GlobalColor.transparent)
        painter = QPainter(white)
        painter.drawPixmap(0, 0, normal)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(white.rect(), QColor("white"))
        painter.end()
        both.addPixmap(normal, QIcon.Mode.Normal)
        both.addPixmap(white, QIcon.Mode.Selected)
    return both


class _UndoKeyFilter(QObject):
    """Let Ctrl+Z reach the app's undo when the focused text box has nothing of its own to undo."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.ShortcutOverride and event.matches(QKeySequence.StandardKey.Undo):
            if isinstance(obj, QLineEdit) and not obj.isUndoAvailable():
                return True  # swallowed unaccepted: the shortcut fires
            if isinstance(obj, (QTextEdit, QPlainTextEdit)) and not obj.document().isUndoAvailable():
                return True
        return False


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, screens: list[registry.ScreenEntry] | None = None, initial: str | None = None):
        super().__init__()
        self.ctx = ctx
        ctx.window = self
        ctx.runner.window = self
        self.entries = registry.available(ctx.role, screens)
        self.built: dict[str, QWidget] = {}
        self._shut = False
        self.restart_wanted = False  # run_app builds a fresh window (e.g. after a restore)
        self._health: dict | None = None  # the clock's, as last told by the worker
        self.services: list = []  # background helpers started with the app (registry.SERVICES)
        self.resize(1366, 768)
        self.setMinimumSize(1000, 640)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = QLabel()
        self.banner.setObjectName("clockBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(26, 26))
        self.nav.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for e in self.entries:
            item = QListWidgetItem(icon(e.icon), "")
            item.setData(KEY_ROLE, e.key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._on_nav)
        row.addWidget(self.nav)
        self.stack = QStackedWidget()
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

        self.commune_label = QLabel()
        from teamdesk.ui.duty_switcher import DutySwitcher

        self.duty = DutySwitcher(ctx)
        self.duty.said.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.duty_label, self.duty_combo = self.duty.label, self.duty.combo
        self.statusBar().addPermanentWidget(self.commune_label)
        self.statusBar().addPermanentWidget(self.duty)

        from teamdesk.ui.daily_backup import DailyBackup

        self.daily_backup = DailyBackup(ctx, self)
        self.daily_backup.finished.connect(self._daily_backup_done)
        self._build_menus()
        self._undo_filter = _UndoKeyFilter(self)
        QApplication.instance().installEventFilter(self._undo_filter)

        ctx.runner.changed.connect(self._on_changed)
        ctx.runner.opened.connect(self._on_opened)
        ctx.language_changed.connect(lambda _: (self.statusBar().clearMessage(), self.retranslate()))
        ctx.large_text_changed.connect(lambda _: self._fit_nav())
        ctx.navigate_requested.connect(self.show_screen)
        self.retranslate()
        if ctx.runner.is_open:
            self._check_clock()
        if self.entries:
            keys = [e.key for e in self.entries]
            self.nav.setCurrentRow(keys.index(initial) if initial in keys else 0)

    # --- menus and shortcuts ---------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.act_backup = QAction(self, triggered=self.backup_now)
        self.act_quit = QAction(self, triggered=self.close)
        self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.menu_file.addActions([self.act_backup, self.act_quit])

        self.menu_edit = bar.addMenu("")
        self.act_undo = QAction(self, triggered=self.undo)
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_find = QAction(self, triggered=self.focus_search)
        self.act_find.setShortcut(QKeySequence.StandardKey.Find)
        self.menu_edit.addActions([self.act_undo, self.act_find])

        self.menu_go = bar.addMenu("")
        self.go_actions: list[QAction] = []
        for i, e in enumerate(self.entries[:9]):
            act = QAction(self, triggered=lambda _=False, k=e.key: self.show_screen(k))
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            self.go_actions.append(act)
        self.menu_go.addActions(self.go_actions)

        self.menu_view = bar.addMenu("")
        self.act_large = QAction(self, checkable=True)
        self.act_large.setChecked(self.ctx.large_text)
        self.act_large.toggled.connect(self.ctx.set_large_text)
        self.ctx.large_text_changed.connect(lambda on: self._sync_check(self.act_large, on))
        self.menu_view.addAction(self.act_large)
        self.menu_lang = self.menu_view.addMenu("")
        group = QActionGroup(self)
        self.lang_actions: dict[str, QAction] = {}
        for lang in ("vi", "en"):
            act = QAction(self, checkable=True, triggered=lambda _=False, l=lang: self.ctx.set_language(l))
            group.addAction(act)
            self.menu_lang.addAction(act)
            self.lang_actions[lang] = act

        self.menu_help = bar.addMenu("")
        self.act_help = QAction(self, triggered=self.show_help)
        self.act_help.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.act_keys = QAction(self, triggered=self.show_keys)
        self.act_about = QAction(self, triggered=self.show_about)
        self.menu_help.addActions([self.act_help, self.act_keys, self.act_about])

    @staticmethod
    def _sync_check(action: QAction, on: bool) -> None:
        if action.isChecked() != on:
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("app.window_title", commune=self.ctx.commune_name or tr("app.title")))
        for i, e in enumerate(self.entries):
            item = self.nav.item(i)
            item.setText(tr(e.title_key))
            item.setToolTip(tr(e.help_key) + (f"  (Ctrl+{i + 1})" if i < 9 else ""))
        self.menu_file.setTitle(tr("menu.file"))
        self.act_backup.setText(tr("menu.backup_now"))
        self.act_quit.setText(tr("menu.quit"))
        self.menu_edit.setTitle(tr("menu.edit"))
        self.act_undo.setText(tr("menu.undo"))
        self.act_find.setText(tr("menu.find"))
        self.menu_go.setTitle(tr("menu.go"))
        for act, e in zip(self.go_actions, self.entries):
            act.setText(tr(e.title_key))
        self.menu_view.setTitle(tr("menu.view"))
        self.act_large.setText(tr("menu.large_text"))
        self.menu_lang.setTitle(tr("menu.language"))
        self.lang_actions["vi"].setText("Tiếng Việt")
        self.lang_actions["en"].setText("English")
        self.lang_actions[self.ctx.language].setChecked(True)
        self.menu_help.setTitle(tr("menu.help"))
        self.act_help.setText(tr("menu.help_here"))
        self.act_keys.setText(tr("menu.shortcuts"))
        self.act_about.setText(tr("menu.about"))
        self.commune_label.setText(tr("ui.status_commune", commune=self.ctx.commune_name or "—", role=tr(f"role.{self.ctx.role}")))
        self.duty.retranslate()
        for screen in self.built.values():
            if hasattr(screen, "retranslate"):
                self._safely(screen.retranslate)
        self._fit_nav()
        if self._health is not None:
            self._show_clock(self._health)
        if self.ctx.runner.open_error is not None:
            self.banner.setText(_error_text(self.ctx.runner.open_error))

    def _fit_nav(self) -> None:
        """As narrow as the longest label allows: the screens need the width more."""
        from teamdesk.ui import theme

        side = 30 if theme.is_large() else 24
        self.nav.setIconSize(QSize(side, side))
        metrics = QFontMetrics(theme.heading_font(1.15, bold=False))
        width = max((metrics.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count())), default=100)
        self.nav.setFixedWidth(min(max(width + side + 52, 150), 300))

    # --- screens ----------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def screen_for(self, key: str) -> QWidget:
        """The screen for ``key``, built (and its module imported) on first use."""
        if key not in self.built:
            e = next(e for e in self.entries if e.key == key)
            try:
                widget = e.load()(self.ctx)
            except Exception as exc:  # noqa: BLE001 — one broken screen must not take the shell down
                traceback.print_exc()
                widget = QLabel(tr("ui.screen_broken", detail=f"{type(exc).__name__}: {exc}"))
                widget.setWordWrap(True)
                widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.built[key] = widget
            self.stack.addWidget(widget)
        return self.built[key]

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(KEY_ROLE) if item else None

    def current_screen(self) -> QWidget | None:
        key = self.current_key()
        return self.built.get(key) if key else None

    def show_screen(self, key: str, payload=None) -> QWidget | None:
        if key not in self.keys():
            return None
        row = self.keys().index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # builds and shows it through _on_nav
        screen = self.screen_for(key)
        if payload is not None and hasattr(screen, "receive"):
            self._safely(lambda: screen.receive(payload))
        return screen

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self.entries[row].key
        screen = self.screen_for(key)
        self.stack.setCurrentWidget(screen)
        if hasattr(screen, "shown"):
            self._safely(screen.shown)

    # --- reacting to writes -----------------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        self._check_clock()
        for screen in self.built.values():
            if hasattr(screen, "refresh"):
                self._safely(lambda s=screen: s.refresh(changes))

    def _on_opened(self, ok: bool) -> None:
        if ok:
            self._check_clock()
            QTimer.singleShot(0, self._start_services)  # after the first screen is up
            return
        # the database could not be opened (newer TeamDesk, damaged file): say so, show nothing else
        from teamdesk.ui.runner import error_text

        text = error_text(self.ctx.runner.open_error)
        self.nav.setEnabled(False)
        self.stack.setEnabled(False)
        self.banner.setText(text)
        self.banner.setProperty("error", True)
        self.banner.show()
        self.ctx.runner.show_error(self, tr("app.title"), text)

    def _start_services(self) -> None:
        if self._shut:
            return
        for service in registry.SERVICES:
            if self.ctx.role in service.roles and service.exists():
                try:
                    self.services.append(service.start(self.ctx))
                except Exception:  # noqa: BLE001 — a background helper must not stop the app
                    traceback.print_exc(file=sys.stderr)

    def _check_clock(self) -> None:
        if self.ctx.runner.is_open:
            self.ctx.runner.query(lambda desk: desk.clock_health(), on_done=self._show_clock)

    def _show_clock(self, health: dict) -> None:
        self._health = health
        if health.get("ok", True):
            self.banner.hide()
            return
        self.banner.setText(
            tr(
                "ui.clock_banner",
                system_day=dates.show(health["system_day"]),
                trusted_day=dates.show(health["trusted_day"]),
            )
        )
        self.banner.show()

    # --- actions -------------------------------------------------------------------------------
    def undo(self) -> None:
        def work(desk, *_):
            label = desk.undo_label()
            return {"label": label, "changes": desk.undo()}

        self.ctx.runner.op(
            work,
            label_key="menu.undo",
            on_done=lambda r: self.statusBar().showMessage(tr("ui.undone", what=tr(r["label"])), 6000),
            on_error=lambda exc: self.statusBar().showMessage(getattr(exc, "message", lambda: str(exc))(), 6000),
        )

    def focus_search(self) -> None:
        screen = self.current_screen()
        if screen is None or not hasattr(screen, "focus_search"):
            screen = self.show_screen("households") if "households" in self.keys() else None
        if screen is not None and hasattr(screen, "focus_search"):
            self._safely(screen.focus_search)

    def show_help(self) -> None:
        widget = QApplication.focusWidget()
        text = widget.toolTip() if widget is not None and widget.toolTip() else ""
        screen = self.current_screen()
        if not text and screen is not None and hasattr(screen, "help_text"):
            text = screen.help_text()
        if not text and self.current_key():
            text = tr(registry.entry(self.current_key()).help_key)
        anchor = widget if widget is not None else self.stack
        QToolTip.showText(anchor.mapToGlobal(QPoint(8, anchor.height())), text, anchor)

    def show_keys(self) -> None:
        self._info(tr("menu.shortcuts"), tr("ui.shortcuts_text"))

    def show_about(self) -> None:
        from teamdesk import __version__

        self._info(tr("menu.about"), tr("ui.about_text", version=__version__))

    def _info(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def backup_now(self) -> None:
        """Back up to the chosen folder now (Settings explains how to choose one)."""
        from teamdesk import backup

        folder = self.ctx.setting(backup.FOLDER_SETTING)
        if not folder:
            self.show_screen("settings")
            self.statusBar().showMessage(tr("backup.choose_folder_first"), 8000)
            return
        self.ctx.runner.op(
            lambda desk, progress, cancelled: backup.backup_to_folder(desk, folder=folder, progress=progress, cancelled=cancelled)
            | {"changes": Changes(settings=True)},
            label_key="backup.running",
            progress=True,
            on_done=lambda r: self.statusBar().showMessage(tr("backup.done", file=_short(r["file"])), 8000),
        )

    def request_restart(self) -> None:
        """Close and reopen the shell over the same home (the database was replaced)."""
        self.restart_wanted = True
        self.close()

    def auto_backup(self) -> None:
        """Today's automatic backup, beside the worker (see ``daily_backup.py``)."""
        self.daily_backup.start()

    def _daily_backup_done(self, made: dict | None, error: BaseException | None) -> None:
        if error is not None:
            self.statusBar().showMessage(tr("backup.auto_failed", reason=_error_text(error)), 15000)
        elif made:
            self.statusBar().showMessage(tr("backup.done", file=_short(made["file"])), 8000)

    # --- closing ---------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Keep what was typed, back up if due, finish the worker's queue, close the database."""
        if self._shut:
            return
        self._shut = True
        QApplication.instance().removeEventFilter(self._undo_filter)
        for service in self.services:
            if hasattr(service, "stop"):
                self._safely(service.stop)
        self.ctx.flush_drafts()
        if self.ctx.runner.is_open:
            self.daily_backup.start()  # none today yet (the app was opened yesterday): make it now
            self._wait_for_backup()  # that one, or the one begun when the app opened
        self.ctx.runner.close()
        self.ctx.close()

    def _wait_for_backup(self) -> None:
        """A copy to a USB stick can take a while: say so, and keep the window painting meanwhile."""
        if not self.daily_backup.running():
            self.daily_backup.wait()  # notes one just made
            return
        note = QProgressDialog(tr("backup.running"), "", 0, 0, self)
        note.setCancelButton(None)  # half a backup is worse than waiting
        note.setWindowTitle(tr("app.title"))
        note.setMinimumDuration(300)
        note.setValue(0)
        while self.daily_backup.running():
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 50)
            self.daily_backup.wait(0.05)
        self.daily_backup.wait()  # notes it as made
        note.close()

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        self.shutdown()
        super().closeEvent(event)

    def _safely(self, fn) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 — a screen's bug is printed, the shell goes on
            traceback.print_exc(file=sys.stderr)
