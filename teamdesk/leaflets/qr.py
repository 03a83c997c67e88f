"""QR codes as vectors, each link's matrix built once and placed as a PDF form XObject.

Why: choosing the best of 8 masks is ~80% of a code's cost (about 7 ms here, against under
1 ms with a fixed mask, which still decodes), and a batch of 1,500 handouts repeats the same
few links. So the matrix is cached per link for the process, and each document draws it once
as a form that every page references. Modules are filled rectangles (one per horizontal run),
never a bitmap, so a cheap laser printer prints sharp edges at any size. Error correction Q
(25%) survives a smudge or a fold; the quiet zone of 4 modules is part of the drawn form.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.pdfgen.canvas import Canvas

QUIET = 4  # modules of white around the code, as the standard asks
FIXED_MASK = 2
BUILDS: Counter[str] = Counter()  # link → how many times its matrix was built (bench, tests)


@lru_cache(maxsize=512)
def matrix(link: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules (True = dark), without the quiet zone."""
    BUILDS[link] += 1
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0, mask_pattern=FIXED_MASK)
    code.add_data(link)
    code.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


def runs(modules: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """Dark modules merged into horizontal runs (row, first column, length): fewer rectangles."""
    out = []
    for r, row in enumerate(modules):
        c = 0
        n = len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                out.append((r, start, c - start))
            else:
                c += 1
    return out


class QrForms:
    """The QR forms of one document (one canvas): defined on first use, then referenced."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self._names: dict[str, tuple[str, int]] = {}

    def _form(self, link: str) -> tuple[str, int]:
        if link not in self._names:
            modules = matrix(link)
            n = len(modules) + 2 * QUIET
            name = f"qr{len(self._names)}"
            c = self.canvas
            c.beginForm(name, 0, 0, n, n)
            c.setFillGray(1)
            c.rect(0, 0, n, n, stroke=0, fill=1)
            c.setFillGray(0)
            path = c.beginPath()
            for r, col, length in runs(modules):
                path.rect(QUIET + col, n - QUIET - r - 1, length, 1)
            c.drawPath(path, stroke=0, fill=1)
            c.endForm()
            self._names[link] = (name, n)
        return self._names[link]

    def prepare(self, links: list[str]) -> None:
        for link in links:
            self._form(link)

    def draw(self, link: str, x: float, y: float, size: float) -> None:
        """Place the code (quiet zone included) as a ``size``-point square, lower-left at (x, y)."""
        name, n = self._form(link)
        c = self.canvas
        c.saveState()
        c.translate(x, y)
        c.scale(size / n, size / n)
        c.doForm(name)
        c.restoreState()
