"""The guide library: guides shipped as JSON files and trainers' own guides stored in the database.

Shipped guides live in ``resources/guides/<slug>.json`` (format in ``resources/guides/README.md``)
and are read-only: a trainer who edits one gets a copy with ``based_on`` set to the shipped slug,
stored in the synced ``guides`` table (columns ``slug``, ``based_on``, ``body`` JSON) so it travels
to the other laptops. Every guide is checked when it is loaded, wherever it comes from: its QR
link must be https and never a shortener (a printed link cannot be corrected later, and people
must be able to read where it goes).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from teamdesk import records
from teamdesk.db import transaction
from teamdesk.errors import InputRejected, NotFound
from teamdesk.fold import fold
from teamdesk.ids import new_id
from teamdesk.paths import resource

FORMAT = 1
LANGS = ("vi", "en")
NATIONAL_PORTAL = "https://dichvucong.gov.vn"
LINK_SETTINGS = ("province_portal_url",)
MAX_STEPS = 10
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SHORTENERS = {
    "bit.ly", "tinyurl.com", "goo.gl", "t.ly", "s.id", "rb.gy", "is.gd", "cutt.ly", "ow.ly",
    "tiny.cc", "shorturl.at", "t.co", "buff.ly", "rebrand.ly", "v.gd", "bom.so", "urlz.vn",
}
TEXT_LIMITS = {"title": 200, "purpose": 400, "card_line": 160, "next_step": 300}


def folder() -> Path:
    return resource("guides")


# --- checking -------------------------------------------------------------------------------
def check_link(link: object, *, origin: str) -> str:
    """A link fit to print: https, a real host, no spaces, not a shortener."""
    text = link.strip() if isinstance(link, str) else ""
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or any(ch.isspace() for ch in text):
        raise InputRejected("error.guide_link_not_https", file=origin, link=str(link))
    if parts.hostname.lower() in SHORTENERS:
        raise InputRejected("error.guide_link_shortened", file=origin, link=text)
    return text


def _text(value: object, *, origin: str, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputRejected("error.guide_missing_field", file=origin, name=field)
    if len(value) > limit:
        raise InputRejected("error.guide_field_too_long", file=origin, name=field, limit=limit)
    return " ".join(value.split())


def _lines(value: object, *, origin: str, field: str, least: int, most: int) -> list[str]:
    if value is None and least == 0:
        return []
    if not isinstance(value, list) or not least <= len(value) <= most:
        raise InputRejected("error.guide_bad_list", file=origin, name=field, least=least, most=most)
    return [_text(v, origin=origin, field=field, limit=400) for v in value]


def check(body: object, *, origin: str) -> dict:
    """A guide's body, validated and tidied; ``origin`` names it in messages (a file or a slug)."""
    if not isinstance(body, dict):
        raise InputRejected("error.guide_bad_json", file=origin, detail="{…}")
    if body.get("format", FORMAT) != FORMAT:
        raise InputRejected("error.guide_bad_format", file=origin, format=str(body.get("format")))
    slug = body.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise InputRejected("error.guide_bad_slug", file=origin, slug=str(slug))
    out: dict = {"format": FORMAT, "slug": slug, "link": check_link(body.get("link"), origin=origin)}
    setting = body.get("link_setting") or ""
    if setting and setting not in LINK_SETTINGS:
        raise InputRejected("error.guide_bad_link_setting", file=origin, name=str(setting))
    out["link_setting"] = setting
    out["service"] = str(body.get("service") or "")
    checked = body.get("checked")
    try:
        out["checked"] = date.fromisoformat(str(checked)).isoformat()
    except ValueError:
        raise InputRejected("error.guide_missing_field", file=origin, name="checked") from None
    out["sources"] = [check_link(s, origin=origin) for s in body.get("sources") or [out["link"]]]
    for lang in LANGS:
        part = body.get(lang)
        if not isinstance(part, dict):
            raise InputRejected("error.guide_missing_field", file=origin, name=lang)
        text = {k: _text(part.get(k), origin=origin, field=f"{lang}.{k}", limit=n) for k, n in TEXT_LIMITS.items()}
        text["steps"] = _lines(part.get("steps"), origin=origin, field=f"{lang}.steps", least=1, most=MAX_STEPS)
        text["tips"] = _lines(part.get("tips"), origin=origin, field=f"{lang}.tips", least=0, most=5)
        text["warnings"] = _lines(part.get("warnings"), origin=origin, field=f"{lang}.warnings", least=0, most=5)
        out[lang] = text
    for key in ("based_on", "source", "id"):
        if body.get(key):
            out[key] = body[key]
    return out


def load_file(path: Path | str) -> dict:
    """One guide file, checked; any fault names the file."""
    path = Path(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound("error.guide_file_missing", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputRejected("error.guide_bad_json", file=path.name, detail=str(exc)) from None
    guide = check(body, origin=path.name)
    guide["source"] = guide.get("source") or "file"
    return guide


# --- the library ----------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _shipped(where: str) -> tuple[dict, ...]:
    guides = []
    for path in sorted(Path(where).glob("*.json")):
        guide = load_file(path)
        guide["source"] = "shipped"
        guides.append(guide)
    return tuple(guides)


def shipped() -> list[dict]:
    return [dict(g) for g in _shipped(str(folder()))]


def own(conn: sqlite3.Connection) -> list[dict]:
    """Trainers' guides (synced). A row that fails the check is skipped, never fatal to the list."""
    out = []
    for row_id, slug, based_on, body in conn.execute(
        "SELECT id, slug, based_on, body FROM guides WHERE deleted = 0 ORDER BY slug"
    ):
        try:
            guide = check(json.loads(body or "{}") | {"slug": slug}, origin=slug)
        except (InputRejected, ValueError):
            continue
        guide.update(source="own", id=row_id, based_on=based_on or "")
        out.append(guide)
    return out


def library(desk) -> list[dict]:
    """Every guide this installation can print: shipped ones first, then the trainers' own."""
    return shipped() + own(desk.conn)


def get(desk, ref: str) -> dict:
    """A guide by slug (own guides and shipped ones), or a guide file's path."""
    ref = (ref or "").strip()
    if ref.endswith(".json"):
        return load_file(ref)
    for guide in library(desk):
        if guide["slug"] == ref:
            return guide
    raise NotFound("error.unknown_guide", guide=ref, known=", ".join(g["slug"] for g in library(desk)))


def search(guides: list[dict], text: str, *, lang: str = "vi") -> list[dict]:
    """Guides whose slug, title or purpose contains every word of ``text`` (accents optional)."""
    words = fold(text or "").split()
    if not words:
        return guides
    out = []
    for g in guides:
        hay = fold(" ".join((g["slug"], g[lang]["title"], g[lang]["purpose"], g["vi"]["title"])))
        if all(w in hay for w in words):
            out.append(g)
    return out


def link_for(desk, guide: dict) -> tuple[str, str | None]:
    """The link the QR code opens, and a note key when a setting was missing and a fallback used.

    Province portals differ by province and changed with the 2025 mergers, so they are a setting.
    """
    setting = guide.get("link_setting")
    if not setting:
        return guide["link"], None
    value = (desk.setting(setting) or "").strip() if desk is not None else ""
    if value:
        try:
            return check_link(value, origin=setting), None
        except InputRejected:
            pass
    return guide["link"] if guide["link"] else NATIONAL_PORTAL, "leaflet.note_province_portal_missing"


# --- trainers' own guides ---------------------------------------------------------------------
def _free_slug(desk, wanted: str) -> str:
    taken = {g["slug"] for g in library(desk)}
    n = 2
    slug = wanted
    while slug in taken:
        slug = f"{wanted[:56]}-{n}"
        n += 1
    return slug


def save(desk, body: dict, *, row_id: str | None = None, new: bool = False) -> dict:
    """Store a trainer's guide: a new one, an edit of their own, or a copy of a shipped one.

    A shipped guide is never overwritten: saving under a shipped slug stores a copy under a free
    slug with ``based_on`` naming the original. ``row_id`` edits that own guide (its slug may
    change, to one not taken); ``new`` refuses a slug already taken instead of updating that
    guide (the editor's "new guide"); otherwise saving under an own guide's slug updates it
    (saving the same file twice). Returns the stored guide.
    """
    slug = body.get("slug") if isinstance(body, dict) else None
    guide = check(body, origin=str(slug or "?"))
    shipped_slugs = {g["slug"] for g in shipped()}
    by_slug = desk.conn.execute("SELECT id, based_on FROM guides WHERE slug = ? AND deleted = 0", (guide["slug"],)).fetchone()
    based_on = body.get("based_on") or ""
    if row_id:
        existing = desk.conn.execute("SELECT id, based_on FROM guides WHERE id = ? AND deleted = 0", (row_id,)).fetchone()
        if existing is None:
            raise NotFound("error.unknown_guide", guide=guide["slug"], known="")
        if guide["slug"] in shipped_slugs or (by_slug and by_slug[0] != row_id):
            raise InputRejected("error.guide_slug_taken", slug=guide["slug"])
    elif guide["slug"] in shipped_slugs:
        based_on = guide["slug"]
        guide["slug"] = _free_slug(desk, f"{guide['slug']}-ban-rieng")
        existing = None
    elif by_slug and new:
        raise InputRejected("error.guide_slug_taken", slug=guide["slug"])
    else:
        existing = by_slug
    stored = {k: v for k, v in guide.items() if k not in ("source", "id", "based_on")}
    row = {
        "id": existing[0] if existing else new_id(),
        "slug": guide["slug"],
        "based_on": based_on if not existing else (existing[1] or based_on),
        "body": json.dumps(stored, ensure_ascii=False),
    }
    with transaction(desk.conn):
        records.put(desk.conn, desk.clock, "guides", row)
        desk._save_clock()
    return get(desk, guide["slug"])


def delete(desk, slug: str) -> None:
    """Remove a trainer's guide (a tombstone that syncs); shipped guides cannot be removed."""
    row = desk.conn.execute("SELECT id FROM guides WHERE slug = ? AND deleted = 0", (slug,)).fetchone()
    if row is None:
        if any(g["slug"] == slug for g in shipped()):
            raise InputRejected("error.guide_shipped_read_only", guide=slug)
        raise NotFound("error.unknown_guide", guide=slug, known="")
    with transaction(desk.conn):
        records.put(desk.conn, desk.clock, "guides", {"id": row[0], "deleted": 1})
        desk._save_clock()


def blank(slug: str = "huong-dan-moi") -> dict:
    """A starting point for a new guide in the editor."""
    part = {"title": "", "purpose": "", "steps": ["", "", ""], "tips": [], "warnings": [], "card_line": "", "next_step": ""}
    return {"format": FORMAT, "slug": slug, "service": "", "link": "https://", "checked": date.today().isoformat(),
            "vi": dict(part), "en": dict(part)}
