"""Fitting text into a box: wrap at words, then shrink, and as a last resort cut with "…".

Every block of text on a leaflet has a box; a trainer's own guide may have a very long title or
many steps, and nothing may spill past the paper's edge or over the QR code. Widths come from
reportlab's ``stringWidth`` on the embedded font, so what is measured is what is printed.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator

from reportlab.pdfgen.canvas import Canvas

from teamdesk.fonts import width as text_width

ELLIPSIS = "…"
_cuts: ContextVar[list[str] | None] = ContextVar("leaflet_text_cuts", default=None)
# Be Vietnam Pro: ascent 1.0 em, descent 0.265 em; stacked Vietnamese marks (Ấ, Ễ) reach ~1.15 em,
# so lines are set 1.3 em apart.
ASCENT = 1.0
DESCENT = 0.27


@dataclass(frozen=True)
class Block:
    """One paragraph: its text, face and full size; ``label`` hangs in the margin (a step number)."""

    text: str
    font: str
    size: float
    label: str = ""
    label_font: str = ""
    indent: float = 0.0  # points the text is set in from the box's left edge (room for the label)
    space_before: float = 0.0  # in units of ``size``
    color: tuple[float, float, float] = (0, 0, 0)


@dataclass
class Line:
    x: float  # from the box's left edge
    baseline: float  # from the box's top edge, downwards
    text: str
    font: str
    size: float
    color: tuple[float, float, float]


@dataclass
class Fitted:
    lines: list[Line] = field(default_factory=list)
    height: float = 0.0
    scale: float = 1.0
    cut: bool = False

    def draw(self, c: Canvas, x: float, top: float) -> None:
        """Draw with the box's top-left corner at (x, top) in page coordinates."""
        current = None
        for line in self.lines:
            if current != (line.font, line.size, line.color):
                c.setFont(line.font, line.size)
                c.setFillColorRGB(*line.color)
                current = (line.font, line.size, line.color)
            c.drawString(x + line.x, top - line.baseline, line.text)
        c.setFillColorRGB(0, 0, 0)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the box (a long link) is broken between letters."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        current = ""
        for word in para.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            while text_width(word, font, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut], font, size) > width:
                    cut -= 1
                # a link reads better broken after "/", "?", "=" … than inside a name
                soft = max(word.rfind(ch, 0, cut) for ch in "/?=&.-_")
                if soft + 1 > cut * 0.5:
                    cut = soft + 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _cut(text: str, font: str, size: float, width: float) -> str:
    while text and text_width(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _lay_out(blocks: list[Block], width: float, scale: float, leading: float) -> tuple[list[Line], float, bool]:
    """Lines at ``scale``, the height used, and whether some line is wider than the box (a single
    letter wider than a very narrow box cannot be wrapped: only a smaller size helps)."""
    lines: list[Line] = []
    too_wide = False
    y = 0.0  # bottom of the previous line, from the top
    for i, b in enumerate(blocks):
        size = b.size * scale
        if i and b.space_before:
            y += b.space_before * size
        indent = b.indent * scale
        for j, text in enumerate(wrap(b.text, b.font, size, width - indent)):
            baseline = y + size * ASCENT
            if j == 0 and b.label:
                lines.append(Line(0.0, baseline, b.label, b.label_font or b.font, size, b.color))
            lines.append(Line(indent, baseline, text, b.font, size, b.color))
            too_wide = too_wide or indent + text_width(text, b.font, size) > width + 0.01
            y += size * leading
    return lines, y, too_wide


def fit(
    blocks: list[Block], *, width: float, height: float, min_scale: float = 0.5, leading: float = 1.3
) -> Fitted:
    """Lay ``blocks`` out in a ``width`` × ``height`` box: shrink step by step until they fit.

    Below ``min_scale`` the text would be too small to read on paper; then the lines that do not
    fit are dropped and the last one kept ends in "…" (``cut`` tells the caller).
    """
    scale = 1.0
    while True:
        lines, used, too_wide = _lay_out(blocks, width, scale, leading)
        if used <= height + 0.01 and not too_wide:
            return Fitted(lines, used, scale)
        if scale * 0.92 < min_scale:
            break
        scale *= 0.92
    kept = [ln for ln in lines if ln.baseline + ln.size * DESCENT <= height
            and ln.x + text_width(ln.text, ln.font, ln.size) <= width + 0.01]
    if kept:
        last = kept[-1]
        last.text = _cut(last.text, last.font, last.size, width - last.x)
    bottom = max((ln.baseline + ln.size * DESCENT for ln in kept), default=0.0)
    log = _cuts.get()
    if log is not None:
        log.append(blocks[0].text[:60] if blocks else "")
    return Fitted(kept, bottom, scale, cut=True)


@contextmanager
def noting_cuts() -> Iterator[list[str]]:
    """Collect the texts that had to be cut while drawing (so the trainer can be told)."""
    log: list[str] = []
    token = _cuts.set(log)
    try:
        yield log
    finally:
        _cuts.reset(token)


def fit_one(text: str, *, font: str, size: float, width: float, height: float, min_scale: float = 0.5,
            color: tuple[float, float, float] = (0, 0, 0)) -> Fitted:
    return fit([Block(text, font, size, color=color)], width=width, height=height, min_scale=min_scale)
