"""The volunteer service record certificate (志愿服务记录证明) as PDF.

Registered as a Document (number 社志〔year〕n号, verification code that /verify/<code>/
checks), so it is numbered, kept as issued and checkable like every other document. The
generic document layout has no table, so the PDF is drawn here with the same embedded font
and replaces the generic rendering of the same text; if the file is ever lost the
documents app renders the stored text again (every record is a line of it).

The layout follows the model certificate of 志愿服务记录与证明出具办法 (民政部 2020): identity
(name, ID type, masked ID number, volunteer number), the period, the total hours, the
service records behind it, the issuer, person in charge, handler and contact, the number
and the date. The full ID number never appears: only the masked one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from shezhi.activities.models import HoursRecord
from shezhi.documents.models import Document, DocumentKind
from shezhi.documents.pdf import cjk_font
from shezhi.documents.services import chinese_date, document_issue, documents_dir, format_code, verification_url
from shezhi.privacy import mask_name
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.selectors import mask_id_number

TITLE = "志愿服务记录证明"
# The certificate is a Chinese document whatever the interface language: the names of the
# ID types as written on it (data, like the registry's spreadsheet words).
ID_TYPE_ZH = {
    "id_card": "居民身份证",
    "hk_macao": "港澳居民来往内地通行证",
    "taiwan": "台湾居民来往大陆通行证",
    "hmt_residence": "港澳台居民居住证",
    "passport": "护照",
    "foreign_pr": "外国人永久居留身份证",
}


def id_type_zh(volunteer: Volunteer) -> str:
    return ID_TYPE_ZH.get(volunteer.id_type) or str(volunteer.get_id_type_display())


def hours_text(value: Decimal) -> str:
    """12.50 → 12.5, 3.00 → 3 (as people write hours)."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _period(start: dt.date, end: dt.date) -> str:
    return f"{chinese_date(start)}至{chinese_date(end)}"


def certificate_lines(
    *,
    volunteer: Volunteer,
    issuer_name: str,
    records: Sequence[HoursRecord],
    total: Decimal,
    period_from: dt.date,
    period_to: dt.date,
    person_in_charge: str,
    handler: str,
    contact: str,
) -> list[str]:
    """The certificate's text as lines (the document's stored body)."""
    lines = [
        f"兹证明{volunteer.name}（证件类型：{id_type_zh(volunteer)}，证件号码：{mask_id_number(volunteer.id_number, volunteer.id_type)}，"
        f"志愿者编号：{volunteer.volunteer_number}）于{_period(period_from, period_to)}在{issuer_name}参加志愿服务，"
        f"累计志愿服务时长{hours_text(total)}小时。",
        "志愿服务记录如下：",
    ]
    for i, r in enumerate(records, start=1):
        lines.append(f"- {i}. {r.served_on.isoformat()}　{r.content}　{hours_text(r.hours)}小时")
    lines += [
        "特此证明。",
        f"负责人：{person_in_charge}　经办人：{handler}　联系方式：{contact}",
    ]
    return lines


def issue_document(
    *,
    volunteer: Volunteer,
    issuer_name: str,
    records: Sequence[HoursRecord],
    total: Decimal,
    period_from: dt.date,
    period_to: dt.date,
    person_in_charge: str,
    handler: str,
    contact: str,
    by,
    issued_on: dt.date,
) -> Document:
    lines = certificate_lines(
        volunteer=volunteer,
        issuer_name=issuer_name,
        records=records,
        total=total,
        period_from=period_from,
        period_to=period_to,
        person_in_charge=person_in_charge,
        handler=handler,
        contact=contact,
    )
    doc = document_issue(
        kind=DocumentKind.VOLUNTEER_CERTIFICATE,
        title=TITLE,
        authority_name=issuer_name[:60],
        addressee="",
        body=lines,
        # What anyone holding the code may read: no full name, no ID number.
        public_facts=[
            ("志愿者", mask_name(volunteer.name)),
            ("志愿者编号", volunteer.volunteer_number),
            ("服务期间", _period(period_from, period_to)),
            ("累计志愿服务时长", f"{hours_text(total)}小时"),
            ("服务记录", f"{len(records)}条"),
        ],
        subject=volunteer,
        by=by,
        issued_on=issued_on,
    )
    pdf = render_certificate(
        volunteer=volunteer,
        issuer_name=issuer_name,
        records=records,
        total=total,
        period_from=period_from,
        period_to=period_to,
        person_in_charge=person_in_charge,
        handler=handler,
        contact=contact,
        number=doc.number,
        issued_on=issued_on,
        verification_code=doc.verification_code,
    )
    # The table layout replaces the generic rendering written by document_issue.
    (documents_dir() / doc.file).write_bytes(pdf)
    return doc


def render_certificate(
    *,
    volunteer: Volunteer,
    issuer_name: str,
    records: Sequence[HoursRecord],
    total: Decimal,
    period_from: dt.date,
    period_to: dt.date,
    person_in_charge: str,
    handler: str,
    contact: str,
    number: str,
    issued_on: dt.date,
    verification_code: str,
) -> bytes:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4 * mm)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    body = ParagraphStyle("body", parent=base, firstLineIndent=23, spaceAfter=2 * mm)
    cell = ParagraphStyle("cell", parent=base, fontSize=10, leading=14)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=14)

    masked = mask_id_number(volunteer.id_number, volunteer.id_type)
    story = [
        Paragraph(TITLE, title),
        Paragraph(f"证明编号：{escape(number)}", right),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                f"兹证明{volunteer.name}（证件类型：{id_type_zh(volunteer)}，证件号码：{masked}，"
                f"志愿者编号：{volunteer.volunteer_number}）于{_period(period_from, period_to)}在{issuer_name}参加志愿服务，"
                f"累计志愿服务时长{hours_text(total)}小时。志愿服务记录如下："
            ),
            body,
        ),
    ]
    rows = [[Paragraph(h, cell) for h in ("序号", "服务日期", "服务内容", "时长（小时）")]]
    for i, r in enumerate(records, start=1):
        rows.append(
            [
                Paragraph(str(i), cell),
                Paragraph(r.served_on.isoformat(), cell),
                Paragraph(escape(r.content), cell),
                Paragraph(hours_text(r.hours), cell),
            ]
        )
    rows.append([Paragraph("", cell), Paragraph("合计", cell), Paragraph("", cell), Paragraph(hours_text(total), cell)])
    table = LongTable(rows, colWidths=[14 * mm, 28 * mm, 86 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        Paragraph("特此证明。", body),
        Spacer(1, 6 * mm),
        Paragraph(escape(f"出具单位：{issuer_name}（盖章）"), right),
        Paragraph(escape(f"负责人：{person_in_charge}　经办人：{handler}"), right),
        Paragraph(escape(f"联系方式：{contact}"), right),
        Paragraph(escape(f"出具日期：{chinese_date(issued_on)}"), right),
        Spacer(1, 10 * mm),
        Paragraph(
            escape(f"验证码：{format_code(verification_code)}　核验网址：{verification_url(verification_code)}"),
            small,
        ),
        Paragraph("本证明免费出具。志愿服务记录由记录单位出具证明（谁记录、谁证明）。", small),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=26 * mm,
        bottomMargin=22 * mm,
        title=f"{TITLE} {number}",
        author=issuer_name,
    )
    doc.build(story)
    return out.getvalue()
