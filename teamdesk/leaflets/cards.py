"""``cards-a4``: eight cut-out cards per A4 sheet (2 × 4), with crop marks in the gutters.

A card is what a volunteer hands over at a market stall: the QR code, the guide's title, one line,
the link in full, and (small) the team and the print date, since a card travels without its sheet.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from teamdesk import fonts
from teamdesk.leaflets.content import Imprint, PrintGuide
from teamdesk.leaflets.furniture import BLUE, GREY, footer
from teamdesk.leaflets.qr import QrForms
from teamdesk.leaflets.text_fit import Block, fit, fit_one

PAGE = A4
PER_PAGE = 8
COLS, ROWS = 2, 4
CARD_W, CARD_H = 262.0, 178.0  # about 92 × 63 mm
GAP_X, GAP_Y = 20.0, 12.0
PAD = 10.0
QR_SIZE = 112.0  # about 4 cm
MARK, MARK_OFFSET = 6.0, 2.0


def origin(slot: int) -> tuple[float, float]:
    """Lower-left corner of card ``slot`` (0–7, rows from the top, left to right)."""
    w, h = PAGE
    left = (w - (COLS * CARD_W + (COLS - 1) * GAP_X)) / 2
    top = (h - (ROWS * CARD_H + (ROWS - 1) * GAP_Y)) / 2 + 6  # a little room for the sheet footer
    row, col = divmod(slot, COLS)
    return left + col * (CARD_W + GAP_X), h - top - (row + 1) * CARD_H - row * GAP_Y


def crop_marks(c: Canvas, x: float, y: float) -> None:
    """Short hairlines beyond each corner, in the gutter, so the card itself stays clean."""
    c.setStrokeColorRGB(0, 0, 0)
    c.setLineWidth(0.3)
    for cx, sx in ((x, -1), (x + CARD_W, 1)):
        for cy, sy in ((y, -1), (y + CARD_H, 1)):
            c.line(cx + sx * MARK_OFFSET, cy, cx + sx * (MARK_OFFSET + MARK), cy)
            c.line(cx, cy + sy * MARK_OFFSET, cx, cy + sy * (MARK_OFFSET + MARK))


def draw_card(c: Canvas, qr: QrForms, guide: PrintGuide, imprint: Imprint, slot: int) -> None:
    x, y = origin(slot)
    crop_marks(c, x, y)
    qr.draw(guide.link, x + PAD - 4, y + CARD_H - PAD - QR_SIZE + 4, QR_SIZE)
    col_x = x + PAD + QR_SIZE + 2
    col_w = x + CARD_W - PAD - col_x
    top = y + CARD_H - PAD
    title = fit([Block(guide.title, fonts.BOLD, 13, color=BLUE)], width=col_w, height=68, min_scale=0.6)
    title.draw(c, col_x, top)
    line_top = top - title.height - 4
    fit([Block(guide.card_line, fonts.REGULAR, 9.5)], width=col_w, height=line_top - (y + CARD_H - PAD - QR_SIZE + 4),
        min_scale=0.65).draw(c, col_x, line_top)
    link_top = y + CARD_H - PAD - QR_SIZE - 2
    link = fit([Block(imprint.label("leaflet.scan") + " ", fonts.REGULAR, 7, color=GREY),
                Block(guide.link, fonts.SEMIBOLD, 9, color=BLUE)], width=CARD_W - 2 * PAD, height=link_top - (y + PAD + 10),
               min_scale=0.6)
    link.draw(c, x + PAD, link_top)
    small = f"{imprint.team} · {imprint.label('leaflet.printed', date=imprint.printed_text)}"
    fit_one(small, font=fonts.REGULAR, size=6.5, width=CARD_W - 2 * PAD, height=9, min_scale=0.7, color=GREY).draw(
        c, x + PAD, y + PAD + 8)


def draw_page(c: Canvas, qr: QrForms, guides: list[PrintGuide], imprint: Imprint) -> None:
    for slot, guide in enumerate(guides[:PER_PAGE]):
        draw_card(c, qr, guide, imprint, slot)
    w, _ = PAGE
    footer(c, imprint, x=36, y=16, width=w - 72, size=7, contact=True)
