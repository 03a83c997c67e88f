"""Rules of the house that a reviewer would otherwise have to remember."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from teamdesk.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parent.parent
KEY_USE = re.compile(r"""\b(?:tr|[A-Z]\w*(?:Error|Rejected|Failed|NotFound|Suspect|Initialised|TooNew))\(\s*["']([a-z][a-z0-9_]*\.[a-z0-9_.]*[a-z0-9_])["']""")


def test_core_never_imports_qt():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "teamdesk").rglob("*.py")
        if "ui" not in p.relative_to(ROOT / "teamdesk").parts[:1]
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m.removesuffix('.__init__').removesuffix('.__main__') if not m.endswith('__main__') else 'teamdesk')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pytestqt')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_never_imports_sync():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "teamdesk").glob("*.py")
        if re.search(r"^\s*(from|import)\s+teamdesk\.sync", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def test_catalogues_agree():
    vi, en = catalogue("vi"), catalogue("en")
    assert sorted(set(vi) - set(en)) == [], "keys missing in English"
    assert sorted(set(en) - set(vi)) == [], "keys missing in Vietnamese"
    for lang in LANGUAGES:
        for path in (ROOT / "resources" / "i18n" / lang).glob("*.json"):
            json.loads(path.read_text(encoding="utf-8"))
    assert not [k for k, v in vi.items() if not v.strip()]


def test_every_key_used_in_code_exists():
    vi = catalogue("vi")
    missing = set()
    for path in (ROOT / "teamdesk").rglob("*.py"):
        for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
            if key not in vi:
                missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert sorted(missing) == []
