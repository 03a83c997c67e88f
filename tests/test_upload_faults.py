"""The upload client against a hub that fails: 500s, hangs, lost answers, a changed key, a cancel."""

from __future__ import annotations

import pytest

from teamdesk.sync import outbox, upload
from teamdesk.sync.hub import summary
from teamdesk.sync.hub.serve import HubThread
from teamdesk.sync.upload import Backoff, HubKeyChanged
from tests.test_hub_support import FAST, Faults, enrol, hub_counts, make_hub_home


@pytest.fixture
def faulty(tmp_path):
    holder = {}

    def wrap(app):
        holder["faults"] = Faults(app)
        return holder["faults"]

    with HubThread(make_hub_home(tmp_path / "hub"), app_wrapper=wrap) as running:
        running.faults = holder["faults"]
        yield running


def test_500_then_recovery(faulty, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    enrol(faulty, desk)
    faulty.faults.plan = ["500", "500"]
    result = upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    assert result["accepted"] == 1 and result["pending"] == 0 and result["error"] is None
    assert faulty.faults.seen == ["500", "500"]
    assert outbox.entries(desk)[0]["attempts"] == 3
    assert hub_counts(faulty.store)["help_events"] == 1


def test_timeout_then_recovery(faulty, desk, household):
    enrol(faulty, desk)
    faulty.faults.plan = ["hang"]
    result = upload.push(desk.home, hub_url=faulty.url, backoff=FAST, timeout=0.5)
    assert result["accepted"] == 1 and result["pending"] == 0
    assert outbox.entries(desk)[0]["attempts"] == 2


def test_lost_answer_is_not_counted_twice(faulty, desk, household):
    """The hub merged the bundle but the answer was lost: the retry is 'already received'."""
    desk.log_help(household=household, service="epayment_account")
    enrol(faulty, desk)
    faulty.faults.plan = ["lose", "lose"]
    result = upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    assert result["already"] == 1 and result["accepted"] == 0 and result["pending"] == 0
    counts = hub_counts(faulty.store)
    assert counts["bundles"] == 1 and counts["help_events"] == 1 and counts["archived_files"] == 1
    assert faulty.store.call(faulty.store.summary) == summary.by_commune(desk.conn)
    receipt = outbox.entries(desk)[0]["receipt"]
    assert receipt["status"] == "already_received"


def test_hub_down_for_every_retry_keeps_the_bundle(faulty, desk, household):
    enrol(faulty, desk)
    faulty.faults.plan = ["500"] * 4
    result = upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    assert result["error"] == "error.hub_gave_up" and result["pending"] == 1
    assert "sẽ tự gửi khi có mạng" in result["error_message"]
    assert "error." not in result["error_message"]  # the hub's words, not its message key
    entry = outbox.entries(desk)[0]
    assert entry["state"] == "pending" and entry["attempts"] == 4 and entry["last_error"] == "error.hub_internal"
    again = upload.push(desk.home, backoff=FAST)
    assert again["accepted"] == 1 and again["prepared"] is None and again["pending"] == 0


def test_changed_hub_key_is_refused(tmp_path, desk, household):
    with HubThread(make_hub_home(tmp_path / "hub1")) as first:
        enrol(first, desk)
        upload.push(desk.home, hub_url=first.url, backoff=FAST)
    desk.log_help(household=household, service="vneid_level2")
    with HubThread(make_hub_home(tmp_path / "hub2", name="Kẻ mạo danh")) as impostor:
        enrol(impostor, desk)
        with pytest.raises(HubKeyChanged) as caught:
            upload.push(desk.home, hub_url=impostor.url, backoff=FAST)
        assert "CẢNH BÁO" in caught.value.message()
        assert hub_counts(impostor.store)["bundles"] == 0
    assert outbox.unsent_count(desk) == 1  # nothing was packed for the impostor either


def test_cancel_stops_between_retries(faulty, desk, household):
    enrol(faulty, desk)
    faulty.faults.plan = ["500"] * 10
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(faulty.faults.seen) >= 1

    result = upload.push(desk.home, hub_url=faulty.url, backoff=Backoff(retries=8, base=5, cap=5), cancelled=cancelled)
    assert result["error"] == "error.cancelled" and result["pending"] == 1
    assert len(faulty.faults.seen) == 1  # did not sit out a 5-second back-off
    assert outbox.entries(desk)[0]["state"] == "pending"


def test_interrupted_sending_state_is_pending_again(faulty, desk, household):
    """The app was closed while a bundle was 'sending': the next push sends it."""
    enrol(faulty, desk)
    faulty.faults.plan = ["500"] * 4
    upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    entry = outbox.entries(desk)[0]
    outbox.mark_sending(desk, entry["bundle_id"])
    assert outbox.entries(desk)[0]["state"] == "sending"
    result = upload.push(desk.home, backoff=FAST)
    assert result["accepted"] == 1 and outbox.entries(desk)[0]["state"] == "acknowledged"


def test_backoff_grows_with_jitter():
    import random

    b = Backoff(retries=5, base=1, cap=8, rng=random.Random(3))
    delays = [[b.delay(n) for _ in range(200)] for n in range(5)]
    assert all(0.5 <= d <= 8 for row in delays for d in row)
    assert max(delays[0]) <= 1 and max(delays[3]) > 4  # grows, capped
    assert len({round(d, 6) for d in delays[2]}) > 150  # jittered


def test_trusting_a_new_hub_key_repacks_for_it(tmp_path, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    with HubThread(make_hub_home(tmp_path / "old")) as old:
        enrol(old, desk)
        upload.push(desk.home, hub_url=old.url, backoff=FAST)
    desk.log_help(household=household, service="epayment_account")
    assert upload.push(desk.home, backoff=FAST)["pending"] == 1  # offline: packed for the old key
    upload.forget_pin(desk)  # the province confirmed its new key
    assert outbox.pending(desk) == [] and outbox.unsent_count(desk) > 0
    with HubThread(make_hub_home(tmp_path / "new")) as new:
        enrol(new, desk)
        result = upload.push(desk.home, hub_url=new.url, backoff=FAST)
        assert result["accepted"] == 1 and result["first_contact"] and result["pending"] == 0
        assert new.store.call(new.store.summary) == summary.by_commune(desk.conn)


def test_a_lost_bundle_file_is_repacked(faulty, desk, household):
    desk.log_help(household=household, service="online_service")
    enrol(faulty, desk)
    faulty.faults.plan = ["500"] * 4
    upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    outbox.path_of(desk, outbox.pending(desk)[0]).unlink()
    lost = upload.push(desk.home, backoff=FAST)
    assert lost["error"] == "error.hub_bundle_lost" and lost["pending"] == 0 and lost["unsent_rows"] > 0
    again = upload.push(desk.home, backoff=FAST)
    assert again["accepted"] == 1 and again["pending"] == 0
    assert faulty.store.call(faulty.store.summary) == summary.by_commune(desk.conn)


def test_outbox_listing_and_pruning(faulty, desk, household):
    enrol(faulty, desk)
    for service in ("vneid_install", "vneid_level1", "vneid_level2"):
        desk.log_help(household=household, service=service)
        upload.push(desk.home, hub_url=faulty.url, backoff=FAST)
    all_entries = outbox.entries(desk)
    assert len(all_entries) == 3 and [e["bundle_id"] for e in outbox.entries(desk, latest=2)] == [e["bundle_id"] for e in all_entries[1:]]
    assert outbox.prune(desk) == 0  # acknowledged today: kept
    desk.conn.execute("UPDATE outbox SET acknowledged_at = '2020-01-01T00:00:00Z' WHERE bundle_id = ?", (all_entries[0]["bundle_id"],))
    assert outbox.prune(desk) == 1 and not outbox.path_of(desk, all_entries[0]).exists()
    assert len(outbox.entries(desk)) == 3  # the line stays
