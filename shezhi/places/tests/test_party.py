"""Party organization: the history, the registry's current value, who records it, what the public sees."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.places.models import PartyStatusChange
from shezhi.places.services import party_status_change
from shezhi.registry.models import PartyOrganization
from shezhi.registry.services import organization_update

pytestmark = pytest.mark.django_db
P = PartyOrganization


def record(org, by, status=P.JOINT, since=dt.date(2021, 7, 1), details="当湖街道社会组织联合党支部", reason="街道党工委批复"):
    return party_status_change(organization=org, status=status, since=since, details=details, by=by, reason=reason)


def test_a_change_is_history_and_the_registrys_current_value(users, orgs):
    record(orgs.reg_a, users.town_a)
    orgs.reg_a.refresh_from_db()
    assert orgs.reg_a.party_organization == P.JOINT
    changed = AuditEntry.objects.get(action=AuditAction.ORG_CHANGED, target_id=str(orgs.reg_a.pk))
    assert changed.changes["party_organization"] == ["none", "joint"] and changed.source == "places"
    assert changed.reason == "街道党工委批复"
    party = AuditEntry.objects.get(action=AuditAction.PARTY_STATUS_CHANGED)
    assert party.changes["party_organization"] == ["none", "joint"] and party.actor == users.town_a
    record(orgs.reg_a, users.bureau, status=P.INDEPENDENT, since=dt.date(2023, 3, 1), details="平湖市当湖养老服务中心党支部")
    orgs.reg_a.refresh_from_db()
    assert orgs.reg_a.party_organization == P.INDEPENDENT
    assert list(PartyStatusChange.objects.filter(organization=orgs.reg_a).values_list("status", flat=True)) == ["independent", "joint"]


def test_new_details_with_the_same_status_is_a_change_but_a_repeat_is_not(users, orgs):
    record(orgs.filed_a, users.town_a, status=P.INSTRUCTOR, details="街道选派党建指导员")
    record(orgs.filed_a, users.town_a, status=P.INSTRUCTOR, since=dt.date(2022, 1, 1), details="更换党建指导员")
    assert PartyStatusChange.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.ORG_CHANGED).count() == 1  # the registry changed once
    with pytest.raises(ValidationError) as exc:
        record(orgs.filed_a, users.town_a, status=P.INSTRUCTOR, since=dt.date(2022, 2, 1), details="更换党建指导员")
    assert exc.value.message_dict == {"status": ["This is already the recorded status."]}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"since": dt.date(2021, 6, 30)}, "since", "The last recorded change is dated 2021-07-01; record changes in order."),
        ({"since": dt.date(2099, 1, 1)}, "since", "The date cannot be in the future."),
        ({"since": dt.date(2010, 1, 1)}, "since", "The last recorded change is dated 2021-07-01; record changes in order."),
        ({"reason": "  "}, "reason", "Say why, or on what document, the status changes."),
        ({"status": "committee"}, "status", "Choose the party organization status."),
    ],
)
def test_bad_changes_are_refused_with_a_clear_message(users, orgs, kwargs, field, message):
    record(orgs.reg_a, users.bureau)
    with pytest.raises(ValidationError) as exc:
        record(orgs.reg_a, users.bureau, **{"status": P.INDEPENDENT, **kwargs})
    assert message in exc.value.message_dict[field]
    assert PartyStatusChange.objects.count() == 1


def test_not_before_the_organization_existed(users, orgs):
    with pytest.raises(ValidationError) as exc:
        record(orgs.reg_a, users.bureau, since=dt.date(2015, 2, 28))  # registered 2015-03-01
    assert exc.value.message_dict["since"] == ["The organization was registered or filed on 2015-03-01."]
    record(orgs.reg_a, users.bureau, since=dt.date(2015, 3, 1))


def test_who_may_record(users, orgs):
    record(orgs.reg_a, users.town_a)  # a registered organization of the officer's town
    record(orgs.reg_b, users.bureau)
    for user, org in (
        (users.town_b, orgs.reg_a),
        (users.town_a, orgs.reg_b),
        (users.other_bureau, orgs.reg_a),
        (users.community_a1, orgs.filed_a),
        (users.org_a, orgs.reg_a),
        (users.department, orgs.reg_a),
        (users.resident, orgs.reg_a),
        (users.bureau, orgs.reg_other),
    ):
        with pytest.raises(PermissionDenied):
            record(org, user, since=dt.date(2024, 1, 1), status=P.INDEPENDENT)


def test_the_recording_page(client, users, orgs):
    url = f"/places/party/{orgs.reg_a.pk}/"
    assert client.get(url).status_code == 302
    for name in ("town_b", "other_bureau", "community_a1", "org_a", "department", "resident", "reviewer"):
        client.force_login(getattr(users, name))
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"status": "joint", "since": "2021-07-01", "reason": "x"}).status_code == 404
    assert not PartyStatusChange.objects.exists()
    client.force_login(users.town_a)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"status": "joint", "since": "2099-01-01", "reason": "x"})
    assert bad.status_code == 400 and "The date cannot be in the future." in bad.content.decode()
    bad = client.post(url, {"status": "joint", "since": "yesterday", "reason": ""})
    assert bad.status_code == 400 and "Enter a valid date." in bad.content.decode()
    ok = client.post(url, {"status": "joint", "since": "2021-07-01", "details": "联合党支部", "reason": "批复"})
    assert ok.status_code == 302 and ok["Location"] == f"/registry/{orgs.reg_a.pk}/"
    assert client.get("/places/party/999999/").status_code == 404


def test_the_staff_section_on_the_registry_page(client, users, orgs):
    record(orgs.reg_a, users.bureau)
    client.force_login(users.town_a)
    page = client.get(f"/registry/{orgs.reg_a.pk}/").content.decode()
    assert 'id="section-party"' in page and "当湖街道社会组织联合党支部" in page and 'data-testid="record-party"' in page
    client.force_login(users.community_a1)  # may read the record, may not record a change
    page = client.get(f"/registry/{orgs.reg_a.pk}/").content.decode()
    assert 'id="section-party"' in page and 'data-testid="record-party"' not in page
    # Changed directly in the registry afterwards: the section says the history is behind.
    organization_update(organization=orgs.reg_a, data={"party_organization": P.NONE}, by=users.bureau, reason="更正")
    client.force_login(users.bureau)
    assert "was changed after the last recorded change" in client.get(f"/registry/{orgs.reg_a.pk}/").content.decode()


def test_the_public_page_shows_the_current_status_without_names(client, users, orgs):
    page = client.get(f"/organizations/{orgs.reg_a.pk}/").content.decode()
    assert 'id="section-party_public"' not in page  # none: nothing to show
    record(orgs.reg_a, users.bureau, details="由王某某任党建指导员", status=P.INSTRUCTOR)
    page = client.get(f"/organizations/{orgs.reg_a.pk}/").content.decode()
    assert 'data-testid="party-public"' in page and "since 2021-07-01" in page
    assert "王某某" not in page


def test_sections_keep_their_queries_few(client, users, orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.bureau)
    record(orgs.reg_a, users.bureau, since=dt.date(2016, 1, 1), details="第1届")
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/registry/{orgs.reg_a.pk}/").status_code == 200
    for year in range(2017, 2024):
        record(orgs.reg_a, users.bureau, since=dt.date(year, 1, 1), details=f"第{year}届")
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/registry/{orgs.reg_a.pk}/").status_code == 200
    mine = lambda ctx: [q for q in ctx.captured_queries if "places_" in q["sql"]]  # noqa: E731
    assert len(mine(one)) == len(mine(many)) <= 2


def test_the_public_page_lists_the_places_it_operates(client, users, orgs, make_place):
    make_place(operator=orgs.reg_a, operator_name="", name="当湖慈善基地", kind="charity_base")
    make_place(operator=orgs.reg_a, operator_name="", name="旧中心", closed_on=dt.date(2021, 1, 1))
    page = client.get(f"/organizations/{orgs.reg_a.pk}/").content.decode()
    assert 'id="section-places_public"' in page and "当湖慈善基地" in page and "旧中心" not in page
    assert 'id="section-places_public"' not in client.get(f"/organizations/{orgs.reg_b.pk}/").content.decode()
