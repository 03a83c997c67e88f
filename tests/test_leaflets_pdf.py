"""Leaflet PDFs read back as a reader would: text with diacritics, page sizes, embedded fonts,
and every QR code rendered and decoded to its guide's official link."""

from __future__ import annotations

import unicodedata
from datetime import date

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from teamdesk import guides as guide_library
from teamdesk.leaflets import qr
from teamdesk.leaflets.document import make_leaflets

A4 = (595, 842)
A5 = (420, 595)
DAY = date(2026, 11, 20)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def page_texts(path) -> list[str]:
    return [nfc(p.extract_text()) for p in pypdf.PdfReader(str(path)).pages]


def page_sizes(path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pypdf.PdfReader(str(path)).pages]


def decoded(path, *, dpi: int = 100) -> list[list[str]]:
    """The QR codes found on each page, rendered as a phone camera would see a print."""
    doc = pdfium.PdfDocument(str(path))
    try:
        return [[r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())] for page in doc]
    finally:
        doc.close()


def fonts_used(path) -> dict[str, bool]:
    """Every font in the file (pages and forms), and whether its glyphs are embedded."""
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        todo = [page["/Resources"]]
        while todo:
            res = todo.pop().get_object()
            for font in (res.get("/Font") or {}).values():
                font = font.get_object()
                desc = font.get("/FontDescriptor")
                if desc is None and "/DescendantFonts" in font:
                    desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                found[str(font["/BaseFont"]).split("+")[-1]] = desc is not None and any(
                    k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            for xo in (res.get("/XObject") or {}).values():
                xo = xo.get_object()
                if "/Resources" in xo:
                    todo.append(xo["/Resources"])
    return found


@pytest.fixture
def consenting(desk):
    """Households in Thôn 2: two consent to named leaflets (one already at level 2), one does not."""
    ids = {}
    for name, scope in (("Trần Thị Bích", ("help", "leaflet")), ("Đỗ Văn Đức", ("help", "leaflet")),
                        ("Lương Văn Ẩn", ("help", "leaflet")), ("Phạm Thị Hường", ("help",))):
        ids[name] = desk.add_household(head_name=name, village="Thôn 2", consent_by=name, consent_scope=scope).first("households")
    desk.log_help(household=ids["Trần Thị Bích"], service="vneid_level1", date="2026-10-02")
    desk.log_help(household=ids["Đỗ Văn Đức"], service="vneid_level2", date="2026-10-03")
    desk.log_help(household=ids["Lương Văn Ẩn"], service="vneid_level2", date="2026-10-04", outcome="follow_up")
    return ids


def test_poster_vneid_level2_reads_right_and_scans(desk, tmp_path):
    out = tmp_path / "poster.pdf"
    result = make_leaflets(desk, guides=["vneid-level2"], layout="poster-a4", out=out, day=DAY)
    assert result["pages"] == 1 and out.exists()
    [text] = page_texts(out)
    g = guide_library.get(desk, "vneid-level2")["vi"]
    for s in (g["title"], g["steps"][0], "https://vneid.gov.vn", "Tổ công nghệ số cộng đồng Xã Nguyệt Ấn", "In ngày 20/11/2026",
              "Lê Thị Hoa"):
        assert nfc(s) in text.replace("\n", " "), s
    assert page_sizes(out) == [A4]
    assert decoded(out, dpi=60) == [["https://vneid.gov.vn"]]
    used = fonts_used(out)
    assert set(used) >= {"BeVietnamPro-Regular", "BeVietnamPro-Bold"} and all(used.values()), used


def test_cards_for_the_public_service_portal(desk, tmp_path):
    out = tmp_path / "cards.pdf"
    result = make_leaflets(desk, guides=["dichvucong"], layout="cards-a4", copies=2, out=out, day=DAY)
    assert result["pages"] == 2
    assert page_sizes(out) == [A4, A4]
    codes = decoded(out, dpi=100)
    assert [len(p) for p in codes] == [8, 8]
    assert {c for p in codes for c in p} == {"https://dichvucong.gov.vn"}
    text = page_texts(out)[0]
    assert text.count("https://dichvucong.gov.vn") == 8
    assert nfc("Làm thủ tục trên") in text


def test_cards_mixing_guides_each_scan_to_their_own_link(desk, tmp_path):
    out = tmp_path / "mixed.pdf"
    slugs = ["vneid-install-android", "vneid-install-iphone", "vssid", "online-safety"]
    make_leaflets(desk, guides=slugs, layout="cards-a4", out=out, day=DAY)
    [codes] = decoded(out)
    links = [guide_library.get(desk, s)["link"] for s in slugs]
    assert sorted(codes) == sorted(links * 2)


def test_every_shipped_guide_as_an_a5_handout(desk, tmp_path):
    out = tmp_path / "all.pdf"
    slugs = [g["slug"] for g in guide_library.shipped()]
    result = make_leaflets(desk, guides=slugs, layout="handout-a5", out=out, day=DAY)
    assert result["pages"] == len(slugs) and page_sizes(out) == [A5] * len(slugs)
    texts = page_texts(out)
    for slug, codes, text in zip(slugs, decoded(out, dpi=90), texts):
        guide = guide_library.get(desk, slug)
        link, _ = guide_library.link_for(desk, guide)
        assert codes == [link], slug
        assert nfc(guide["vi"]["title"].split()[0]) in text
        assert "20/11/2026" in text and link in text.replace("\n", "")


def test_two_up_puts_two_a5_handouts_on_a_landscape_a4(desk, tmp_path):
    out = tmp_path / "2up.pdf"
    result = make_leaflets(desk, guides=["vneid-level2", "dichvucong", "vssid"], layout="handout-a5", two_up=True, out=out)
    assert result["pages"] == 2
    assert page_sizes(out) == [(842, 595)] * 2
    codes = decoded(out, dpi=80)
    assert sorted(codes[0]) == ["https://dichvucong.gov.vn", "https://vneid.gov.vn"]
    assert len(codes[1]) == 2  # an odd count fills the last sheet's second half too


def test_personalised_handouts_for_thon2_still_needing_level2(desk, tmp_path, consenting):
    out = tmp_path / "thon2.pdf"
    seen = []
    result = make_leaflets(desk, guides=["vneid-level2"], layout="handout-a5", village="Thôn 2", needs="vneid_level2",
                           out=out, day=DAY, progress=lambda d, t: seen.append((d, t)))
    # Đỗ Văn Đức has level 2 done; Phạm Thị Hường did not consent to a named leaflet.
    assert result["households"] == 2 and result["pages"] == 2
    assert [s["id"] for s in result["skipped"]] == [consenting["Phạm Thị Hường"]]
    assert "leaflet" in result["skipped"][0]["reason_text"]
    assert seen[-1] == (2, 2)
    texts = page_texts(out)
    # village then name order: Lương before Trần (folded)
    assert nfc("Lương Văn Ẩn") in texts[0] and nfc("Trần Thị Bích") in texts[1]
    assert nfc("02/10/2026") in texts[1] and nfc("Đăng ký, kích hoạt VNeID mức 1") in texts[1].replace("\n", " ")
    assert nfc("Đến Công an xã/phường với CCCD gắn chip và điện thoại") in texts[0].replace("\n", " ")
    assert "0912 345 678" in texts[0] and "Lê Thị Hoa" in texts[0]
    assert all(nfc("Phạm Thị Hường") not in t for t in texts)
    assert decoded(out, dpi=70) == [["https://vneid.gov.vn"]] * 2
    assert page_sizes(out) == [A5, A5]
    used = fonts_used(out)
    assert set(used) >= {"BeVietnamPro-Bold", "BeVietnamPro-SemiBold"} and all(used.values()), used


def test_qr_matrix_built_once_per_link(desk, tmp_path, consenting):
    qr.matrix.cache_clear()
    qr.BUILDS.clear()
    for _ in range(2):
        make_leaflets(desk, guides=["vneid-level2", "dichvucong"], layout="handout-a5", copies=3, out=tmp_path / "a.pdf")
    make_leaflets(desk, guides=["vneid-level2"], layout="handout-a5", village="Thôn 2", out=tmp_path / "b.pdf")
    assert dict(qr.BUILDS) == {"https://vneid.gov.vn": 1, "https://dichvucong.gov.vn": 1}
    # and each document holds each code once, as a form placed by reference
    reader = pypdf.PdfReader(str(tmp_path / "a.pdf"))
    names = {str(k) for p in reader.pages for k in (p["/Resources"].get("/XObject") or {})}
    assert len([n for n in names if "qr" in n.lower()]) == 2


def test_province_portal_setting_and_fallback(desk, tmp_path):
    result = make_leaflets(desk, guides=["province-portal"], layout="handout-a5", out=tmp_path / "p.pdf")
    assert result["guides"][0]["link"] == "https://dichvucong.gov.vn"
    assert "province_portal_url" in result["notes"][0]
    desk.set_setting("province_portal_url", "https://dichvucong.thanhhoa.gov.vn")
    result = make_leaflets(desk, guides=["province-portal"], layout="handout-a5", out=tmp_path / "q.pdf")
    assert result["notes"] == []
    assert decoded(tmp_path / "q.pdf", dpi=80) == [["https://dichvucong.thanhhoa.gov.vn"]]


def test_english_leaflet(desk, tmp_path):
    out = tmp_path / "en.pdf"
    make_leaflets(desk, guides=["vneid-level2"], layout="poster-a4", out=out, lang="en", day=DAY)
    text = page_texts(out)[0].replace("\n", " ")
    assert "Get a level-2 electronic identity account" in text and "Printed 20/11/2026" in text


def test_codes_are_vectors_and_every_page_names_team_date_and_link(desk, tmp_path):
    """No bitmap anywhere (a QR code drawn as an image blurs on a cheap printer)."""
    for layout in ("poster-a4", "handout-a5", "cards-a4"):
        out = tmp_path / f"{layout}.pdf"
        make_leaflets(desk, guides=["vssid", "online-safety"], layout=layout, out=out, day=DAY)
        reader = pypdf.PdfReader(str(out))
        for page in reader.pages:
            todo = [page["/Resources"]]
            while todo:
                res = todo.pop().get_object()
                for xo in (res.get("/XObject") or {}).values():
                    xo = xo.get_object()
                    assert xo.get("/Subtype") != "/Image", layout
                    if "/Resources" in xo:
                        todo.append(xo["/Resources"])
        for text in page_texts(out):
            flat = text.replace("\n", "")
            assert "Tổ công nghệ số cộng đồng Xã Nguyệt Ấn" in text and "20/11/2026" in text, layout
            assert "https://canhbao.khonggianmang.vn" in flat or "https://play.google.com/store/apps/details?id=com.bhxhapp" in flat


def test_a_communes_own_service_shows_its_name(desk, tmp_path):
    desk.set_setting("extra_services", '[{"code": "zalo_commune", "vi": "Cài Zalo OA của xã", "en": "Commune Zalo OA"}]')
    hid = desk.add_household(head_name="Lò Văn Pó", village="Thôn 1", consent_by="Pó", consent_scope=("help", "leaflet")).first("households")
    desk.log_help(household=hid, service="zalo_commune", date="2026-11-02")
    out = tmp_path / "own.pdf"
    make_leaflets(desk, guides=["online-safety"], layout="handout-a5", households=[hid], out=out)
    assert "02/11/2026 — Cài Zalo OA của xã (đã xong)" in page_texts(out)[0]


def test_poster_code_is_at_least_6_cm(desk, tmp_path):
    from teamdesk.leaflets import poster

    for link in ("https://x.vn", "https://vneid.gov.vn", "https://play.google.com/store/apps/details?id=com.vnid"):
        n = len(qr.matrix(link))
        assert poster.qr_size(link) * n / (n + 2 * qr.QUIET) >= 6 * 72 / 2.54
    out = tmp_path / "p.pdf"
    make_leaflets(desk, guides=["vneid-level2"], layout="poster-a4", out=out)
    page = pdfium.PdfDocument(str(out))[0]
    [found] = zxingcpp.read_barcodes(page.render(scale=100 / 72).to_pil())
    width_cm = (found.position.top_right.x - found.position.top_left.x) / 100 * 2.54
    assert width_cm >= 6.0  # zxing's corners sit just inside the code's edge
