"""Every page for every role: forbidden is 404, anonymous organizer pages go to the login;
query counts on the lists; masking in the export."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shezhi.activities.models import Activity, HoursRecord, HoursStatus, SignUp
from shezhi.activities.services import hours_submit, sign_in, sign_out, signup_create
from shezhi.activities.tests.helpers import move_to_past

pytestmark = pytest.mark.django_db

ROLES = ["bureau", "department", "town_a", "town_b", "community_a1", "org_a", "reviewer", "resident", "other_bureau"]
# Who manages an activity of the volunteer organization in 当湖街道 / 东湖社区.
MANAGERS = {"bureau", "town_a", "community_a1", "org_a"}


@pytest.fixture
def activity(make_activity):
    return make_activity(headcount=3)


@pytest.fixture
def record(activity, make_vol):
    v = make_vol()
    signup = signup_create(activity=activity, volunteer=v, by=v.user)
    move_to_past(activity)
    return hours_submit(signup=signup, hours="1", content="协助", by=v.user)


def login(client, users, role):
    client.force_login(getattr(users, role))
    return client


def test_public_pages_for_everyone(client, activity, users):
    for role in [None, *ROLES]:
        if role:
            login(client, users, role)
        else:
            client.logout()
        assert client.get("/activities/").status_code == 200
        assert client.get(f"/activities/{activity.pk}/").status_code == 200
    assert client.get("/activities/999999/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, activity, record):
    for url in [
        "/activities/me/",
        "/activities/manage/",
        "/activities/manage/new/",
        f"/activities/manage/{activity.pk}/",
        f"/activities/manage/{activity.pk}/qr/in.svg",
        "/activities/import/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/activities/{activity.pk}/signup/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(f"/activities/manage/hours/{record.pk}/confirm/").status_code == 302
    assert HoursRecord.objects.get(pk=record.pk).status == HoursStatus.PENDING


@pytest.mark.parametrize("role", ROLES)
def test_organizer_pages_by_role(client, users, role, activity, record, vorg):
    login(client, users, role)
    expected = 200 if role in MANAGERS else 404
    for url in [
        f"/activities/manage/{activity.pk}/",
        f"/activities/manage/{activity.pk}/edit/",
        f"/activities/manage/{activity.pk}/show/in/",
        f"/activities/manage/{activity.pk}/qr/out.svg",
        f"/activities/manage/{activity.pk}/signups.xlsx",
    ]:
        assert client.get(url).status_code == expected, url
    response = client.post(f"/activities/manage/hours/{record.pk}/confirm/")
    assert response.status_code == (302 if role in MANAGERS else 404)
    record.refresh_from_db()
    assert record.status == (HoursStatus.CONFIRMED if role in MANAGERS else HoursStatus.PENDING)
    for url in [
        f"/activities/manage/{activity.pk}/codes/",
        f"/activities/manage/{activity.pk}/recruitment/",
        f"/activities/manage/{activity.pk}/hours/confirm-all/",
    ]:
        assert client.post(url).status_code == (302 if role in MANAGERS else 404), url
    # The organizer list and the form for new activities: organizers and area staff.
    may_list = role in MANAGERS or role in ("town_b", "other_bureau")
    assert client.get("/activities/manage/").status_code == (200 if may_list else 404)
    assert client.get("/activities/manage/new/").status_code == (200 if may_list else 404)
    assert client.get("/activities/manage/signatories/").status_code == (200 if role == "org_a" else 404)
    assert client.get("/activities/import/").status_code == (200 if role in ("bureau", "town_a", "town_b", "other_bureau") else 404)


def test_an_organization_sees_only_its_activities(client, users, make_activity, other_vorg, areas):
    from shezhi.accounts.models import Role, User

    mine = make_activity(title="我的活动")
    theirs = make_activity(title="别人的活动", organization=other_vorg, town=areas.town_b, community=areas.community_b1)
    client.force_login(users.org_a)
    page = client.get("/activities/manage/").content.decode()
    assert "我的活动" in page and "别人的活动" not in page
    assert client.get(f"/activities/manage/{theirs.pk}/").status_code == 404
    other_account = User.objects.create_user(username="org_b", password="x", role=Role.ORGANIZATION, organization=other_vorg)
    client.force_login(other_account)
    assert client.get(f"/activities/manage/{mine.pk}/").status_code == 404
    assert client.get(f"/activities/manage/{theirs.pk}/").status_code == 200


def test_a_non_volunteer_organization_cannot_organize(client, orgs):
    from shezhi.accounts.models import Role, User

    account = User.objects.create_user(username="plain", password="x", role=Role.ORGANIZATION, organization=orgs.reg_b)
    client.force_login(account)
    assert client.get("/activities/manage/new/").status_code == 404
    assert client.get("/activities/manage/").status_code == 404


def test_an_organization_creates_an_activity(client, users, vorg, areas):
    client.force_login(users.org_a)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "title": "河道巡护",
        "organizer": f"o{vorg.pk}",
        "place": "东湖",
        "town": areas.town_a.pk,
        "community": areas.community_a1.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "headcount": 8,
    }
    response = client.post("/activities/manage/new/", data)
    assert response.status_code == 302
    activity = Activity.objects.get(title="河道巡护")
    assert activity.organization == vorg and activity.city == areas.city and len(activity.sign_in_code) == 6
    # Bad input: a clear message, no 500.
    bad = client.post("/activities/manage/new/", {**data, "ends_at": data["starts_at"], "headcount": 0})
    assert bad.status_code == 400 and "活动结束时间须晚于开始时间" in bad.content.decode()


def test_staff_create_only_in_their_area(client, users, vorg, areas):
    client.force_login(users.town_b)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    response = client.post(
        "/activities/manage/new/",
        {
            "title": "越界活动",
            "organizer": f"o{vorg.pk}",
            "place": "x",
            "town": areas.town_a.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "headcount": 3,
        },
    )
    # town_b cannot choose an organization of 当湖街道, nor place it there.
    assert response.status_code == 400
    assert not Activity.objects.filter(title="越界活动").exists()


def test_volunteer_sign_up_and_code_pages(client, activity, volunteer, users):
    client.force_login(volunteer.user)
    assert client.post(f"/activities/{activity.pk}/signup/").status_code == 302
    assert SignUp.objects.filter(activity=activity, volunteer=volunteer, status="confirmed").exists()
    link = client.get(f"/activities/{activity.pk}/code/in/{activity.sign_in_code}/")
    assert link.status_code == 200 and activity.sign_in_code.encode() in link.content
    assert client.get(f"/activities/{activity.pk}/code/sideways/123456/").status_code == 404
    # A resident without a volunteer record is told to register, and cannot sign in.
    client.force_login(users.reviewer)
    client.post(f"/activities/{activity.pk}/signup/")
    assert not SignUp.objects.filter(activity=activity).exclude(volunteer=volunteer).exists()
    assert client.post(f"/activities/{activity.pk}/sign/", {"code": "1", "direction": "in"}).status_code == 404
    assert client.get("/activities/me/").status_code == 404


def test_sign_in_by_the_page(client, make_activity, volunteer):
    start = timezone.now() + dt.timedelta(minutes=30)
    activity = make_activity(starts_at=start, hours=2)
    client.force_login(volunteer.user)
    client.post(f"/activities/{activity.pk}/signup/")
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert 'id="sign-in-form"' in page
    client.post(f"/activities/{activity.pk}/sign/", {"code": activity.sign_in_code, "direction": "in"})
    assert SignUp.objects.get(activity=activity, volunteer=volunteer).signed_in_at is not None
    wrong = client.post(f"/activities/{activity.pk}/sign/", {"code": "abc", "direction": "out"}, follow=True)
    assert wrong.status_code == 200


def test_export_masks_id_numbers(client, users, activity, volunteer):
    signup_create(activity=activity, volunteer=volunteer, by=volunteer.user)
    client.force_login(users.bureau)
    response = client.get(f"/activities/manage/{activity.pk}/signups.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active.values)
    flat = " ".join(str(c) for row in rows for c in row)
    assert volunteer.volunteer_number in flat and volunteer.masked_id_number in flat
    assert volunteer.id_number not in flat and "13900139000" not in flat
    csv = client.get(f"/activities/manage/{activity.pk}/signups.csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert volunteer.masked_id_number in text and volunteer.id_number not in text


def test_pages_mask_id_numbers(client, users, activity, volunteer):
    signup_create(activity=activity, volunteer=volunteer, by=volunteer.user)
    for user in (users.org_a, users.bureau, volunteer.user):
        client.force_login(user)
        for url in (f"/activities/manage/{activity.pk}/", "/activities/me/", f"/activities/{activity.pk}/"):
            response = client.get(url)
            assert volunteer.id_number.encode() not in response.content


def test_list_filters_and_query_counts(client, make_activity, areas, django_assert_max_num_queries):
    base = timezone.localtime(timezone.now() + dt.timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    for i in range(12):
        make_activity(title=f"活动{i}", starts_at=base + dt.timedelta(days=i % 3))
    make_activity(title="乍浦活动", town=areas.town_b, community=areas.community_b1, starts_at=base)
    with django_assert_max_num_queries(8):
        page = client.get("/activities/")
    assert page.content.decode().count('data-activity="') == 13
    only_b = client.get(f"/activities/?town={areas.town_b.pk}").content.decode()
    assert "乍浦活动" in only_b and "活动0" not in only_b
    on_day = client.get(f"/activities/?on={(base + dt.timedelta(days=1)).date().isoformat()}").content.decode()
    assert on_day.count('data-activity="') == 4
    assert client.get("/activities/?on=not-a-date&town=abc").status_code == 200


def test_manage_pages_query_counts(client, users, make_activity, make_vol, django_assert_max_num_queries):
    activities = [make_activity(title=f"活动{i}", headcount=20) for i in range(8)]
    volunteers = [make_vol() for _ in range(10)]
    first = activities[0]
    for v in volunteers:
        signup_create(activity=first, volunteer=v, by=v.user)
    move_to_past(first)
    for v in volunteers[:6]:
        sign_in(activity=first, volunteer=v, code=first.sign_in_code, by=v.user, at=first.starts_at)
        sign_out(activity=first, volunteer=v, code=first.sign_out_code, by=v.user, at=first.ends_at)
    client.force_login(users.org_a)
    with django_assert_max_num_queries(12):
        assert client.get("/activities/manage/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/activities/manage/{first.pk}/").status_code == 200
    client.force_login(volunteers[0].user)
    with django_assert_max_num_queries(16):
        assert client.get("/activities/me/").status_code == 200
