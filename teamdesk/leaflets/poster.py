"""``poster-a4``: one guide per A4 page for the notice board at the one-stop desk.

Read from two metres: a large title, a QR code of at least 6 cm (8 cm with its quiet zone) that a
phone held at arm's length finds, the steps in big type, the link in full beside it, the team's contact.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from teamdesk import fonts
from teamdesk.leaflets.content import Imprint, PrintGuide
from teamdesk.leaflets.furniture import BLUE, CREAM, RED, band, bullet_blocks, footer, heading, link_beside, steps_blocks
from teamdesk.leaflets.qr import QUIET, QrForms, matrix
from teamdesk.leaflets.text_fit import Block, fit

PAGE = A4
MARGIN = 36.0
QR_SIZE = 8 * cm  # with the quiet zone: the code itself is 6.3–6.7 cm for these links
MIN_CODE = 6.2 * cm  # the dark part, quiet zone excluded


def qr_size(link: str) -> float:
    """8 cm, or more for a tiny code whose quiet zone is a large share of it."""
    n = len(matrix(link))
    return max(QR_SIZE, MIN_CODE * (n + 2 * QUIET) / n)


def draw(c: Canvas, qr: QrForms, guide: PrintGuide, imprint: Imprint) -> None:
    w, h = PAGE
    x, inner = MARGIN, w - 2 * MARGIN
    top = h - MARGIN
    band(c, x=x, top=top, width=inner, height=34, text=imprint.team, size=15)
    top -= 34 + 18
    title = fit([Block(guide.title, fonts.BOLD, 34, color=BLUE)], width=inner, height=128, min_scale=0.45)
    title.draw(c, x, top)
    top -= title.height + 8
    purpose = fit([Block(guide.purpose, fonts.REGULAR, 15)], width=inner, height=64, min_scale=0.6)
    purpose.draw(c, x, top)
    top -= purpose.height + 16

    qr_top, size = top, qr_size(guide.link)
    qr.draw(guide.link, x - 4, qr_top - size, size)  # the quiet zone is white: sit it on the margin
    side_x = x + size + 12
    link_beside(c, imprint, link=guide.link, x=side_x, top=qr_top - 14, width=inner - size - 12, height=size - 28,
                size=16, checked=guide.checked, more=guide.card_line)
    top = qr_top - size - 14

    footer_top = MARGIN + 30
    warn_lines = [*guide.warnings]
    warn_h = 0.0
    if warn_lines:
        warn = fit(bullet_blocks(warn_lines, font=fonts.SEMIBOLD, size=12.5, space=0.25),
                   width=inner - 24, height=92, min_scale=0.6)
        warn_h = warn.height + 20
        c.setFillColorRGB(*CREAM)
        c.rect(x, footer_top + 6, inner, warn_h, stroke=0, fill=1)
        c.setFillColorRGB(*RED)
        c.rect(x, footer_top + 6, 5, warn_h, stroke=0, fill=1)
        warn.draw(c, x + 16, footer_top + 6 + warn_h - 10)
    steps_bottom = footer_top + 6 + warn_h + 10
    top -= heading(c, imprint.label("leaflet.steps"), x=x, top=top, width=inner, size=17) + 2
    blocks = steps_blocks(guide.steps, size=19)
    blocks += [Block(f"{imprint.label('leaflet.tip')} {t}", fonts.ITALIC, 13, space_before=0.6) for t in guide.tips]
    fit(blocks, width=inner, height=top - steps_bottom, min_scale=0.5).draw(c, x, top)
    footer(c, imprint, x=x, y=MARGIN, width=inner, size=10)
