"""An organization's public page: public facts, masked phone, status history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shezhi.registry.services import organization_update

pytestmark = pytest.mark.django_db


def test_public_facts_and_masked_phone(client, registry):
    org = registry.pinghu_elder
    response = client.get(reverse("portal:organization", args=[org.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for fact in [org.name, org.credit_code, org.legal_representative, org.address, "当湖街道", "4A", "2027-05-01", org.business_scope]:
        assert fact in html, fact
    assert "138****8000" in html
    assert "13800138000" not in html


def test_filed_organization_shows_filing_number_and_community(client, registry):
    org = registry.hub
    html = client.get(reverse("portal:organization", args=[org.pk])).content.decode()
    assert org.filing_number in html
    assert "东湖社区" in html


def test_social_work_agency_lists_communities_served(client, registry):
    html = client.get(reverse("portal:organization", args=[registry.swa.pk])).content.decode()
    assert registry.areas.community_b1.name in html


def test_status_history_with_reasons_but_not_other_edits(client, registry):
    org = registry.orgs.reg_b
    organization_update(organization=org, data={"phone": "13912345678"}, by=None, reason="内部核对电话号码")
    response = client.get(reverse("portal:organization", args=[org.pk]))
    history = response.context["history"]
    assert [item.action for item in history] == ["organization.created", "organization.status_changed"]
    change = history[1]
    assert (change.old_status, change.new_status, change.reason) == ("normal", "abnormal", "未按规定报送年度工作报告")
    assert change.on.isoformat() == "2024-06-01"
    html = response.content.decode()
    assert "未按规定报送年度工作报告" in html and "2024-06-01" in html
    # An edit's reason and the new phone stay in the staff view.
    assert "内部核对电话号码" not in html
    assert "13912345678" not in html and "139****5678" in html


def test_private_fields_are_not_shown(client, registry):
    org = registry.orgs.reg_a
    html = client.get(reverse("portal:organization", args=[org.pk])).content.decode()
    assert org.phone not in html
    assert "created_by" not in html


@pytest.mark.parametrize("pk", [999999, 0])
def test_missing_organization_is_404(client, registry, pk):
    assert client.get(reverse("portal:organization", args=[pk])).status_code == 404


def test_detail_query_count(client, registry, django_assert_max_num_queries):
    # The record and its related rows (7), plus the fixed queries of the sections other
    # apps add (credit record, spot checks, charity disclosures, party building, places).
    with django_assert_max_num_queries(14):
        client.get(reverse("portal:organization", args=[registry.swa.pk]))
