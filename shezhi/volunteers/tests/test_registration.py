"""Real-name registration by residents and staff; minors; one person, one record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.volunteers.models import AgeRules, Volunteer, VolunteerSequence
from shezhi.volunteers.services import DuplicateVolunteer, volunteer_register
from shezhi.volunteers.testing import make_id_number, make_volunteer

pytestmark = pytest.mark.django_db


def form_data(areas, **extra):
    data = {
        "name": "陈静",
        "id_type": "id_card",
        "id_number": make_id_number(born=dt.date(1992, 3, 4), sequence=77, male=False),
        "phone": "13700001111",
        "town": areas.town_a.pk,
        "community": areas.community_a1.pk,
        "availability": "weekends",
        "agree": "on",
    }
    data.update(extra)
    return data


def test_signed_in_resident_registers_and_sees_own_page(client, areas, users):
    client.force_login(users.resident)
    response = client.post(reverse("volunteers:register"), form_data(areas))
    assert response.status_code == 302 and response.url == reverse("volunteers:me")
    v = Volunteer.objects.get(user=users.resident)
    assert v.birth_date == dt.date(1992, 3, 4) and v.gender == "female"
    assert v.city == areas.city and v.volunteer_number == "33048200000001"
    page = client.get(reverse("volunteers:me")).content.decode()
    assert v.volunteer_number in page and v.masked_id_number in page
    assert v.id_number not in page and "13700001111" not in page
    entry = AuditEntry.objects.get(action=AuditAction.VOLUNTEER_REGISTERED)
    assert v.id_number not in str(entry.changes)


def test_anonymous_visitor_gets_an_account_with_the_registration(client, areas):
    data = form_data(areas, username="chenjing", password="Volunteer-2026!x", password2="Volunteer-2026!x")
    response = client.post(reverse("volunteers:register"), data)
    assert response.status_code == 302
    user = User.objects.get(username="chenjing")
    assert user.role == Role.PUBLIC and user.volunteer.name == "陈静"
    assert client.get(reverse("volunteers:me")).status_code == 200  # logged in


def test_anonymous_registration_with_weak_password_writes_nothing(client, areas):
    data = form_data(areas, username="chenjing", password="123", password2="123")
    response = client.post(reverse("volunteers:register"), data)
    assert response.status_code == 400
    assert not User.objects.filter(username="chenjing").exists() and not Volunteer.objects.exists()


def test_bad_id_number_gets_a_clear_message_and_no_500(client, areas, users):
    client.force_login(users.resident)
    number = make_id_number(sequence=5)
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.post(reverse("volunteers:register"), form_data(areas, id_number=bad))
    assert response.status_code == 400
    assert "check character" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_self_registration_requires_a_phone(client, areas, users):
    client.force_login(users.resident)
    response = client.post(reverse("volunteers:register"), form_data(areas, phone=""))
    assert response.status_code == 400 and not Volunteer.objects.exists()


def test_duplicate_id_leads_to_recovery_not_a_dead_end(client, areas, users, vols):
    other = User.objects.create_user(username="newcomer", password="pass-Shezhi-2026", role=Role.PUBLIC)
    client.force_login(other)
    response = client.post(reverse("volunteers:register"), form_data(areas, id_number=vols.b1.id_number, name="李娟"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="duplicate"' in body and vols.b1.volunteer_number in body
    assert reverse("volunteers:recover") in body
    assert vols.b1.id_number not in body  # neither echoed in the form nor shown


def test_duplicate_for_anonymous_creates_no_account(client, areas, vols):
    data = form_data(areas, id_number=vols.b1.id_number, username="dup", password="Volunteer-2026!x", password2="Volunteer-2026!x")
    response = client.post(reverse("volunteers:register"), data)
    assert response.status_code == 400 and 'data-testid="duplicate"' in response.content.decode()
    assert not User.objects.filter(username="dup").exists()


def test_service_refuses_duplicates_even_written_differently(areas, vols):
    messy = vols.b1.id_number.lower().replace("x", "x")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in messy)
    with pytest.raises(DuplicateVolunteer) as exc:
        make_volunteer(town=areas.town_a, id_number=full_width)
    assert exc.value.existing == vols.b1


def test_one_account_holds_one_record(areas, users, vols):
    with pytest.raises(ValidationError):
        make_volunteer(town=areas.town_a, user=users.resident, id_number=make_id_number(sequence=99))


def test_numbers_are_sequential_per_city(areas):
    a = make_volunteer(town=areas.town_a, id_number=make_id_number(sequence=1))
    b = make_volunteer(town=areas.town_b, id_number=make_id_number(sequence=2))
    c = make_volunteer(town=areas.other_town, id_number=make_id_number(sequence=3))
    assert (a.volunteer_number, b.volunteer_number, c.volunteer_number) == ("33048200000001", "33048200000002", "33048100000001")
    assert VolunteerSequence.objects.get(city=areas.city).last == 2


# --- minors: age rules as data ---------------------------------------------------------------


def _born_years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        d = today.replace(year=today.year - years)
    except ValueError:
        d = today.replace(year=today.year - years, day=28)
    return d - dt.timedelta(days=days)


def test_adult_on_the_18th_birthday_needs_no_guardian(areas):
    v = make_volunteer(
        town=areas.town_a, id_number=make_id_number(born=_born_years_ago(18), sequence=8), registered_on=timezone.localdate()
    )
    assert v.guardian_name == ""


def test_minor_needs_guardian_name_phone_and_consent(areas):
    born = _born_years_ago(18) + dt.timedelta(days=1)  # 18 tomorrow
    with pytest.raises(ValidationError) as exc:
        make_volunteer(town=areas.town_a, id_number=make_id_number(born=born, sequence=9), registered_on=timezone.localdate())
    assert {"guardian_name", "guardian_phone", "guardian_consent_on"} <= set(exc.value.message_dict)
    v = make_volunteer(
        town=areas.town_a,
        id_number=make_id_number(born=born, sequence=9),
        registered_on=timezone.localdate(),
        guardian_name="陈父",
        guardian_phone="13900000000",
        guardian_consent_on=timezone.localdate(),
    )
    assert v.guardian_name == "陈父" and v.guardian_phone == "13900000000"


def test_child_under_14_cannot_register_alone_but_staff_can_with_guardian(client, areas, users):
    born = _born_years_ago(14) + dt.timedelta(days=1)  # 14 tomorrow
    number = make_id_number(born=born, sequence=10)
    guardian = {"guardian_name": "陈母", "guardian_phone": "13900000001", "guardian_consent_on": timezone.localdate().isoformat()}
    client.force_login(users.resident)
    response = client.post(reverse("volunteers:register"), form_data(areas, id_number=number, **guardian))
    assert response.status_code == 400 and "cannot register by themselves" in response.content.decode()
    assert not Volunteer.objects.exists()
    client.force_login(users.town_a)
    response = client.post(reverse("volunteers:new"), form_data(areas, id_number=number, **guardian))
    assert response.status_code == 302
    assert Volunteer.objects.get().registered_by == users.town_a


def test_on_the_14th_birthday_a_child_may_register_with_guardian(areas):
    v = volunteer_register(
        data={
            "name": "小陈",
            "id_number": make_id_number(born=_born_years_ago(14), sequence=12),
            "phone": "13900000002",
            "town": areas.town_a,
            "guardian_name": "陈母",
            "guardian_phone": "13900000001",
            "guardian_consent_on": timezone.localdate(),
        },
        by=None,
        self_service=True,
    )
    assert v.pk


def test_age_rules_are_data(areas):
    AgeRules.objects.create(valid_from=dt.date(2001, 1, 1), adult_age=16, self_registration_age=10)
    v = make_volunteer(
        town=areas.town_a, id_number=make_id_number(born=_born_years_ago(17), sequence=13), registered_on=timezone.localdate()
    )
    assert v.pk  # 17 is adult under the newer rule


def test_registration_date_cannot_be_in_the_future(areas):
    with pytest.raises(ValidationError):
        make_volunteer(town=areas.town_a, registered_on=timezone.localdate() + dt.timedelta(days=1))


def test_community_must_belong_to_the_town(areas):
    with pytest.raises(ValidationError) as exc:
        make_volunteer(town=areas.town_a, community=areas.community_b1)
    assert "community" in exc.value.message_dict


def test_other_id_types_need_birth_date_and_gender(areas):
    with pytest.raises(ValidationError) as exc:
        make_volunteer(town=areas.town_a, id_type="passport", id_number="E12345678")
    assert {"birth_date", "gender"} <= set(exc.value.message_dict)
    v = make_volunteer(town=areas.town_a, id_type="passport", id_number="e12345678", birth_date=dt.date(1980, 1, 1), gender="male")
    assert v.id_number == "E12345678" and v.masked_id_number == "E1*****78"


def test_birth_date_contradicting_the_number_is_an_error(areas):
    with pytest.raises(ValidationError) as exc:
        make_volunteer(town=areas.town_a, id_number=make_id_number(born=dt.date(1990, 5, 17), sequence=14), birth_date=dt.date(1991, 1, 1))
    assert "birth_date" in exc.value.message_dict


def test_staff_register_in_their_area_only(client, areas, users):
    client.force_login(users.town_b)
    response = client.post(reverse("volunteers:new"), form_data(areas))  # town_a's community
    assert response.status_code == 400 and not Volunteer.objects.exists()
    client.force_login(users.community_a1)
    response = client.post(reverse("volunteers:new"), form_data(areas, community=areas.community_a2.pk))
    assert response.status_code == 400
    response = client.post(reverse("volunteers:new"), form_data(areas))
    assert response.status_code == 302


def test_staff_registration_of_a_duplicate_links_to_the_existing_record(client, areas, users, vols):
    client.force_login(users.town_a)
    response = client.post(reverse("volunteers:new"), form_data(areas, id_number=vols.a1.id_number))
    assert response.status_code == 400
    assert reverse("volunteers:detail", args=[vols.a1.pk]) in response.content.decode()
    client.force_login(users.town_b)
    response = client.post(reverse("volunteers:new"), form_data(areas, id_number=vols.a1.id_number, town=areas.town_b.pk, community=""))
    body = response.content.decode()
    assert response.status_code == 400 and vols.a1.volunteer_number in body
    assert reverse("volunteers:detail", args=[vols.a1.pk]) not in body  # not theirs to open


def test_staff_and_organizations_are_sent_elsewhere_from_the_public_form(client, users):
    client.force_login(users.town_a)
    assert client.get(reverse("volunteers:register")).url == reverse("volunteers:new")
    client.force_login(users.org_a)
    assert client.get(reverse("volunteers:register")).status_code == 302


def test_me_edit_changes_contact_and_is_audited(client, areas, users, vols):
    client.force_login(users.resident)
    response = client.post(
        reverse("volunteers:me_edit"),
        {"phone": "13900009999", "town": areas.town_b.pk, "community": areas.community_b1.pk, "availability": "evenings"},
    )
    assert response.status_code == 302
    vols.a1.refresh_from_db()
    assert vols.a1.town == areas.town_b and vols.a1.phone == "13900009999"
    entry = AuditEntry.objects.filter(action=AuditAction.VOLUNTEER_CHANGED).latest("id")
    assert "13900009999" not in str(entry.changes) and "phone" in entry.changes


def test_volunteer_cancels_own_registration(client, users, vols):
    client.force_login(users.resident)
    assert client.post(reverse("volunteers:me_cancel"), {"reason": "搬家"}).status_code == 302
    vols.a1.refresh_from_db()
    assert vols.a1.status == "cancelled" and vols.a1.cancelled_on == timezone.localdate()
