"""Making a leaflet PDF: the one core call behind ``teamdesk leaflet`` and the app's leaflets screen.

It checks everything first (guides, layout, households, output folder), then draws the pages into
memory and writes the file under a temporary name in the same folder, flushed and renamed: a failure
or a cancel leaves no half-written PDF, and a printer never picks up a truncated file.
"""

from __future__ import annotations

import io
import os
import time
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from reportlab.pdfgen.canvas import Canvas

from teamdesk import guides as guide_library
from teamdesk.errors import Failed, InputRejected, UsageError
from teamdesk.help_services import extra_services
from teamdesk.i18n import language, tr
from teamdesk import fonts
from teamdesk.atomic_file import write_atomic
from teamdesk.leaflets import cards, handout, personalised, poster, recipients
from teamdesk.leaflets.content import Imprint, PrintGuide, imprint_for, resolve
from teamdesk.leaflets.qr import QrForms
from teamdesk.leaflets.text_fit import noting_cuts

LAYOUTS = ("poster-a4", "handout-a5", "cards-a4")
MAX_COPIES = 500


def _check_output(out: Path) -> Path:
    out = Path(out).expanduser()
    if out.suffix.lower() != ".pdf":
        raise UsageError("error.leaflet_out_not_pdf", file=str(out))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise Failed("error.leaflet_cannot_write", file=str(out), detail=tr("leaflet.folder_missing"))
    if out.is_dir() or not os.access(folder, os.W_OK):
        raise Failed("error.leaflet_cannot_write", file=str(out), detail=tr("leaflet.not_writable"))
    return out


def _pages(layout: str, guides: list[PrintGuide], copies: int, two_up: bool, households: list[dict]) -> list:
    """The page plan: a list of what goes on each page (drawn later, one by one)."""
    if households:
        items = [(g, h) for h in households for g in guides]
        return [items[i:i + 2] for i in range(0, len(items), 2)] if two_up else [[it] for it in items]
    if layout == "cards-a4":
        slots = max(cards.PER_PAGE, -(-len(guides) // cards.PER_PAGE) * cards.PER_PAGE)
        cycle = [guides[i % len(guides)] for i in range(slots)]
        sheets = [cycle[i:i + cards.PER_PAGE] for i in range(0, slots, cards.PER_PAGE)]
        return [s for _ in range(copies) for s in sheets]
    items = [g for g in guides for _ in range(copies)]
    if layout == "handout-a5" and two_up:
        if len(items) % 2:
            items.append(items[-1])  # the sheet is cut in half anyway: fill both halves
        return [items[i:i + 2] for i in range(0, len(items), 2)]
    return [[g] for g in items]


def make_leaflets(
    desk,
    *,
    guides: Sequence[str | dict],
    layout: str,
    out: Path | str | None,
    copies: int = 1,
    households: Sequence[str] = (),
    village: str | None = None,
    needs: str | None = None,
    two_up: bool = False,
    lang: str | None = None,
    day: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_pages: int | None = None,
) -> dict:
    """Draw leaflets for ``guides`` in ``layout`` and write them to ``out`` (``None``: return the
    bytes as ``result["pdf"]``, for a preview). Personalised handouts when households are given
    (by id, or by ``village`` and/or ``needs`` = a service code not yet done).

    ``guides`` holds slugs, guide-file paths, or guide bodies (the editor's unsaved guide);
    ``max_pages`` draws only the first pages of the plan (a live preview of a big batch)."""
    started = time.perf_counter()
    lang = lang or language()
    if layout not in LAYOUTS:
        raise UsageError("error.leaflet_bad_layout", layout=layout, known=", ".join(LAYOUTS))
    if not guides:
        raise UsageError("error.leaflet_no_guide")
    if not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise UsageError("error.leaflet_bad_copies", copies=str(copies), most=MAX_COPIES)
    personal = bool(households or village or needs)
    if personal and layout != "handout-a5":
        raise UsageError("error.leaflet_personal_needs_a5")
    if two_up and layout != "handout-a5":
        raise UsageError("error.leaflet_two_up_needs_a5")
    out_path = _check_output(Path(out)) if out is not None else None
    chosen = [
        resolve(desk, guide_library.check(g, origin=str(g.get("slug"))) if isinstance(g, dict) else guide_library.get(desk, g), lang=lang)
        for g in guides
    ]
    imprint = imprint_for(desk, lang=lang, day=day)
    picked = recipients.select(desk, ids=list(households), village=village, needs=needs, cancelled=cancelled) if personal else None
    if picked is not None and not picked.households:
        raise InputRejected("error.leaflet_no_households", skipped=len(picked.skipped))

    plan = _pages(layout, chosen, copies, two_up, picked.households if picked else [])
    planned = len(plan)
    if max_pages is not None:
        plan = plan[:max_pages]
    with noting_cuts() as cuts_log:
        data, finished, cut = _draw(layout, plan, chosen, imprint, desk=desk, personal=personal, two_up=two_up,
                                    progress=progress, cancelled=cancelled, cuts=cuts_log)
    result = {
        "layout": layout,
        "two_up": two_up,
        "pages": len(plan) if finished else 0,
        "pages_planned": planned,
        "guides": [{"slug": g.slug, "title": g.title, "link": g.link} for g in chosen],
        "notes": [tr(g.note, lang, guide=g.slug, link=g.link) for g in chosen if g.note]
        + [tr("leaflet.note_text_cut", lang, guide=slug, pages=n) for slug, n in cut.items()],
        "households": len(picked.households) if picked else 0,
        "skipped": [dict(s, reason_text=tr(s["reason"], lang)) for s in picked.skipped] if picked else [],
        "cancelled": not finished,
        "out": None,
    }
    if finished:
        if out_path is None:
            result["pdf"] = data
        else:
            write_atomic(out_path, data, error_key="error.leaflet_cannot_write")
            result["out"] = str(out_path)
            result["bytes"] = len(data)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _draw(layout, plan, chosen, imprint: Imprint, *, desk, personal, two_up, progress, cancelled,
          cuts: list[str]) -> tuple[bytes, bool, dict[str, int]]:
    """Draw the plan; also count, per guide, the pages where some text had to be cut to fit."""
    fonts.register()
    pagesize = handout.SHEET_2UP if two_up else {"poster-a4": poster.PAGE, "handout-a5": handout.PAGE, "cards-a4": cards.PAGE}[layout]
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=fonts.REGULAR, initialFontSize=10)
    c.setTitle(" · ".join(g.title for g in chosen)[:200])
    c.setAuthor(imprint.team)
    c.setCreator("TeamDesk")
    c.setSubject(tr("leaflet.subject", imprint.lang))
    qr = QrForms(c)
    qr.prepare(list(dict.fromkeys(g.link for g in chosen)))  # every code drawn once, before any page
    forms = contacts = extras = None
    if personal:
        forms = personalised.PersonalForms(c, qr, imprint)
        for g in chosen:
            forms.name(g)
        contacts = personalised.Contacts(desk, imprint.contact)
        extras = extra_services(desk.setting("extra_services")) if desk is not None else {}
    total = len(plan)
    step = max(1, total // 100)
    cut: dict[str, int] = {}
    for n, page in enumerate(plan):
        if cancelled and cancelled():
            return b"", False, cut
        before = len(cuts)
        for i, item in enumerate(page):
            dx = i * handout.PAGE[0]
            if personal:
                guide, household = item
                personalised.draw(c, forms, guide, household, contact=contacts.for_household(household), dx=dx,
                                  extras=extras)
            elif layout == "poster-a4":
                poster.draw(c, qr, item, imprint)
            elif layout == "handout-a5":
                handout.draw(c, qr, item, imprint, dx=dx)
        if layout == "cards-a4":
            cards.draw_page(c, qr, page, imprint)
        if two_up:
            handout.cut_line(c)
        if len(cuts) > before:
            for slug in dict.fromkeys((it[0] if personal else it).slug for it in page):
                cut[slug] = cut.get(slug, 0) + 1
        c.showPage()
        if progress and (n % step == 0 or n + 1 == total):
            progress(n + 1, total)
    c.save()
    return buffer.getvalue(), True, cut
