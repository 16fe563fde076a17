"""Journey in a real browser: a resident files an anonymous complaint and gets a tracking
number and a query code; the officer of the organization's town accepts, answers and closes
it; the resident, in a fresh browser, follows it by number and code and reads the outcome."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shezhi.complaints.models import Complaint
from shezhi.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_anonymous_complaint_from_filing_to_outcome(page: Page, browser, browser_context_args, live_server, seed_defaults, users, orgs):
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. A resident, not signed in, files an anonymous complaint about an organization found by name.
    page.goto(f"{live_server.url}/complaints/")
    page.fill("#id_organization_name", "当湖养老")
    choice = page.get_by_test_id("org-choice").first
    expect(choice).to_be_visible()
    choice.check()
    page.select_option("#id_category", label="违规收费")
    page.fill("#id_description", "该中心向参加活动的老人收取“会员费”每人200元，不开收据。")
    expect(page.locator("input[name=identity][value=anonymous]")).to_be_checked()
    page.screenshot(path=str(SHOTS / "complaints-form.png"), full_page=True)
    page.get_by_test_id("submit-complaint").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    code = page.get_by_test_id("query-code").inner_text().strip()
    page.screenshot(path=str(SHOTS / "complaints-receipt.png"), full_page=True)
    complaint = Complaint.objects.get(number=number)
    assert complaint.anonymous and complaint.organization == orgs.reg_a and complaint.handling_area == orgs.reg_a.town
    # The code is shown once: reloading the receipt does not show it again.
    page.reload()
    expect(page.get_by_test_id("query-code")).to_have_count(0)

    # 2. The officer of the organization's town handles it.
    log_in(page, live_server, "town_a")
    page.goto(f"{live_server.url}/complaints/staff/")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("anonymous")).to_be_visible()
    page.get_by_test_id("step-accept").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "accepted")
    page.fill("#id_answer-note", "经调查核实，该中心确有违规收费行为。我街道已责令其停止收费并退还已收取的费用。")
    page.get_by_test_id("step-answer").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "answered")
    page.select_option("#id_close-outcome", label="查实并处理")
    page.get_by_test_id("step-close").click()
    # The outcome needs the action taken: a clear message, nothing closed.
    expect(page.locator(".step-close .errorlist")).to_be_visible()
    page.fill("#id_close-action_reference", "平民责改〔2026〕7号 责令改正通知书")
    page.get_by_test_id("step-close").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "closed")
    page.screenshot(path=str(SHOTS / "complaints-staff.png"), full_page=True)

    # 3. The resident follows it from a fresh browser, with the number and the code only.
    context = browser.new_context(**browser_context_args)
    resident = context.new_page()
    resident.goto(f"{live_server.url}/complaints/track/")
    resident.fill("#id_number", number)
    resident.fill("#id_code", "2222-2222")
    resident.get_by_test_id("track-submit").click()
    expect(resident.get_by_test_id("track-error")).to_be_visible()
    resident.fill("#id_number", number.lower())
    resident.fill("#id_code", code)
    resident.get_by_test_id("track-submit").click()
    expect(resident.get_by_test_id("status")).to_have_attribute("data-status", "closed")
    expect(resident.get_by_test_id("reply")).to_contain_text("责令其停止收费")
    expect(resident.get_by_test_id("outcome")).to_have_text("查实并处理")
    expect(resident.get_by_test_id("action")).to_contain_text("平民责改〔2026〕7号")
    expect(resident.get_by_test_id("office")).to_have_text("当湖街道")
    expect(resident.locator("body")).not_to_contain_text("town_a")
    resident.screenshot(path=str(SHOTS / "complaints-track.png"), full_page=True)
    context.close()
