"""The PySide6 desktop app: thin widgets over the core; the only place Qt is imported."""

from teamdesk.ui import immortal  # noqa: F401 — before any Qt call: see its docstring
