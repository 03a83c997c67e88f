"""``AppContext``: what every screen is given — the runner, a read connection, facts, language.

A screen is built as ``Cls(ctx)`` and should keep ``ctx`` and nothing global. What it offers:

- ``ctx.runner`` — the one worker that owns the Desk (writes and slow reads; see ``runner.py``).
- ``ctx.reader()`` — a read-only SQLite connection for the GUI thread (WAL lets it read while
  the worker writes). Use it for cheap, indexed reads such as a lazy table model's
  ``fetchMore``; never write with it. It sees every committed write.
- ``ctx.home``, ``ctx.role``, ``ctx.commune_code``, ``ctx.commune_name``, ``ctx.device_name``,
  ``ctx.device_id`` — facts of this installation; ``ctx.setting(key)`` reads a local setting
  (``meta``) fresh; ``ctx.set_setting(key, value)`` writes one through the runner.
- ``ctx.on_duty()`` — the volunteer on duty (dict with ``id``, ``name``) or None; it changes
  when ``runner.changed`` carries ``settings=True``.
- Language: ``ctx.language`` (``"vi"`` / ``"en"``), ``ctx.set_language(lang)`` switches live.
  ``language_changed(str)`` is emitted afterwards and the main window calls ``retranslate()`` on
  every screen built so far: a screen must set ALL its texts (labels, tooltips, placeholders,
  table headers) in ``retranslate()`` and call it once at the end of ``__init__``.
- Large text: ``ctx.large_text`` / ``ctx.set_large_text(on)``; ``large_text_changed(bool)``.
- Navigation without coupling: ``ctx.navigate(key, payload)`` asks the main window to show the
  screen ``key`` and, if it has one, to call its ``receive(payload)`` (e.g. the households list
  asks the log panel to preselect a household: ``ctx.navigate("today", {"household": hid})``).
- Drafts: ``keeper = ctx.draft("household_form")``; call ``keeper.changed(data_dict)`` on every
  edit (saved after 400 ms of quiet, off the GUI thread), ``keeper.load()`` when the form opens
  (None or the dict to restore), ``keeper.clear()`` after a successful save. Pending drafts are
  flushed when the window closes, so nothing typed is lost.
"""

from __future__ import annotations

import sqlite3
import weakref
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from teamdesk import drafts, i18n
from teamdesk.paths import DB_NAME

READER_CACHE_KB = 16 * 1024


class AppContext(QObject):
    language_changed = Signal(str)
    large_text_changed = Signal(bool)
    navigate_requested = Signal(str, object)

    def __init__(self, *, home: Path, runner, app=None, parent: QObject | None = None):
        super().__init__(parent)
        self.home = Path(home)
        self.runner = runner
        self.app = app
        self.window = None  # the main window, once built (parent for dialogs)
        self._reader: sqlite3.Connection | None = None
        self._facts: dict[str, str] | None = None
        self._commune_name: str | None = None
        self._keepers: "weakref.WeakSet[DraftKeeper]" = weakref.WeakSet()

    # --- reading ----------------------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        if self._reader is None:
            from teamdesk.db import connect

            self._reader = connect(self.home / DB_NAME, readonly=True)
            # indexed look-ups and keyset pages only: a small page cache keeps the app's memory low
            self._reader.execute(f"PRAGMA cache_size = -{READER_CACHE_KB}")
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def facts(self) -> dict[str, str]:
        if self._facts is None:
            keys = ("device_id", "device_name", "role", "commune_code")
            marks = ",".join("?" * len(keys))
            self._facts = dict(self.reader().execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", keys))
        return self._facts

    @property
    def role(self) -> str:
        return self.facts().get("role", "volunteer")

    @property
    def commune_code(self) -> str:
        return self.facts().get("commune_code", "")

    @property
    def device_name(self) -> str:
        return self.facts().get("device_name", "")

    @property
    def device_id(self) -> str:
        return self.facts().get("device_id", "")

    @property
    def commune_name(self) -> str:
        if self._commune_name is None:
            self._commune_name = commune_name(self.commune_code)
        return self._commune_name

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str | None, *, on_done: Callable[[Any], None] | None = None) -> None:
        self.runner.op(lambda desk, *_: desk.set_setting(key, value), label_key="ui.save_setting", on_done=on_done)

    def on_duty(self) -> dict | None:
        ref = self.setting("volunteer_on_duty")
        if not ref:
            return None
        row = self.reader().execute(
            "SELECT id, name FROM volunteers WHERE id = ? AND deleted = 0", (ref,)
        ).fetchone()
        return {"id": row[0], "name": row[1]} if row else None

    # --- language and text size ----------------------------------------------------------
    @property
    def language(self) -> str:
        return i18n.language()

    def set_language(self, lang: str, *, persist: bool = True) -> None:
        if lang not in i18n.LANGUAGES:
            raise ValueError(lang)
        changed = lang != i18n.language()
        i18n.set_language(lang)
        if persist:
            self.set_setting("lang", lang)
        if changed:
            self.language_changed.emit(lang)

    @property
    def large_text(self) -> bool:
        from teamdesk.ui import theme

        return theme.is_large()

    def set_large_text(self, on: bool, *, persist: bool = True) -> None:
        from teamdesk.ui import theme

        if self.app is not None:
            theme.apply(self.app, large=on)
        if persist:
            self.set_setting("large_text", "1" if on else "0")
        self.large_text_changed.emit(bool(on))

    # --- navigation and drafts -----------------------------------------------------------
    def navigate(self, key: str, payload: Any = None) -> None:
        self.navigate_requested.emit(key, payload)

    def draft(self, form: str, *, delay_ms: int = 400) -> "DraftKeeper":
        keeper = DraftKeeper(self, form, delay_ms=delay_ms)
        self._keepers.add(keeper)
        return keeper

    def flush_drafts(self) -> None:
        for keeper in list(self._keepers):
            keeper.flush()


def commune_name(code: str) -> str:
    """The commune's name for the title bar, without loading and folding all 3,321 units (50 ms)."""
    import re

    from teamdesk.paths import resource

    if not code:
        return ""
    try:
        text = resource("units", "units.json").read_text(encoding="utf-8")
        found = re.search(r'"code":\s*"%s",\s*"name":\s*"([^"]+)"' % re.escape(code), text)
        if found:
            return found[1]
        from teamdesk.units import commune

        return commune(code)["name"]
    except Exception:  # noqa: BLE001 — a name is decoration; the code still works
        return code


class DraftKeeper(QObject):
    """Saves one form's draft a moment after the last edit (see the module docstring)."""

    saved = Signal()

    def __init__(self, ctx: AppContext, form: str, *, delay_ms: int = 400):
        super().__init__(ctx)
        self.ctx = ctx
        self.form = form
        self._data: dict | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    def load(self) -> dict | None:
        return drafts.load(self.ctx.reader(), form=self.form)

    def changed(self, data: dict) -> None:
        self._data = dict(data)
        self._timer.start()

    def flush(self) -> None:
        if self._data is None:
            return
        data, self._data, form = self._data, None, self.form
        self._timer.stop()
        self.ctx.runner.op(
            lambda desk, *_: drafts.save(desk, form=form, data=data),
            label_key="ui.draft_saved",
            quiet=True,
            on_done=lambda _: self.saved.emit(),
        )

    def clear(self) -> None:
        self._data = None
        self._timer.stop()
        form = self.form
        self.ctx.runner.op(lambda desk, *_: drafts.clear(desk, form=form), label_key="ui.draft_saved", quiet=True)
