"""A hub killed mid-upload (a real process, killed like a power cut) and restarted changes nothing."""

from __future__ import annotations

import httpx

from teamdesk.db import connect
from teamdesk.sync import outbox, upload
from teamdesk.sync.hub import summary
from teamdesk.sync.hub.store import HubStore
from tests.test_hub_support import FAST, HubProcess, hub_home  # noqa: F401

DIE_BEFORE_MERGE = """
import os, sys
from teamdesk.sync.hub.serve import bind, make_server
from teamdesk.sync.hub.store import HubStore
store = HubStore.open(sys.argv[1], merge_hook=lambda bundle_id: os._exit(17))
sock = bind("127.0.0.1", 0)
print("listening http://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
make_server(store).run(sockets=[sock])
"""


def _enrol_offline(hub_home, desk) -> None:
    from teamdesk.sync.identity import Identity

    ident = Identity.load_or_create(desk.home, device_id=desk.device_id)
    with HubStore.open(hub_home) as store:
        store.call(store.enrol, device_id=ident.device_id, commune_code=desk.commune_code, signing_key=ident.signing_key, age_recipient=ident.age_recipient)


def _hub_rows(hub_home) -> dict:
    conn = connect(hub_home / "teamdesk.sqlite3", readonly=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "bundles": conn.execute("SELECT state, COUNT(*) FROM hub_bundles GROUP BY state").fetchall(),
            "helps": conn.execute("SELECT COUNT(*) FROM help_events").fetchone()[0],
            "summary": summary.by_commune(conn),
        }
    finally:
        conn.close()


def test_killed_while_the_body_streams_in(hub_home, desk, household):
    desk.log_help(household=household, service="vneid_level2")
    _enrol_offline(hub_home, desk)
    hub = HubProcess(hub_home)
    try:
        # first contact pins the hub; then the bundle is queued and half of it sent by hand
        upload.push(desk.home, hub_url=hub.url, prepare=False, backoff=FAST)
        (entry,) = outbox.prepare(desk, hub_recipient=upload.pinned(desk)["age_recipient"])
        raw = outbox.path_of(desk, entry).read_bytes()

        def half_then_kill():
            yield raw[: len(raw) // 2]
            hub.kill()
            yield raw[len(raw) // 2 :]

        try:
            httpx.post(hub.url + "/api/v1/bundles", content=half_then_kill(), headers={"content-length": str(len(raw))})
            raise AssertionError("the hub was killed; the upload cannot have succeeded")
        except httpx.TransportError:
            pass
    finally:
        if hub.proc.poll() is None:
            hub.kill()
    assert _hub_rows(hub_home)["bundles"] == []  # nothing half-kept
    restarted = HubProcess(hub_home)
    try:
        assert not list((hub_home / "incoming").iterdir())  # the cut-off upload was cleared away
        result = upload.push(desk.home, hub_url=restarted.url, backoff=FAST)
        assert result["accepted"] == 1 and result["pending"] == 0
    finally:
        restarted.stop()
    rows = _hub_rows(hub_home)
    assert rows["bundles"] == [("merged", 1)] and rows["summary"] == summary.by_commune(desk.conn)


def test_killed_between_archive_and_merge(hub_home, desk, household):
    desk.log_help(household=household, service="epayment_account")
    desk.log_help(household=household, service="online_service", outcome="follow_up")
    _enrol_offline(hub_home, desk)
    dying = HubProcess(hub_home, script=DIE_BEFORE_MERGE)
    try:
        result = upload.push(desk.home, hub_url=dying.url, backoff=FAST)
        assert result["accepted"] == 0 and result["pending"] == 1  # no answer: still pending
        assert dying.proc.wait(timeout=10) == 17
    finally:
        if dying.proc.poll() is None:
            dying.kill()
    rows = _hub_rows(hub_home)
    assert rows["bundles"] == [("archived", 1)] and rows["helps"] == 0  # kept raw, not merged
    restarted = HubProcess(hub_home)
    try:
        assert "Finished 1 bundles" in "".join(restarted.lines)
        result = upload.push(desk.home, hub_url=restarted.url, backoff=FAST)
        assert result["already"] == 1 and result["accepted"] == 0 and result["pending"] == 0
        again = upload.push(desk.home, backoff=FAST)
        assert again["prepared"] is None and again["pending"] == 0
    finally:
        restarted.stop()
    rows = _hub_rows(hub_home)
    assert rows["bundles"] == [("merged", 1)] and rows["helps"] == 2
    assert rows["summary"] == summary.by_commune(desk.conn)
    assert len(list((hub_home / "archive").rglob("*.tdsync"))) == 1


def test_an_archived_bundle_that_cannot_be_read_does_not_stop_the_hub(hub_home):  # noqa: F811
    """A file missing from the archive (a disk fault) is marked rejected; the hub starts anyway."""
    conn = connect(hub_home / "teamdesk.sqlite3")
    conn.execute(
        "INSERT INTO hub_bundles (bundle_id, device_id, commune_code, sha256, bytes, records, file, state, received_at)"
        " VALUES ('b1', 'd1', '15106', 'x', 10, 1, 'archive/gone.tdsync', 'archived', '2026-11-22T00:00:00Z')"
    )
    conn.close()
    with HubStore.open(hub_home) as store:
        states = store.call(lambda: store.desk.conn.execute("SELECT state FROM hub_bundles").fetchall())
    assert states == [("rejected",)]
