"""Benchmark: personalised A5 handouts for 1,500 households in one PDF.

Budget (DESIGN.md): >= 100 pages/s, aim 300; each link's QR matrix built once, not per page.
Prints selection time, drawing pages/s (median of runs), file size, and the QR build count.
Also measures why: a QR code with the best-of-8 mask search against the fixed mask used here.

    python bench/bench_leaflets.py [--households 1500] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402
from qrcode.constants import ERROR_CORRECT_Q  # noqa: E402

from teamdesk.demo import make_demo  # noqa: E402
from teamdesk.desk import Desk  # noqa: E402
from teamdesk.leaflets import qr  # noqa: E402
from teamdesk.leaflets.document import make_leaflets  # noqa: E402


def consenting_households(desk: Desk, wanted: int) -> list[str]:
    """Households that may get a named handout; give the rest consent so the batch is ``wanted`` pages."""
    rows = desk.conn.execute(
        "SELECT id FROM households WHERE deleted = 0 AND ',' || consent_scope || ',' LIKE '%,leaflet,%' LIMIT ?", (wanted,)
    ).fetchall()
    return [r[0] for r in rows]


def qr_cost(link: str, *, mask, n: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(n):
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0, mask_pattern=mask)
        code.add_data(link)
        code.make(fit=True)
        code.get_matrix()
    return (time.perf_counter() - started) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        make_demo(home, households=int(args.households * 2.2), seed=7)
        print(f"demo commune made in {time.perf_counter() - t:.1f} s")
        desk = Desk.open(home)
        ids = consenting_households(desk, args.households)
        print(f"households with consent to named leaflets: {len(ids)}")
        qr.matrix.cache_clear()
        qr.BUILDS.clear()
        rates, totals = [], []
        for run in range(args.runs):
            out = Path(tmp) / f"batch{run}.pdf"
            started = time.perf_counter()
            result = make_leaflets(desk, guides=["vneid-level2"], layout="handout-a5", households=ids, out=out)
            total = time.perf_counter() - started
            pages = result["pages"]
            totals.append(total)
            rates.append(pages / total)
            print(f"run {run + 1}: {pages} pages in {total:.2f} s = {pages / total:.0f} pages/s "
                  f"(households selected and read included), {out.stat().st_size / 1e6:.1f} MB")
        median = statistics.median(rates)
        print(f"median: {median:.0f} pages/s  (budget >= 100, aim 300)  {'OK' if median >= 100 else 'OVER BUDGET'}")
        print(f"QR matrices built: {dict(qr.BUILDS)}  (once per link across {args.runs} documents: "
              f"{'OK' if all(v == 1 for v in qr.BUILDS.values()) else 'NOT OK'})")
        slugs = ["vneid-level2", "dichvucong", "vssid", "online-safety", "mobile-money"]
        for layout, copies in (("poster-a4", 40), ("handout-a5", 40), ("cards-a4", 40)):
            started = time.perf_counter()
            result = make_leaflets(desk, guides=slugs, layout=layout, copies=copies, out=None)
            took = time.perf_counter() - started
            print(f"{layout}: {result['pages']} pages in {took:.2f} s = {result['pages'] / took:.0f} pages/s")
        link = "https://vneid.gov.vn"
        print(f"one QR code: best-of-8 mask {qr_cost(link, mask=None):.1f} ms, fixed mask {qr_cost(link, mask=qr.FIXED_MASK):.1f} ms")
        desk.close()


if __name__ == "__main__":
    main()
