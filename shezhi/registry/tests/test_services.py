import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.registry.services import (
    DuplicateOrganizationError,
    organization_file,
    organization_set_status,
    organization_update,
)
from shezhi.testing import make_filed, make_registered

pytestmark = pytest.mark.django_db


def test_filing_issues_sequential_numbers_per_town_and_year(areas):
    first = make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2026, 1, 5))
    second = make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2026, 2, 5))
    other_town = make_filed(town=areas.town_b, community=areas.community_b1, founded_on=dt.date(2026, 2, 5))
    assert first.filing_number == "330482001-2026-0001"
    assert second.filing_number == "330482001-2026-0002"
    assert other_town.filing_number == "330482101-2026-0001"
    assert first.city == areas.city and first.registration == "filed"


def test_filing_refuses_community_of_another_town(areas):
    with pytest.raises(ValidationError) as err:
        make_filed(town=areas.town_a, community=areas.community_b1)
    assert "community" in err.value.message_dict
    assert not Organization.objects.exists()


def test_duplicate_name_in_same_town_points_at_existing(areas, users):
    existing = make_filed(town=areas.town_a, name="东湖 社区  书画社")
    with pytest.raises(DuplicateOrganizationError) as err:
        make_filed(town=areas.town_a, name="东湖 社区 书画社")
    assert err.value.existing == existing
    # the same name in another town is a different organization
    make_filed(town=areas.town_b, name="东湖 社区 书画社")


def test_duplicate_credit_code_refused(areas):
    org = make_registered(town=areas.town_a)
    with pytest.raises(DuplicateOrganizationError) as err:
        make_registered(town=areas.town_b, credit_code=org.credit_code)
    assert err.value.existing == org


def test_registered_code_must_match_legal_form(areas):
    org = make_registered(town=areas.town_a, legal_form="social_group")
    with pytest.raises(ValidationError) as err:
        make_registered(town=areas.town_a, legal_form="foundation", credit_code=org.credit_code[:1] + "1" + org.credit_code[2:])
    assert any("legal form" in m or "法人" in m or "形式" in m for m in err.value.message_dict["credit_code"])


def test_update_requires_reason_and_keeps_history(areas, users):
    org = make_filed(town=areas.town_a, community=areas.community_a1, by=users.town_a)
    with pytest.raises(ValidationError):
        organization_update(organization=org, data={"address": "新地址"}, by=users.town_a, reason=" ")
    organization_update(organization=org, data={"address": "新地址", "phone": "13912345678"}, by=users.town_a, reason="搬迁")
    entry = AuditEntry.objects.filter(action=AuditAction.ORG_CHANGED, target_id=str(org.pk)).get()
    assert entry.changes["address"][1] == "新地址"
    assert entry.reason == "搬迁"
    assert "13912345678" not in str(entry.changes)  # personal data stays out of the log
    assert entry.actor == users.town_a


def test_rating_validity_is_five_years(areas):
    org = make_registered(town=areas.town_a, rating="4A", rated_on=dt.date(2024, 2, 29))
    assert org.rating_valid_until == dt.date(2029, 2, 28)


def test_status_change_records_reason_and_refuses_terminal(areas, users):
    org = make_registered(town=areas.town_a)
    organization_set_status(organization=org, status=OrganizationStatus.DEREGISTERED, by=users.bureau, reason="自行注销")
    with pytest.raises(ValidationError):
        organization_set_status(organization=org, status=OrganizationStatus.NORMAL, by=users.bureau, reason="x")


def test_phone_is_encrypted_at_rest(areas):
    org = make_registered(town=areas.town_a, phone="13800001111")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM registry_organization WHERE id = %s", [org.pk])
        stored = cur.fetchone()[0]
    assert "13800001111" not in stored
    assert Organization.objects.get(pk=org.pk).phone == "13800001111"


def test_filing_requires_town_level(areas):
    with pytest.raises(ValidationError):
        organization_file(town=areas.community_a1, data={"name": "x", "community_category": "life_service"}, by=None)
