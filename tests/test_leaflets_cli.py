"""``teamdesk guides list`` and ``teamdesk leaflet`` as a coordinator scripts them, bad input included:
each failure is a clear Vietnamese message, the right exit code, and no PDF (not even a partial one)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from teamdesk.cli import load_commands
from tests.test_leaflets_pdf import decoded, page_sizes, page_texts


@pytest.fixture
def run(desk, home):
    cli = load_commands()

    def invoke(*argv):
        return CliRunner().invoke(cli, [*argv, "--home", str(home)], catch_exceptions=False)

    return invoke


def no_pdf_left(folder) -> bool:
    return not [p for p in folder.iterdir() if p.suffix in (".pdf", ".part") or ".part" in p.name]


def test_guides_list_json_and_text(run):
    result = run("guides", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert len(data["guides"]) >= 10
    level2 = next(g for g in data["guides"] if g["slug"] == "vneid-level2")
    assert level2["title"] == "Kích hoạt tài khoản định danh điện tử mức 2" and level2["source"] == "shipped"
    text = run("guides", "list")
    assert "vneid-level2" in text.output and "có sẵn" in text.output


def test_leaflet_poster_and_cards(run, tmp_path):
    out = tmp_path / "poster.pdf"
    result = run("leaflet", "vneid-level2", "--layout", "poster-a4", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Đã tạo" in result.output and page_sizes(out) == [(595, 842)]
    cards = tmp_path / "the.pdf"
    result = run("leaflet", "dichvucong", "--layout", "cards-a4", "--out", str(cards), "--json")
    data = json.loads(result.output)
    assert data["ok"] and data["pages"] == 1 and data["out"] == str(cards)
    assert len(decoded(cards)[0]) == 8


def test_leaflet_for_households_of_a_village(run, desk, tmp_path):
    yes = desk.add_household(head_name="Vũ Thị Én", village="Thôn 2", consent_by="Vũ Thị Én",
                             consent_scope=("help", "leaflet")).first("households")
    no = desk.add_household(head_name="Hà Văn Không", village="Thôn 2", consent_by="Hà Văn Không").first("households")
    out = tmp_path / "thon2.pdf"
    result = run("leaflet", "vneid-level2", "--layout", "handout-a5", "--village", "Thôn 2", "--needs", "vneid_level2",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Bỏ qua 1 hộ" in result.output and no[-8:] in result.output
    [text] = page_texts(out)
    assert "Vũ Thị Én" in text and "Hà Văn Không" not in text
    result = run("leaflet", "vneid-level2", "--layout", "handout-a5", "--household", yes, "--out", str(out), "--json")
    assert json.loads(result.output)["households"] == 1


@pytest.mark.parametrize(
    "argv,code,words",
    [
        (["khong-co", "--layout", "poster-a4"], 3, "Không có hướng dẫn \"khong-co\""),
        (["vneid-level2", "--layout", "handout-a5", "--household", "0123456789ab"], 3, "Không tìm thấy hộ"),
        (["vneid-level2", "--layout", "poster-a4", "--household", "0123456789ab"], 2, "handout-a5"),
        (["vneid-level2", "--layout", "handout-a5", "--village", "Thôn 9"], 3, "Thôn 9"),
        (["vneid-level2", "--layout", "handout-a5", "--village", "Thôn 1"], 3, "Không có hộ nào"),
    ],
)
def test_bad_input_is_refused_with_no_pdf(run, tmp_path, argv, code, words):
    result = run("leaflet", *argv, "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == code, result.output
    assert words in result.output
    assert no_pdf_left(tmp_path)


@pytest.mark.parametrize("change", [{"link": "http://vneid.gov.vn"}, {"vi": {"title": "Thiếu các bước"}}, "not json"])
def test_bad_guide_file_is_refused_naming_it(run, tmp_path, change):
    from teamdesk import guides as guide_library

    path = tmp_path / "huong-dan-cua-to.json"
    if isinstance(change, dict):
        body = json.loads((guide_library.folder() / "vneid-level2.json").read_text(encoding="utf-8")) | change
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text("{ không phải JSON", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = run("leaflet", str(path), "--layout", "handout-a5", "--out", str(out_dir / "x.pdf"))
    assert result.exit_code == 3 and "huong-dan-cua-to.json" in result.output
    assert no_pdf_left(out_dir)


def test_unwritable_output_is_an_io_failure(run, tmp_path):
    result = run("leaflet", "vneid-level2", "--layout", "poster-a4", "--out", str(tmp_path / "khong" / "co" / "x.pdf"))
    assert result.exit_code == 1 and "Không ghi được tệp" in result.output
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        result = run("leaflet", "vneid-level2", "--layout", "poster-a4", "--out", str(ro / "x.pdf"))
        import os

        if os.geteuid() != 0:  # root writes anywhere
            assert result.exit_code == 1 and no_pdf_left(ro)
    finally:
        ro.chmod(0o700)


def test_write_failure_midway_leaves_no_partial_file(desk, tmp_path, monkeypatch):
    import os

    from teamdesk.errors import Failed
    from teamdesk.leaflets import document

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(Failed) as err:
        document.make_leaflets(desk, guides=["vneid-level2"], layout="poster-a4", out=out_dir / "x.pdf")
    assert "No space left" in err.value.message()
    assert list(out_dir.iterdir()) == []


def test_cancel_leaves_no_file(desk, tmp_path):
    from teamdesk.leaflets import document

    calls = []
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = document.make_leaflets(desk, guides=["vneid-level2"], layout="handout-a5", copies=20, out=out_dir / "x.pdf",
                                    cancelled=lambda: len(calls) > 3, progress=lambda d, t: calls.append(d))
    assert result["cancelled"] and result["out"] is None and 3 <= len(calls) < 20
    assert list(out_dir.iterdir()) == []


def test_every_command_has_help(run):
    cli = load_commands()
    assert cli.commands["leaflet"].help and "QR" in cli.commands["leaflet"].help
    for name, cmd in cli.commands["guides"].commands.items():
        assert cmd.help, name


def test_guides_save_keeps_shipped_guide(run, tmp_path):
    from teamdesk import guides as guide_library

    body = json.loads((guide_library.folder() / "dichvucong.json").read_text(encoding="utf-8"))
    body["vi"]["card_line"] = "Dòng riêng của tổ."
    path = tmp_path / "dvc.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    result = run("guides", "save", str(path))
    assert result.exit_code == 0 and "bản riêng" in result.output
    listed = json.loads(run("guides", "list", "--json").output)["guides"]
    copy = next(g for g in listed if g["based_on"] == "dichvucong")
    assert copy["source"] == "own"
    assert next(g for g in listed if g["slug"] == "dichvucong")["source"] == "shipped"


def test_guides_delete(run, tmp_path):
    from teamdesk import guides as guide_library

    body = json.loads((guide_library.folder() / "vssid.json").read_text(encoding="utf-8")) | {"slug": "vssid-thon-1"}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    assert run("guides", "save", str(path)).exit_code == 0
    assert run("guides", "save", str(path)).exit_code == 0  # saving the same file again updates it
    assert run("guides", "delete", "vssid-thon-1").exit_code == 0
    result = run("guides", "delete", "vssid")
    assert result.exit_code == 3 and "không xóa được" in result.output
