"""The registry of screens the main window shows, in navigation order. Add your line to SCREENS.

A screen is a ``QWidget`` subclass built as ``Cls(ctx)`` (``ctx``: ``teamdesk.ui.context.AppContext``)
the first time it is shown: modules are imported lazily, to keep a cold start fast. Optional
methods the main window calls when present:

- ``retranslate()`` — set every visible text again (after a language switch); call it yourself
  at the end of ``__init__``.
- ``refresh(changes)`` — something was written (``teamdesk.changes.Changes``; ids ``{"*"}``
  mean "anything in that table"); connected to ``runner.changed`` for you.
- ``shown()`` — the screen became the visible one (reload cheap things).
- ``focus_search()`` — Ctrl+F: put the cursor in the screen's search box.
- ``receive(payload)`` — another screen asked to show this one with a payload
  (``ctx.navigate(key, payload)``).
- ``help_text()`` — what F1 shows when the focused widget has no tooltip.

An entry whose module does not exist yet simply has no navigation entry (no crash); an entry whose
``roles`` do not include the installation's role is hidden. Titles (``title_key``) live in the
shell's catalogue (``resources/i18n/*/ui.json``: ``nav.<key>``, ``nav.<key>.help``).

``SERVICES``: background work that runs with the app whatever screen is shown (the coordinator's
automatic upload). ``function(ctx)`` is called once the database is open and the window idle; if
what it returns has ``stop()``, the shell calls it when closing.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

ALL_ROLES = ("volunteer", "coordinator")


@dataclass(frozen=True)
class ScreenEntry:
    key: str
    title_key: str
    module: str
    class_name: str
    roles: tuple[str, ...] = ALL_ROLES
    icon: str = ""  # a name under resources/icons/ (without .svg); "" for the default

    def exists(self) -> bool:
        """The module is installed (checked without importing it)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), self.class_name)

    @property
    def help_key(self) -> str:
        return f"{self.title_key}.help"


SCREENS: list[ScreenEntry] = [
    ScreenEntry("today", "nav.today", "teamdesk.ui.today", "TodayScreen", icon="today"),
    ScreenEntry("households", "nav.households", "teamdesk.ui.households_screen", "HouseholdsScreen", icon="households"),
    ScreenEntry("leaflets", "nav.leaflets", "teamdesk.ui.leaflets", "LeafletsScreen", icon="leaflets"),
    ScreenEntry("sync", "nav.sync", "teamdesk.ui.sync_screen", "SyncScreen", icon="sync"),
    ScreenEntry("upload", "nav.upload", "teamdesk.ui.upload_screen", "UploadScreen", roles=("coordinator",), icon="upload"),
    ScreenEntry("dashboard", "nav.dashboard", "teamdesk.ui.dashboard", "DashboardScreen", roles=("coordinator",), icon="dashboard"),
    ScreenEntry("settings", "nav.settings", "teamdesk.ui.settings_screen", "SettingsScreen", roles=(*ALL_ROLES, "hub"), icon="settings"),
]


@dataclass(frozen=True)
class ServiceEntry:
    module: str
    function: str
    roles: tuple[str, ...] = ALL_ROLES

    def exists(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False

    def start(self, ctx):
        return getattr(importlib.import_module(self.module), self.function)(ctx)


SERVICES: list[ServiceEntry] = [
    ServiceEntry("teamdesk.ui.upload_screen", "start_auto_upload", roles=("coordinator",)),
]


def available(role: str, screens: list[ScreenEntry] | None = None) -> list[ScreenEntry]:
    """The screens this installation shows, in order: present modules, allowed for ``role``."""
    return [s for s in (SCREENS if screens is None else screens) if role in s.roles and s.exists()]


def entry(key: str) -> ScreenEntry:
    for s in SCREENS:
        if s.key == key:
            return s
    raise KeyError(key)
