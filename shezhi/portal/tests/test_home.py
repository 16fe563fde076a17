"""The portal's home page: headline counts of the registry."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shezhi.registry.models import Organization

pytestmark = pytest.mark.django_db


def _count(html: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">([\d,]+)<', html)
    assert match, name
    return int(match.group(1).replace(",", ""))


def test_headline_counts(client, registry):
    Organization.objects.filter(pk=registry.orgs.filed_b.pk).update(status="deregistered")
    html = client.get(reverse("portal:home")).content.decode()
    active = Organization.objects.exclude(status__in=["deregistered", "revoked"])
    assert _count(html, "social_groups") == active.filter(registration="registered", legal_form="social_group").count()
    assert _count(html, "social_service_agencies") == active.filter(legal_form="social_service_agency").count() == 3
    assert _count(html, "foundations") == 1
    assert _count(html, "filed") == active.filter(registration="filed").count()
    assert _count(html, "rated") == 1
    assert _count(html, "charities") == 1
    assert _count(html, "hubs") == 1
    assert _count(html, "social_work_agencies") == 1
    # By town, for this deployment's city only (海宁市's organization is not listed).
    assert "当湖街道" in html and "乍浦镇" in html and "硖石街道" not in html
    assert 'action="/search/"' in html


def test_demo_data_is_labelled(client, registry):
    assert "data-demo" not in client.get(reverse("portal:home")).content.decode()
    Organization.objects.filter(pk=registry.orgs.reg_a.pk).update(is_demo=True)
    from django.core.cache import cache

    cache.clear()
    html = client.get(reverse("portal:home")).content.decode()
    assert "data-demo" in html


def test_home_query_count(client, registry, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        client.get(reverse("portal:home"))
    with django_assert_max_num_queries(0):
        client.get(reverse("portal:home"))  # the counts are cached
