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


def test_menus_group_items_and_a_lone_item_is_a_plain_link(monkeypatch, users):
    monkeypatch.setattr(extensions, "_nav", {})
    extensions.nav_item("search", "Search", "portal:search", public=True, order=0, group="")
    extensions.nav_item("a", "A", "portal:home", roles=["bureau"], group="supervision")
    extensions.nav_item("b", "B", "portal:search", roles=["bureau", "town"], group="supervision")
    extensions.nav_item("odd", "Odd", "portal:home", roles=["bureau"], group="no-such-group")
    menus = extensions.nav_menus(users.bureau)
    shown = [(m["key"], [i["key"] for i in m["items"]]) for m in menus]
    assert shown == [("search", ["search"]), ("odd", ["odd"]), ("supervision", ["a", "b"])]
    assert [m["key"] for m in extensions.nav_menus(users.town_a)] == ["search", "b"]
    assert [m["key"] for m in extensions.nav_menus(None)] == ["search"]


def test_each_role_sees_its_own_menu(client, users):
    """The real menus: staff work for staff, the organization's own duties for its account."""
    html = client.get(reverse("portal:home")).content.decode()
    assert 'data-nav="registry_search"' in html and 'data-nav="credit_lists"' in html and 'data-nav="registry_staff"' not in html
    client.force_login(users.bureau)
    html = client.get(reverse("portal:home")).content.decode()
    for key in ("registry_staff", "registry_import", "areas", "affairs_metrics", "credit_queue", "spotchecks", "not_reported"):
        assert f'data-nav="{key}"' in html, key
    client.force_login(users.org_a)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="/registry/{users.org_a.organization_id}/" data-nav="my_organization"' in html
    assert 'data-nav="registry_import"' not in html and 'data-nav="credit_queue"' not in html


def test_organization_sections_render_on_the_public_page(monkeypatch, orgs, client):
    monkeypatch.setattr(extensions, "_sections", {})
    extensions.organization_section("probe", "tests/probe_section.html", lambda org, request: {"word": f"hello-{org.pk}"})
    extensions.organization_section("hidden", "tests/probe_section.html", lambda org, request: None)
    org = orgs.reg_a
    html = client.get(reverse("portal:organization", args=[org.pk])).content.decode()
    assert f"hello-{org.pk}" in html and 'id="section-hidden"' not in html
