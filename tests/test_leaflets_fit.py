"""Text never leaves its box: a trainer's guide with a very long title and many long steps still
prints inside the page (checked on the PDF's own character boxes) in every layout."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest

from teamdesk import guides as guide_library
from teamdesk import fonts
from teamdesk.leaflets.document import make_leaflets
from teamdesk.leaflets.text_fit import Block, fit, wrap

LONG_TITLE = ("Hướng dẫn đầy đủ cách đăng ký, kích hoạt và sử dụng tài khoản định danh điện tử mức hai trên ứng dụng "
              "VNeID cho người cao tuổi ở các thôn vùng sâu vùng xa của xã Nguyệt Ấn tỉnh Thanh Hóa năm 2026")
LONG_STEP = ("Mở ứng dụng, kiểm tra kỹ từng mục thông tin cá nhân, đối chiếu với thẻ căn cước gắn chip, "
             "nếu sai thì ghi lại và báo cho cán bộ Công an xã/phường khi đến làm thủ tục, tuyệt đối không nhờ người lạ "
             "làm hộ, không chụp ảnh giấy tờ gửi qua mạng xã hội và luôn giữ điện thoại bên mình trong suốt quá trình")


def long_guide() -> dict:
    part = {"title": LONG_TITLE, "purpose": LONG_STEP, "steps": [f"{LONG_STEP} ({i})" for i in range(10)],
            "tips": [LONG_STEP] * 3, "warnings": [LONG_STEP] * 3, "card_line": LONG_STEP[:159], "next_step": LONG_STEP}
    return {"format": 1, "slug": "rat-dai", "link": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001234",
            "checked": "2026-11-01", "vi": part, "en": part}


def char_boxes(path):
    doc = pdfium.PdfDocument(str(path))
    try:
        for page in doc:
            w, h = page.get_size()
            text = page.get_textpage()
            boxes = [text.get_charbox(i) for i in range(text.count_chars())]
            yield w, h, [b for b in boxes if b[2] > b[0]]  # skip spaces and zero-width marks
    finally:
        doc.close()


@pytest.mark.parametrize("layout,extra", [("poster-a4", {}), ("handout-a5", {}), ("cards-a4", {}),
                                          ("handout-a5", {"two_up": True}), ("handout-a5", {"personal": True})])
def test_a_very_long_guide_stays_inside_the_page(desk, tmp_path, layout, extra):
    path = tmp_path / "rat-dai.json"
    path.write_text(json.dumps(long_guide(), ensure_ascii=False), encoding="utf-8")
    kwargs = {"two_up": extra.get("two_up", False)}
    if extra.get("personal"):
        hid = desk.add_household(head_name="Nguyễn Thị Ngọc Ánh Phương Hoàng Thu Thủy Trang Lê", village="Thôn 2",
                                 consent_by="Bà Ánh", consent_scope=("help", "leaflet")).first("households")
        for service in ("vneid_install", "vneid_level1", "online_service", "digital_skills", "online_safety", "ecommerce"):
            desk.log_help(household=hid, service=service, detail="Hướng dẫn chi tiết rất dài " * 5)
        kwargs["households"] = [hid]
    out = tmp_path / "long.pdf"
    make_leaflets(desk, guides=[str(path)], layout=layout, out=out, **kwargs)
    margin = 12.0  # nothing within 12 pt (4.2 mm) of the paper's edge: office printers cannot print there
    pages = list(char_boxes(out))
    assert pages
    for w, h, boxes in pages:
        assert len(boxes) > 100
        for left, bottom, right, top in boxes:
            assert margin <= left and right <= w - margin and margin <= bottom and top <= h - margin, (left, bottom, right, top)


def test_fit_shrinks_then_cuts_but_never_spills():
    fonts.register()
    blocks = [Block(LONG_STEP, fonts.REGULAR, 14, label="1.", indent=20)] * 6
    fitted = fit(blocks, width=200, height=150, min_scale=0.6)
    assert fitted.cut and fitted.height <= 150 and fitted.lines[-1].text.endswith("…")
    for line in fitted.lines:
        assert line.x + fonts.width(line.text, line.font, line.size) <= 200 + 0.01
    roomy = fit([Block("Ngắn gọn", fonts.BOLD, 20)], width=200, height=100)
    assert roomy.scale == 1.0 and not roomy.cut


def test_wrap_breaks_a_link_longer_than_the_box():
    fonts.register()
    link = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001234"
    lines = wrap(link, fonts.SEMIBOLD, 10, 120)
    assert "".join(lines) == link and len(lines) > 2
    assert all(fonts.width(t, fonts.SEMIBOLD, 10) <= 120 for t in lines)


def test_long_guide_file_is_valid(tmp_path):
    path = tmp_path / "rat-dai.json"
    path.write_text(json.dumps(long_guide(), ensure_ascii=False), encoding="utf-8")
    assert guide_library.load_file(path)["vi"]["title"] == LONG_TITLE


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WORDS = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÁẤẰÉẾÍÓỐỚÚỨÝàảãạầẩẫậằẳẵặèẻẽẹềểễệ/:.-_0123456789", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(WORDS, min_size=1, max_size=30).map(" ".join), min_size=1, max_size=8),
       width=st.floats(40, 400), height=st.floats(10, 300), size=st.floats(6, 30))
def test_fit_never_leaves_its_box(texts, width, height, size):
    fonts.register()
    fitted = fit([Block(t, fonts.REGULAR, size, label="1.", indent=size * 1.6) for t in texts], width=width, height=height)
    assert fitted.height <= height + 0.01
    for line in fitted.lines:
        assert line.x + fonts.width(line.text, line.font, line.size) <= width + 0.01
        assert line.baseline + line.size * 0.27 <= height + 0.01


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_shipped_guide_is_cut_in_any_layout(desk, tmp_path, lang):
    slugs = [g["slug"] for g in guide_library.shipped()]
    hid = desk.add_household(head_name="Nguyễn Văn Ấn", village="Thôn 2", consent_by="Ấn",
                             consent_scope=("help", "leaflet")).first("households")
    runs = [{"layout": "poster-a4"}, {"layout": "handout-a5"}, {"layout": "cards-a4"}, {"layout": "handout-a5", "households": [hid]}]
    for run in runs:
        result = make_leaflets(desk, guides=slugs, out=None, lang=lang, **run)
        assert not [n for n in result["notes"] if "rat" in n or "cut" in n or "cắt" in n], (run, result["notes"])


def test_a_cut_is_reported(desk, tmp_path):
    path = tmp_path / "rat-dai.json"
    path.write_text(json.dumps(long_guide(), ensure_ascii=False), encoding="utf-8")
    result = make_leaflets(desk, guides=[str(path)], layout="poster-a4", out=None)
    assert any("rat-dai" in n and "cắt bớt" in n for n in result["notes"])
