"""The issue's "done when", on a realistic demo commune: a poster for VNeID level 2, cut-out cards
for the public service portal, and personalised handouts for every household in Thôn 2 still
needing level 2 — each read back, and every QR code on every page decoded to its official link."""

from __future__ import annotations

from teamdesk.demo import make_demo
from teamdesk.desk import Desk
from teamdesk.fold import fold
from teamdesk.leaflets.document import make_leaflets
from tests.test_leaflets_pdf import decoded, fonts_used, nfc, page_sizes, page_texts


def test_trainer_prints_poster_cards_and_thon2_handouts(tmp_path):
    home = tmp_path / "demo"
    make_demo(home, households=240, seed=3)
    with Desk.open(home) as desk:
        poster = make_leaflets(desk, guides=["vneid-level2"], layout="poster-a4", out=tmp_path / "poster.pdf")
        cards = make_leaflets(desk, guides=["dichvucong"], layout="cards-a4", out=tmp_path / "cards.pdf")
        batch = make_leaflets(desk, guides=["vneid-level2"], layout="handout-a5", village="Thôn 2", needs="vneid_level2",
                              out=tmp_path / "thon2.pdf")
        # who should be in the batch, straight from the database
        thon2 = desk.village("Thôn 2")["id"]
        expected = []
        for (hid,) in desk.conn.execute("SELECT id FROM households WHERE village_id = ? AND deleted = 0", (thon2,)):
            h = desk.household(hid)
            done = any(e["service"] == "vneid_level2" and e["outcome"] == "done" for e in h["helps"])
            if not done and "leaflet" in h["consent"]["scope"] and not h["consent"]["withdrawn_at"] and not h["merged_into"]:
                expected.append(h["head_name"])
    assert poster["pages"] == 1 and decoded(tmp_path / "poster.pdf", dpi=60) == [["https://vneid.gov.vn"]]
    assert cards["pages"] == 1 and decoded(tmp_path / "cards.pdf") == [["https://dichvucong.gov.vn"] * 8]
    assert batch["households"] == len(expected) > 5 and batch["pages"] == len(expected)
    texts = page_texts(tmp_path / "thon2.pdf")
    names = sorted(expected, key=lambda n: fold(n))
    for name, text in zip(names, texts):
        assert nfc(name) in text
        assert nfc("Đến Công an xã/phường với CCCD gắn chip và điện thoại để kích hoạt VNeID mức 2.") in text.replace("\n", " ")
    assert page_sizes(tmp_path / "thon2.pdf") == [(420, 595)] * len(expected)
    assert decoded(tmp_path / "thon2.pdf", dpi=60) == [["https://vneid.gov.vn"]] * len(expected)
    assert all(fonts_used(tmp_path / "thon2.pdf").values())
