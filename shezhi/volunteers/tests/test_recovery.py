"""One person, one account: recovering an existing registration, staff linking."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from shezhi.accounts.models import Role, User
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _proof(v, **extra):
    data = {"name": v.name, "id_type": v.id_type, "id_number": v.id_number, "phone": v.phone}
    data.update(extra)
    return data


def test_signed_in_person_recovers_a_record_registered_by_staff(client, vols):
    person = User.objects.create_user(username="lijuan", password="pass-Shezhi-2026", role=Role.PUBLIC)
    client.force_login(person)
    response = client.post(reverse("volunteers:recover"), _proof(vols.b1))
    assert response.status_code == 302 and response.url == reverse("volunteers:me")
    vols.b1.refresh_from_db()
    assert vols.b1.user == person
    entry = AuditEntry.objects.filter(action=AuditAction.VOLUNTEER_CHANGED, target_id=str(vols.b1.pk)).latest("id")
    assert entry.source == "recovery"


def test_anonymous_person_recovers_with_a_new_account_and_the_old_one_is_told(client, users, vols):
    data = _proof(vols.a1, username="wang-new", password="Volunteer-2026!x", password2="Volunteer-2026!x")
    data["id_number"] = data["id_number"].lower()
    response = client.post(reverse("volunteers:recover"), data)
    assert response.status_code == 302
    vols.a1.refresh_from_db()
    assert vols.a1.user.username == "wang-new"
    assert Notification.objects.filter(recipient=users.resident).exists()  # the old account learns of it
    assert client.get(reverse("volunteers:me")).status_code == 200


@pytest.mark.parametrize("wrong", ["name", "phone", "id_number"])
def test_any_mismatch_gets_the_same_answer_and_changes_nothing(client, vols, wrong):
    person = User.objects.create_user(username="x", password="pass-Shezhi-2026", role=Role.PUBLIC)
    client.force_login(person)
    bad = {"name": "李四", "phone": "13800000000", "id_number": vols.a1.id_number[:-1] + ("1" if vols.a1.id_number[-1] != "1" else "2")}
    response = client.post(reverse("volunteers:recover"), _proof(vols.b1, **{wrong: bad[wrong]}))
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    vols.b1.refresh_from_db()
    assert vols.b1.user is None


def test_failed_anonymous_recovery_leaves_no_account(client, vols):
    data = _proof(vols.b1, phone="13800000000", username="ghost", password="Volunteer-2026!x", password2="Volunteer-2026!x")
    assert client.post(reverse("volunteers:recover"), data).status_code == 400
    assert not User.objects.filter(username="ghost").exists()


def test_attempts_are_limited(client, vols):
    person = User.objects.create_user(username="y", password="pass-Shezhi-2026", role=Role.PUBLIC)
    client.force_login(person)
    for _ in range(5):
        client.post(reverse("volunteers:recover"), _proof(vols.b1, phone="13800000000"))
    response = client.post(reverse("volunteers:recover"), _proof(vols.b1))  # right this time, but too late
    assert response.status_code == 400 and "Too many attempts" in response.content.decode()
    vols.b1.refresh_from_db()
    assert vols.b1.user is None


def test_account_with_a_record_cannot_take_a_second(client, users, vols):
    client.force_login(users.resident)  # holds vols.a1
    response = client.post(reverse("volunteers:recover"), _proof(vols.b1))
    assert response.status_code == 400 and "merge" in response.content.decode()
    vols.b1.refresh_from_db()
    assert vols.b1.user is None


def test_staff_cannot_use_the_recovery_page(client, users):
    client.force_login(users.town_a)
    assert client.get(reverse("volunteers:recover")).status_code == 404


def test_staff_link_an_account_after_checking_in_person(client, users, vols):
    person = User.objects.create_user(username="lj", password="pass-Shezhi-2026", role=Role.PUBLIC)
    client.force_login(users.town_b)
    response = client.post(reverse("volunteers:link", args=[vols.b1.pk]), {"username": "lj", "reason": "本人持身份证到场"})
    assert response.status_code == 302
    vols.b1.refresh_from_db()
    assert vols.b1.user == person
    # another town's officer cannot
    client.force_login(users.town_a)
    assert client.post(reverse("volunteers:link", args=[vols.b1.pk]), {"username": "lj"}).status_code == 404


def test_staff_cannot_link_a_staff_account(client, users, vols):
    client.force_login(users.town_b)
    client.post(reverse("volunteers:link", args=[vols.b1.pk]), {"username": "town_a"})
    vols.b1.refresh_from_db()
    assert vols.b1.user is None


def test_a_cancelled_registration_is_recovered_and_reactivated_by_staff(client, users, vols):
    from shezhi.volunteers.services import volunteer_cancel

    volunteer_cancel(volunteer=vols.b1, by=None)
    client.force_login(users.town_b)
    assert client.post(reverse("volunteers:reactivate", args=[vols.b1.pk]), {"reason": "重新注册"}).status_code == 302
    vols.b1.refresh_from_db()
    assert vols.b1.status == "active" and vols.b1.cancelled_on is None
