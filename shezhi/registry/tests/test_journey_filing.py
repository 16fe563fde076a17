"""Journey: a town officer logs in and files a community organization in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from shezhi.accounts.models import Role, User
from shezhi.registry.models import Organization
from shezhi.testing import make_area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_officer_files_a_community_organization(page: Page, live_server):
    from shezhi.areas.models import AreaKind

    province = make_area("330000", "浙江省", AreaKind.PROVINCE)
    city = make_area("330482", "平湖市", AreaKind.CITY, province)
    town = make_area("330482001", "当湖街道", AreaKind.STREET, city)
    make_area("330482001001", "东湖社区", AreaKind.URBAN, town)
    User.objects.create_user(username="town_a", password="pass-Shezhi-2026", role=Role.TOWN, area=town, display_name="当湖街道民政")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "town_a")
    page.fill("#id_password", "pass-Shezhi-2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/registry/")

    page.click("details[data-menu='registry'] > summary")
    page.get_by_role("link", name="备案社区社会组织").first.click()
    # First submit with nothing filled: the form explains what is missing, in Chinese.
    page.click("button[type=submit]")
    expect(page.locator(".field-name .errorlist")).to_contain_text("该字段是必填项")

    page.fill("#id_name", "东湖社区书画协会")
    page.select_option("#id_community", label="东湖社区")
    page.select_option("#id_community_category", value="culture_sports")
    page.fill("#id_legal_representative", "王五")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_business_scope", "组织居民书画交流")
    page.click("button[type=submit]")

    org = Organization.objects.get(name="东湖社区书画协会")
    expect(page.get_by_test_id("filing-number")).to_have_text(org.filing_number)
    expect(page.locator(".messages")).to_contain_text(org.filing_number)
    # The phone is masked on screen; the history shows the filing.
    expect(page.locator("#phone")).to_have_text("138****5678")
    expect(page.locator("#change-history")).to_contain_text("当湖街道民政")
    page.screenshot(path="var/screenshots/filing.png", full_page=True)
