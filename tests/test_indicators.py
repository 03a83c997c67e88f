"""Indicators on a small commune whose every figure was counted by hand (see ``commune``).

The other report tests import ``commune``, ``OCTOBER`` and the expected tables from here.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pytest

from teamdesk import indicators as ind
from teamdesk import records
from teamdesk.db import transaction
from teamdesk.ids import new_id

OCTOBER = ind.Period.month(2026, 10)
TEAM_STARTED = "2026-09-01"

# Hand-computed figures for October 2026, grouped by village (fields in ind.FIELDS order):
#   households_reached, people_helped, helps_logged, helps_done, vneid_install, vneid_level2,
#   epayment_account, online_service, online_households, follow_up_open
EXPECTED_VILLAGES = {
    "Thôn 1": (2, 2, 8, 5, 1, 1, 1, 2, 2, 2),
    "Thôn 2": (2, 3, 4, 3, 0, 2, 1, 0, 0, 1),
    "Thôn 3": (1, 0, 1, 0, 0, 0, 0, 0, 0, 1),
}
EXPECTED_TOTAL = (5, 5, 13, 8, 1, 3, 2, 2, 2, 4)
EXPECTED_VOLUNTEERS = {
    "Lê Thị Hoa": (3, 3, 8, 5, 1, 2, 1, 1, 1, 2),
    "Trần Văn Bình": (3, 2, 5, 3, 0, 1, 1, 1, 1, 2),
}
EXPECTED_SERVICES = {  # service: (done, follow_up, could_not, total)
    "vneid_install": (1, 2, 1, 4),
    "vneid_level2": (3, 2, 0, 5),
    "online_service": (2, 0, 0, 2),
    "epayment_account": (2, 0, 0, 2),
}


def _member(desk, hid: str, name: str) -> str:
    return desk.conn.execute(
        "SELECT id FROM members WHERE household_id = ? AND full_name = ?", (hid, name)
    ).fetchone()[0]


@pytest.fixture
def commune(desk):
    """Thôn 1 (100 people, 30 households), Thôn 2 (50, 20), Thôn 3 (population never entered).

    Helps (Hoa unless Bình is named), numbered as in the hand count:
     1 H1/A1 vneid_install done 02/10        9 H3/C1 vneid_install could_not 09/10 (Bình)
     2 H1/A1 vneid_level2 follow_up 03/10   10 H4/D1 vneid_level2 done 04/10, then H4 erased
     3 H1/A1 vneid_level2 done 10/10        11 H6/F1 epayment done 12/10; H6 merged into H3
     4 H1/A2 vneid_level2 follow_up 05/10   12 H5/E1 vneid_install follow_up 20/10 (Bình)
     5 H1 online_service done 06/10         13 H5/E1 online_service 21/10, deleted
     6 H2/B1 epayment done 07/10 (Bình)     14 H2/B1 vneid_level2 done 15/09 (Bình)
     7 H2/B1 online_service done 08/10 (B)  15 H3/C1 vneid_install follow_up 20/09 (Bình)
     8 H3/C2 vneid_level2 done 09/10 (B)    16 H1/A3 vneid_install follow_up 25/10, done 02/11
    17 H2/B1 "other" dated 30 days ahead (a laptop with a wrong clock, arrived by sync)
    18 H2/B1 digital_skills 15/08, before the team began (01/09)
    """
    d = desk
    d.set_setting("team_started", TEAM_STARTED)
    from teamdesk import targets

    targets.set_population(d, village="Thôn 1", population=100, households=30)
    targets.set_population(d, village="Thôn 2", population=50, households=20)
    d.add_volunteer("Trần Văn Bình", phone="0987000111", village="Thôn 2")
    hoa, binh = d.volunteer("Lê Thị Hoa")["id"], d.volunteer("Trần Văn Bình")["id"]

    def house(head, village, year, members=()):
        return d.add_household(head_name=head, village=village, consent_by=head, head_birth_year=year,
                               members=list(members)).first("households")

    h1 = house("Nguyễn Văn An", "Thôn 1", 1970, [
        {"full_name": "Phạm Thị Bích", "sex": "nữ", "birth_year": 1975, "relation": "spouse"},
        {"full_name": "Nguyễn Văn Cường", "sex": "nam", "birth_year": 2015, "relation": "child"}])
    h2 = house("Lê Văn Bảo", "Thôn 1", 1980)
    h3 = house("Trần Văn Chiến", "Thôn 2", 1960, [
        {"full_name": "Trần Văn Chính", "sex": "nam", "birth_year": 1990, "relation": "child"}])
    h4 = house("Đỗ Thị Dung", "Thôn 2", 1985)
    h5 = house("Hoàng Văn Em", "Thôn 3", 1950)
    h6 = house("Trần Văn Phúc", "Thôn 1", 1992)
    a1, a2, a3 = (_member(d, h1, n) for n in ("Nguyễn Văn An", "Phạm Thị Bích", "Nguyễn Văn Cường"))
    b1, c1, c2 = _member(d, h2, "Lê Văn Bảo"), _member(d, h3, "Trần Văn Chiến"), _member(d, h3, "Trần Văn Chính")
    d1, e1, f1 = _member(d, h4, "Đỗ Thị Dung"), _member(d, h5, "Hoàng Văn Em"), _member(d, h6, "Trần Văn Phúc")

    def log(h, m, service, day, outcome="done", vol=hoa, detail=""):
        return d.log_help(household=h, member=m, service=service, date=day, outcome=outcome, volunteer=vol,
                          detail=detail).first("help_events")

    log(h1, a1, "vneid_install", "2026-10-02")
    log(h1, a1, "vneid_level2", "2026-10-03", "follow_up")
    log(h1, a1, "vneid_level2", "2026-10-10")
    log(h1, a2, "vneid_level2", "2026-10-05", "follow_up")
    log(h1, None, "online_service", "2026-10-06", detail="Đăng ký khai sinh")
    log(h2, b1, "epayment_account", "2026-10-07", vol=binh)
    log(h2, b1, "online_service", "2026-10-08", vol=binh, detail=" đăng ký khai sinh")
    log(h3, c2, "vneid_level2", "2026-10-09", vol=binh)
    log(h3, c1, "vneid_install", "2026-10-09", "could_not", vol=binh)
    log(h4, d1, "vneid_level2", "2026-10-04")
    log(h6, f1, "epayment_account", "2026-10-12")
    log(h5, e1, "vneid_install", "2026-10-20", "follow_up", vol=binh)
    d.delete_help(log(h5, e1, "online_service", "2026-10-21", vol=binh))
    log(h2, b1, "vneid_level2", "2026-09-15", vol=binh)
    log(h3, c1, "vneid_install", "2026-09-20", "follow_up", vol=binh)
    log(h1, a3, "vneid_install", "2026-10-25", "follow_up")
    log(h1, a3, "vneid_install", "2026-11-02")
    log(h2, b1, "digital_skills", "2026-08-15", vol=binh)
    d.erase_household(h4)
    with transaction(d.conn):  # what sync brings: a merge made elsewhere, a wrong-clock date
        records.put(d.conn, d.clock, "households", {"id": h6, "merged_into": h3})
        records.put(d.conn, d.clock, "help_events", {
            "id": new_id(), "household_id": h2, "member_id": b1, "service": "other",
            "date": (d.today() + timedelta(days=30)).isoformat(), "volunteer_id": binh, "outcome": "done",
            "detail": "", "note": ""})
        d._save_clock()
    return {"desk": d, "h": {"H1": h1, "H2": h2, "H3": h3, "H4": h4, "H5": h5, "H6": h6}, "hoa": hoa, "binh": binh}


def _as_tuple(values: dict) -> tuple:
    return tuple(values[f] for f in ind.FIELDS)


def test_october_by_village_matches_the_hand_count(commune):
    d = commune["desk"]
    got = ind.compute(d.conn, period=OCTOBER, by="village", today=d.today())
    assert {r.label: _as_tuple(r.values) for r in got.rows} == EXPECTED_VILLAGES
    assert _as_tuple(got.total.values) == EXPECTED_TOTAL
    assert {s: (c["done"], c["follow_up"], c["could_not"], c["total"]) for s, c in got.by_service.items()} == EXPECTED_SERVICES
    assert got.procedures == [("Đăng ký khai sinh", 2)]
    assert got.invalid_dates == {"future": 1, "before_start": 1, "total": 2}
    assert got.team_started == date(2026, 9, 1)


def test_by_volunteer_total_counts_a_shared_household_once(commune):
    d = commune["desk"]
    got = ind.compute(d.conn, period=OCTOBER, by="volunteer", today=d.today())
    assert {r.label: _as_tuple(r.values) for r in got.rows} == EXPECTED_VOLUNTEERS
    assert _as_tuple(got.total.values) == EXPECTED_TOTAL  # H3 was helped by both: 5 households, not 6


def test_commune_grouping_is_the_total(commune):
    d = commune["desk"]
    got = ind.compute(d.conn, period=OCTOBER, by="commune", today=d.today(), commune="Xã Nguyệt Ấn")
    assert [r.label for r in got.rows] == ["Xã Nguyệt Ấn"]
    assert _as_tuple(got.rows[0].values) == _as_tuple(got.total.values) == EXPECTED_TOTAL


def test_follow_up_closes_once_the_later_done_is_inside_the_period(commune):
    d = commune["desk"]
    nov = ind.compute(d.conn, period=ind.Period.month(2026, 11), by="village", today=d.today())
    thon1 = next(r for r in nov.rows if r.label == "Thôn 1")
    assert thon1["follow_up_open"] == 1  # A2's level 2 is still open; A3's install was done on 02/11
    assert thon1["vneid_install"] == 1 and thon1["households_reached"] == 1


def test_an_empty_month_is_all_zeros_with_every_village_listed(commune):
    d = commune["desk"]
    got = ind.compute(d.conn, period=ind.Period.month(2026, 7), by="village", today=d.today())
    assert [r.label for r in got.rows] == ["Thôn 1", "Thôn 2", "Thôn 3"]
    assert all(v == 0 for r in got.rows for v in r.values.values())
    assert got.by_service == {} and got.procedures == []


def test_periods_day_week_quarter_and_range(commune):
    d = commune["desk"]
    today = d.today()
    day = ind.compute(d.conn, period=ind.parse_period("09/10/2026"), by="commune", today=today)
    assert day.total["helps_logged"] == 2 and day.total["vneid_level2"] == 1
    week = ind.parse_period("2026-W41")  # Monday 05/10 – Sunday 11/10
    assert (week.start, week.end) == (date(2026, 10, 5), date(2026, 10, 11))
    got = ind.compute(d.conn, period=week, by="commune", today=today)
    assert got.total["helps_logged"] == 7  # helps 3-9; 1, 2 and 10 fall before Monday 05/10
    q = ind.compute(d.conn, period=ind.parse_period("2026-Q3"), by="commune", today=today)
    assert q.total["helps_logged"] == 2  # September's two; August's is before the team began
    span = ind.compute(d.conn, period=ind.parse_period("2026-09-01..2026-11-30"), by="commune", today=today)
    assert span.total["helps_logged"] == 16 and span.total["vneid_level2"] == 4


def test_erased_household_still_counts_but_is_never_named(commune):
    d = commune["desk"]
    behind = ind.households_behind(d.conn, field="vneid_level2", period=OCTOBER, today=d.today(),
                                   village_id=d.village("Thôn 2")["id"])
    assert [h["head_name"] for h in behind["households"]] == ["Trần Văn Chiến"]
    assert behind["erased"] == 1


def test_households_still_needing_level2_skip_children_and_merged(commune):
    d = commune["desk"]
    need = ind.households_needing(d.conn, service="vneid_level2", today=d.today(), village_id=d.village("Thôn 1")["id"])
    assert [(h["head_name"], h["members"]) for h in need["households"]] == [("Nguyễn Văn An", ["Phạm Thị Bích"])]


def test_open_follow_ups_listed_by_household(commune):
    d = commune["desk"]
    got = ind.households_behind(d.conn, field="follow_up_open", period=OCTOBER, today=d.today())
    assert sorted((h["head_name"], h["count"]) for h in got["households"]) == [
        ("Hoàng Văn Em", 1), ("Nguyễn Văn An", 2), ("Trần Văn Chiến", 1)]


def test_a_new_help_is_seen_at_once(commune):
    d = commune["desk"]
    before = ind.compute(d.conn, period=OCTOBER, by="village", today=d.today()).total["helps_logged"]
    d.log_help(household=commune["h"]["H5"], service="other", date="2026-10-30")
    assert ind.compute(d.conn, period=OCTOBER, by="village", today=d.today()).total["helps_logged"] == before + 1


def test_series_over_months(commune):
    d = commune["desk"]
    months = ind.series(d.conn, months=4, today=date(2026, 11, 30))
    assert [m["month"] for m in months] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert [m["helps_logged"] for m in months] == [0, 2, 13, 1]
    assert months[2]["vneid_level2"] == 3


@pytest.mark.parametrize("text", ["2026-13", "abc", "2026-W60", "31/02/2026", "2026-11-30..2026-11-01", ""])
def test_bad_periods_are_usage_errors(text):
    from teamdesk.errors import UsageError

    with pytest.raises(UsageError):
        ind.parse_period(text)


def test_reports_core_does_not_import_qt():
    import subprocess

    code = ("import sys, teamdesk.indicators, teamdesk.targets, teamdesk.report, teamdesk.report.pdf, "
            "teamdesk.report.xlsx, teamdesk.report.csv, teamdesk.report.json, teamdesk.cli.report; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_merged_households_follow_up_is_closed_by_the_kept_one(commune):
    d, h = commune["desk"], commune["h"]
    d.log_help(household=h["H6"], service="online_service", date="2026-10-13", outcome="follow_up", detail="Đăng ký kết hôn")
    still = ind.compute(d.conn, period=OCTOBER, by="village", today=d.today())
    assert next(r for r in still.rows if r.label == "Thôn 2")["follow_up_open"] == 2  # counted in the kept one's village
    d.log_help(household=h["H3"], service="online_service", date="2026-10-14", detail="Đăng ký kết hôn")
    got = ind.compute(d.conn, period=OCTOBER, by="village", today=d.today())
    thon2 = next(r for r in got.rows if r.label == "Thôn 2")
    assert thon2["follow_up_open"] == 1 and thon2["online_service"] == 1 and thon2["households_reached"] == 2
    assert ("Đăng ký kết hôn", 1) in got.procedures
