"""What goes on paper: a guide resolved for printing, and the imprint (team, contact, print date).

Resolving happens once per document: the language is chosen, the QR link settled (the province
portal setting, or the national portal with a note), so the page drawers only draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from teamdesk import guides as guide_library
from teamdesk.dates import show as show_date
from teamdesk.i18n import tr


@dataclass(frozen=True)
class PrintGuide:
    slug: str
    title: str
    purpose: str
    steps: tuple[str, ...]
    tips: tuple[str, ...]
    warnings: tuple[str, ...]
    card_line: str
    next_step: str
    link: str
    checked: str  # dd/mm/yyyy
    service: str = ""
    note: str | None = None  # an i18n key: e.g. the province portal setting is missing


@dataclass(frozen=True)
class Imprint:
    """Who printed the leaflet and when: on every page, so an old leaflet can be told from a new one."""

    team: str
    contact: str
    printed: date
    lang: str
    extra: dict = field(default_factory=dict)

    @property
    def printed_text(self) -> str:
        return show_date(self.printed)

    def label(self, key: str, **params) -> str:
        return tr(key, self.lang, **params)


def resolve(desk, guide: dict, *, lang: str) -> PrintGuide:
    text = guide[lang]
    link, note = guide_library.link_for(desk, guide)
    return PrintGuide(
        slug=guide["slug"],
        title=text["title"],
        purpose=text["purpose"],
        steps=tuple(text["steps"]),
        tips=tuple(text["tips"]),
        warnings=tuple(text["warnings"]),
        card_line=text["card_line"],
        next_step=text["next_step"],
        link=link,
        checked=show_date(guide["checked"]),
        service=guide.get("service", ""),
        note=note,
    )


def format_phone(phone: str | None) -> str:
    """0912345678 → 0912 345 678: easier to read off paper and dial."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) == 10:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return phone or ""


def imprint_for(desk, *, lang: str, day: date | None = None) -> Imprint:
    """The team's name (setting ``team_name``, else from the commune) and contact (setting
    ``team_contact``, else the volunteer on duty)."""
    team = (desk.setting("team_name") or "").strip() if desk is not None else ""
    if not team and desk is not None and desk.commune_code:
        from teamdesk.units import commune

        team = tr("leaflet.team_default", lang, commune=commune(desk.commune_code)["name"])
    team = team or tr("leaflet.team_unnamed", lang)
    contact = (desk.setting("team_contact") or "").strip() if desk is not None else ""
    if not contact and desk is not None:
        duty = desk.on_duty()
        if duty:
            contact = " · ".join(p for p in (duty["name"], format_phone(duty["phone"])) if p)
    return Imprint(team=team, contact=contact, printed=day or (desk.today() if desk is not None else date.today()), lang=lang)
