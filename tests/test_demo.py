"""Demo data: realistic, valid by our own rules, deterministic for a seed."""

from __future__ import annotations

from collections import Counter

from teamdesk import validate
from teamdesk.demo import make_demo
from teamdesk.desk import Desk


def test_demo_is_realistic_and_deterministic(tmp_path):
    a = make_demo(tmp_path / "a", households=1500, seed=5)
    b = make_demo(tmp_path / "b", households=1500, seed=5)
    assert (a["households"], a["members"], a["help_events"]) == (b["households"], b["members"], b["help_events"])
    with Desk.open(tmp_path / "a") as da, Desk.open(tmp_path / "b") as db:
        names = lambda d: sorted(r[0] for r in d.conn.execute("SELECT full_name FROM members"))  # noqa: E731
        assert names(da) == names(db)
        heads = [r[0] for r in da.conn.execute("SELECT head_name FROM households")]
        share = Counter(h.split()[0] for h in heads)
        assert 0.33 < share["Nguyễn"] / len(heads) < 0.44
        assert share.most_common(3)[0][0] == "Nguyễn" and {"Trần", "Lê"} <= {n for n, _ in share.most_common(4)}
        today = da.today()
        for (phone,) in da.conn.execute("SELECT phone FROM members WHERE phone != ''"):
            assert validate.phone(phone) == phone
        for (year,) in da.conn.execute("SELECT birth_year FROM members"):
            assert validate.birth_year(year, today=today) == year
        dates = [r[0] for r in da.conn.execute("SELECT date FROM help_events")]
        assert max(dates) <= today.isoformat()
        services = Counter(r[0] for r in da.conn.execute("SELECT service FROM help_events"))
        # the campaign's order: more installs than level 1, more level 1 than level 2
        assert services["vneid_install"] > services["vneid_level1"] > services["vneid_level2"] > 0
        assert 2 < a["members"] / a["households"] < 5
        assert da.on_duty() is not None and da.find_households("nguyen")
