"""Build resources/units/units.json from the `vietnam-provinces` 2026.9.0 wheel's data.

Run once by a maintainer (not at run time: that package is GPL and needs Python 3.12):

    pip download --no-deps --python-version 3.12 --only-binary=:all: vietnam-provinces==2026.9.0 -d /tmp/vp
    unzip -q /tmp/vp/*.whl -d /tmp/vp/x
    python scripts/build_units.py /tmp/vp/x/vietnam_provinces/data/nested-divisions.json

Only facts are kept (codes, names, kinds), re-keyed as zero-padded strings.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "units" / "units.json"


def main(src: str) -> None:
    nested = json.loads(Path(src).read_text(encoding="utf-8"))
    provinces, communes = [], []
    for p in nested:
        pcode = f"{p['code']:02d}"
        provinces.append({"code": pcode, "name": p["name"], "kind": p["division_type"]})
        for w in p["wards"]:
            communes.append(
                {"code": f"{w['code']:05d}", "name": w["name"], "kind": w["division_type"], "province": pcode}
            )
    if len(provinces) != 34 or len(communes) != 3321:
        raise SystemExit(f"unexpected counts: {len(provinces)} provinces, {len(communes)} communes")
    doc = {
        "source": "Decision 19/2025/QD-TTg (list of administrative units from 1 July 2025), "
        "via the data of vietnam-provinces 2026.9.0, cross-checked against the official list",
        "effective": "2025-07-01",
        "built": "2026-11-22",
        "provinces": provinces,
        "communes": communes,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT}: {len(provinces)} provinces, {len(communes)} communes")


if __name__ == "__main__":
    main(sys.argv[1])
