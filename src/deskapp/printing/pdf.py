"""Plain text as a PDF, with Chinese in ReportLab's built-in ``STSong-Light`` CID font.

No font file is shipped or embedded: the PDF names Adobe's standard Simplified Chinese font
(character collection Adobe-GB1, encoding ``UniGB-UCS2-H``) and the viewer supplies it or a
substitute (Acrobat its own STSong; poppler, PDFium and the rest a system Chinese font).

ReportLab is imported inside the functions, so importing this module costs nothing at start-up.

The UCS-2 CMap leaves out a few characters a counter will type; ``_fold`` swaps them for the
glyph the newer UTF-16 CMap would pick or a plain stand-in (see ``_FOLD``) -- text extracted
from the PDF shows the stand-in. Characters outside the Basic Multilingual Plane cannot be
written in UCS-2 at all and print as 〓, the usual mark for a missing character.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONT = "STSong-Light"
TITLE_SIZE = 16.0
BODY_SIZE = 11.0
FOOTER_SIZE = 9.0
LEADING = 1.45  # line height as a multiple of the font size
MARGIN_MM = 14.0
MISSING = "\u3013"  # 〓 GETA MARK

# Characters UniGB-UCS2-H does not map (they would print as .notdef), and what prints instead.
_FOLD_PAIRS = {"m\u00b2": "\u33a1"}  # m² -> ㎡
_FOLD = str.maketrans({
    "\u00b7": "\u30fb",  # · MIDDLE DOT -> ・ (CID 99, the GB 2312 间隔号; UniGB-UTF16-H maps · there too)
    "\u2027": "\u30fb",  # ‧ HYPHENATION POINT
    "\u2022": "\u30fb",  # • BULLET
    "\u00b2": "2",
    "\u00b3": "3",
    "\u2011": "-",       # NON-BREAKING HYPHEN
    "\u00a0": " ",       # NO-BREAK SPACE
    "\t": "    ",
})
# Break a line before these rather than start the next line with them (they hang in the margin).
_NO_LINE_START = set("，。、；：？！）》」』】〉”’,.;:?!)]}%…—～・")


def _fold(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for pair, single in _FOLD_PAIRS.items():
        text = text.replace(pair, single)
    text = text.translate(_FOLD)
    return "".join(ch if ord(ch) <= 0xFFFF and (ch >= " " or ch == "\n") else MISSING for ch in text)


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap(text: str, width: float, size: float) -> list[str]:
    """Split one line into pieces no wider than ``width`` points at ``size``.

    Character by character, since Chinese has no spaces; a run of ASCII letters and digits
    (a plate, a number) moves whole to the next line unless it starts the line, and closing
    punctuation stays on the line it closes. Blank input gives one blank line.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _register()
    pieces: list[str] = []
    for para in text.split("\n"):
        found: list[str] = []
        start = at = 0
        used = 0.0
        while at < len(para):
            ch = para[at]
            w = stringWidth(ch, FONT, size)
            hangs = ch in _NO_LINE_START and used + w <= width + size
            if at == start or used + w <= width or hangs:
                used += w
                at += 1
                continue
            cut = at
            if _wordish(ch) and _wordish(para[at - 1]):
                back = at - 1
                while back > start and _wordish(para[back - 1]):
                    back -= 1
                if back > start:
                    cut = back
            found.append(para[start:cut].rstrip(" "))
            at = cut
            while at < len(para) and para[at] == " ":
                at += 1
            start, used = at, 0.0
        if start < len(para) or not found:
            found.append(para[start:])
        pieces.extend(found)
    return pieces


def _wordish(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def text_pdf(
    title: str, lines: list[str], *, footer: str = "", page_size: tuple[float, float] | None = None
) -> bytes:
    """Render ``title`` then ``lines`` (wrapped, paged) with ``footer`` at the foot of every page.

    ``page_size`` is ``(width, height)`` in points (``reportlab.lib.pagesizes.A4``...); A5
    portrait by default. The output is byte-for-byte the same for the same input (ReportLab
    invariant mode: fixed dates and document ID).
    """
    import io

    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    _register()
    width, height = page_size or A5
    margin = MARGIN_MM * mm
    text_width = width - 2 * margin
    title, footer = _fold(title), _fold(footer)

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(width, height), invariant=1, initialFontName=FONT, initialFontSize=BODY_SIZE
    )
    canvas.setTitle(" ".join(title.split()))
    canvas.setCreator("deskapp")
    canvas.setAuthor("deskapp")

    footer_lines = wrap(footer, text_width, FOOTER_SIZE) if footer else []
    footer_top = margin + len(footer_lines) * FOOTER_SIZE * LEADING
    bottom = footer_top + (BODY_SIZE * 0.8 if footer_lines else 0)

    def foot() -> None:
        if not footer_lines:
            return
        canvas.setFont(FONT, FOOTER_SIZE)
        y = footer_top - FOOTER_SIZE
        for piece in footer_lines:
            canvas.drawString(margin, y, piece)
            y -= FOOTER_SIZE * LEADING

    y = height - margin - TITLE_SIZE
    canvas.setFont(FONT, TITLE_SIZE)
    for piece in wrap(title, text_width, TITLE_SIZE):
        canvas.drawString(margin, y, piece)
        y -= TITLE_SIZE * LEADING
    y -= BODY_SIZE * 0.5

    step = BODY_SIZE * LEADING
    for line in lines:
        for piece in wrap(_fold(line), text_width, BODY_SIZE):
            if y < bottom:
                foot()
                canvas.showPage()
                y = height - margin - BODY_SIZE
            canvas.setFont(FONT, BODY_SIZE)
            if piece:
                canvas.drawString(margin, y, piece)
            y -= step
    foot()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_pdf(path: str | Path, title: str, lines: list[str], **kw: Any) -> Path:
    """``text_pdf`` written to ``path``; returns the path."""
    path = Path(path)
    path.write_bytes(text_pdf(title, lines, **kw))
    return path
