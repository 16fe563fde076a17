"""Journey: the public searches the registry for 平湖, narrows to a town, opens an organization."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_searches_filters_and_opens_an_organization(page: Page, live_server, registry):
    a = registry.areas
    org = registry.pinghu_elder
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-count="social_service_agencies"]')).to_have_text("3")
    page.fill("#home-q", "平湖")
    page.locator("form[role=search] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=%E5%B9%B3%E6%B9%96"))
    results = page.locator("#results table.results")
    expect(results).to_contain_text(org.name)
    expect(results).to_contain_text(registry.scope_only.name)  # 平湖 only in its business scope
    expect(page.locator("#result-summary")).to_have_attribute("data-total", "4")

    # Choosing a town updates the results in place (htmx) and the address bar follows.
    page.select_option("#id_town", str(a.town_a.pk))
    expect(page.locator("#result-summary")).to_have_attribute("data-total", "4")
    expect(page).to_have_url(re.compile(rf"town={a.town_a.pk}"))
    # The community list now offers the chosen town's communities.
    expect(page.locator("#id_community option", has_text="东湖社区")).to_have_count(1)
    page.select_option("#id_town", str(a.town_b.pk))
    expect(page.locator("#result-summary")).to_have_attribute("data-total", "0")
    expect(page.locator("#id_community option", has_text="乍浦社区")).to_have_count(1)
    page.select_option("#id_town", str(a.town_a.pk))
    expect(page.locator("#result-summary")).to_have_attribute("data-total", "4")

    page.get_by_role("link", name=org.name).click()
    expect(page.locator("h1")).to_have_text(org.name)
    facts = page.locator("#public-facts")
    expect(facts).to_contain_text(org.credit_code)
    expect(facts).to_contain_text("当湖街道")
    expect(facts).to_contain_text("4A")
    expect(facts).to_contain_text("138****8000")
    expect(page.locator("body")).not_to_contain_text("13800138000")
    expect(page.locator("#history")).to_be_visible()
    page.screenshot(path="var/screenshots/portal-search.png", full_page=True)
