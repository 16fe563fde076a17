"""The volunteer service record certificate: PDF text, masking, verification, who may issue."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from shezhi.activities.models import IssuerProfile, ServiceCertificate
from shezhi.activities.selectors import issuers_for
from shezhi.activities.services import certificate_issue, hours_add, issuer_profile_save, signup_create
from shezhi.activities.tests.helpers import move_to_past
from shezhi.documents.models import Document, DocumentKind
from shezhi.documents.services import document_pdf
from shezhi.volunteers.selectors import mask_id_number

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def served(make_activity, volunteer, users):
    """The resident volunteer served 3 + 2.5 hours in two activities of the volunteer organization."""
    records = []
    for title, hours in (("社区环境整治", "3"), ("敬老院陪伴探访", "2.5")):
        activity = make_activity(title=title, hours=3)
        signup_create(activity=activity, volunteer=volunteer, by=volunteer.user)
        move_to_past(activity)
        records.append(hours_add(activity=activity, volunteer=volunteer, hours=hours, by=users.org_a))
    return records


def test_certificate_pdf_shows_hours_and_the_masked_id_only(served, volunteer, vorg, users):
    issuer_profile_save(organization=vorg, person_in_charge="李负责", handler="赵经办", contact="0573-85001234", by=users.org_a)
    (issuer,) = issuers_for(volunteer)
    today = timezone.localdate()
    certificate = certificate_issue(
        volunteer=volunteer, issuer=issuer, period_from=today - dt.timedelta(days=30), period_to=today, by=volunteer.user
    )
    assert certificate.total_hours == Decimal("5.5") and certificate.records.count() == 2
    text = pdf_text(document_pdf(certificate.document))
    compact = text.replace(" ", "").replace("\n", "")
    assert "志愿服务记录证明" in compact
    assert "5.5小时" in compact and "敬老院陪伴探访" in compact
    assert mask_id_number(volunteer.id_number, volunteer.id_type) in compact
    assert volunteer.id_number not in compact and volunteer.id_number[6:14] not in compact
    assert volunteer.volunteer_number in compact and "居民身份证" in compact
    assert "李负责" in compact and "赵经办" in compact and "0573-85001234" in compact
    assert certificate.document.number in compact
    assert certificate.document.kind == DocumentKind.VOLUNTEER_CERTIFICATE
    # The stored text (the fallback rendering) is masked too.
    assert volunteer.id_number not in "".join(certificate.document.body)


def test_the_verification_page_shows_facts_without_personal_data(client, served, volunteer):
    (issuer,) = issuers_for(volunteer)
    today = timezone.localdate()
    certificate = certificate_issue(
        volunteer=volunteer, issuer=issuer, period_from=today.replace(day=1) - dt.timedelta(days=40), period_to=today, by=None
    )
    response = client.get(f"/verify/{certificate.document.verification_code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "5.5小时" in body and volunteer.volunteer_number in body
    assert volunteer.name not in body and "王**" in body
    assert volunteer.id_number not in body


def test_signatories_fall_back_to_the_registry(served, volunteer, vorg):
    assert not IssuerProfile.objects.exists()
    (issuer,) = issuers_for(volunteer)
    certificate = certificate_issue(
        volunteer=volunteer, issuer=issuer, period_from=dt.date(2020, 1, 1), period_to=timezone.localdate(), by=volunteer.user
    )
    assert certificate.person_in_charge == vorg.legal_representative


def test_refusals(served, volunteer):
    (issuer,) = issuers_for(volunteer)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="no confirmed service records"):
        certificate_issue(volunteer=volunteer, issuer=issuer, period_from=dt.date(2020, 1, 1), period_to=dt.date(2020, 12, 31), by=None)
    with pytest.raises(ValidationError):
        certificate_issue(volunteer=volunteer, issuer=issuer, period_from=today, period_to=today - dt.timedelta(days=1), by=None)
    with pytest.raises(ValidationError):
        certificate_issue(volunteer=volunteer, issuer=issuer, period_from=today, period_to=today + dt.timedelta(days=1), by=None)
    assert not ServiceCertificate.objects.exists() and not Document.objects.exists()


def test_pending_and_rejected_hours_are_not_certified(make_activity, make_vol, users):
    from shezhi.activities.services import hours_reject, hours_submit

    v = make_vol()
    activity = make_activity(hours=3)
    signup = signup_create(activity=activity, volunteer=v, by=v.user)
    move_to_past(activity)
    pending = hours_submit(signup=signup, hours="1", content="x", by=v.user)
    assert issuers_for(v) == []
    hours_reject(record=pending, by=users.org_a, reason="无记录")
    assert issuers_for(v) == []


def test_certificate_views(client, served, volunteer, make_vol):
    client.force_login(volunteer.user)
    page = client.get("/activities/me/")
    assert page.status_code == 200
    assert "5.5" in page.content.decode().split('data-testid="total-hours">')[1][:10], page.content.decode()[-4000:]
    (issuer,) = issuers_for(volunteer)
    today = timezone.localdate()
    response = client.post(
        "/activities/me/certificates/",
        {"issuer": issuer.key, "period_from": (today - dt.timedelta(days=60)).isoformat(), "period_to": today.isoformat()},
    )
    assert response.status_code == 302
    certificate = ServiceCertificate.objects.get()
    pdf = client.get(f"/activities/me/certificates/{certificate.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "5.5小时" in pdf_text(pdf.content).replace(" ", "")
    # Someone else's certificate is not found.
    other = make_vol()
    client.force_login(other.user)
    assert client.get(f"/activities/me/certificates/{certificate.pk}.pdf").status_code == 404
    # An issuer the volunteer never served with is refused (form choice), nothing issued.
    client.force_login(volunteer.user)
    client.post("/activities/me/certificates/", {"issuer": "o999999", "period_from": "2026-01-01", "period_to": today.isoformat()})
    assert ServiceCertificate.objects.count() == 1
