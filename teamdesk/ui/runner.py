"""The one worker that owns the ``Desk``: every database call of the app runs here, one at a time.

As in Anki (``CollectionOp`` / ``QueryOp`` over one task manager), progress, error pop-ups and the
"something changed" notification live here once, so a screen's action is one line::

    ctx.runner.op(lambda desk, progress, cancelled: desk.log_help(household=hid, service=code),
                  label_key="undo.log_help", on_done=self._saved)
    ctx.runner.query(lambda desk: desk.today_tally(), on_done=self._show_tally)

Contract (read this before writing a screen):

- ``op(fn, *, label_key, on_done=None, on_error=None, progress=False, quiet=False, writes=True) -> Job``:
  a write (or any long work). ``fn(desk, progress_cb, cancelled_cb)`` runs on the worker thread.
  ``progress_cb(done, total)`` may be called as often as you like (throttled here);
  ``cancelled_cb()`` returns True once the user pressed Cancel — pass both straight to the core
  function's ``progress=`` / ``cancelled=`` arguments. With ``progress=True`` a modeless
  progress dialog (label ``tr(label_key)``, a Cancel button) appears if the work lasts > 0.4 s.
  After ``fn`` returns, ``on_done(result)`` runs on the GUI thread, then ``changed`` is emitted
  with the ``Changes`` (the result itself, or ``result.changes`` / ``result["changes"]``; a write
  that returns no ``Changes`` is announced as touching every synced table, ids ``{"*"}``).
  ``quiet=True`` (draft saves): no ``changed`` signal and errors only go to stderr.
  ``writes=False`` (exports, printing, sheets): long work with progress that changes no data, so
  no screen is told to reload.
- ``query(fn, on_done=None, *, on_error=None) -> Job``: a read; ``fn(desk)`` on the worker,
  ``on_done(result)`` on the GUI thread, no ``changed``. For cheap reads on the GUI thread
  (a lazy table model), use ``AppContext.reader()`` instead.
- NEVER touch a widget inside ``fn``: it is not on the GUI thread. Capture plain values
  (ids, typed text) before calling ``op``; update widgets in ``on_done``.
- Errors: ``on_error(exc)`` if given, else a non-blocking message box with the label as title and
  ``TeamDeskError.message()`` (Vietnamese by default) as text; anything else is shown as an
  unexpected error with its detail. ``Runner.show_error`` can be replaced in tests.
- Signals: ``changed(Changes)`` after every announced write (screens refresh themselves from it,
  they never call each other); ``op_finished(Job)`` after every job's callbacks. Tests wait for
  one job with ``job = runner.op(...); qtbot.waitUntil(lambda: job.done)`` (``job.result``,
  ``job.error``), or on the next ``op_finished`` when nothing else is queued; ``opened(bool)``
  once the Desk is open (False: ``open_error`` holds why); ``idle()`` when the queue has drained.
- A callback that raises is printed; ``changed`` still goes out. After ``close()`` (the window is
  closing) new jobs are not run: they come back ``done`` with an error and no message.
- ``call(fn)`` runs ``fn(desk)`` and BLOCKS the GUI thread until it returns (or raises): only for
  shutdown and tests.

Drafts (nothing typed is lost): forms use ``AppContext.draft(form_key)`` (see ``context.py``),
which saves through ``op(..., quiet=True)`` into ``teamdesk.drafts`` (the ``meta`` table).
"""

from __future__ import annotations

import itertools
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from teamdesk.changes import Changes
from teamdesk.errors import TeamDeskError
from teamdesk.i18n import tr

_ids = itertools.count(1)


def everything() -> Changes:
    """What a write that did not say what it changed is assumed to have changed."""
    from teamdesk.schema import SYNCED  # here, not at the top: it pulls in sqlite-utils (slow start)

    return Changes({table: {"*"} for table in SYNCED}, settings=True)


def changes_of(result: Any) -> Changes | None:
    if isinstance(result, Changes):
        return result
    found = getattr(result, "changes", None)
    if found is None and isinstance(result, dict):
        found = result.get("changes")
    return found if isinstance(found, Changes) else None


@dataclass(eq=False)
class Job:
    fn: Callable
    kind: str  # "op" | "query" | "call"
    label_key: str = ""
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    progress: bool = False
    quiet: bool = False
    writes: bool = True
    id: int = field(default_factory=lambda: next(_ids))
    result: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    cancel: threading.Event = field(default_factory=threading.Event)
    dialog: QProgressDialog | None = None
    done: bool = False  # True once its callbacks ran on the GUI thread (tests: waitUntil)
    _last_progress: float = 0.0


class _Worker(QThread):
    def __init__(self, runner: "Runner", home: Path, desk=None):
        super().__init__()
        self.runner = runner
        self.home = home
        self.desk = desk
        self.owns_desk = desk is None
        self.jobs: queue.Queue[Job | None] = queue.Queue()

    def run(self) -> None:
        if self.desk is None:
            try:
                from teamdesk.desk import Desk

                self.desk = Desk.open(self.home)
            except BaseException as exc:  # noqa: BLE001 — reported to the GUI, jobs then fail with it
                self.runner.open_error = exc
        self.runner._opened.emit(self.runner.open_error is None)
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    break
                self._run(job)
                if self.jobs.empty():
                    self.runner._drained.emit()
        finally:
            if self.owns_desk and self.desk is not None:
                self.desk.close()

    def _run(self, job: Job) -> None:
        try:
            if self.desk is None:
                raise self.runner.open_error or RuntimeError("desk not open")
            if job.kind == "op":
                job.result = job.fn(self.desk, lambda done, total: self._progress(job, done, total), job.cancel.is_set)
            else:
                job.result = job.fn(self.desk)
        except BaseException as exc:  # noqa: BLE001 — every error reaches the GUI thread
            job.error = exc
            if not isinstance(exc, TeamDeskError):
                traceback.print_exception(exc, file=sys.stderr)
        job.finished.set()
        if job.kind != "call":
            self.runner._job_done.emit(job)

    def _progress(self, job: Job, done: int, total: int) -> None:
        if not job.progress:
            return
        now = time.monotonic()
        if now - job._last_progress >= 0.05 or done >= total:
            job._last_progress = now
            self.runner._job_progress.emit(job, int(done), int(total))


class Runner(QObject):
    changed = Signal(object)
    op_finished = Signal(object)
    opened = Signal(bool)
    idle = Signal()
    # internal: worker → GUI thread (queued, because the Runner lives on the GUI thread)
    _job_done = Signal(object)
    _job_progress = Signal(object, int, int)
    _opened = Signal(bool)
    _drained = Signal()

    def __init__(self, home: Path, *, desk=None, parent: QObject | None = None):
        """Start the worker; it opens the Desk at ``home`` (or adopts ``desk``, e.g. in tests)."""
        super().__init__(parent)
        self.home = Path(home)
        self.open_error: BaseException | None = None
        self.last_error: BaseException | None = None
        self.is_open = False
        self.window: QWidget | None = None  # parent for dialogs; set by the main window
        self._pending: dict[int, Job] = {}
        self._closed = False
        self._job_done.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self._job_progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self._opened.connect(self._on_opened, Qt.ConnectionType.QueuedConnection)
        self._drained.connect(self._on_drained, Qt.ConnectionType.QueuedConnection)
        self._worker = _Worker(self, self.home, desk)
        self._worker.start()

    # --- submitting ------------------------------------------------------------------------
    def op(
        self,
        fn: Callable[[Any, Callable[[int, int], None], Callable[[], bool]], Any],
        *,
        label_key: str,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        progress: bool = False,
        quiet: bool = False,
        writes: bool = True,
    ) -> Job:
        job = Job(fn, "op", label_key, on_done, on_error, progress, quiet, writes)
        if progress:
            job.dialog = self._make_dialog(job)
        return self._submit(job)

    def query(
        self,
        fn: Callable[[Any], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Job:
        return self._submit(Job(fn, "query", "", on_done, on_error))

    def call(self, fn: Callable[[Any], Any], *, timeout: float | None = 60.0) -> Any:
        """Run ``fn(desk)`` on the worker and wait for it (blocks the GUI: shutdown and tests only)."""
        job = self._submit(Job(fn, "call"))
        if not job.finished.wait(timeout):
            raise TimeoutError("worker did not answer")
        self._pending.pop(job.id, None)
        if job.error is not None:
            raise job.error
        return job.result

    def _submit(self, job: Job) -> Job:
        if self._closed:
            # after shutdown (a late timer of a screen): nothing runs, nothing is shown
            job.error = RuntimeError("runner closed")
            job.finished.set()
            job.done = True
            return job
        self._pending[job.id] = job
        self._worker.jobs.put(job)
        return job

    def pending(self) -> int:
        return len(self._pending)

    def close(self, *, timeout_ms: int = 300_000) -> None:
        """Finish the queued jobs, close the Desk, stop the thread.

        Long work the person could have cancelled (``progress=True``) is cancelled: the window is
        closing. Quiet jobs (draft saves, the closing backup) run to the end.
        """
        self._closed = True
        for job in list(self._pending.values()):
            if job.progress:
                job.cancel.set()
        if self._worker.isRunning():
            self._worker.jobs.put(None)
            self._worker.wait(timeout_ms)

    # --- GUI-thread side -------------------------------------------------------------------
    def _make_dialog(self, job: Job) -> QProgressDialog:
        dialog = QProgressDialog(tr(job.label_key), tr("ui.cancel"), 0, 0, self.window)
        dialog.setWindowTitle(tr("app.title"))
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(job.cancel.set)
        dialog.setValue(0)
        return dialog

    def _show_progress(self, job: Job, done: int, total: int) -> None:
        if job.dialog is not None and not job.finished.is_set():
            job.dialog.setMaximum(max(total, 0))
            job.dialog.setValue(min(done, total) if total else 0)

    def _finish(self, job: Job) -> None:
        self._pending.pop(job.id, None)
        if job.dialog is not None:
            job.dialog.reset()
            job.dialog.hide()
            job.dialog.deleteLater()
            job.dialog = None
        try:
            if job.error is not None:
                self.last_error = job.error
                if job.on_error is not None:
                    _guarded(job.on_error, job.error)
                elif job.quiet or job.error is self.open_error:  # said once, by the main window
                    print(f"teamdesk: {job.error}", file=sys.stderr)
                else:
                    self.show_error(self.window, tr(job.label_key) if job.label_key else tr("app.title"), error_text(job.error))
            else:
                if job.on_done is not None:
                    _guarded(job.on_done, job.result)
                if job.kind == "op" and job.writes and not job.quiet:
                    # the write happened: every screen must hear of it even if one callback broke
                    self.changed.emit(changes_of(job.result) or everything())
        finally:
            job.done = True
            self.op_finished.emit(job)

    def _on_opened(self, ok: bool) -> None:
        self.is_open = ok
        self.opened.emit(ok)

    def _on_drained(self) -> None:
        if not self._pending:
            self.idle.emit()

    @staticmethod
    def show_error(parent: QWidget | None, title: str, text: str) -> None:
        """A non-blocking message box (replace in tests to capture errors instead)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Ok).setText(tr("ui.ok"))
        box.open()


def _guarded(callback: Callable[[Any], None], value: Any) -> None:
    """A screen's callback that raises is printed, not allowed to stop the runner's bookkeeping."""
    try:
        callback(value)
    except Exception:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)


def error_text(exc: BaseException) -> str:
    """Words a volunteer understands: the typed error's message, else a generic sentence."""
    if isinstance(exc, TeamDeskError):
        return exc.message()
    return tr("ui.error_unexpected", detail=f"{type(exc).__name__}: {exc}")
