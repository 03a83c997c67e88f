"""Page furniture shared by every layout: the team band, the footer, the link beside a QR code.

Every page carries the link as text (a code that will not scan can still be typed), the print
date and the team's name, so these live in one place and every layout calls them.
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from teamdesk import fonts
from teamdesk.leaflets.content import Imprint
from teamdesk.leaflets.text_fit import Block, fit, fit_one

BLUE = (0.04, 0.29, 0.55)
RED = (0.68, 0.09, 0.09)
GREY = (0.33, 0.33, 0.33)
PALE = (0.93, 0.96, 1.0)
CREAM = (1.0, 0.97, 0.86)


def band(c: Canvas, *, x: float, top: float, width: float, height: float, text: str, size: float) -> None:
    """A coloured strip with the team's name: who this leaflet comes from, seen from afar."""
    c.setFillColorRGB(*BLUE)
    c.rect(x, top - height, width, height, stroke=0, fill=1)
    pad = height * 0.22
    fitted = fit_one(text, font=fonts.SEMIBOLD, size=size, width=width - 2 * pad, height=height - 2 * pad + size * 0.3,
                     min_scale=0.6, color=(1, 1, 1))
    fitted.draw(c, x + pad, top - (height - fitted.height) / 2)


def footer(c: Canvas, imprint: Imprint, *, x: float, y: float, width: float, size: float, contact: bool = True) -> None:
    """A thin rule, the team (and contact) on the left, the print date on the right, baseline at ``y``."""
    c.setStrokeColorRGB(*GREY)
    c.setLineWidth(0.5)
    c.line(x, y + size * 1.5, x + width, y + size * 1.5)
    date_text = imprint.label("leaflet.printed", date=imprint.printed_text)
    date_w = fonts.width(date_text, fonts.REGULAR, size)
    left = imprint.team + (f" · {imprint.contact}" if contact and imprint.contact else "")
    fitted = fit_one(left, font=fonts.REGULAR, size=size, width=width - date_w - size * 2, height=size * 1.45,
                     min_scale=0.7, color=GREY)
    fitted.draw(c, x, y + size * 1.0)
    c.setFont(fonts.REGULAR, size)
    c.setFillColorRGB(*GREY)
    c.drawRightString(x + width, y, date_text)
    c.setFillColorRGB(0, 0, 0)


def link_beside(
    c: Canvas, imprint: Imprint, *, link: str, x: float, top: float, width: float, height: float, size: float,
    checked: str = "", more: str = "",
) -> None:
    """"Scan to open:" with the link in full (wrapped between letters if it must be), beside the code."""
    blocks = [
        Block(imprint.label("leaflet.scan"), fonts.REGULAR, size * 0.85, color=GREY),
        Block(link, fonts.SEMIBOLD, size, color=BLUE),
    ]
    if more:
        blocks.append(Block(more, fonts.REGULAR, size * 0.85, space_before=0.5))
    if checked:
        blocks.append(Block(imprint.label("leaflet.checked", date=checked), fonts.ITALIC, size * 0.7, space_before=0.4, color=GREY))
    fit(blocks, width=width, height=height, min_scale=0.55).draw(c, x, top)


def heading(c: Canvas, text: str, *, x: float, top: float, width: float, size: float, color=BLUE) -> float:
    """A section heading; returns its height."""
    fitted = fit_one(text, font=fonts.BOLD, size=size, width=width, height=size * 1.4, min_scale=0.6, color=color)
    fitted.draw(c, x, top)
    return size * 1.4


def steps_blocks(steps, *, size: float, space: float = 0.35) -> list[Block]:
    """Numbered steps with a hanging number, so a wrapped step lines up under its own text."""
    indent = size * 1.6
    return [
        Block(text, fonts.REGULAR, size, label=f"{i}.", label_font=fonts.BOLD, indent=indent, space_before=space)
        for i, text in enumerate(steps, 1)
    ]


def bullet_blocks(texts, *, font: str, size: float, color=RED, space: float = 0.2, first_space: float = 0.0) -> list[Block]:
    """Bulleted lines with a hanging bullet (warnings): a wrapped line starts under the text."""
    return [
        Block(t, font, size, label="•", indent=size * 0.9, color=color, space_before=first_space if i == 0 else space)
        for i, t in enumerate(texts)
    ]
