"""Starting the desktop app: ``run_app`` (what ``teamdesk gui`` calls) and ``open_shell`` (tests too).

With no installation in the home folder the setup wizard comes first (it also offers demo data);
then the main window. The language is, in order: ``lang`` given, the saved setting ``lang``,
``TEAMDESK_LANG``, Vietnamese. Qt is imported here, never by the core.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from teamdesk import i18n
from teamdesk.paths import default_home
from teamdesk.ui import theme


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else sys.argv[:1])
        app.setApplicationName("TeamDesk")
        app.setOrganizationName("TeamDesk")
    from teamdesk.ui import qt_words

    qt_words.install(app)  # Vietnamese for Qt's own buttons and menus
    return app


def open_shell(
    home: Path,
    *,
    app: QApplication | None = None,
    lang: str | None = None,
    desk=None,
    initial: str | None = None,
    screens=None,
):
    """Build the runner (which opens the Desk on its worker), the context and the main window."""
    from teamdesk.ui.runner import Runner

    app = app or ensure_app()
    runner = Runner(home, desk=desk)  # first: the worker opens the database while we build widgets
    from teamdesk import backup
    from teamdesk.ui.context import AppContext
    from teamdesk.ui.main_window import MainWindow

    ctx = AppContext(home=home, runner=runner, app=app)
    saved = ctx.setting("lang")
    chosen = lang or (saved if saved in i18n.LANGUAGES else None) or i18n.language()
    ctx.set_language(chosen, persist=False)
    theme.apply(app, large=ctx.setting("large_text") == "1")
    window = MainWindow(ctx, screens=screens, initial=initial)
    if ctx.setting(backup.FOLDER_SETTING):
        window.auto_backup()  # today's, beside the worker (daily_backup.py)
    return window


def run_wizard(home: Path, app: QApplication) -> bool:
    """Show the setup wizard; True once it created an installation in ``home``."""
    from teamdesk.ui.wizard_view import WizardWindow

    wizard = WizardWindow(home)
    wizard.show()
    app.exec()
    return wizard.created


def run_recovery(home: Path, app: QApplication) -> bool:
    """The database file is damaged: say so and offer a restore from a backup (or quit).

    True once a backup was restored (the app then opens normally). The damaged file is kept
    aside by ``teamdesk.backup.restore``, never deleted.
    """
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from teamdesk import backup
    from teamdesk.ui.runner import error_text

    while True:
        box = QMessageBox(QMessageBox.Icon.Critical, i18n.tr("app.title"), i18n.tr("ui.db_damaged", path=str(home)))
        restore = box.addButton(i18n.tr("settings.restore"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(i18n.tr("menu.quit"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not restore:
            return False
        file, _ = QFileDialog.getOpenFileName(None, i18n.tr("settings.restore"), str(Path.home()), i18n.tr("settings.backup_filter") + " (*.sqlite3);;* (*)")
        if not file:
            continue
        try:
            backup.restore(home, file)
            return True
        except Exception as exc:  # noqa: BLE001 — said in words, then asked again
            QMessageBox.warning(None, i18n.tr("settings.restore"), error_text(exc))


def run_app(
    *,
    home: Path | None = None,
    lang: str | None = None,
    argv: list[str] | None = None,
    ready: Callable[[object], None] | None = None,
) -> int:
    """Run the app until the window closes; returns the exit code.

    ``ready(window)`` (benchmarks) is called once the window is shown, the database is open on
    the worker and the event loop is idle: the window answers input (the first screen's figures
    may still be computing on the worker; ``window.ctx.runner.pending()`` tells).
    """
    from teamdesk.desk import Desk

    app = ensure_app(argv)
    theme.load_fonts()
    home = Path(home) if home else default_home()
    if lang:
        i18n.set_language(lang)
    lock = hold_home(home)
    if lock is None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(None, i18n.tr("app.title"), i18n.tr("ui.already_open", home=str(home)))
        return 0
    from teamdesk import backup

    if backup.is_damaged(home):
        theme.apply(app)
        if not run_recovery(home, app):
            lock.unlock()
            return 1
    if not Desk.exists(home):
        theme.apply(app)
        if not run_wizard(home, app):
            lock.unlock()
            return 0
    while True:
        window = open_shell(home, app=app, lang=lang)
        show_fitted(window)
        if ready is not None:
            _call_when_ready(window, ready)
            ready = None
        code = app.exec()
        again = window.restart_wanted
        window.shutdown()
        if not again:
            lock.unlock()
            return code


def show_fitted(window) -> None:
    """Maximised on a laptop screen (1366×768 less the taskbar), else at 1366×768."""
    screen = QApplication.primaryScreen()
    free = screen.availableGeometry() if screen is not None else None
    if free is not None and (free.width() <= 1400 or free.height() <= 820):
        window.showMaximized()
    else:
        window.show()


def hold_home(home: Path):
    """One app per home folder: two windows writing one database would confuse undo and drafts.

    Returns the held ``QLockFile`` (keep it alive), or None when another TeamDesk holds it.
    A lock left by a crashed app is taken over (Qt checks the process is gone).
    """
    from PySide6.QtCore import QLockFile

    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        return _NoLock()  # an unwritable home: the Desk reports that in words later
    lock = QLockFile(str(home / "teamdesk.lock"))
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(200) else None


class _NoLock:
    def unlock(self) -> None:
        pass


def _call_when_ready(window, ready: Callable[[object], None]) -> None:
    runner = window.ctx.runner

    def check() -> None:
        if runner.is_open or runner.open_error is not None:
            QTimer.singleShot(0, lambda: ready(window))
        else:
            QTimer.singleShot(5, check)

    QTimer.singleShot(0, check)
