"""Translations shared by the CLI, the UI and the PDFs.

Catalogues are JSON files under ``resources/i18n/<lang>/`` (one per feature), flat
``{"key": "text with {params}"}``. Vietnamese is the default; English is the second language.
A key missing from the chosen language falls back to Vietnamese, then to the key itself,
so a gap shows up as a visible key rather than a crash (tests check there are no gaps).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from teamdesk.paths import resource

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
_current = os.environ.get("TEAMDESK_LANG", DEFAULT) if os.environ.get("TEAMDESK_LANG") in LANGUAGES else DEFAULT


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = resource("i18n", lang)
    for path in sorted(folder.glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _current = lang


def language() -> str:
    return _current


def tr(key: str, lang: str | None = None, /, **params) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), formatted with ``params``."""
    lang = lang or _current
    text = catalogue(lang).get(key) or catalogue(DEFAULT).get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def number(n) -> str:
    """200000 → "200.000" in Vietnamese, "200,000" in English; anything else as its text."""
    if not isinstance(n, int) or isinstance(n, bool):
        return str(n)
    text = f"{n:,}"
    return text.replace(",", ".") if _current == "vi" else text
