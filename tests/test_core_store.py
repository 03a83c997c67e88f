"""The data store: pragmas, migrations, stamped versions, history, erasure, validation."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from sqlite_utils import Database

from teamdesk import schema
from teamdesk.clock import is_stamp
from teamdesk.db import open_db
from teamdesk.desk import Desk
from teamdesk.errors import InputRejected, NotInitialised, SchemaTooNew, UsageError


def dump(conn: sqlite3.Connection) -> list:
    """Every row of every table, to prove a rejected input changed nothing."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'search_fts%' ORDER BY name")]
    return [(t, sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]")))) for t in tables]


def test_database_is_durable_wal(desk):
    assert desk.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert desk.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_open_needs_an_installation(home):
    with pytest.raises(NotInitialised):
        Desk.open(home)


def test_init_twice_is_refused(desk, home):
    with pytest.raises(UsageError):
        Desk.create(home, role="volunteer", name="x", commune_code="15106")


def test_older_file_is_upgraded_in_one_go(tmp_path):
    path = tmp_path / "old.sqlite3"
    if len(schema.KNOWN) < 2:
        pytest.skip("only one migration so far")
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrations.apply(Database(conn), stop_before=schema.KNOWN[1])
    conn.close()
    conn = open_db(path)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert applied == list(schema.KNOWN)


def test_newer_file_is_refused_untouched(desk, home):
    desk.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('teamdesk', 'm999_future', 'x')"
    )
    desk.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    path = Desk.db_path(home)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNew) as err:
        Desk.open(home)
    assert "m999_future" in err.value.message()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_every_write_is_a_stamped_version_and_old_ones_are_kept(desk, household):
    row = desk.conn.execute("SELECT hlc, prev_hlc, origin, deleted FROM households WHERE id = ?", (household,)).fetchone()
    assert is_stamp(row[0]) and row[1] == "" and row[2] == desk.device_id and row[3] == 0
    desk.edit_household(household, phone="0912 000 111")
    new = desk.conn.execute("SELECT hlc, prev_hlc, phone FROM households WHERE id = ?", (household,)).fetchone()
    assert new[1] == row[0] and new[0] > row[0] and new[2] == "0912000111"
    old = desk.conn.execute("SELECT hlc, data FROM history WHERE table_name = 'households' AND id = ?", (household,)).fetchall()
    assert [o[0] for o in old] == [row[0]] and json.loads(old[0][1])["phone"] == "0987654321"


def test_stamps_only_grow(desk):
    stamps = [desk.clock.now() for _ in range(2000)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_erasure_purges_personal_fields_history_included(desk, household):
    desk.edit_household(household, address="Xóm Tây")
    desk.log_help(household=household, service="online_service", detail="Đăng ký khai sinh cho cháu Ấn")
    desk.erase_household(household, reason="consent_withdrawn")
    raw = "\n".join(repr(r) for _, rows in dump(desk.conn) for r in rows)
    for personal in ("Nguyễn Văn Ấn", "Đặng Thị Lan", "0987654321", "Xóm Đông", "Xóm Tây", "cháu Ấn"):
        assert personal not in raw
    row = desk.conn.execute("SELECT deleted, consent_withdrawn_at FROM households WHERE id = ?", (household,)).fetchone()
    assert row[0] == 1 and row[1]
    # the help still counts, anonymously
    assert desk.conn.execute("SELECT COUNT(*) FROM help_events WHERE household_id = ? AND deleted = 0", (household,)).fetchone()[0] == 1
    assert desk.find_households("nguyen van an") == []
    with pytest.raises(InputRejected):
        desk.log_help(household=household, service="vneid_install")


def test_consent_is_never_implied(desk):
    with pytest.raises(InputRejected) as err:
        desk.add_household(head_name="Trần Văn Bình", village="Thôn 1", consent_by="")
    assert "đồng ý" in err.value.message()
    with pytest.raises(InputRejected):
        desk.add_household(head_name="Trần Văn Bình", village="Thôn 1", consent_by="Trần Văn Bình", consent_scope=["contact"])


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"phone": "12345"}, "Số điện thoại"),
        ({"head_name": "x" * 300}, "quá dài"),
        ({"head_name": "Nguyễn\x07Văn"}, "ký tự điều khiển"),
        ({"note": "CCCD 001234567890"}, "CCCD"),
        ({"head_birth_year": 1850}, "Năm sinh"),
        ({"head_birth_year": "abc"}, "Năm sinh"),
        ({"village": "Thôn 99"}, "Thôn 99"),
        ({"head_name": "12345"}, "chữ cái"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(desk, household, fields, words):
    before = dump(desk.conn)
    args = {"head_name": "Trần Văn Bình", "village": "Thôn 1", "consent_by": "Trần Văn Bình"} | fields
    with pytest.raises(InputRejected) as err:
        desk.add_household(**args)
    assert words in err.value.message()
    assert dump(desk.conn) == before


def test_undo_writes_the_earlier_version_back(desk, household):
    desk.log_help(household=household, service="vneid_level2")
    assert desk.undo_label() == "undo.log_help"
    desk.undo()
    assert desk.household(household)["helps"] == []
    desk.edit_household(household, address="Xóm Tây")
    desk.undo()
    assert desk.household(household)["address"] == "Xóm Đông"


def test_suspect_clock_must_not_date_a_help_silently(desk, household, monkeypatch):
    desk.clock.observe(f"{desk.clock.wall() + 3 * 86_400_000:013d}-0000-othercomputer")  # data from 3 days ahead
    assert not desk.clock_health()["ok"]
    with pytest.raises(InputRejected) as err:
        desk.log_help(household=household, service="vneid_install")
    assert "Đồng hồ" in err.value.message()
    desk.log_help(household=household, service="vneid_install", date=desk.today().strftime("%d/%m/%Y"))


def test_dates_are_checked(desk, household):
    for bad, words in (("31/02/2026", "không hợp lệ"), ("01/01/2099", "tương lai"), ("01/01/2001", "quá xa")):
        with pytest.raises(InputRejected) as err:
            desk.log_help(household=household, service="vneid_install", date=bad)
        assert words in err.value.message()


def test_today_tally_counts_by_service_and_volunteer(desk, household):
    desk.log_help(household=household, service="vneid_level2")
    desk.log_help(household=household, service="epayment_account", detail="Viettel Money", outcome="follow_up")
    tally = desk.today_tally()
    assert tally["total"] == 2 and tally["by_service"] == {"vneid_level2": 1, "epayment_account": 1}
    assert tally["by_volunteer"][0]["name"] == "Lê Thị Hoa"


def test_a_draft_never_keeps_a_cccd_number(desk):
    from teamdesk import drafts

    drafts.save(desk, form="household", data={"note": "CCCD 001234567890 của ông", "members": [{"phone": "0987654321"}]})
    kept = drafts.load(desk.conn, form="household")
    assert "001234567890" not in str(kept) and kept["members"][0]["phone"] == "0987654321"


def test_saving_an_edited_household_is_one_action(desk, household):
    """The form's Save: all or nothing, and one Ctrl+Z puts the household back as it was."""
    before = dump(desk.conn)
    wife = next(m for m in desk.household(household)["members"] if m["relation"] == "spouse")
    with pytest.raises(InputRejected):  # the new child's birth year is absurd: nothing is saved
        desk.save_household(household, head_name="Nguyễn Văn Ấn", address="Xóm Tây",
                            members=[{"id": wife["id"], "full_name": "Đặng Thị Lan", "sex": "nữ", "birth_year": 1973},
                                     {"full_name": "Nguyễn Văn Bé", "sex": "nam", "birth_year": 1850, "relation": "child"}])
    assert dump(desk.conn) == before
    desk.save_household(household, head_name="Nguyễn Văn Ấn", address="Xóm Tây", head_birth_year=1969,
                        members=[{"full_name": "Nguyễn Văn Bé", "sex": "nam", "birth_year": 2010, "relation": "child"}],
                        removed_members=[wife["id"]])
    saved = desk.household(household)
    assert saved["address"] == "Xóm Tây" and {m["full_name"] for m in saved["members"]} == {"Nguyễn Văn Ấn", "Nguyễn Văn Bé"}
    assert desk.undo_label() == "undo.edit_household"
    desk.undo()
    back = desk.household(household)
    assert back["address"] == "Xóm Đông" and {m["full_name"] for m in back["members"]} == {"Nguyễn Văn Ấn", "Đặng Thị Lan"}
    assert desk.undo_label() == "undo.add_household"  # the edit was one step
