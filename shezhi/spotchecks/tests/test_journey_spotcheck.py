"""Journey in a real browser: the bureau plans a campaign, draws and publishes it; an anonymous
visitor redraws it on the public page with the published seed and gets the same sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shezhi.conftest import log_in
from shezhi.spotchecks.draw import draw
from shezhi.spotchecks.models import Campaign, CampaignStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_draw_publish_and_redraw(page: Page, live_server, seed_rules, users, orgs, many_orgs, inspectors):
    SHOTS.mkdir(parents=True, exist_ok=True)
    many_orgs(70)  # 72 registered organizations: 3% is a sample of 3

    # The bureau plans the campaign (minimum ratio, seed left to the system) and draws it.
    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/spotchecks/staff/")
    page.get_by_test_id("new-campaign").click()
    page.fill("#id_title", "2026年度双随机抽查")
    page.click("#campaign-form button[type=submit]")
    campaign = Campaign.objects.get(title="2026年度双随机抽查")
    expect(page).to_have_url(f"{live_server.url}/spotchecks/staff/campaigns/{campaign.pk}/")
    expect(page.get_by_test_id("preview-pool")).to_have_text("72")
    expect(page.get_by_test_id("preview-sample")).to_have_text("3")
    page.get_by_test_id("draw").click()
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "drawn")
    expect(page.get_by_test_id("staff-sample-row")).to_have_count(3)
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "published")
    page.screenshot(path=str(SHOTS / "spotchecks-staff-campaign.png"), full_page=True)
    seed = page.get_by_test_id("seed").inner_text().strip()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED and seed == campaign.seed
    published = list(campaign.checks.order_by("position").values_list("organization_id", flat=True))

    # Anyone: the public page shows the sample, the seed and the pool hash.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/spotchecks/")
    page.get_by_role("link", name="2026年度双随机抽查").click()
    expect(page.get_by_test_id("seed")).to_have_text(seed)
    expect(page.get_by_test_id("pool-hash")).to_have_text(campaign.pool_hash)
    public_rows = page.get_by_test_id("sample-row")
    expect(public_rows).to_have_count(3)
    assert [int(public_rows.nth(i).get_attribute("data-org")) for i in range(3)] == published
    page.screenshot(path=str(SHOTS / "spotchecks-public-campaign.png"), full_page=True)

    # The visitor redraws with the published seed: the same list, in the same order.
    page.get_by_test_id("redraw-this").click()
    page.fill("#id_seed", seed)
    page.get_by_test_id("redraw-submit").click()
    expect(page.get_by_test_id("redraw-verdict")).to_have_attribute("data-matches", "yes")
    rows = page.get_by_test_id("redraw-row")
    expect(rows).to_have_count(3)
    assert [int(rows.nth(i).get_attribute("data-org")) for i in range(3)] == published
    page.screenshot(path=str(SHOTS / "spotchecks-redraw.png"), full_page=True)

    # Another seed gives another sample, and the page says so.
    other = "not-the-seed"
    expected = draw(campaign.pool_organizations, campaign.pool_inspectors, set(), other, campaign.sample_size)
    page.fill("#id_seed", other)
    page.get_by_test_id("redraw-submit").click()
    verdict = "yes" if [row[0] for row in expected] == published else "no"
    expect(page.get_by_test_id("redraw-verdict")).to_have_attribute("data-matches", verdict)
    assert verdict == "no"


def test_findings_order_report_and_verification(page: Page, live_server, seed_rules, users, orgs, inspectors, settings, tmp_path):
    """The bureau records a problem and orders rectification; the organization reports with
    a file; the bureau verifies; the public page shows the result."""
    from shezhi.spotchecks import services
    from shezhi.spotchecks.models import RectificationOrder

    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT = tmp_path
    c = services.campaign_create(area=users.bureau.area, year=2026, title="2026年抽查", ratio_percent="100", by=users.bureau)
    c = services.campaign_publish(campaign=services.campaign_draw(campaign=c, by=users.bureau), by=users.bureau)
    check = c.checks.get(organization=orgs.reg_a)

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/spotchecks/staff/checks/{check.pk}/")
    page.check("#id_inspector_a_present")
    page.check("#id_inspector_b_present")
    page.locator("tr[data-aspect=finance] input[value='1']").check()
    page.fill("#id_finance_text", "部分支出缺少审批凭证")
    page.select_option("#id_result", "rectification")
    page.fill("#id_requirement", "建立支出审批制度并补齐凭证")
    page.screenshot(path=str(SHOTS / "spotchecks-record.png"), full_page=True)
    page.get_by_test_id("record").click()
    expect(page.locator("[data-testid=findings]")).to_contain_text("部分支出缺少审批凭证")
    order = RectificationOrder.objects.get(spot_check=check)

    log_in(page, live_server, "org_a")
    page.goto(f"{live_server.url}/spotchecks/rectifications/")
    page.get_by_role("link", name=orgs.reg_a.name).click()
    expect(page).to_have_url(f"{live_server.url}/spotchecks/rectifications/{order.pk}/")
    page.fill("#id_note", "已建立审批制度，凭证已补齐。")
    page.set_input_files("#id_file", files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.click("#report-form button[type=submit]")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "reported")

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/spotchecks/rectifications/{order.pk}/")
    page.screenshot(path=str(SHOTS / "spotchecks-order.png"), full_page=True)
    page.click("#verify-form button[type=submit]")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "completed")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/organizations/{orgs.reg_a.pk}/")
    section = page.locator("#section-spotchecks")
    expect(section.locator("[data-result=rectification]")).to_be_visible()
    expect(section.locator("[data-order-state=completed]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "spotchecks-org-public.png"), full_page=True)
