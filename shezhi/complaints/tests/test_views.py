"""The staff pages: who sees what (404 otherwise), masking and audited reveal, steps, list queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.complaints import services
from shezhi.complaints.models import Complaint, ComplaintStatus
from shezhi.complaints.tests.conftest import PDF
from shezhi.extensions import nav_for

pytestmark = pytest.mark.django_db

NOBODY = ["town_b", "other_bureau", "community_a1", "department", "org_a", "reviewer", "resident"]


@pytest.fixture
def complaint(users, file_complaint):
    return file_complaint(anonymous=False).complaint


def as_user(client, users, name):
    client.force_login(getattr(users, name))
    return client


def test_anonymous_visitors_are_sent_to_log_in(client, complaint):
    for url in ("/complaints/staff/", f"/complaints/staff/{complaint.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(f"/complaints/staff/{complaint.pk}/step/accept/").status_code == 302


@pytest.mark.parametrize("name", ["bureau", "town_a"])
def test_handlers_see_list_and_detail(client, users, complaint, name):
    as_user(client, users, name)
    assert complaint.number in client.get("/complaints/staff/").content.decode()
    assert client.get(f"/complaints/staff/{complaint.pk}/").status_code == 200


@pytest.mark.parametrize("name", NOBODY)
def test_everyone_else_gets_404(client, users, complaint, name):
    as_user(client, users, name)
    user = getattr(users, name)
    list_response = client.get("/complaints/staff/")
    if user.role in ("bureau", "town"):
        assert list_response.status_code == 200 and complaint.number not in list_response.content.decode()
    else:
        assert list_response.status_code == 404
    pk = complaint.pk
    assert client.get(f"/complaints/staff/{pk}/").status_code == 404
    assert client.post(f"/complaints/staff/{pk}/step/accept/", {"accept-note": ""}).status_code == 404
    assert client.post(f"/complaints/staff/{pk}/contact/").status_code == 404
    assert client.post(f"/complaints/staff/{pk}/reassign/", {"reassign-to": "1", "reassign-note": "x"}).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_a_missing_complaint_is_404_too(client, users):
    as_user(client, users, "bureau")
    assert client.get("/complaints/staff/999999/").status_code == 404
    assert client.post("/complaints/staff/999999/step/accept/").status_code == 404


def test_contact_is_masked_and_the_full_view_is_audited(client, users, complaint):
    as_user(client, users, "town_a")
    page = client.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    assert "139****5678" in page and "王**" in page
    assert "13912345678" not in page and "王小明" not in page
    response = client.post(f"/complaints/staff/{complaint.pk}/contact/", headers={"HX-Request": "true"})
    assert "王小明 · 13912345678" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (entry.actor, entry.target_id, entry.target_type) == (users.town_a, str(complaint.pk), "complaints.complaint")
    assert "13912345678" not in str(entry.changes)
    # Without htmx the page comes back with the contact shown.
    assert "13912345678" in client.post(f"/complaints/staff/{complaint.pk}/contact/").content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).count() == 2


def test_an_anonymous_complaint_has_nothing_to_reveal(client, users, file_complaint):
    c = file_complaint().complaint
    as_user(client, users, "bureau")
    assert 'data-testid="anonymous"' in client.get(f"/complaints/staff/{c.pk}/").content.decode()
    assert client.post(f"/complaints/staff/{c.pk}/contact/").status_code == 404


def test_steps_through_the_pages(client, users, complaint, outcome):
    as_user(client, users, "town_a")
    url = f"/complaints/staff/{complaint.pk}/step/"
    assert client.post(url + "accept/", {"accept-note": ""}).status_code == 302
    assert client.post(url + "answer/", {"answer-note": "经核实属实，已责令整改。"}).status_code == 302
    missing = client.post(url + "close/", {"close-outcome": outcome.pk, "close-action_reference": ""})
    assert missing.status_code == 400 and "needs the action taken" in missing.content.decode()
    assert client.post(url + "close/", {"close-outcome": outcome.pk, "close-action_reference": "平民责改〔2026〕2号"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.action_reference == "平民责改〔2026〕2号"
    # A step no longer possible: a clear message, not an error page.
    again = client.post(url + "accept/", {"accept-note": ""}, follow=True)
    assert again.status_code == 200 and "no longer possible" in again.content.decode()
    assert client.post(url + "nonsense/").status_code == 404


def test_not_accepting_without_a_reason_is_refused_clearly(client, users, complaint):
    as_user(client, users, "town_a")
    response = client.post(f"/complaints/staff/{complaint.pk}/step/not_accept/", {"not_accept-note": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_only_the_bureau_reassigns(client, users, areas, complaint):
    as_user(client, users, "town_a")
    url = f"/complaints/staff/{complaint.pk}/reassign/"
    assert client.post(url, {"reassign-to": areas.town_b.pk, "reassign-note": "x"}).status_code == 404
    as_user(client, users, "bureau")
    bad = client.post(f"/complaints/staff/{complaint.pk}/reassign/", {"reassign-to": areas.other_town.pk, "reassign-note": "x"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    ok = client.post(f"/complaints/staff/{complaint.pk}/reassign/", {"reassign-to": areas.town_b.pk, "reassign-note": "在乍浦活动"})
    assert ok.status_code == 302
    as_user(client, users, "town_a")
    assert client.get(f"/complaints/staff/{complaint.pk}/").status_code == 404
    as_user(client, users, "town_b")
    assert client.get(f"/complaints/staff/{complaint.pk}/").status_code == 200


def test_attachments_only_for_the_handlers(client, users, orgs, category):
    c = services.complaint_submit(
        data={"organization": orgs.reg_a, "category": category, "description": "x" * 20},
        attachments=[SimpleUploadedFile("证据.pdf", PDF)],
    ).complaint
    a = c.attachments.get()
    as_user(client, users, "town_a")
    response = client.get(f"/complaints/staff/{c.pk}/attachments/{a.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client.get(f"/complaints/staff/{c.pk}/attachments/{a.pk + 1}/").status_code == 404
    as_user(client, users, "town_b")
    assert client.get(f"/complaints/staff/{c.pk}/attachments/{a.pk}/").status_code == 404


def test_list_filters_and_overdue_flag(client, users, areas, orgs, file_complaint):
    old = file_complaint(on=dt.date(2020, 1, 6)).complaint  # long overdue
    new = file_complaint().complaint
    in_b = file_complaint(org=orgs.reg_b).complaint
    as_user(client, users, "bureau")
    page = client.get("/complaints/staff/").content.decode()
    assert all(c.number in page for c in (old, new, in_b))
    assert page.count('data-testid="overdue"') == 1
    overdue = client.get("/complaints/staff/", {"overdue": "1"}).content.decode()
    assert old.number in overdue and new.number not in overdue
    town_b = client.get("/complaints/staff/", {"town": areas.town_b.pk}).content.decode()
    assert in_b.number in town_b and new.number not in town_b
    by_number = client.get("/complaints/staff/", {"q": new.number.lower()}).content.decode()
    assert new.number in by_number and old.number not in by_number
    services.complaint_accept(complaint=new, by=users.bureau)
    accepted = client.get("/complaints/staff/", {"status": "accepted"}).content.decode()
    assert new.number in accepted and old.number not in accepted
    bad = client.get("/complaints/staff/", {"status": "nope", "town": "x", "category": "y", "page": "zz"})
    assert bad.status_code == 200 and "Unknown status nope" in bad.content.decode()
    other_town = client.get("/complaints/staff/", {"town": areas.other_town.pk}).content.decode()
    assert "not in your area" in other_town


def test_list_queries_do_not_grow_with_rows(client, users, orgs, file_complaint, django_assert_max_num_queries):
    for i in range(30):
        file_complaint(org=orgs.reg_a if i % 2 else orgs.filed_a)
    as_user(client, users, "bureau")
    with django_assert_max_num_queries(12):
        response = client.get("/complaints/staff/")
    assert response.status_code == 200 and response.content.decode().count("/complaints/staff/") >= 25
    with django_assert_max_num_queries(12):
        client.get("/complaints/staff/", {"page": "2", "overdue": "1", "status": "received"})


def test_navigation(users):
    assert {"complaints"} <= {i["key"] for i in nav_for(None)}
    assert "complaints_staff" in {i["key"] for i in nav_for(users.town_a)}
    assert "complaints_staff" not in {i["key"] for i in nav_for(users.resident)}
    assert Complaint.objects.count() == 0
