"""50 communes upload at once on 127.0.0.1: nothing lost, nothing counted twice, sums exact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from teamdesk.sync.identity import Identity
from teamdesk.sync.upload import receipt_ok
from teamdesk.units import provinces
from tests.test_hub_support import hub, hub_counts, hub_home, synthetic_bundle  # noqa: F401


def _communes(n: int) -> list[str]:
    from teamdesk import units

    return sorted(units._data()["communes"])[:n]


def test_50_concurrent_uploads_add_up(hub):
    communes = _communes(50)
    identities = [Identity.ephemeral(f"c{i:015d}") for i in range(50)]
    for ident, code in zip(identities, communes):
        hub.store.call(hub.store.enrol, device_id=ident.device_id, commune_code=code, signing_key=ident.signing_key, age_recipient=ident.age_recipient)
    recipient = hub.store.identity.age_recipient
    bodies = [synthetic_bundle(ident, hub_recipient=recipient, commune=code, seed=i) for i, (ident, code) in enumerate(zip(identities, communes))]

    def post(body: bytes) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            return client.post(hub.url + "/api/v1/bundles", content=body)

    with ThreadPoolExecutor(max_workers=50) as pool:
        first = list(pool.map(post, bodies[:20]))
        assert len(hub.store.call(hub.store.summary)) == 50  # fills the summary cache mid-way
        first += list(pool.map(post, bodies[20:]))
        second = list(pool.map(post, bodies))  # every client retries at once: no double counting
    assert [r.status_code for r in first] == [201] * 50
    assert [r.json()["status"] for r in second] == ["already_received"] * 50
    signing_key = hub.store.identity.signing_key
    assert all(receipt_ok(r.json(), signing_key) for r in first + second)
    counts = hub_counts(hub.store)
    assert counts == {"villages": 50, "households": 150, "members": 0, "help_events": 300, "bundles": 50, "archived_files": 50}
    lines = hub.store.call(hub.store.summary)
    from teamdesk.sync.hub import summary as summaries

    uncached = hub.store.call(lambda: summaries.by_commune(hub.store.desk.conn, communes=hub.store.communes()))
    assert lines == uncached  # the per-commune cache agrees with a full recount
    assert [e["commune_code"] for e in lines] == sorted(communes, key=lambda c: (next(l for l in lines if l["commune_code"] == c)["province_code"], c))
    for e in lines:
        assert (e["households_reached"], e["helps"], e["vneid_level2"], e["epayment_accounts"], e["online_services"]) == (3, 6, 1, 2, 2)
    by_province = hub.store.call(hub.store.summary, by="province")
    assert sum(p["communes"] for p in by_province) == 50 and sum(p["helps"] for p in by_province) == 300
    assert {p["province_code"] for p in by_province} <= {p["code"] for p in provinces()}
