"""The demo seeder, the volunteer page section, the admin and the navigation."""

import datetime as dt

import pytest
from django.urls import reverse

from shezhi.activities import demo
from shezhi.activities.models import Activity, HoursRecord, HoursStatus, SignUp
from shezhi.activities.services import hours_add, signup_create
from shezhi.activities.tests.helpers import move_to_past
from shezhi.extensions import nav_for
from shezhi.registry.models import Organization
from shezhi.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_demo_seeder_adds_activities_and_confirmed_hours(vorg, make_vol):
    Organization.objects.filter(pk=vorg.pk).update(is_demo=True)
    people = [make_vol() for _ in range(30)]
    Volunteer.objects.filter(pk__in=[v.pk for v in people]).update(is_demo=True)
    lines = []
    demo.seed("tiny", 1, lines.append)
    activities = Activity.objects.filter(is_demo=True)
    assert activities.count() == demo.SIZES["tiny"].activities_per_org
    records = HoursRecord.objects.filter(is_demo=True)
    if activities.filter(ends_at__lt=dt.datetime.now(dt.UTC)).exists():
        assert records.exists() and set(records.values_list("status", flat=True)) == {HoursStatus.CONFIRMED}
    for a in activities:
        assert a.places_taken == SignUp.objects.filter(activity=a).count() <= a.headcount
    # Deterministic and idempotent: a second run adds nothing.
    demo.seed("tiny", 1, lines.append)
    assert Activity.objects.filter(is_demo=True).count() == activities.count()
    assert "already" in lines[-1]


def test_volunteer_pages_show_hours_and_star_level(client, users, volunteer, make_activity, star_levels):
    activity = make_activity(hours=3)
    signup_create(activity=activity, volunteer=volunteer, by=None)
    move_to_past(activity)
    hours_add(activity=activity, volunteer=volunteer, hours="3", by=users.org_a)
    HoursRecord.objects.create(
        volunteer=volunteer, served_on=dt.date(2025, 1, 1), hours=98, source="imported", status="confirmed", content="x"
    )
    client.force_login(users.resident)
    page = client.get(reverse("volunteers:me")).content.decode()
    assert 'id="volunteer-hours"' in page and "101" in page and "一星级志愿者" in page
    assert volunteer.id_number not in page
    client.force_login(users.bureau)
    staff_page = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    assert 'id="volunteer-hours"' in staff_page and "my-hours-link" not in staff_page


def test_navigation(users):
    from django.contrib.auth.models import AnonymousUser

    assert "activities" in [i["key"] for i in nav_for(AnonymousUser())]
    assert "activities_manage" in [i["key"] for i in nav_for(users.org_a)]
    assert "activities_manage" not in [i["key"] for i in nav_for(users.resident)]


def test_admin_pages(admin_client, make_activity):
    make_activity()
    for url in (
        "/admin/activities/hoursrules/",
        "/admin/activities/starlevel/",
        "/admin/activities/activity/",
        "/admin/activities/hoursrecord/",
    ):
        assert admin_client.get(url).status_code == 200, url
