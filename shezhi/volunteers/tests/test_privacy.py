"""ID numbers and phones are masked on every page and in every export; the full number is
shown only to the bureau and the volunteer's own town, on an explicit action, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.volunteers.selectors import may_see_full_id
from shezhi.volunteers.services import membership_add

pytestmark = pytest.mark.django_db


def _secrets(v) -> list[str]:
    return [v.id_number, v.phone, v.id_number[6:14]]  # the birth-date digits would unmask it


def _assert_hidden(text: str, v) -> None:
    for secret in _secrets(v):
        assert secret not in text, secret


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _xlsx_text(response) -> str:
    data = b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += ["" if c is None else str(c) for c in row]
    return "\n".join(cells)


@pytest.fixture
def member(vols, volunteer_org):
    membership_add(volunteer=vols.a1, organization=volunteer_org, by=None)
    return vols.a1


def test_may_see_full_id_per_role(users, vols):
    assert may_see_full_id(users.bureau, vols.a1)
    assert may_see_full_id(users.town_a, vols.a1)
    for name in ("town_b", "community_a1", "org_a", "resident", "reviewer", "department", "other_bureau"):
        assert not may_see_full_id(getattr(users, name), vols.a1), name


@pytest.mark.parametrize("who", ["bureau", "town_a", "community_a1", "org_a"])
def test_list_detail_and_team_pages_mask(client, users, member, who):
    client.force_login(getattr(users, who))
    for url in (
        reverse("volunteers:list"),
        reverse("volunteers:detail", args=[member.pk]),
        reverse("volunteers:organization", args=[member.memberships.get().organization_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        _assert_hidden(body, member)
        assert member.masked_id_number in body or url.endswith(f"/organizations/{member.memberships.get().organization_id}/")


def test_own_page_masks(client, users, vols):
    client.force_login(users.resident)
    body = _body(client.get(reverse("volunteers:me")))
    _assert_hidden(body, vols.a1)
    assert vols.a1.masked_id_number in body and "139****5678" in body


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("who", ["bureau", "town_a", "community_a1", "org_a"])
def test_exports_mask_without_full(client, users, member, who, fmt):
    client.force_login(getattr(users, who))
    response = client.get(reverse("volunteers:export"), {"fmt": fmt})
    assert response.status_code == 200
    text = _xlsx_text(response) if fmt == "xlsx" else _body(response)
    _assert_hidden(text, member)
    assert member.masked_id_number in text


@pytest.mark.parametrize("who", ["community_a1", "org_a"])
def test_asking_for_full_without_the_right_still_masks(client, users, member, who):
    client.force_login(getattr(users, who))
    response = client.get(reverse("volunteers:export"), {"fmt": "csv", "full": "1"})
    _assert_hidden(_body(response), member)
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_full_export_for_the_bureau_is_audited(client, users, vols):
    client.force_login(users.bureau)
    response = client.get(reverse("volunteers:export"), {"fmt": "csv", "full": "1"})
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert vols.a1.id_number in {r[3] for r in rows}
    assert vols.other.id_number not in _body(client.get(reverse("volunteers:export"), {"fmt": "csv", "full": "1"}))  # other city
    entry = AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).first()
    assert entry.changes["rows"] == 2 and entry.actor == users.bureau


def test_town_full_export_covers_own_town_only(client, users, vols):
    client.force_login(users.town_a)
    body = _body(client.get(reverse("volunteers:export"), {"fmt": "csv", "full": "1"}))
    assert vols.a1.id_number in body and vols.b1.id_number not in body and vols.b1.name not in body


def test_show_id_is_explicit_and_audited(client, users, vols):
    url = reverse("volunteers:show_id", args=[vols.a1.pk])
    client.force_login(users.town_a)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and vols.a1.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert entry.actor == users.town_a and entry.target_id == str(vols.a1.pk) and entry.changes == {"field": "id_number"}
    assert vols.a1.id_number not in str(entry.changes)


@pytest.mark.parametrize("who", ["town_b", "community_a1", "org_a", "resident", "other_bureau", "department", "reviewer"])
def test_show_id_forbidden_is_404(client, users, member, who):
    client.force_login(getattr(users, who))
    assert client.post(reverse("volunteers:show_id", args=[member.pk])).status_code == 404
    assert client.post(reverse("volunteers:show_phone", args=[member.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_show_button_only_for_those_allowed(client, users, vols):
    client.force_login(users.town_a)
    assert 'data-testid="show-id"' in _body(client.get(reverse("volunteers:detail", args=[vols.a1.pk])))
    client.force_login(users.community_a1)
    assert 'data-testid="show-id"' not in _body(client.get(reverse("volunteers:detail", args=[vols.a1.pk])))


def test_database_holds_ciphertext_only(vols):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_hash FROM volunteers_volunteer WHERE id = %s", [vols.a1.pk])
        stored_id, stored_phone, stored_hash = cursor.fetchone()
    assert vols.a1.id_number not in stored_id and vols.a1.phone not in stored_phone
    assert vols.a1.id_number not in stored_hash


def test_audit_history_shows_masked_values(client, users, vols):
    client.force_login(users.town_a)
    body = _body(client.get(reverse("volunteers:detail", args=[vols.a1.pk])))
    assert "History" in body or "历史" in body
    _assert_hidden(body, vols.a1)


def test_numbers_export_has_no_personal_data(client, users, vols):
    client.force_login(users.bureau)
    response = client.get(reverse("volunteers:numbers_export"), {"fmt": "xlsx"})
    text = _xlsx_text(response)
    for v in (vols.a1, vols.b1):
        _assert_hidden(text, v)
        assert v.name not in text


def test_large_exports_run_as_a_job_and_stay_masked(client, users, vols, monkeypatch, settings, tmp_path):
    from shezhi.jobs.models import Job
    from shezhi.jobs.services import job_files_dir

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("shezhi.volunteers.exports.EXPORT_INLINE_MAX", 0)
    client.force_login(users.community_a1)
    response = client.get(reverse("volunteers:export"), {"fmt": "csv", "full": "1"})
    job = Job.objects.get(kind="volunteers.export")
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == "done" and job.result["rows"] == 1
    text = (job_files_dir() / job.output_file).read_text(encoding="utf-8-sig")
    assert vols.a1.masked_id_number in text
    _assert_hidden(text, vols.a1)
    client.force_login(users.bureau)
    client.get(reverse("volunteers:export"), {"fmt": "xlsx", "full": "1"})
    job = Job.objects.filter(kind="volunteers.export").latest("id")
    assert job.status == "done" and job.result["rows"] == 2
    assert AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED, actor=users.bureau).exists()
