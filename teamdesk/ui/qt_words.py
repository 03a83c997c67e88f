"""Vietnamese for Qt's own words: dialog buttons, a text box's right-click menu, the file dialog.

PySide6 ships no Vietnamese ``.qm`` for ``qtbase``, so without this a Vietnamese screen would show
"Cancel", "&Paste" or "Look in:" in English. A small ``QTranslator`` answers the strings people
meet in TeamDesk from the ``qt.*`` keys of our catalogues; anything else falls back to Qt's
English. English needs nothing. Installed once by ``install(app)``; it follows
``teamdesk.i18n.language()`` at every lookup, so a live language switch needs no reinstall
(widgets built before the switch re-read texts on ``retranslate()`` or their next ``tr`` call).
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

from teamdesk import i18n

# (Qt context, Qt source text) -> our catalogue key
WORDS: dict[tuple[str, str], str] = {
    ("QPlatformTheme", "OK"): "qt.ok",
    ("QPlatformTheme", "Cancel"): "qt.cancel",
    ("QPlatformTheme", "Save"): "qt.save",
    ("QPlatformTheme", "Open"): "qt.open",
    ("QPlatformTheme", "Close"): "qt.close",
    ("QPlatformTheme", "Apply"): "qt.apply",
    ("QPlatformTheme", "&Yes"): "qt.yes",
    ("QPlatformTheme", "&No"): "qt.no",
    ("QPlatformTheme", "Discard"): "qt.discard",
    ("QPlatformTheme", "Help"): "qt.help",
    ("QProgressDialog", "Cancel"): "qt.cancel",
    ("QLineEdit", "&Undo"): "qt.undo",
    ("QLineEdit", "&Redo"): "qt.redo",
    ("QLineEdit", "Cu&t"): "qt.cut",
    ("QLineEdit", "&Copy"): "qt.copy",
    ("QLineEdit", "&Paste"): "qt.paste",
    ("QLineEdit", "Delete"): "qt.delete",
    ("QLineEdit", "Select All"): "qt.select_all",
    ("QWidgetTextControl", "&Undo"): "qt.undo",
    ("QWidgetTextControl", "&Redo"): "qt.redo",
    ("QWidgetTextControl", "Cu&t"): "qt.cut",
    ("QWidgetTextControl", "&Copy"): "qt.copy",
    ("QWidgetTextControl", "&Paste"): "qt.paste",
    ("QWidgetTextControl", "Delete"): "qt.delete",
    ("QWidgetTextControl", "Select All"): "qt.select_all",
    ("QFileDialog", "Look in:"): "qt.look_in",
    ("QFileDialog", "File &name:"): "qt.file_name",
    ("QFileDialog", "Files of type:"): "qt.file_type",
    ("QFileDialog", "&Open"): "qt.open",
    ("QFileDialog", "&Choose"): "qt.choose",
    ("QFileDialog", "&Save"): "qt.save",
    ("QFileDialog", "Directory:"): "qt.directory",
    ("QFileDialog", "Create New Folder"): "qt.new_folder",
    ("QFileDialog", "Back"): "qt.back",
    ("QFileDialog", "Forward"): "qt.forward",
    ("QFileDialog", "Parent Directory"): "qt.parent_dir",
    ("QFileDialog", "My Computer"): "qt.my_computer",
    ("QFileDialog", "Computer"): "qt.my_computer",
    ("QFileSystemModel", "Name"): "qt.col_name",
    ("QFileSystemModel", "Size"): "qt.col_size",
    ("QFileSystemModel", "Date Modified"): "qt.col_modified",
    ("QFileSystemModel", "Type"): "qt.col_type",
}


class QtWords(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:  # noqa: D102
        # None (a null QString) means "not mine": Qt then uses its own text. "" would blank it.
        if i18n.language() == "en":
            return None
        key = WORDS.get((context, source))
        return i18n.tr(key) if key else None

    def isEmpty(self) -> bool:  # noqa: N802 — Qt's name
        return False


_installed: list[QtWords] = []


def install(app: QApplication) -> None:
    if not _installed:
        words = QtWords(app)
        app.installTranslator(words)
        _installed.append(words)
