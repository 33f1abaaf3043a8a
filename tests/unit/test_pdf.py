"""Plain text to PDF in the built-in STSong-Light CID font: Chinese without a font file.

pypdf reads the text back: the font's encoding is UniGB-UCS2-H, whose codes are the UTF-16BE
code units of the text, and pypdf decodes "-UCS2-" encodings as UTF-16BE even though ReportLab
writes no ToUnicode map. Reading back does not prove a glyph exists, so where poppler-data's
copy of the CMap is installed, every character printed is also checked against it.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from deskapp.printing.pdf import BODY_SIZE, FONT, text_pdf, wrap, write_pdf

SLIP = [
    "日期：2025-03-14 10:32",
    "房号：3栋 1201  业主：陈美玲",
    "车牌：粤B·12345",
    "物品：沙发 × 1、冰箱 × 1、纸箱 × 6",
    "押金：¥ 500.00（已收）",
    "",
    "请您将放行条交给大堂护卫员后就可以放行了。",
]
TITLE = "放行条 No. 000123"
FOOTER = "客服中心 电话 0755-12345678"
LONG = (
    "请您将放行条交给大堂护卫员后就可以放行了。本放行条当日有效，过期作废；如物品与清单不符，"
    "护卫员有权拒绝放行并联系客服中心核实。Plate 粤B12345, order WO-2025-000123."
)
CMAP = Path("/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H")


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in read(data).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_it_is_a_pdf() -> None:
    data = text_pdf(TITLE, SLIP)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_same_input_same_bytes() -> None:
    assert text_pdf(TITLE, SLIP, footer=FOOTER) == text_pdf(TITLE, SLIP, footer=FOOTER)
    assert text_pdf(TITLE, SLIP) != text_pdf(TITLE, SLIP[:-1])


def test_the_chinese_text_reads_back() -> None:
    [text] = page_texts(text_pdf(TITLE, SLIP, footer=FOOTER))
    lines = text.splitlines()
    assert lines[0] == TITLE
    for expected in ["沙发 × 1", "押金：¥ 500.00（已收）", "请您将放行条交给大堂护卫员后就可以放行了。", FOOTER]:
        assert expected in text
    # · is not in UniGB-UCS2-H (it would print as .notdef); it prints as ・ (CID 99, the same
    # GB 2312 glyph UniGB-UTF16-H gives ·), so that is what reads back.
    assert "粤B・12345" in text


def test_the_lines_keep_their_order() -> None:
    text = page_texts(text_pdf(TITLE, SLIP))[0]
    positions = [text.index(line) for line in ["日期", "房号", "车牌", "物品", "押金", "请您"]]
    assert positions == sorted(positions)


def test_title_metadata() -> None:
    assert read(text_pdf(TITLE, SLIP)).metadata.title == TITLE


def test_the_text_is_in_the_content_stream_as_ucs2() -> None:
    content = read(text_pdf(TITLE, SLIP)).pages[0].get_contents().get_data()
    # Literal strings of UTF-16BE code units; bytes that are not printable ASCII are octal-escaped.
    assert b"(e>\\210Lga\\000 \\000N\\000o" in content  # "放行条 No": U+653E U+884C U+6761 U+0020 ...


def test_font_is_stsong_light_and_not_embedded() -> None:
    page = read(text_pdf(TITLE, SLIP, footer=FOOTER)).pages[0]
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    assert [f["/BaseFont"] for f in fonts] == ["/" + FONT]  # nothing else, not even Helvetica
    [font] = fonts
    assert font["/Subtype"] == "/Type0"
    assert font["/Encoding"] == "/UniGB-UCS2-H"
    [cid] = [d.get_object() for d in font["/DescendantFonts"]]
    assert cid["/CIDSystemInfo"]["/Ordering"] == "GB1"
    descriptor = cid["/FontDescriptor"].get_object()
    assert not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)


def test_a_long_line_wraps_and_stays_complete() -> None:
    [text] = page_texts(text_pdf(TITLE, [LONG, "完"]))
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 3  # title, the long line in several pieces, 完
    assert flat(LONG) in flat(text)
    assert lines[-1] == "完"


def test_wrap_measures_width() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pieces = wrap(LONG, 200, BODY_SIZE)
    assert len(pieces) > 2
    assert flat("".join(pieces)) == flat(LONG)
    for piece in pieces:
        assert stringWidth(piece, FONT, BODY_SIZE) <= 200 + BODY_SIZE  # closing punctuation may hang
    assert not any(piece[0] in "，。；" for piece in pieces)
    # No word of ASCII letters and digits (a plate, a number) is split across lines.
    for width in (120, 150, 200):
        pieces = wrap(LONG, width, BODY_SIZE)
        for word in re.findall(r"[A-Za-z0-9]+", LONG):
            assert any(word in piece for piece in pieces), (width, word, pieces)
    assert wrap("", 200, BODY_SIZE) == [""]
    assert wrap("甲\n\n乙", 200, BODY_SIZE) == ["甲", "", "乙"]


def test_an_ascii_run_moves_whole() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth("放行条放行条放行条 ", FONT, BODY_SIZE) + 1
    assert wrap("放行条放行条放行条 000123", width, BODY_SIZE) == ["放行条放行条放行条", "000123"]
    assert wrap("放行条放行条放行条000123", width, BODY_SIZE) == ["放行条放行条放行条", "000123"]


def test_many_lines_make_pages_each_with_the_footer() -> None:
    lines = [f"第 {n} 行：沙发 × {n}" for n in range(1, 121)]
    data = text_pdf(TITLE, lines, footer=FOOTER)
    texts = page_texts(data)
    assert len(texts) > 1
    assert all(FOOTER in text for text in texts)
    assert TITLE in texts[0] and TITLE not in texts[1]
    everything = "\n".join(texts)
    assert all(f"第 {n} 行：沙发 × {n}" in everything for n in range(1, 121))
    assert everything.index("第 120 行") > everything.index("第 119 行") > everything.index("第 1 行")


def test_page_size() -> None:
    from reportlab.lib.pagesizes import A4, A5

    assert [float(v) for v in read(text_pdf(TITLE, SLIP)).pages[0].mediabox[2:]] == pytest.approx(list(A5))
    a4 = read(text_pdf(TITLE, SLIP, page_size=A4)).pages[0].mediabox
    assert [float(v) for v in a4[2:]] == pytest.approx(list(A4))


def test_characters_outside_ucs2_print_as_geta() -> None:
    [text] = page_texts(text_pdf("标题", ["𠀀先生 m² 😀"]))
    assert "〓先生 ㎡ 〓" in text


def test_write_pdf(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "slip.pdf", TITLE, SLIP, footer=FOOTER)
    assert path.read_bytes() == text_pdf(TITLE, SLIP, footer=FOOTER)


def _ucs2_cmap() -> set[int]:
    text = CMAP.read_text(encoding="latin-1")
    codes: set[int] = set()
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.DOTALL):
        for lo, hi, _ in re.findall(r"<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\d+)", block):
            codes.update(range(int(lo, 16), int(hi, 16) + 1))
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.DOTALL):
        codes.update(int(code, 16) for code, _ in re.findall(r"<([0-9a-f]+)>\s*(\d+)", block))
    return codes


@pytest.mark.skipif(not CMAP.exists(), reason="poppler-data's UniGB-UCS2-H CMap is not installed")
def test_every_printed_character_has_a_glyph() -> None:
    covered = _ucs2_cmap()
    printed = "".join(page_texts(text_pdf(TITLE, SLIP + [LONG, "• ‧ m² 1³"], footer=FOOTER)))
    missing = sorted({ch for ch in printed if ch != "\n" and ord(ch) not in covered})
    assert missing == []
    assert ord("\u00b7") not in covered  # why · is folded


def test_importing_the_module_does_not_load_reportlab() -> None:
    probe = "import sys, deskapp.printing.pdf; print(any(m.startswith('reportlab') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
