"""Filing a complaint on the portal: routing, the receipt shown once, personal data, bad input, throttle."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.complaints import services
from shezhi.complaints.models import Complaint, ComplaintAttachment, ComplaintStatus, SubmissionMark
from shezhi.complaints.tests.conftest import PDF, PNG, english_client
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^TS\d{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


def form_data(**extra):
    data = {
        "organization_name": "",
        "category": "",
        "description": "他们向老人收取会员费每人200元，不给收据。",
        "identity": "anonymous",
        "contact_name": "",
        "contact_phone": "",
    }
    data.update(extra)
    return data


def test_anonymous_complaint_from_the_portal_gets_a_number_and_a_code_once(client, users, orgs, category):
    response = client.post("/complaints/", form_data(organization=orgs.reg_a.pk, category=category.pk))
    assert response.status_code == 302 and response["Location"] == "/complaints/receipt/"
    complaint = Complaint.objects.get()
    assert NUMBER.match(complaint.number)
    page = client.get("/complaints/receipt/")
    html = page.content.decode()
    assert complaint.number in html
    code = re.search(r'data-testid="query-code">([^<]+)<', html)[1]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    assert code not in complaint.code_hash and check_password(code, complaint.code_hash)
    assert "no-store" in page["Cache-Control"]
    again = client.get("/complaints/receipt/").content.decode()
    assert code not in again and "Receipt already shown" in again


def test_routed_to_the_organizations_town_and_its_bureau(users, orgs, file_complaint):
    complaint = file_complaint().complaint
    assert (complaint.town, complaint.handling_area, complaint.city) == (orgs.reg_a.town, orgs.reg_a.town, orgs.reg_a.city)
    assert complaint.organization_name == orgs.reg_a.name and complaint.status == ComplaintStatus.RECEIVED
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"town_a", "bureau"}


def test_free_text_name_needs_a_town_and_an_exact_name_is_matched(areas, orgs, category):
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(data={"organization_name": "某某协会", "category": category, "description": "x" * 20})
    assert "town" in exc.value.message_dict
    unknown = services.complaint_submit(
        data={"organization_name": " 某某 协会 ", "town": areas.town_b, "category": category, "description": "x" * 20}
    ).complaint
    assert unknown.organization is None and unknown.organization_name == "某某 协会" and unknown.handling_area == areas.town_b
    matched = services.complaint_submit(
        data={"organization_name": orgs.filed_b.name, "town": areas.town_b, "category": category, "description": "x" * 20}
    ).complaint
    assert matched.organization == orgs.filed_b


def test_the_town_comes_from_the_organization_not_the_form(client, users, orgs, areas, category):
    client.post("/complaints/", form_data(organization=orgs.reg_b.pk, town=areas.town_a.pk, category=category.pk))
    assert Complaint.objects.get().handling_area == areas.town_b


def test_named_contact_is_encrypted_at_rest(users, file_complaint):
    complaint = file_complaint(anonymous=False).complaint
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone FROM complaints_complaint WHERE id = %s", [complaint.pk])
        raw_name, raw_phone = cursor.fetchone()
    assert "13912345678" not in raw_phone and "王小明" not in raw_name
    complaint.refresh_from_db()
    assert (complaint.contact_name, complaint.contact_phone) == ("王小明", "13912345678")
    entry = AuditEntry.objects.get(action=AuditAction.COMPLAINT_RECEIVED)
    assert "13912345678" not in str(entry.changes) and "王小明" not in str(entry.changes)


def test_anonymous_keeps_no_contact_nor_account(client, users, orgs, category):
    client.force_login(users.resident)
    client.post(
        "/complaints/",
        form_data(organization=orgs.reg_a.pk, category=category.pk, contact_name="王小明", contact_phone="13912345678"),
    )
    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.contact_name == "" and complaint.contact_phone == "" and complaint.submitted_by is None
    entry = AuditEntry.objects.get(action=AuditAction.COMPLAINT_RECEIVED)
    assert entry.actor is None  # not even the audit log names the account of an anonymous complainant


def test_named_complaint_of_a_signed_in_resident_keeps_the_account(client, users, orgs, category):
    client.force_login(users.resident)
    client.post(
        "/complaints/",
        form_data(organization=orgs.reg_a.pk, category=category.pk, identity="named", contact_name="王小明", contact_phone="139 1234 5678"),
    )
    complaint = Complaint.objects.get()
    assert not complaint.anonymous and complaint.submitted_by == users.resident and complaint.contact_phone == "13912345678"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"category": ""}, "category", "This field is required."),
        ({"description": "太短"}, "description", "Describe what happened in at least 10 characters"),
        ({"organization": "", "organization_name": ""}, "organization_name", "Write the name of the organization"),
        ({"organization": "", "organization_name": "某协会", "town": ""}, "town", "Choose the town or street"),
        ({"identity": "named", "contact_name": "", "contact_phone": "13912345678"}, "contact_name", "Give your name"),
        ({"identity": "named", "contact_name": "王", "contact_phone": "12345"}, "contact_phone", "Give a mobile number"),
        ({"organization": "999999"}, "organization", "Choose an organization from the list"),
        ({"town": "abc", "organization": "", "organization_name": "某协会"}, "town", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_500(client, users, orgs, category, extra, field, message):
    data = form_data(organization=orgs.reg_a.pk, category=category.pk)
    data.update(extra)
    response = client.post("/complaints/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_description_too_long(users, orgs, category):
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(data={"organization": orgs.reg_a, "category": category, "description": "长" * 5001})
    assert "the limit is 5000" in exc.value.message_dict["description"][0]


def test_attachments_are_checked_by_content(client, users, orgs, category):
    good = SimpleUploadedFile("收据.pdf", PDF, content_type="application/pdf")
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = client.post("/complaints/", {**form_data(organization=orgs.reg_a.pk, category=category.pk), "attachments": [good, photo]})
    assert response.status_code == 302
    assert sorted(ComplaintAttachment.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]

    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00this is an executable", content_type="application/pdf")
    response = client.post("/complaints/", {**form_data(organization=orgs.reg_a.pk, category=category.pk), "attachments": [fake]})
    assert response.status_code == 400
    assert "Only PDF, PNG and JPEG files are accepted" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_at_most_the_rules_number_of_attachments(users, orgs, category, rules):
    rules.max_attachments = 1
    rules.save()
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(2)]
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(data={"organization": orgs.reg_a, "category": category, "description": "x" * 20}, attachments=files)
    assert exc.value.message_dict["attachments"] == ["Attach at most 1 files."]


def test_csrf_is_enforced(users, orgs, category):
    client = english_client(enforce_csrf_checks=True)
    response = client.post("/complaints/", form_data(organization=orgs.reg_a.pk, category=category.pk))
    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_throttle_per_network_address(users, orgs, category, rules):
    rules.max_per_address_hour = 2
    rules.max_per_session_hour = 10
    rules.save()
    data = form_data(organization=orgs.reg_a.pk, category=category.pk)
    assert english_client().post("/complaints/", data).status_code == 302
    assert english_client().post("/complaints/", data).status_code == 302
    refused = english_client().post("/complaints/", data)  # a new session, the same address
    assert refused.status_code == 429
    assert "Too many complaints were sent from your network" in refused.content.decode()
    assert Complaint.objects.count() == 2
    other = english_client(REMOTE_ADDR="10.0.0.9").post("/complaints/", data)
    assert other.status_code == 302
    # The mark keeps a keyed hash, not the address.
    assert not SubmissionMark.objects.filter(key__contains="127.0.0.1").exists()


def test_throttle_per_session(client, users, orgs, category, rules):
    rules.max_per_session_hour = 1
    rules.save()
    data = form_data(organization=orgs.reg_a.pk, category=category.pk)
    assert client.post("/complaints/", data).status_code == 302
    refused = client.post("/complaints/", data)
    assert refused.status_code == 429 and "several complaints in the last hour" in refused.content.decode()


def test_the_form_and_the_organization_search(client, users, orgs):
    page = client.get("/complaints/")
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    found = client.get("/complaints/organizations/", {"organization_name": "养老"}).content.decode()
    assert orgs.reg_a.name in found and f'value="{orgs.reg_a.pk}"' in found
    nothing = client.get("/complaints/organizations/", {"organization_name": "不存在的名字"}).content.decode()
    assert "No organization in the registry matches" in nothing
    assert client.get("/complaints/organizations/", {"organization_name": "养"}).status_code == 200


def test_bad_input_keeps_the_chosen_organization(client, users, orgs, category):
    response = client.post("/complaints/", form_data(organization=orgs.reg_a.pk, category=category.pk, description="短"))
    html = response.content.decode()
    assert re.search(rf'value="{orgs.reg_a.pk}"[^>]*checked', html)
