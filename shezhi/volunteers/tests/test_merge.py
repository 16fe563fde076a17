"""Merging duplicate records keeps every membership, sign-up and hour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shezhi.activities.models import HoursRecord
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.volunteers.models import Membership, VolunteerStatus
from shezhi.volunteers.selectors import volunteer_counts
from shezhi.volunteers.services import membership_add, team_create, volunteer_merge
from shezhi.volunteers.testing import make_volunteer

pytestmark = pytest.mark.django_db


def _hours(v, served_on, hours, status="confirmed"):
    return HoursRecord.objects.create(
        volunteer=v,
        served_on=served_on,
        hours=Decimal(hours),
        source="admin",
        status=status,
        content="服务",
        reason="x" if status == "rejected" else "",
    )


@pytest.fixture
def duplicate(areas, vols):
    """The same person as vols.a1, registered earlier by staff with a passport."""
    return make_volunteer(
        town=areas.town_a,
        community=areas.community_a1,
        name="王小明",
        id_type="passport",
        id_number="E99887766",
        birth_date=vols.a1.birth_date,
        gender="male",
        registered_on=dt.date(2020, 1, 1),
    )


def test_merge_moves_hours_memberships_and_keeps_the_earliest_registration(areas, users, vols, duplicate, volunteer_org):
    team = team_create(
        organization=volunteer_org, data={"name": "东湖红马甲", "town": areas.town_a, "founded_on": dt.date(2019, 1, 1)}, by=None
    )
    membership_add(volunteer=duplicate, team=team, by=None, joined_on=dt.date(2020, 2, 1))
    membership_add(volunteer=duplicate, organization=volunteer_org, by=None, joined_on=dt.date(2020, 2, 1))
    membership_add(volunteer=vols.a1, organization=volunteer_org, by=None, joined_on=dt.date(2024, 2, 1))
    _hours(duplicate, dt.date(2021, 5, 1), "3.5")
    _hours(duplicate, dt.date(2021, 6, 1), "2", status="rejected")
    _hours(vols.a1, dt.date(2024, 5, 1), "4")

    kept = volunteer_merge(source=duplicate, target=vols.a1, by=users.bureau, reason="同一人，护照与身份证各注册一次")
    duplicate.refresh_from_db()
    assert duplicate.status == VolunteerStatus.MERGED and duplicate.merged_into == kept
    assert kept.registered_on == dt.date(2020, 1, 1)
    assert HoursRecord.objects.filter(volunteer=kept).count() == 3  # rejected kept as rejected
    assert sum(h.hours for h in HoursRecord.objects.filter(volunteer=kept, status="confirmed")) == Decimal("7.5")
    assert not HoursRecord.objects.filter(volunteer=duplicate).exists()
    memberships = Membership.objects.filter(volunteer=kept, left_on__isnull=True)
    assert memberships.count() == 2  # the team and one organization membership
    assert memberships.get(team__isnull=True).joined_on == dt.date(2020, 2, 1)  # the earlier of the two
    assert AuditEntry.objects.filter(action=AuditAction.VOLUNTEERS_MERGED, target_id=str(kept.pk)).exists()
    # counts: the person counts once
    rows = {r.area.pk: r for r in volunteer_counts(areas.town_a, dt.date(2025, 1, 1)) if r.area}
    assert rows[areas.community_a1.pk].registered == 1
    assert rows[areas.community_a1.pk].hours_total == Decimal("7.5")


def test_merge_moves_the_account_when_the_kept_record_has_none(areas, users, vols, duplicate):
    kept = volunteer_merge(source=vols.a1, target=duplicate, by=users.bureau, reason="同一人")
    assert kept.user == users.resident
    vols.a1.refresh_from_db()
    assert vols.a1.user is None


def test_merge_refuses_itself_merged_records_and_no_reason(users, vols, duplicate):
    with pytest.raises(ValidationError):
        volunteer_merge(source=vols.a1, target=vols.a1, by=users.bureau, reason="x")
    with pytest.raises(ValidationError):
        volunteer_merge(source=duplicate, target=vols.a1, by=users.bureau, reason="")
    volunteer_merge(source=duplicate, target=vols.a1, by=users.bureau, reason="同一人")
    with pytest.raises(ValidationError):
        volunteer_merge(source=duplicate, target=vols.b1, by=users.bureau, reason="again")


def test_merge_page_compares_then_merges_bureau_only(client, users, vols, duplicate):
    url = reverse("volunteers:merge", args=[duplicate.pk])
    for name in ("town_a", "community_a1", "org_a", "resident", "other_bureau"):
        client.force_login(getattr(users, name))
        assert client.get(url).status_code == 404, name
    client.force_login(users.bureau)
    response = client.post(url, {"target_number": vols.a1.volunteer_number, "reason": "同一人"})
    assert response.status_code == 200 and 'data-testid="merge-target"' in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == "active"
    response = client.post(url, {"target_number": vols.a1.volunteer_number, "reason": "同一人", "confirm": "on"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"


def test_merge_target_must_be_in_the_bureaus_area(client, users, vols, duplicate):
    client.force_login(users.bureau)
    response = client.post(
        reverse("volunteers:merge", args=[duplicate.pk]), {"target_number": vols.other.volunteer_number, "reason": "x", "confirm": "on"}
    )
    assert response.status_code == 200 and "No record with this volunteer number" in response.content.decode()
