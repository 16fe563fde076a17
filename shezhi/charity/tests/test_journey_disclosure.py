"""Journey in a real browser: a charity writes its annual work report, previews and publishes
it, then publishes a correction; the public page shows both, linked to each other; the
bureau sees what is late."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shezhi.charity.models import Disclosure
from shezhi.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_publish_then_correct_and_the_public_page_links_both(page: Page, live_server, seed_defaults, users, charity):
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year - 1
    log_in(page, live_server, "org_a")
    page.goto(f"{live_server.url}/charity/mine/")
    expect(page.get_by_test_id("obligations")).to_be_visible()
    page.screenshot(path=str(SHOTS / "charity-mine.png"), full_page=True)
    page.get_by_test_id(f"write-annual_work_report:{year}").click()
    expect(page.locator("#id_year")).to_have_value(str(year))
    page.fill("#id_title", f"{year}年度工作报告")
    page.fill("#id_body", "全年开展助老服务120场，服务老年人3000人次。")
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("preview")).to_be_visible()
    original = Disclosure.objects.get(corrects=None)
    assert original.status == "draft"
    page.screenshot(path=str(SHOTS / "charity-preview.png"), full_page=True)
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("preview")).to_have_count(0)
    original.refresh_from_db()
    assert original.is_published

    page.get_by_test_id("correct").click()
    page.fill("#id_title", f"更正：{year}年度工作报告")
    page.fill("#id_body", "服务场次应为126场。")
    page.get_by_test_id("save-correction").click()
    expect(page.get_by_test_id("corrects")).to_contain_text(f"{year}年度工作报告")
    page.get_by_test_id("publish").click()
    correction = Disclosure.objects.get(corrects=original)
    assert correction.is_published

    # Anyone: the organization's public page shows both items, each pointing at the other.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/organizations/{charity.pk}/")
    section = page.get_by_test_id("charity-disclosures")
    expect(section).to_be_visible()
    expect(page.get_by_test_id(f"corrected-by-{original.pk}")).to_contain_text(correction.title)
    expect(page.get_by_test_id(f"corrects-{correction.pk}")).to_contain_text(original.title)
    expect(page.get_by_test_id("late-items")).to_be_visible()  # the earlier years were never published
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "charity-public.png"), full_page=True)
    page.get_by_test_id(f"corrected-by-{original.pk}").get_by_role("link").click()
    expect(page.get_by_test_id("disclosure-body")).to_contain_text("126")

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/charity/late/")
    expect(page.get_by_test_id("late-list")).to_contain_text(charity.name)
    page.screenshot(path=str(SHOTS / "charity-late.png"), full_page=True)


def test_bureau_checks_and_confirms_tax_deductible_status(page: Page, live_server, seed_defaults, users, orgs):
    import datetime as dt

    from shezhi.charity import services
    from shezhi.charity.tests.test_hooks import inspected
    from shezhi.registry.models import TaxDeductibleYear
    from shezhi.registry.services import organization_update

    SHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year
    org = orgs.reg_a
    organization_update(organization=org, data={"rating": "4A", "rated_on": dt.date(2024, 3, 15)}, by=None, reason="评估")
    inspected(org)
    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/charity/tax/")
    page.fill("#id_credit_code", org.credit_code)
    page.fill("#id_year", str(year))
    page.click("form button[type=submit]")
    expect(page.get_by_test_id("tax-checks")).to_be_visible()
    # The special report on last year is missing: confirmation is not possible, and the page says why.
    expect(page.get_by_test_id("confirm")).to_be_disabled()
    expect(page.locator("[data-ok='0']")).to_have_count(1)
    services.special_report_record(
        organization=org, by=users.org_a, data={"year": year - 1, "auditor": "嘉兴某会计师事务所", "report_date": timezone.localdate()}
    )
    page.reload()
    expect(page.locator("[data-ok='0']")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "charity-tax-check.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("tax-years")).to_contain_text(str(year + 2))
    assert sorted(TaxDeductibleYear.objects.filter(organization=org).values_list("year", flat=True)) == [year, year + 1, year + 2]
