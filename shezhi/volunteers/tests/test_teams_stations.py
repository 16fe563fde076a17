"""Volunteer organizations, teams, memberships and stations; sections other apps add."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shezhi.volunteers import extensions
from shezhi.volunteers.models import Membership
from shezhi.volunteers.services import membership_add, membership_end, station_save, team_create, team_update, volunteer_cancel

pytestmark = pytest.mark.django_db


def test_teams_only_under_volunteer_organizations(areas, orgs):
    with pytest.raises(ValidationError):
        team_create(organization=orgs.reg_b, data={"name": "队", "town": areas.town_b}, by=None)


def test_team_names_unique_in_organization_and_dates_ordered(areas, volunteer_org):
    team = team_create(organization=volunteer_org, data={"name": "队", "town": areas.town_a, "founded_on": dt.date(2024, 1, 1)}, by=None)
    with pytest.raises(ValidationError):
        team_create(organization=volunteer_org, data={"name": "队", "town": areas.town_a}, by=None)
    with pytest.raises(ValidationError):
        team_update(team=team, data={"dissolved_on": dt.date(2023, 1, 1)}, by=None)


def test_membership_rules(areas, vols, volunteer_org):
    team = team_create(organization=volunteer_org, data={"name": "队", "town": areas.town_a, "founded_on": dt.date(2024, 1, 1)}, by=None)
    m = membership_add(volunteer=vols.a1, team=team, by=None, joined_on=dt.date(2024, 2, 1))
    assert m.organization == volunteer_org  # filled from the team
    with pytest.raises(ValidationError):
        membership_add(volunteer=vols.a1, team=team, by=None)
    with pytest.raises(ValidationError):
        membership_end(membership=m, by=None, on=dt.date(2024, 1, 1))
    membership_end(membership=m, by=None, on=dt.date(2024, 3, 1))
    membership_add(volunteer=vols.a1, team=team, by=None)  # may join again
    assert Membership.objects.filter(volunteer=vols.a1).count() == 2
    volunteer_cancel(volunteer=vols.b1, by=None)
    with pytest.raises(ValidationError):
        membership_add(volunteer=vols.b1, organization=volunteer_org, by=None)
    team_update(team=team, data={"dissolved_on": dt.date(2024, 6, 1)}, by=None)
    with pytest.raises(ValidationError):
        membership_add(volunteer=vols.other, team=team, by=None, joined_on=dt.date(2024, 7, 1))


def test_organization_adds_a_member_by_number_and_name(client, users, areas, vols, volunteer_org):
    client.force_login(users.org_a)
    url = reverse("volunteers:member_add")
    client.post(url, {"organization": volunteer_org.pk, "volunteer_number": vols.b1.volunteer_number, "name": "别人"})
    assert not Membership.objects.exists()  # the name must match
    client.post(url, {"organization": volunteer_org.pk, "volunteer_number": vols.b1.volunteer_number, "name": vols.b1.name})
    assert Membership.objects.get().volunteer == vols.b1
    # the member is now visible to the organization, masked
    page = client.get(reverse("volunteers:detail", args=[vols.b1.pk])).content.decode()
    assert vols.b1.masked_id_number in page and vols.b1.id_number not in page
    assert client.get(reverse("volunteers:detail", args=[vols.a1.pk])).status_code == 404  # not a member


def test_organization_without_the_volunteer_flag(client, users):
    client.force_login(users.org_a)
    assert client.get(reverse("volunteers:organizations")).status_code == 404


def test_organization_account_lands_on_its_own_page(client, users, volunteer_org):
    client.force_login(users.org_a)
    assert client.get(reverse("volunteers:organizations")).url == reverse("volunteers:organization", args=[volunteer_org.pk])


def test_station_area_and_dates(areas, orgs):
    with pytest.raises(ValidationError):
        station_save(data={"name": "站", "town": areas.town_a, "community": areas.community_b1}, by=None)
    s = station_save(data={"name": "站", "town": areas.town_a, "opened_on": dt.date(2024, 1, 1)}, by=None)
    with pytest.raises(ValidationError):
        station_save(station=s, data={"closed_on": dt.date(2023, 1, 1)}, by=None)
    assert s.city == areas.city


def test_registry_staff_page_shows_the_teams_section(client, users, areas, volunteer_org):
    team_create(organization=volunteer_org, data={"name": "东湖红马甲", "town": areas.town_a}, by=None)
    client.force_login(users.bureau)
    page = client.get(reverse("registry:detail", args=[volunteer_org.pk])).content.decode()
    assert 'id="section-volunteer_teams"' in page and "东湖红马甲" in page


def test_sections_plug_into_volunteer_pages(client, users, vols, settings, tmp_path):
    template_dir = tmp_path / "templates"
    (template_dir / "x").mkdir(parents=True)
    (template_dir / "x" / "section.html").write_text("<p data-testid='plugged'>{{ s.word }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}]
    extensions.volunteer_section(
        "test_plug", "x/section.html", lambda v, request: {"word": f"hours of {v.volunteer_number}"}, audience="self"
    )
    extensions.volunteer_section("test_hidden", "x/section.html", lambda v, request: None, audience="both")
    try:
        client.force_login(users.resident)
        page = client.get(reverse("volunteers:me")).content.decode()
        assert f"hours of {vols.a1.volunteer_number}" in page and page.count("data-testid='plugged'") == 1
        client.force_login(users.town_a)
        assert "data-testid='plugged'" not in client.get(reverse("volunteers:detail", args=[vols.a1.pk])).content.decode()
    finally:
        extensions._sections.pop("test_plug", None)
        extensions._sections.pop("test_hidden", None)
    with pytest.raises(ValueError):
        extensions.volunteer_section("bad", "x.html", lambda v, r: {}, audience="everyone")
