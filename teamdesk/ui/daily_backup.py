"""The automatic daily backup, run beside the app (not on the Desk's worker).

A 200,000-household database is about a gigabyte; copying it to a slow USB stick takes a while,
and the volunteer must be able to log meanwhile. So the copy runs on a thread of its own through a
read-only connection (``teamdesk.backup.daily_backup_of_home``), and only the note of when it was
made goes through the runner. Started when the main window opens and again when it closes (a
no-op when the stick already holds one from today); closing waits for a copy under way.
"""

from __future__ import annotations

import threading
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from teamdesk import backup


class DailyBackup(QObject):
    finished = Signal(object, object)  # (what was made or None, the error or None)

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: dict | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._recorded = False
        self.finished.connect(self._record)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start today's backup if a folder is chosen and none is under way; True if started."""
        folder = self.ctx.setting(backup.FOLDER_SETTING)
        if not folder or self.running():
            return False
        home = self.ctx.home
        self.result, self.error, self._recorded = None, None, False

        def work() -> None:
            try:
                made = backup.daily_backup_of_home(home, folder=folder)
            except Exception as exc:  # noqa: BLE001 — reported in the status bar
                self.error = exc
                self.finished.emit(None, exc)
            else:
                self.result = made
                self.finished.emit(made, None)

        self._thread = threading.Thread(target=work, name="teamdesk-daily-backup")
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Block until a copy under way is done (closing), and note it if it was made."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self.result and not self._recorded:
            self._record(self.result, None)

    def _record(self, made: dict | None, error: BaseException | None) -> None:
        if made and not self._recorded:
            self._recorded = True
            when = datetime.now().isoformat(timespec="seconds")
            # announced (settings changed): Settings lists the new backup
            self.ctx.runner.op(lambda desk, *_: desk.set_setting(backup.LAST_SETTING, when), label_key="backup.running")
