"""Regenerate the golden format-1 bundle (run once by hand; the test then pins it forever).

    python tests/golden/make_bundle_v1.py

Never rerun after format 1 ships: the point of a golden file is that old files stay readable.
"""

from pathlib import Path

from teamdesk.sync.bundle import write_bundle
from teamdesk.sync.identity import Identity

HERE = Path(__file__).parent
DEVICE = "9a7c0f1e2b3d4c5a"
HLC = "1763790000000-0000-" + DEVICE
SECTIONS = [
    ("villages", ["id", "hlc", "prev_hlc", "origin", "deleted", "name", "commune_code", "population", "household_count"],
     [["0193a000-0000-7000-8000-000000000001", HLC, "", DEVICE, 0, "Thôn 1", "15106", 812, 204]]),
    ("households", ["id", "hlc", "prev_hlc", "origin", "deleted", "village_id", "head_name", "phone", "address", "note",
                    "consent_by", "consent_at", "consent_scope", "consent_version", "consent_withdrawn_at",
                    "registered_by", "merged_into"],
     [["0193a000-0000-7000-8000-000000000002", "1763790000000-0001-" + DEVICE, "", DEVICE, 0,
       "0193a000-0000-7000-8000-000000000001", "Nguyễn Văn Ấn", "0987654321", "Xóm Đông", "",
       "Nguyễn Văn Ấn", "2025-11-22T05:40:00Z", "help", "2026-01", "", "", ""]]),
    ("members", ["id", "hlc", "prev_hlc", "origin", "deleted", "household_id", "full_name", "sex", "birth_year",
                 "relation", "phone", "note"],
     [["0193a000-0000-7000-8000-000000000003", "1763790000000-0002-" + DEVICE, "", DEVICE, 0,
       "0193a000-0000-7000-8000-000000000002", "Đặng Thị Lan", "F", 1972, "spouse", "", "Ghi chú \"ngoặc\"\nhai dòng"]]),
]

if __name__ == "__main__":
    keys = HERE / "bundle_v1_home"
    identity = Identity.load(keys) if Identity.exists(keys) else Identity.create(keys, device_id=DEVICE)
    write_bundle(
        identity=identity,
        recipients=[identity.age_recipient],
        audience="commune",
        commune="15106",
        village="Thôn 1",
        sequence=1,
        sections=SECTIONS,
        name="Máy Thôn 1",
        role="volunteer",
        proof="",
        bundle_id="0193a000-0000-7000-8000-0000000000ff",
        created_at="2025-11-22T05:40:00Z",
        out=HERE / "bundle_v1.tdsync",
    )
