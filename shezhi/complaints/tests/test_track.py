"""Following a complaint with its number and code: what the public sees, and what it never learns."""

import re

import pytest

from shezhi.complaints import services
from shezhi.complaints.models import Complaint
from shezhi.complaints.tests.conftest import english_client

pytestmark = pytest.mark.django_db


def track(client, number, code):
    return client.post("/complaints/track/", {"number": number, "code": code})


def test_number_and_code_show_the_state_and_the_office(client, users, file_complaint):
    submitted = file_complaint(anonymous=False)
    c = submitted.complaint
    services.complaint_accept(complaint=c, by=users.town_a)
    services.complaint_answer(complaint=c, by=users.town_a, reply="已约谈该组织，责令退还费用。")
    response = track(client, c.number, submitted.code)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="tracked"' in html and "已约谈该组织，责令退还费用。" in html
    assert "当湖街道" in html  # the office, by name
    assert "town_a" not in html  # never the person
    assert "王小明" not in html and "13912345678" not in html and "5678" not in html  # never the complainant
    assert c.description not in html
    assert "no-store" in response["Cache-Control"]


def test_typing_is_forgiving(client, users, file_complaint):
    submitted = file_complaint()
    number = submitted.complaint.number.lower().replace("-", " ")
    code = submitted.code.lower().replace("-", "")
    assert 'data-testid="tracked"' in track(client, number, code).content.decode()


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(client, users, file_complaint):
    submitted = file_complaint()
    number = submitted.complaint.number
    wrong_code = track(client, number, "2222-2222")
    year = number[2:6]
    unknown_number = track(client, f"TS{year}-2222-2222", submitted.code)
    garbage = track(client, "hello", "world")
    assert wrong_code.status_code == unknown_number.status_code == garbage.status_code == 200

    def strip(response, number):  # the page echoes what was typed, and each page has its own CSRF token
        return re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", response.content.decode().replace(number, "N"))

    assert strip(wrong_code, number) == strip(unknown_number, f"TS{year}-2222-2222")
    assert "2222-2222" not in wrong_code.content.decode()  # the code typed is not echoed
    assert "No complaint matches this tracking number and query code" in wrong_code.content.decode()
    assert 'data-testid="tracked"' not in wrong_code.content.decode()


def test_wrong_tries_are_limited_per_address(client, users, file_complaint, rules):
    rules.max_failed_lookups_hour = 3
    rules.save()
    submitted = file_complaint()
    for _ in range(3):
        assert track(client, submitted.complaint.number, "2222-2222").status_code == 200
    refused = track(client, submitted.complaint.number, submitted.code)  # even the right code, for now
    assert refused.status_code == 429 and "Too many wrong tries" in refused.content.decode()
    assert track(english_client(REMOTE_ADDR="10.1.1.1"), submitted.complaint.number, submitted.code).status_code == 200


def test_empty_form_is_a_clear_400(client, users):
    response = client.post("/complaints/track/", {"number": "", "code": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert client.get("/complaints/track/").status_code == 200


def test_the_service_refuses_a_wrong_code(users, file_complaint):
    submitted = file_complaint()
    assert services.complaint_track(number=submitted.complaint.number, code=submitted.code) == submitted.complaint
    assert services.complaint_track(number=submitted.complaint.number, code="") is None
    assert services.complaint_track(number=submitted.complaint.number, code=submitted.code[::-1]) in (None, submitted.complaint)
    assert services.complaint_track(number="", code=submitted.code) is None
    assert Complaint.objects.count() == 1
