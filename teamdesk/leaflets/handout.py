"""``handout-a5``: the take-home guide, one A5 page per guide; or two A5 pages side by side on
an A4 sheet (``two_up``), which is how a commune office prints them and cuts the sheet in half.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from teamdesk import fonts
from teamdesk.leaflets.content import Imprint, PrintGuide
from teamdesk.leaflets.furniture import BLUE, CREAM, GREY, RED, band, bullet_blocks, footer, heading, link_beside, steps_blocks
from teamdesk.leaflets.qr import QrForms
from teamdesk.leaflets.text_fit import Block, fit

PAGE = A5
SHEET_2UP = landscape(A4)
MARGIN = 26.0
QR_SIZE = 4.2 * cm


def draw(c: Canvas, qr: QrForms, guide: PrintGuide, imprint: Imprint, *, dx: float = 0.0) -> None:
    """One handout with its lower-left corner at (dx, 0)."""
    w, h = PAGE
    x, inner = dx + MARGIN, w - 2 * MARGIN
    top = h - MARGIN
    band(c, x=x, top=top, width=inner, height=22, text=imprint.team, size=10)
    top -= 22 + 12
    title = fit([Block(guide.title, fonts.BOLD, 20, color=BLUE)], width=inner, height=78, min_scale=0.5)
    title.draw(c, x, top)
    top -= title.height + 5
    purpose = fit([Block(guide.purpose, fonts.REGULAR, 10)], width=inner, height=42, min_scale=0.7)
    purpose.draw(c, x, top)
    top -= purpose.height + 10

    qr.draw(guide.link, x - 3, top - QR_SIZE, QR_SIZE)
    link_beside(c, imprint, link=guide.link, x=x + QR_SIZE + 6, top=top - 8, width=inner - QR_SIZE - 6,
                height=QR_SIZE - 12, size=11, checked=guide.checked, more=guide.card_line)
    top -= QR_SIZE + 8

    footer_y = MARGIN - 8
    bottom = footer_y + 20
    if guide.warnings:
        warn = fit(bullet_blocks(guide.warnings, font=fonts.SEMIBOLD, size=9),
                   width=inner - 16, height=62, min_scale=0.65)
        box_h = warn.height + 12
        c.setFillColorRGB(*CREAM)
        c.rect(x, bottom, inner, box_h, stroke=0, fill=1)
        c.setFillColorRGB(*RED)
        c.rect(x, bottom, 3, box_h, stroke=0, fill=1)
        warn.draw(c, x + 10, bottom + box_h - 6)
        bottom += box_h + 8
    top -= heading(c, imprint.label("leaflet.steps"), x=x, top=top, width=inner, size=12)
    blocks = steps_blocks(guide.steps, size=11)
    blocks += [Block(f"{imprint.label('leaflet.tip')} {t}", fonts.ITALIC, 9, space_before=0.6, color=GREY) for t in guide.tips]
    fit(blocks, width=inner, height=top - bottom, min_scale=0.5).draw(c, x, top)
    footer(c, imprint, x=x, y=footer_y, width=inner, size=7.5)


def cut_line(c: Canvas) -> None:
    """A dashed fold-and-cut line down the middle of a 2-up sheet."""
    w, h = SHEET_2UP
    c.saveState()
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setLineWidth(0.4)
    c.setDash(4, 4)
    c.line(w / 2, 8, w / 2, h - 8)
    c.restoreState()
