"""Vietnam's administrative units since 1 July 2025: 34 provinces and 3,321 communes.

Data: ``resources/units/units.json`` (built by ``scripts/build_units.py``; its ``source`` field
names where it comes from). Codes are zero-padded strings, never reused. There are no districts.
"""

from __future__ import annotations

import json
from functools import lru_cache

from teamdesk.errors import NotFound
from teamdesk.fold import fold
from teamdesk.paths import resource


@lru_cache(maxsize=1)
def _data() -> dict:
    doc = json.loads(resource("units", "units.json").read_text(encoding="utf-8"))
    provinces = {p["code"]: p for p in doc["provinces"]}
    communes = {}
    for c in doc["communes"]:
        p = provinces[c["province"]]
        communes[c["code"]] = c | {"province_name": p["name"], "folded": fold(f"{c['name']} {p['name']}")}
    return {"doc": doc, "provinces": provinces, "communes": communes}


def source() -> dict:
    doc = _data()["doc"]
    return {"source": doc["source"], "effective": doc["effective"], "built": doc["built"]}


def provinces() -> list[dict]:
    return list(_data()["provinces"].values())


def commune(code: str) -> dict:
    code = str(code).strip()
    if code.isdigit():
        code = code.zfill(5)
    found = _data()["communes"].get(code)
    if not found:
        raise NotFound("error.unknown_commune", code=code)
    return {k: v for k, v in found.items() if k != "folded"}


def find(text: str, *, limit: int = 20) -> list[dict]:
    """Communes (and their province) whose name matches every typed word, ignoring accents.

    A code (``"00004"`` or ``"4"``) finds that commune; matches on the commune's own name rank
    before matches that need the province's name.
    """
    text = (text or "").strip()
    data = _data()
    if text.isdigit():
        code = text.zfill(5)
        return [commune(code)] if code in data["communes"] else []
    words = fold(text).split()
    if not words:
        return []
    typed = " ".join(words)
    ranked = []
    for c in data["communes"].values():
        hay = c["folded"].split()
        # every typed word starts some word of "commune, province" ("nguyet an" ≠ "Nguyệt Viên, Thanh Hóa")
        if all(any(h.startswith(w) for h in hay) for w in words):
            own = fold(c["name"])
            bare = own.split(" ", 1)[-1] if not own.startswith("dac khu") else own[8:]
            own_words = own.split()
            rank = 0 if typed in (bare, own) else (1 if all(any(h.startswith(w) for h in own_words) for w in words) else 2)
            ranked.append((rank, own, c["code"]))
    ranked.sort()
    return [commune(code) for _, _, code in ranked[:limit]]
