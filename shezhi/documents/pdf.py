"""PDF rendering of documents with an embedded Chinese TrueType font.

The font file ships in this package (fonts/, with its licence), so a PDF renders the same
on any reader: reportlab embeds the subset of glyphs used. The document text itself is
Chinese because the notices are Chinese administrative documents, whatever the UI language.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=6 * mm),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT, spaceAfter=6 * mm),
        "addressee": ParagraphStyle("addressee", parent=base, spaceAfter=3 * mm),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=24, spaceAfter=2 * mm),
        "item": ParagraphStyle("item", parent=base, leftIndent=24, spaceAfter=1 * mm),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=14),
    }


def render_pdf(*, title: str, number: str, addressee: str, body: list[str], authority: str, date_text: str, verification: str) -> bytes:
    """Lines of `body` starting with "- " are set as indented list items."""
    s = _styles()
    story = [Paragraph(escape(title), s["title"]), Paragraph(escape(number), s["number"])]
    if addressee:
        story.append(Paragraph(escape(addressee) + "：", s["addressee"]))
    for line in body:
        if line.startswith("- "):
            story.append(Paragraph(escape(line[2:]), s["item"]))
        else:
            story.append(Paragraph(escape(line), s["body"]))
    story += [
        Spacer(1, 14 * mm),
        Paragraph(escape(authority), s["sign"]),
        Paragraph(escape(date_text), s["sign"]),
        Spacer(1, 18 * mm),
        Paragraph(escape(verification), s["small"]),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=f"{title} {number}",
        author=authority,
    )
    doc.build(story)
    return out.getvalue()
