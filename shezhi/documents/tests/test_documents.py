"""Issued documents: numbering, embedded Chinese font, public verification without personal data."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from shezhi.documents.models import DocumentKind
from shezhi.documents.services import document_issue, document_pdf, format_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issue(**extra):
    data = dict(
        kind=DocumentKind.ACCEPTANCE,
        title="受理通知书",
        authority_name="平湖市民政局",
        addressee="平湖市当湖养老服务中心",
        body=["你（单位）提交的变更登记申请，本机关决定予以受理。", "- 1. 变更登记申请表"],
        public_facts=[("事项", "变更登记"), ("办件编号", "BJ2026000001")],
        subject=None,
        by=None,
    )
    data.update(extra)
    return document_issue(**data)


def pdf_text(doc) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document_pdf(doc))).pages)


def test_pdf_has_the_chinese_text_and_embeds_its_font():
    doc = issue()
    data = document_pdf(doc)
    text = pdf_text(doc)
    assert "受理通知书" in text and "平湖市当湖养老服务中心" in text and "平湖市民政局" in text
    assert doc.number in text and format_code(doc.verification_code) in text
    # The font travels inside the file (a TrueType subset), so any reader shows the characters.
    assert b"/FontFile2" in data and b"WenQuanYi" in data


def test_numbers_run_per_kind_and_year():
    first, second = issue(), issue()
    other = issue(kind=DocumentKind.CORRECTION, title="补正材料通知书")
    year = first.issued_on.year
    assert (first.number, second.number) == (f"社受〔{year}〕1号", f"社受〔{year}〕2号")
    assert other.number == f"社补〔{year}〕1号"
    assert first.verification_code != second.verification_code


def test_lost_file_is_rendered_again_from_the_stored_text(settings):
    doc = issue()
    from shezhi.documents.services import documents_dir

    (documents_dir() / doc.file).unlink()
    assert "平湖市当湖养老服务中心" in pdf_text(doc)


def test_public_verification_page(client):
    doc = issue()
    response = client.get(reverse("documents:verify", args=[doc.verification_code.lower()]))
    page = response.content.decode()
    assert response.status_code == 200 and doc.number in page and "BJ2026000001" in page and "平湖市民政局" in page
    # The form accepts the code as printed, with dashes.
    redirect = client.get(reverse("documents:verify_form"), {"code": format_code(doc.verification_code)})
    assert redirect.status_code == 302 and redirect["Location"].endswith(f"/{doc.verification_code}/")
    assert client.get(reverse("documents:verify", args=["ABCD-EFGH-JKMN"])).status_code == 404
