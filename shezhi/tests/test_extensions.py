import pytest
from django.urls import reverse

from shezhi import extensions

pytestmark = pytest.mark.django_db


def test_nav_items_follow_roles_and_public_flag(monkeypatch, users, client):
    monkeypatch.setattr(extensions, "_nav", {})
    extensions.nav_item("only-bureau", "Bureau thing", "portal:search", roles=["bureau"])
    extensions.nav_item("everyone", "Public thing", "portal:home", public=True)
    extensions.nav_item("broken", "Broken", "no-such-url", public=True)
    assert [i["key"] for i in extensions.nav_for(users.bureau)] == ["everyone", "only-bureau"]
    assert [i["key"] for i in extensions.nav_for(users.town_a)] == ["everyone"]
    client.force_login(users.bureau)
    assert 'data-nav="only-bureau"' in client.get(reverse("portal:home")).content.decode()


def test_organization_sections_render_on_the_public_page(monkeypatch, orgs, client):
    monkeypatch.setattr(extensions, "_sections", {})
    extensions.organization_section("probe", "tests/probe_section.html", lambda org, request: {"word": f"hello-{org.pk}"})
    extensions.organization_section("hidden", "tests/probe_section.html", lambda org, request: None)
    org = orgs.reg_a
    html = client.get(reverse("portal:organization", args=[org.pk])).content.decode()
    assert f"hello-{org.pk}" in html and 'id="section-hidden"' not in html
