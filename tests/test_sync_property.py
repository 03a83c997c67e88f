"""Property: random edits on several installations, their changes delivered in any order, twice,
and relayed — every installation converges to the same state and no version is ever lost."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamdesk.clock import wall_ms
from teamdesk.desk import Desk
from teamdesk.errors import TeamDeskError
from teamdesk.sync import export, import_, merge
from tests.sync_world import make_team, state

VILLAGES = ("Thôn 1", "Thôn 2")
NAMES = ("Nguyễn Văn Ấn", "Trần Thị Bích", "Lê Văn Cường", "Đặng Thị Lan", "Phạm Đức Dũng")
PHONES = ("0987654321", "0912345678", "0355123456", "")
ADDRESSES = ("Xóm Đông", "Xóm Tây", "Bản Mới", "")
SKEWS = (0, -3 * 365 * 86_400_000, 3_600_000)  # right, years behind (flat CMOS battery), an hour ahead


def _world(root: Path, skews: list[int]) -> list[Desk]:
    xa = Desk.create(root / "xa", role="coordinator", name="Xã", commune_code="15106", villages=list(VILLAGES))
    desks = [xa]
    for i in range(2):
        d = Desk.create(root / f"d{i}", role="volunteer", name=f"Máy {i}", commune_code="15106")
        merge.apply_records(d, _sections(xa))
        desks.append(d)
    for i, d in enumerate(desks):
        d.add_volunteer(f"Tổ viên {i}", village=VILLAGES[i % 2])
        d.set_on_duty(f"Tổ viên {i}")
    for d, skew in zip(desks, skews):
        d.clock.wall = staticmethod(lambda skew=skew: wall_ms() + skew)
    return desks


def _sections(desk: Desk, since: str = "") -> dict:
    return {t: (c, [list(r) for r in rows]) for t, c, rows in export.collect(desk, since=since)}


def _versions(desk: Desk) -> set:
    out = {("history", t, i, h) for t, i, h in desk.conn.execute("SELECT table_name, id, hlc FROM history")}
    found = set()
    for t in merge.ORDER:
        found |= {(t, i, h) for i, h in desk.conn.execute(f"SELECT id, hlc FROM [{t}]")}
    return found | {(t, i, h) for _, t, i, h in out}


def _edit(desk: Desk, rng: random.Random, kind: int) -> None:
    try:
        _try_edit(desk, rng, kind)
    except TeamDeskError:  # refused like a person would be (an erased household, a suspect clock)
        pass


def _try_edit(desk: Desk, rng: random.Random, kind: int) -> None:
    live = [r[0] for r in desk.conn.execute("SELECT id FROM households WHERE deleted = 0 ORDER BY id")]
    if kind == 0 or not live:
        desk.add_household(
            head_name=rng.choice(NAMES), village=rng.choice(VILLAGES), consent_by="Chủ hộ", phone=rng.choice(PHONES)
        )
        return
    hid = rng.choice(live)
    if kind == 1:
        desk.edit_household(hid, phone=rng.choice(PHONES) or None, address=rng.choice(ADDRESSES))
    elif kind == 2:
        desk.edit_household(hid, head_name=rng.choice(NAMES))
    elif kind == 3:
        desk.add_member(hid, full_name=rng.choice(NAMES), relation="child")
    elif kind == 4:
        desk.log_help(household=hid, service="vneid_install", date=desk.today().isoformat())
    elif kind == 5 and rng.random() < 0.3:
        desk.erase_household(hid)


step = st.tuples(st.sampled_from(["edit", "snap", "deliver"]), st.integers(0, 2), st.integers(0, 5), st.integers(0, 10**6))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=4, max_size=22), skews=st.lists(st.sampled_from(SKEWS), min_size=3, max_size=3), seed=st.integers(0, 10**6))
def test_any_order_any_repetition_converges_and_loses_nothing(steps, skews, seed):
    root = Path(tempfile.mkdtemp(prefix="td-prop-"))
    desks = _world(root, skews)
    try:
        rng = random.Random(seed)
        pool: list[dict] = []  # "bundles" in flight: incremental or full snapshots of one desk
        for action, who, kind, r in steps:
            desk = desks[who]
            if action == "edit":
                _edit(desk, random.Random(r), kind)
            elif action == "snap":
                since = "" if kind % 2 else (desk.setting("prop_mark") or "")
                pool.append(_sections(desk, since))
                desk.set_setting("prop_mark", desk._newest_stamp() or "")
            elif pool:
                # deliver a random bundle (possibly again, possibly a relay of a relay)
                merge.apply_records(desk, pool[r % len(pool)])
        seen = set().union(*(_versions(d) for d in desks))
        # the rest of the bundles arrive in a random order, some twice
        deliveries = [(b, d) for b in range(len(pool)) for d in range(3)] * 2
        rng.shuffle(deliveries)
        for b, d in deliveries[: len(deliveries) * 3 // 4]:
            merge.apply_records(desks[d], pool[b])
        # then everyone exchanges everything until nothing new appears
        for _ in range(5):
            before = [state(d) for d in desks]
            for sender in desks:
                snapshot = _sections(sender)
                for receiver in desks:
                    if receiver is not sender:
                        merge.apply_records(receiver, snapshot)
            after = [state(d) for d in desks]
            if before == after:
                break
        assert after[0] == after[1] == after[2]
        for d in desks:
            missing = seen - _versions(d)
            assert not missing, f"lost versions: {sorted(missing)[:3]}"
    finally:
        for d in desks:
            d.close()
        shutil.rmtree(root, ignore_errors=True)


def test_real_files_shuffled_duplicated_and_relayed(tmp_path):
    """The same property through real .tdsync files: village laptops → commune → laptops."""
    xa, (a, b), _ = make_team(tmp_path, volunteers=2)
    rng = random.Random(7)
    files = []
    for round_ in range(3):
        for laptop in (a, b):
            for _ in range(3):
                _edit(laptop, rng, rng.randrange(5))
            out = tmp_path / f"{laptop.device_name}-{round_}.tdsync"
            export.export_bundle(laptop, out=out)
            files.append(out)
    shuffled = files * 2
    rng.shuffle(shuffled)
    report = import_.import_files(xa, shuffled)
    assert not [f for f in report.files if f.state == "rejected"]
    assert report.missing == []
    team_file = tmp_path / "xa.tdsync"
    export.export_bundle(xa, out=team_file)
    for laptop in (a, b):
        assert import_.import_one(laptop, team_file).state == "applied"
        export.export_bundle(laptop, out=tmp_path / "back.tdsync")
        import_.import_one(xa, tmp_path / "back.tdsync")
    export.export_bundle(xa, out=team_file, full=True)
    for laptop in (a, b):
        import_.import_one(laptop, team_file)
    assert state(a) == state(b) == state(xa)
    for d in (xa, a, b):
        d.close()
