"""Checks on what people type and what files carry, before anything is written.

Each function returns the cleaned value or raises ``InputRejected`` naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from teamdesk.errors import InputRejected
from teamdesk.fold import phone_digits

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A CCCD (citizen ID) number is 12 digits: sensitive data we must never store, even in a note.
_CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")
_MOBILE = re.compile(r"^0(3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$")
_LANDLINE = re.compile(r"^02\d{9}$")
SEXES = ("F", "M", "")


def text(value: object, *, field: str, max_len: int = 200, required: bool = False, multiline: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputRejected("error.field_not_text", field=field)
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = "\n".join(line.strip() for line in value.replace("\r\n", "\n").split("\n")).strip()
    else:
        value = " ".join(value.split())
    if _CONTROL.search(value.replace("\n", "")):
        raise InputRejected("error.field_control_chars", field=field)
    if len(value) > max_len:
        raise InputRejected("error.field_too_long", field=field, max=max_len)
    if required and not value:
        raise InputRejected("error.field_required", field=field)
    if _CCCD.search(value):
        raise InputRejected("error.field_has_cccd", field=field)
    return value


def without_cccd(value: str) -> str:
    """``value`` with any 12-digit run (a CCCD number) blanked: for text kept before it is checked."""
    return _CCCD.sub("", value)


def person_name(value: object, *, field: str = "name", required: bool = True) -> str:
    name = text(value, field=field, max_len=100, required=required)
    if name and not any(c.isalpha() for c in name):
        raise InputRejected("error.name_no_letters", field=field)
    return name


def phone(value: object, *, field: str = "phone") -> str:
    raw = text(value, field=field, max_len=30)
    if not raw:
        return ""
    if re.search(r"[^\d\s.+()-]", raw):
        raise InputRejected("error.bad_phone", value=raw)
    digits = phone_digits(raw)
    if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise InputRejected("error.bad_phone", value=raw)
    return digits


def birth_year(value: object, *, today: date) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise InputRejected("error.bad_birth_year", value=value) from None
    if not 1900 <= year <= today.year:
        raise InputRejected("error.bad_birth_year", value=value)
    return year


def sex(value: object) -> str:
    v = {"nữ": "F", "nu": "F", "f": "F", "female": "F", "nam": "M", "m": "M", "male": "M"}.get(
        str(value or "").strip().lower(), str(value or "").strip().upper()
    )
    if v not in SEXES:
        raise InputRejected("error.bad_sex", value=value)
    return v
