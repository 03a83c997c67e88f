"""Province hub benchmarks: ingest rate of merged bundles, 50 concurrent uploads, peak memory.

    python bench/bench_hub.py            # all three (about a minute on 2 cores)
    python bench/bench_hub.py --quick    # smaller bundles

Budgets (DESIGN.md): ingest >= 20,000 records/s; 50 concurrent uploads on 127.0.0.1 with nothing
lost; memory bounded while ingesting a 100,000-record bundle (streamed to disk, not held in
several copies). Figures are medians of the runs shown.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from teamdesk.desk import Desk
from teamdesk.ids import new_id
from teamdesk.records import columns
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync.hub.serve import HubThread
from teamdesk.sync.hub.store import HubStore
from teamdesk.sync.identity import Identity

COMMUNES = ("15106", "00004", "00008")
SERVICES = ("vneid_install", "vneid_level1", "vneid_level2", "online_service", "epayment_account", "digital_skills")


def province_bundle(identity: Identity, *, recipient: str, commune: str, records: int, seed: int = 1, sequence: int = 1) -> bytes:
    """A realistic de-identified commune batch of about ``records`` rows (households, members, helps)."""
    rng = random.Random(seed)
    device = identity.device_id
    counter = iter(range(10**9))

    def stamp() -> str:
        return f"{1795000000000 + seed * 10**7 + next(counter):013d}-0000-{device}"

    villages = [[new_id(), stamp(), "", device, 0, f"Thôn {i + 1}", commune, None, None] for i in range(10)]
    households_n = records // 5
    households, members, helps = [], [], []
    for _ in range(households_n):
        hid = new_id()
        households.append([hid, stamp(), "", device, 0, rng.choice(villages)[0]] + [None] * 11)
        for _ in range(2):
            members.append([new_id(), stamp(), "", device, 0, hid, None, rng.choice("MF"), rng.randrange(1930, 2020, 10), None, None, None])
        for _ in range(2):
            helps.append([new_id(), stamp(), "", device, 0, hid, None, rng.choice(SERVICES), None, "2026-10-15", None,
                          rng.choice(("done", "done", "done", "follow_up")), None])
    sections = [(t, columns(t), rows) for t, rows in (("villages", villages), ("households", households), ("members", members), ("help_events", helps))]
    return bundle_format.write_bundle(identity=identity, recipients=[recipient], audience="province", commune=commune, sequence=sequence, sections=sections).raw


def new_hub(folder: Path) -> Path:
    Desk.create(folder, role="hub", name="Sở bench").close()
    return folder


def enrol(store: HubStore, ident: Identity, commune: str) -> None:
    store.call(store.enrol, device_id=ident.device_id, commune_code=commune, signing_key=ident.signing_key, age_recipient=ident.age_recipient)


def bench_ingest(base: Path, *, records: int, runs: int) -> None:
    rates, http_rates, full_ms, one_ms = [], [], [], []
    for run in range(runs):
        home = new_hub(base / f"ingest{run}")
        with HubThread(home, max_bytes=256 * 1024 * 1024) as hub:
            ident = Identity.ephemeral(f"b{run:015d}")
            enrol(hub.store, ident, COMMUNES[0])
            body = province_bundle(ident, recipient=hub.store.identity.age_recipient, commune=COMMUNES[0], records=records, seed=run)
            n = bundle_format.read_manifest(body).manifest["records"]
            part = hub.store.incoming_path()
            part.write_bytes(body)
            t = time.perf_counter()
            status, receipt = hub.store.call(hub.store.ingest_file, part)
            rates.append(n / (time.perf_counter() - t))
            assert status == 201 and receipt["counts"]["new"] == n
            # the same records again over HTTP, as a second bundle (all unchanged after the merge)
            ident2 = Identity.ephemeral(f"h{run:015d}")
            enrol(hub.store, ident2, COMMUNES[1])
            body2 = province_bundle(ident2, recipient=hub.store.identity.age_recipient, commune=COMMUNES[1], records=records, seed=run + 100)
            t = time.perf_counter()
            r = httpx.post(hub.url + "/api/v1/bundles", content=body2, timeout=120)
            http_rates.append(n / (time.perf_counter() - t))
            assert r.status_code == 201, r.text
            t = time.perf_counter()
            hub.store.call(hub.store.summary)
            full_ms.append((time.perf_counter() - t) * 1000)
            ident3 = Identity.ephemeral(f"s{run:015d}")
            enrol(hub.store, ident3, COMMUNES[2])
            part = hub.store.incoming_path()
            part.write_bytes(province_bundle(ident3, recipient=hub.store.identity.age_recipient, commune=COMMUNES[2], records=5_000, seed=run + 200))
            hub.store.call(hub.store.ingest_file, part)
            t = time.perf_counter()
            hub.store.call(hub.store.summary)
            one_ms.append((time.perf_counter() - t) * 1000)
            helps = hub.store.call(lambda: hub.store.desk.conn.execute("SELECT COUNT(*) FROM help_events").fetchone()[0])
    print(f"summary over {helps:,} helps: full recount {statistics.median(full_ms):.0f} ms; after one more commune's bundle"
          f" (only that commune recounted) {statistics.median(one_ms):.0f} ms")
    print(f"ingest, {n:,} records/bundle, {runs} runs: store {statistics.median(rates):,.0f} rec/s (median),"
          f" over HTTP {statistics.median(http_rates):,.0f} rec/s  [budget >= 20,000 rec/s]  bundle {len(body) / 1e6:.1f} MB")


def bench_concurrent(base: Path, *, uploads: int, records: int) -> None:
    from teamdesk import units

    communes = sorted(units._data()["communes"])[:uploads]
    home = new_hub(base / "concurrent")
    with HubThread(home) as hub:
        idents = [Identity.ephemeral(f"k{i:015d}") for i in range(uploads)]
        for ident, code in zip(idents, communes):
            enrol(hub.store, ident, code)
        bodies = [province_bundle(i, recipient=hub.store.identity.age_recipient, commune=c, records=records, seed=k) for k, (i, c) in enumerate(zip(idents, communes))]
        latencies: list[float] = []

        def post(body: bytes) -> int:
            t = time.perf_counter()
            with httpx.Client(timeout=120) as client:
                r = client.post(hub.url + "/api/v1/bundles", content=body)
            latencies.append(time.perf_counter() - t)
            return r.status_code

        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=uploads) as pool:
            codes = list(pool.map(post, bodies))
        wall = time.perf_counter() - t
        lines = hub.store.call(hub.store.summary)
        expected = sum(bundle_format.read_manifest(b).manifest["counts"]["help_events"] for b in bodies)
        got = sum(e["helps"] for e in lines)
        lost = uploads - codes.count(201)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"{uploads} concurrent uploads x {records} records: all done in {wall:.2f} s, latency median {statistics.median(latencies):.2f} s"
              f" p95 {p95:.2f} s; accepted {codes.count(201)}/{uploads}, helps summed {got:,}/{expected:,}"
              f" -> {'nothing lost' if not lost and got == expected else 'LOST DATA'}")


RSS_CHILD = """
import sys
from pathlib import Path
from teamdesk.sync.hub.store import HubStore

def status(field):  # /proc: ru_maxrss would include the parent's peak (it survives fork + exec)
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

store = HubStore.open(sys.argv[1], max_bytes=256 * 1024 * 1024)
part = store.incoming_path()
part.write_bytes(Path(sys.argv[2]).read_bytes())
before = status("VmRSS:")
status_code, receipt = store.call(store.ingest_file, part)
after = status("VmHWM:")
import tracemalloc  # a second, traced run of the same ingest: the Python heap's own peak
store.call(store.desk.conn.execute, "DELETE FROM hub_bundles")
part.write_bytes(Path(sys.argv[2]).read_bytes())
tracemalloc.start()
store.call(store.ingest_file, part)
heap = tracemalloc.get_traced_memory()[1] // 1024
store.close()
print(before, after, receipt["records"], heap)
"""


def bench_rss(base: Path, *, records: int) -> None:
    home = new_hub(base / "rss")
    with HubStore.open(home) as store:
        ident = Identity.ephemeral("r000000000000001")
        enrol(store, ident, COMMUNES[0])
        body = province_bundle(ident, recipient=store.identity.age_recipient, commune=COMMUNES[0], records=records)
    path = base / "big.tdsync"
    path.write_bytes(body)
    out = subprocess.run([sys.executable, "-c", RSS_CHILD, str(home), str(path)], capture_output=True, text=True, check=True).stdout.split()
    before, after, n, heap = int(out[0]) / 1024, int(out[1]) / 1024, int(out[2]), int(out[3]) / 1024
    print(f"peak RSS ingesting one {n:,}-record bundle ({len(body) / 1e6:.1f} MB): {after:.0f} MB"
          f" (process before ingest {before:.0f} MB, growth {after - before:.0f} MB, of which SQLite's page cache"
          f" <= 64 MB; Python heap peak {heap:.0f} MB: rows are read {10_000:,} at a time)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        base = Path(tmp)
        bench_ingest(base, records=20_000 if args.quick else 100_000, runs=1 if args.quick else 3)
        bench_concurrent(base, uploads=50, records=200 if args.quick else 1_000)
        bench_rss(base, records=20_000 if args.quick else 100_000)


if __name__ == "__main__":
    main()
