"""Fonts and sizes: Be Vietnam Pro embedded, a normal and a large-text mode, one style sheet.

The font ships with the app (``fontpkg_be_vietnam_pro``) and is registered with
``QFontDatabase`` so Vietnamese diacritics render the same on any old Windows laptop.
Large text (older volunteers) raises the application's base point size; every widget that does
not set its own font follows. Screens must NOT hard-code point sizes: use ``scaled(widget, f)``
for headings (a factor of the base size) so large-text mode scales them too.

Contract for screens:
- ``theme.base_pt()`` — the current base point size.
- ``theme.heading_font(factor=1.4, bold=True)`` — a QFont for titles that follows large text.
- Big buttons: ``button.setProperty("big", True)`` (tall, larger font); the main action:
  ``setProperty("primary", True)``; a title: ``QLabel`` with ``setProperty("heading", True)``;
  a grey hint: ``setProperty("hint", True)``; an error line: ``setProperty("error", True)``.
- The ``AppContext.large_text_changed`` signal tells screens that cached fonts must be rebuilt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FAMILY = "Be Vietnam Pro"
NORMAL_PT = 10.0
LARGE_PT = 12.5
# Only the weights the UI uses: each file costs a few milliseconds at start.
_FILES = ("Regular", "Medium", "SemiBold", "Bold", "Italic")
_state = {"loaded": False, "family": FAMILY, "large": False}


def font_folder() -> Path | None:
    from teamdesk import fonts

    try:
        return fonts.font_folder()
    except ImportError:  # the font package is missing: fall back to a system font
        return None


def load_fonts() -> str:
    """Register the embedded fonts (once); return the family to use (a system font if missing)."""
    if _state["loaded"]:
        return _state["family"]
    folder = font_folder()
    families: list[str] = []
    if folder and folder.is_dir():
        for weight in _FILES:
            path = folder / f"BeVietnamPro-{weight}.ttf"
            if path.exists():
                font_id = QFontDatabase.addApplicationFont(str(path))
                if font_id >= 0:
                    families.extend(QFontDatabase.applicationFontFamilies(font_id))
    _state["family"] = families[0] if families else QApplication.font().family()
    _state["loaded"] = True
    return _state["family"]


def base_pt() -> float:
    return LARGE_PT if _state["large"] else NORMAL_PT


def is_large() -> bool:
    return bool(_state["large"])


def heading_font(factor: float = 1.4, *, bold: bool = True) -> QFont:
    font = QFont(_state["family"])
    font.setPointSizeF(base_pt() * factor)
    font.setBold(bold)
    return font


def style_sheet() -> str:
    pt = base_pt()
    return f"""
QWidget {{ font-family: "{_state['family']}"; font-size: {pt:.1f}pt; }}
QListWidget#nav {{ font-size: {pt * 1.15:.1f}pt; background: #f3f6f9; border: none; border-right: 1px solid #d5dde5; }}
QListWidget#nav::item {{ padding: {pt * 0.8:.0f}px {pt * 0.6:.0f}px; border-radius: 6px; margin: 2px 6px; }}
QListWidget#nav::item:selected {{ background: #1f6feb; color: white; }}
QLabel#clockBanner {{ background: #fff4ce; color: #5c4400; border-bottom: 1px solid #e0c36a; padding: 8px 12px; font-weight: 600; }}
QLabel[heading="true"] {{ font-size: {pt * 1.45:.1f}pt; font-weight: 700; }}
QLabel[hint="true"] {{ color: #4a5560; }}
QLabel[error="true"] {{ color: #b00020; font-weight: 600; }}
QPushButton {{ padding: 5px 14px; }}
QPushButton[big="true"] {{ font-size: {pt * 1.2:.1f}pt; padding: {pt * 0.9:.0f}px {pt * 1.4:.0f}px; font-weight: 600; }}
QPushButton[choice]:checked {{ background: #e3edff; border: 2px solid #1f6feb; border-radius: 5px; color: #0b3d91; }}
QPushButton[primary="true"] {{ background: #1f6feb; color: white; border: 1px solid #1a5fc9; border-radius: 5px; }}
QPushButton[primary="true"]:disabled {{ background: #9db9e8; }}
QStatusBar QLabel {{ padding: 0 8px; }}
"""


def apply(app: QApplication, *, large: bool = False) -> None:
    """Set the app font and style sheet for normal or large text (live: every widget follows)."""
    family = load_fonts()
    _state["large"] = bool(large)
    font = QFont(family)
    font.setPointSizeF(base_pt())
    app.setFont(font)
    app.setStyleSheet(style_sheet())
