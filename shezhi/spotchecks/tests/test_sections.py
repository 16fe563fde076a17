"""The spot-check sections of an organization's public page and staff page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shezhi.spotchecks.models import Aspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(users, orgs, campaign_at, record):
    c = campaign_at("published", ratio_percent="100")
    check = c.checks.get(organization=orgs.reg_a)
    record(check, users.bureau, problems=[Aspect.FINANCE])
    return c


def test_public_page_shows_the_results(client, orgs, drawn):
    page = client.get(reverse("portal:organization", args=[orgs.reg_a.pk])).content.decode()
    assert 'id="section-spotchecks"' in page
    assert "Problems found, rectification ordered" in page and "Finance" in page
    assert "整改财务制度" not in page  # the order's text is for the organization and the staff
    other = client.get(reverse("portal:organization", args=[orgs.reg_b.pk])).content.decode()
    assert 'id="section-spotchecks"' in other and "To be checked" in other
    never = client.get(reverse("portal:organization", args=[orgs.filed_a.pk])).content.decode()
    assert 'id="section-spotchecks"' not in never


def test_an_unpublished_draw_stays_off_the_public_page(client, orgs, campaign_at):
    campaign_at("drawn", ratio_percent="100")
    page = client.get(reverse("portal:organization", args=[orgs.reg_a.pk])).content.decode()
    assert 'id="section-spotchecks"' not in page


def test_public_page_queries_stay_fixed(client, orgs, users, campaign_at, record, django_assert_max_num_queries):
    url = reverse("portal:organization", args=[orgs.reg_a.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    for i in range(3):
        c = campaign_at("published", ratio_percent="100", title=f"c{i}")
        record(c.checks.get(organization=orgs.reg_a), users.bureau, problems=[Aspect.GOVERNANCE, Aspect.FINANCE])
    with django_assert_max_num_queries(len(before.captured_queries) + 3):  # the section's own three queries
        client.get(url)


@pytest.mark.parametrize(
    ("role", "shown"),
    [("bureau", True), ("town_a", True), ("org_a", True), ("department", False), ("community_a1", False)],
)
def test_staff_page_section_by_role(client, users, orgs, drawn, role, shown):
    client.force_login(getattr(users, role))
    response = client.get(reverse("registry:detail", args=[orgs.reg_a.pk]))
    assert response.status_code == 200
    assert ('id="section-spotchecks_staff"' in response.content.decode()) is shown


def test_the_organization_sees_its_order_on_its_page(client, users, orgs, drawn):
    client.force_login(users.org_a)
    page = client.get(reverse("registry:detail", args=[orgs.reg_a.pk])).content.decode()
    assert "整改财务制度" in page
