"""Personalised A5 handouts: a named household, what the team did for them and when, their next
step, the guide, and the volunteer to call.

Speed (≥ 100 pages/s for a village batch): everything that is the same on every page of one
guide — band, next step, title, steps, QR code, link, footer — is drawn once into a form XObject
and placed by reference; per household only the name, the helps and the contact are set.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from teamdesk.dates import show as show_date
from teamdesk.help_services import outcome_label, service_label
from teamdesk import fonts
from teamdesk.leaflets.content import Imprint, PrintGuide, format_phone
from teamdesk.leaflets.furniture import BLUE, CREAM, GREY, band, bullet_blocks, footer, heading, link_beside, steps_blocks
from teamdesk.leaflets.qr import QrForms
from teamdesk.leaflets.text_fit import Block, fit, fit_one

PAGE = A5
MARGIN = 26.0
QR_SIZE = 3.9 * cm
MAX_HELPS = 4
# Vertical plan (points from the page bottom), fixed so the per-household parts have fixed boxes.
BAND_TOP = PAGE[1] - MARGIN
NAME_TOP = BAND_TOP - 22 - 22
HELPS_TOP = NAME_TOP - 46
HELPS_BOTTOM = HELPS_TOP - 72
NEXT_TOP = HELPS_BOTTOM - 8
NEXT_BOTTOM = NEXT_TOP - 70
GUIDE_TOP = NEXT_BOTTOM - 10
QR_Y = MARGIN + 8
GUIDE_BOTTOM = QR_Y + QR_SIZE + 6
CONTACT_TOP = QR_Y + QR_SIZE * 0.42


class PersonalForms:
    """The static half of each guide's personalised page, one form per guide per document."""

    def __init__(self, c: Canvas, qr: QrForms, imprint: Imprint):
        self.c, self.qr, self.imprint = c, qr, imprint
        self._names: dict[str, str] = {}

    def name(self, guide: PrintGuide) -> str:
        if guide.slug not in self._names:
            self.qr.prepare([guide.link])
            name = f"pg{len(self._names)}"
            self.c.beginForm(name, 0, 0, *PAGE)
            self._draw_static(guide)
            self.c.endForm()
            self._names[guide.slug] = name
        return self._names[guide.slug]

    def _draw_static(self, guide: PrintGuide) -> None:
        c, im = self.c, self.imprint
        w, _ = PAGE
        x, inner = MARGIN, w - 2 * MARGIN
        band(c, x=x, top=BAND_TOP, width=inner, height=22, text=im.team, size=10)
        c.setFont(fonts.SEMIBOLD, 8.5)
        c.setFillColorRGB(*GREY)
        c.drawString(x, BAND_TOP - 22 - 12, im.label("leaflet.for_household").upper())
        heading(c, im.label("leaflet.done_for_you"), x=x, top=HELPS_TOP, width=inner, size=10.5)
        c.setFillColorRGB(*CREAM)
        c.rect(x, NEXT_BOTTOM, inner, NEXT_TOP - NEXT_BOTTOM, stroke=0, fill=1)
        c.setFillColorRGB(*BLUE)
        c.rect(x, NEXT_BOTTOM, 3, NEXT_TOP - NEXT_BOTTOM, stroke=0, fill=1)
        top = NEXT_TOP - 6
        top -= heading(c, im.label("leaflet.next_step"), x=x + 10, top=top, width=inner - 16, size=10.5)
        fit([Block(guide.next_step, fonts.SEMIBOLD, 12)], width=inner - 18, height=top - NEXT_BOTTOM - 4,
            min_scale=0.6).draw(c, x + 10, top)
        title = fit([Block(guide.title, fonts.BOLD, 13, color=BLUE)], width=inner, height=36, min_scale=0.6)
        title.draw(c, x, GUIDE_TOP)
        top = GUIDE_TOP - title.height - 2
        blocks = steps_blocks(guide.steps, size=9.5, space=0.25)
        blocks += bullet_blocks(guide.warnings, font=fonts.SEMIBOLD, size=8.5, space=0.15, first_space=0.5)
        fit(blocks, width=inner, height=top - GUIDE_BOTTOM, min_scale=0.55).draw(c, x, top)
        self.qr.draw(guide.link, x - 3, QR_Y, QR_SIZE)
        side_x = x + QR_SIZE + 6
        link_beside(c, im, link=guide.link, x=side_x, top=QR_Y + QR_SIZE - 6, width=inner - QR_SIZE - 6,
                    height=QR_SIZE * 0.58 - 10, size=9.5, checked=guide.checked)
        footer(c, im, x=x, y=MARGIN - 10, width=inner, size=7, contact=False)


def help_lines(household: dict, *, lang: str, extras=None) -> list[str]:
    helps = household.get("helps") or []
    lines = [
        f"{show_date(e['date'])} — {service_label(e['service'], extras, lang)} ({outcome_label(e['outcome'], lang).lower()})"
        + (f": {e['detail']}" if e.get("detail") else "")
        for e in helps[:MAX_HELPS]
    ]
    return lines


def draw(c: Canvas, forms: PersonalForms, guide: PrintGuide, household: dict, *, contact: str, dx: float = 0.0,
         extras: dict | None = None) -> None:
    """One household's page, lower-left corner at (dx, 0)."""
    im = forms.imprint
    w, _ = PAGE
    if dx:
        c.saveState()
        c.translate(dx, 0)
    c.doForm(forms.name(guide))
    x, inner = MARGIN, w - 2 * MARGIN
    name = fit_one(household["head_name"] or "—", font=fonts.BOLD, size=17, width=inner, height=24, min_scale=0.55)
    name.draw(c, x, NAME_TOP)
    village = household.get("village") or ""
    c.setFont(fonts.REGULAR, 9.5)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x, NAME_TOP - 24 - 9, im.label("leaflet.household_of", village=village) if village else "")
    lines = help_lines(household, lang=im.lang, extras=extras)
    more = len(household.get("helps") or []) - len(lines)
    if not lines:
        lines = [im.label("leaflet.no_helps")]
    if more > 0:
        lines.append(im.label("leaflet.more_helps", count=more))
    fit([Block(t, fonts.REGULAR, 9) for t in lines], width=inner, height=HELPS_TOP - 15 - HELPS_BOTTOM,
        min_scale=0.7, leading=1.28).draw(c, x, HELPS_TOP - 15)
    if contact:
        side_x = x + QR_SIZE + 6
        fit([Block(im.label("leaflet.volunteer"), fonts.REGULAR, 8, color=GREY), Block(contact, fonts.SEMIBOLD, 10)],
            width=inner - QR_SIZE - 6, height=CONTACT_TOP - QR_Y, min_scale=0.6).draw(c, side_x, CONTACT_TOP)
    if dx:
        c.restoreState()


class Contacts:
    """The volunteer who last helped a household (name · phone), else the team's contact."""

    def __init__(self, desk, fallback: str):
        self.fallback = fallback
        self._by_id = {
            v["id"]: " · ".join(p for p in (v["name"], format_phone(v["phone"])) if p)
            for v in (desk.volunteers(active_only=False) if desk is not None else [])
        }

    def for_household(self, household: dict) -> str:
        for e in household.get("helps") or []:
            if e.get("volunteer_id") in self._by_id:
                return self._by_id[e["volunteer_id"]]
        return self.fallback
