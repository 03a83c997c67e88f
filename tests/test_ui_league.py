"""The dashboard's village league without targets: ranked by what the period achieved, then in
natural village order ("Thôn 2" before "Thôn 10")."""

from __future__ import annotations


def test_league_without_targets_ranks_by_work_then_natural_order(open_window, qtbot, desk):
    desk.add_village("Thôn 10")
    for village, helped in (("Thôn 2", 2), ("Thôn 10", 1)):
        for i in range(helped):
            hid = desk.add_household(head_name=f"Trần Văn Bình {village} {i}", village=village,
                                     consent_by="Trần Văn Bình").first("households")
            desk.log_help(household=hid, service="vneid_level2")
    window = open_window(desk.home)
    try:
        screen = window.show_screen("dashboard")
        qtbot.waitUntil(lambda: screen.data is not None and bool(screen.league_rows()), timeout=15000)
        assert [r["village"] for r in screen.league_rows()] == ["Thôn 2", "Thôn 10", "Thôn 1", "Thôn 3"]
    finally:
        window.shutdown()


def test_a_commune_wide_household_list_builds_only_its_first_rows(qtbot):
    from teamdesk.ui.dashboard_list import SHOWN, HouseholdList

    dialog = HouseholdList(None, "Hộ được tiếp cận")
    qtbot.addWidget(dialog)
    rows = [{"id": str(i), "village": "Thôn 1", "head_name": f"Hộ {i}", "phone": "", "address": "", "count": 1}
            for i in range(SHOWN + 700)]
    dialog.fill({"households": rows})
    assert dialog.table.rowCount() == SHOWN
    assert "1.200" in dialog.count.text() and str(SHOWN) in dialog.count.text()
