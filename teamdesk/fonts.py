"""Be Vietnam Pro, registered with reportlab as TrueType so every PDF embeds it (leaflets,
reports, reconciliation sheets, enrolment cards), and found on disk for the app's own text.

The PDF's built-in fonts (Helvetica …) have no Vietnamese letters; a printer without the font
would substitute one. Embedding a subset of a font drawn for Vietnamese keeps every diacritic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "BeVietnamPro"
SEMIBOLD = "BeVietnamPro-SemiBold"
BOLD = "BeVietnamPro-Bold"
ITALIC = "BeVietnamPro-Italic"

_FILES = {
    REGULAR: "BeVietnamPro-Regular.ttf",
    SEMIBOLD: "BeVietnamPro-SemiBold.ttf",
    BOLD: "BeVietnamPro-Bold.ttf",
    ITALIC: "BeVietnamPro-Italic.ttf",
}


def font_folder() -> Path:
    import fontpkg_be_vietnam_pro

    return Path(fontpkg_be_vietnam_pro.__file__).resolve().parent / "files"


@lru_cache(maxsize=None)
def register() -> None:
    """Register the faces once per process (reportlab's registry is global)."""
    folder = font_folder()
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)
