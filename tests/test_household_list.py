"""The households list without Qt: order, paging by key, jumps, search, needs, village progress."""

from __future__ import annotations

import random

import pytest

from teamdesk.demo import make_demo
from teamdesk.desk import Desk
from teamdesk.household_list import HouseholdPages, ListQuery, count_matching, matching_ids
from teamdesk.today import share, village_progress


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    make_demo(home, households=1200, seed=3)
    return home


@pytest.fixture
def demo(demo_home):
    d = Desk.open(demo_home)
    yield d
    d.close()


def _all_in_order(conn, where="", params=()):
    return [
        r[0]
        for r in conn.execute(f"SELECT household_id FROM search_docs d {where} ORDER BY head_key, docid", params)
    ]


def test_pages_follow_the_folded_head_name_order(demo):
    pages = HouseholdPages(demo.conn, page_size=50, keep=3)
    expected = _all_in_order(demo.conn)
    assert pages.count() == len(expected) == 1200
    got = [pages.row(i).household_id for i in range(pages.count())]
    assert got == expected
    assert len(pages.cached_pages()) <= 3  # older pages are let go


def test_jumps_and_scrolling_back_up_give_the_same_rows(demo):
    expected = _all_in_order(demo.conn)
    pages = HouseholdPages(demo.conn, page_size=40, keep=2)
    rng = random.Random(5)
    for _ in range(40):
        i = rng.randrange(len(expected))
        assert pages.row(i).household_id == expected[i]
    for i in range(len(expected) - 1, -1, -37):  # upwards, pages evicted and fetched again
        assert pages.row(i).household_id == expected[i]
    assert pages.row(len(expected)) is None


def test_only_the_pages_looked_at_are_read(demo):
    pages = HouseholdPages(demo.conn, page_size=100)
    for i in range(0, 60):
        pages.row(i)
    pages.row(1199)
    assert pages.fetched_rows == 200


def test_village_filter(demo):
    village = demo.villages()[1]
    pages = HouseholdPages(demo.conn, ListQuery(village_id=village["id"]), page_size=30)
    expected = _all_in_order(demo.conn, "WHERE village_id = ?", (village["id"],))
    assert 0 < pages.count() == len(expected) < 1200
    assert {pages.row(i).village for i in range(pages.count())} == {village["name"]}
    assert [pages.row(i).household_id for i in range(pages.count())] == expected


def test_search_without_accents_narrows_and_respects_the_village(desk, household):
    desk.add_household(head_name="Trần Thị Bình", village="Thôn 1", consent_by="Trần Thị Bình")
    everyone = HouseholdPages(desk.conn, ListQuery())
    assert everyone.count() == 2
    found = HouseholdPages(desk.conn, ListQuery(text="nguyen van an"))
    assert [found.row(i).head_name for i in range(found.count())] == ["Nguyễn Văn Ấn"]
    row = found.row(0)
    assert (row.village, row.phone, row.members) == ("Thôn 2", "0987654321", 2)
    assert HouseholdPages(desk.conn, ListQuery(text="dang thi lan")).count() == 1  # a member's name
    thon1 = desk.village("Thôn 1")["id"]
    assert HouseholdPages(desk.conn, ListQuery(text="nguyen", village_id=thon1)).count() == 0


def test_needs_follow_the_helps_logged(desk, household):
    other = desk.add_household(head_name="Trần Thị Bình", village="Thôn 1", consent_by="Trần Thị Bình").first("households")

    def shown(need):
        return set(matching_ids(desk.conn, ListQuery(need=need)))

    assert shown("no_vneid_level2") == {household, other}
    desk.log_help(household=household, service="vneid_level2", outcome="follow_up")
    assert shown("no_vneid_level2") == {household, other}
    assert shown("follow_up") == {household}
    desk.log_help(household=household, service="vneid_level2")
    assert shown("no_vneid_level2") == {other}
    assert shown("follow_up") == set()  # done later for the same service
    desk.log_help(household=other, service="epayment_account", outcome="follow_up")
    desk.log_help(household=other, service="vneid_install")  # a different service: still pending
    assert shown("follow_up") == {other}
    assert shown("no_epayment") == {household, other}
    assert count_matching(desk.conn, ListQuery(need="follow_up")) == 1
    assert count_matching(desk.conn, ListQuery(text="tran thi", need="follow_up")) == 1
    last = HouseholdPages(desk.conn, ListQuery(text="nguyen van an")).row(0)
    assert (last.last_service, last.last_date) == ("vneid_level2", desk.today().isoformat())


def test_a_need_filter_grows_a_page_at_a_time(demo):
    query = ListQuery(need="no_vneid_level2")
    total = count_matching(demo.conn, query)
    pages = HouseholdPages(demo.conn, query, page_size=50, keep=2)
    assert pages.open_ended and pages.count() == 50 and pages.fetched_rows == 50
    while pages.grow():
        pass
    assert pages.exhausted and pages.count() == total
    expected = matching_ids(demo.conn, query)
    assert [pages.row(i).household_id for i in range(0, total, 7)] == expected[::7]


def test_village_progress_against_targets(desk, household):
    desk.add_village("Thôn 4", population=900, household_count=250)
    thon2 = desk.village("Thôn 2")["id"]
    before = village_progress(desk.conn, thon2)
    assert before["households"] == 1 and before["reached"] == 0 and before["household_target"] is None
    member = desk.household(household)["members"][1]["id"]
    desk.log_help(household=household, service="vneid_level2", member=member)
    desk.log_help(household=household, service="vneid_level2")  # the household, no member picked
    after = village_progress(desk.conn, thon2)
    assert (after["reached"], after["vneid_level2"]) == (1, 2)
    thon4 = village_progress(desk.conn, desk.village("Thôn 4")["id"])
    assert (thon4["household_target"], thon4["population_target"]) == (250, 900)
    assert share(0, None) is None and share(300, 250) == 1.0 and share(25, 250) == 0.1


def test_a_household_is_found_where_the_list_shows_it(demo):
    expected = _all_in_order(demo.conn)
    pages = HouseholdPages(demo.conn, page_size=50)
    for i in (0, 1, 499, 1199):
        assert pages.index_of(expected[i]) == i
    assert pages.fetched_rows == 0  # counted on the index, no page read
    village = demo.villages()[2]["id"]
    in_village = _all_in_order(demo.conn, "WHERE village_id = ?", (village,))
    pages = HouseholdPages(demo.conn, ListQuery(village_id=village))
    assert pages.index_of(in_village[-1]) == len(in_village) - 1
    assert pages.index_of(expected[0] if expected[0] not in in_village else expected[1]) is None


def test_a_search_reads_one_page_per_keystroke_and_more_on_demand(demo):
    pages = HouseholdPages(demo.conn, ListQuery(text="n"), page_size=20)
    first = [pages.row(i).household_id for i in range(pages.count())]
    assert pages.count() == 20 and pages.open_ended and not pages.exhausted
    assert pages.grow() > 0 and pages.exhausted
    assert [pages.row(i).household_id for i in range(20)] == first  # what was shown stays put
    assert len({pages.row(i).household_id for i in range(pages.count())}) == pages.count()
    assert pages.count() == count_matching(demo.conn, ListQuery(text="n"))


def test_a_filtered_search_that_grows_shows_every_row(demo):
    query = ListQuery(text="n", need="follow_up")
    pages = HouseholdPages(demo.conn, query, page_size=30)
    shown = pages.count()
    assert shown < 30 and not pages.exhausted  # the first page of matches, filtered down
    pages.row(0)
    assert pages.grow() > 0
    assert all(pages.row(i) is not None for i in range(pages.count()))
    assert pages.count() == count_matching(demo.conn, query)
