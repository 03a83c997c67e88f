"""What goes up to the province carries no names, phones, addresses, notes or details."""

from __future__ import annotations

from teamdesk.records import columns
from teamdesk.schema import PERSONAL
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync import outbox, upload
from teamdesk.sync.deidentify import KEEP, age_band, row_mapper
from tests.test_hub_support import FAST, enrol, hub, hub_home  # noqa: F401

SECRETS = ("Nguyễn Văn Ấn", "Đặng Thị Lan", "Lê Thị Hoa", "0987654321", "0912345678", "Xóm Đông", "cổng sau", "mật khẩu ghi nhớ", "Agribank")


def _forms(text: str) -> list[bytes]:
    import json

    return [text.encode("utf-8"), json.dumps(text).encode("ascii"), text.encode("utf-16-le")]


def test_deidentify_keeps_only_the_allow_list():
    row = {c: f"x-{c}" for c in columns("households")} | {"deleted": 0}
    cols = columns("households")
    out = dict(zip(cols, row_mapper("households")([row[c] for c in cols])))  # what really goes up
    assert out["village_id"] == "x-village_id" and out["head_name"] is None and out["phone"] is None and out["address"] is None
    for table, keep in KEEP.items():
        assert not keep & set(PERSONAL.get(table, ())), table
    assert age_band(1968) == 1960 and age_band(None) is None and age_band("1972") == 1970
    member = [None] * len(columns("members"))
    member[columns("members").index("birth_year")] = 1999
    member[columns("members").index("full_name")] = "Đặng Thị Lan"
    mapped = row_mapper("members")(member)
    assert mapped[columns("members").index("birth_year")] == 1990 and "Đặng Thị Lan" not in mapped


def test_what_goes_up_has_no_names_phones_or_addresses(hub, desk, household):
    desk.edit_household(household, note="cổng sau, chó dữ")
    desk.log_help(household=household, service="epayment_account", detail="Agribank", note="mật khẩu ghi nhớ")
    enrol(hub, desk)
    result = upload.push(desk.home, hub_url=hub.url, backoff=FAST)
    assert result["accepted"] == 1
    entry = outbox.entries(desk)[0]
    raw = outbox.path_of(desk, entry).read_bytes()
    bundle = bundle_format.read_manifest(raw)
    payload = bundle_format.open_payload(bundle, identity=hub.store.identity)
    decrypted = repr([(t, s.columns, s.rows) for t, s in payload.sections.items()])
    for secret in SECRETS:
        assert secret not in decrypted, secret
        for form in _forms(secret):
            assert form not in raw, secret
    # what it does carry: the ids, the village, the service, sex and age band
    members = payload.sections["members"]
    at = {c: i for i, c in enumerate(members.columns)}
    assert sorted((r[at["sex"]], r[at["birth_year"]]) for r in members.rows) == [("F", 1970), ("M", 1960)]
    assert {r[payload.sections["help_events"].columns.index("service")] for r in payload.sections["help_events"].rows} == {"epayment_account"}
    # and the hub's own files hold none of it either
    hub.store.call(hub.store.desk.conn.execute, "PRAGMA wal_checkpoint(TRUNCATE)")
    for path in [hub.store.home / "teamdesk.sqlite3", *(hub.store.home / "archive").rglob("*.tdsync")]:
        data = path.read_bytes()
        for secret in SECRETS:
            for form in _forms(secret):
                assert form not in data, (path.name, secret)
