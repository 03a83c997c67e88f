"""The merge rule on real installations: greatest hlc wins, nothing lost, field-level for concurrent edits."""

from __future__ import annotations

import json

import pytest

from teamdesk import records
from teamdesk.clock import wall_ms
from teamdesk.sync import export, merge
from tests.sync_world import register, state


def sections(desk, since=""):
    return {t: (cols, rows) for t, cols, rows in export.collect(desk, since=since)}


def pull(receiver, sender, since=""):
    return merge.apply_records(receiver, sections(sender, since))


def test_new_then_replay_is_unchanged_and_idempotent(team):
    xa, (a, _) = team
    hid = register(a, "Nguyễn Văn Ấn", "Thôn 1", phone="0987654321")
    first = pull(xa, a)
    assert first.new >= 3 and first.updated == 0  # volunteer, household, head member
    before = state(xa)
    again = pull(xa, a)
    assert again.new == 0 and again.updated == 0 and again.conflicts == 0
    assert state(xa) == before
    assert xa.household(hid)["head_name"] == "Nguyễn Văn Ấn"
    assert xa.find_households("nguyen van an")[0]["id"] == hid  # search refreshed after the merge


def test_update_moves_old_version_to_history_and_clock_jumps(team):
    xa, (a, _) = team
    hid = register(a, "Trần Thị Bích", "Thôn 1")
    pull(xa, a)
    old = records.get(xa.conn, "households", hid)["hlc"]
    a.clock.wall = staticmethod(lambda: 4_000_000_000_000)  # a laptop whose clock runs far ahead
    a.edit_household(hid, phone="0912000111")
    result = pull(xa, a)
    assert result.updated == 1
    row = records.get(xa.conn, "households", hid)
    assert row["phone"] == "0912000111" and row["prev_hlc"] == old
    assert xa.conn.execute("SELECT COUNT(*) FROM history WHERE id = ? AND hlc = ?", (hid, old)).fetchone()[0] == 1
    assert xa.clock.last_ms >= 4_000_000_000_000  # later local edits sort after what was seen


def test_older_version_arriving_late_is_archived_not_applied(team):
    xa, (a, _) = team
    hid = register(a, "Phạm Văn Cường", "Thôn 1")
    early = sections(a)
    a.edit_household(hid, address="Xóm Bắc")
    pull(xa, a)
    result = merge.apply_records(xa, early)
    assert result.updated == 0 and result.new == 0
    assert xa.household(hid)["address"] == "Xóm Bắc"


def test_concurrent_edits_of_different_fields_both_survive(team):
    xa, (a, b) = team
    hid = register(a, "Lò Văn Dũng", "Thôn 1", phone="0987000111")
    pull(xa, a)
    pull(b, xa)
    a.edit_household(hid, phone="0987000222")
    b.edit_household(hid, address="Bản Mới")
    pull(xa, a)
    result = pull(xa, b)
    assert result.conflicts == 0 and result.merged == 1
    h = xa.household(hid)
    assert (h["phone"], h["address"]) == ("0987000222", "Bản Mới")
    # both sides' versions are kept in history
    hlcs = {r[0] for r in xa.conn.execute("SELECT hlc FROM history WHERE id = ?", (hid,))}
    assert records.get(a.conn, "households", hid)["hlc"] in hlcs and records.get(b.conn, "households", hid)["hlc"] in hlcs


def test_same_field_edited_on_both_sides_later_wins_and_waits_in_the_inbox(team):
    xa, (a, b) = team
    hid = register(a, "Hà Thị Én", "Thôn 1", phone="0987000111")
    pull(xa, a)
    pull(b, xa)
    a.edit_household(hid, phone="0987000222")
    b.clock.wall = staticmethod(lambda: wall_ms() + 1000)  # b's edit is the later one, whatever the device ids
    b.edit_household(hid, phone="0987000333", address="Xóm Giữa")
    later = records.get(b.conn, "households", hid)["hlc"]
    pull(xa, a)
    result = pull(xa, b)
    assert result.conflicts == 1
    h = xa.household(hid)
    assert h["phone"] == "0987000333" and h["address"] == "Xóm Giữa"
    (fields, kept, other, mine) = xa.conn.execute(
        "SELECT fields, kept, other, kept_is_mine FROM sync_conflicts WHERE row_id = ?", (hid,)
    ).fetchone()
    assert json.loads(fields) == ["phone"] and json.loads(other) == {"phone": "0987000222"}
    assert json.loads(kept) == {"phone": "0987000333"} and mine == 0
    assert records.get(xa.conn, "households", hid)["hlc"] == later


@pytest.mark.parametrize("edit_first", [True, False])
def test_erasure_wins_over_a_concurrent_edit_and_purges_everywhere(team, edit_first):
    xa, (a, b) = team
    hid = register(a, "Vũ Văn Giang", "Thôn 1", phone="0987000111", members=[{"full_name": "Vũ Thị Hà", "relation": "spouse"}])
    pull(xa, a)
    pull(b, xa)
    if edit_first:
        b.edit_household(hid, address="Đồi Thông")
        a.erase_household(hid)
    else:  # the edit is the later version: the erasure must still win
        a.erase_household(hid)
        b.edit_household(hid, address="Đồi Thông")
    pull(xa, b)
    pull(xa, a)
    row = records.get(xa.conn, "households", hid)
    assert row["deleted"] == 1 and row["head_name"] == "" and row["address"] == ""
    history = " ".join(r[0] for r in xa.conn.execute("SELECT data FROM history WHERE id = ?", (hid,)))
    assert "Vũ Văn Giang" not in history and "Đồi Thông" not in history
    members = xa.conn.execute("SELECT full_name, deleted FROM members WHERE household_id = ?", (hid,)).fetchall()
    assert all(name == "" and deleted == 1 for name, deleted in members)
    assert xa.find_households("vu van giang") == []


def test_rows_may_arrive_before_their_parents(team):
    xa, (a, _) = team
    hid = register(a, "Đinh Văn Khoa", "Thôn 1")
    a.log_help(household=hid, service="vneid_install")
    s = sections(a)
    merge.apply_records(xa, {"help_events": s["help_events"]})
    merge.apply_records(xa, s)
    assert len(xa.household(hid)["helps"]) == 1


def test_province_rows_with_fewer_columns_are_accepted(team):
    """The hub merges de-identified rows that carry only some columns."""
    xa, (a, _) = team
    hid = register(a, "Mai Văn Long", "Thôn 1")
    cols, rows = sections(a)["households"]
    keep = [c for c in cols if c not in ("head_name", "phone", "address", "note", "consent_by")]
    slim = [[r[cols.index(c)] for c in keep] for r in rows]
    result = merge.apply_records(xa, {"households": (tuple(keep), slim)})
    assert result.new == 1 and records.get(xa.conn, "households", hid)["head_name"] is None
