"""Keep ``None``, ``True`` and ``False`` alive for the life of the app (PySide6 6.12, CPython 3.11).

PySide6 6.12 returns ``None`` from void methods (``setText``, ``setEnabled``, ``QEventLoop.exec``,
``processEvents`` …) without taking a reference, and drops one of ``True`` when a ``Signal(bool)``
is emitted. On CPython 3.11 these objects are still reference-counted (3.12 made them immortal,
PEP 683): ``None`` starts near 5,000 references, so after a few thousand widget calls — minutes of
a volunteer's day — its count reaches zero and the interpreter aborts ("none_dealloc: deallocating
None"). Measured here: ``QLineEdit.setText`` 200 times lowers ``sys.getrefcount(None)`` by 200.

The cure until PySide6 is fixed: give the three singletons a reference count no app will ever
use up, as CPython 3.12 does. They are static objects that are never freed, so this only removes
the fatal check. Applied once, on import of ``teamdesk.ui`` (before any thread starts).
"""

from __future__ import annotations

import ctypes
import sys

MARGIN = 1 << 40


def keep_alive() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return  # immortal there already
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field
        if count.value < MARGIN:
            count.value += MARGIN


keep_alive()
