"""The kinds of help a team logs, and their outcomes.

The codes are stable (they travel in sync files and reports); labels come from the i18n
catalogues (``service.<code>``). A commune can add codes through the ``extra_services`` setting,
a JSON list of ``{"code": ..., "vi": ..., "en": ...}``.
"""

from __future__ import annotations

import json
import re

from teamdesk.i18n import language, tr

SERVICES = (
    "vneid_install",
    "vneid_level1",
    "vneid_level2",
    "online_service",
    "epayment_account",
    "ecommerce",
    "online_safety",
    "digital_skills",
    "other",
)
OUTCOMES = ("done", "follow_up", "could_not")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def extra_services(setting: str | None) -> dict[str, dict[str, str]]:
    """Parse the ``extra_services`` setting; malformed entries are skipped, never fatal."""
    try:
        items = json.loads(setting or "[]")
    except ValueError:
        return {}
    out = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and _CODE.match(str(item.get("code", ""))) and item["code"] not in SERVICES:
            out[item["code"]] = {"vi": str(item.get("vi") or item["code"]), "en": str(item.get("en") or item["code"])}
    return out


def service_label(code: str, extras: dict[str, dict[str, str]] | None = None, lang: str | None = None) -> str:
    if code in SERVICES:
        return tr(f"service.{code}", lang or language())
    if extras and code in extras:
        return extras[code][lang or language()]
    return code


def outcome_label(code: str, lang: str | None = None) -> str:
    return tr(f"outcome.{code}", lang or language())
