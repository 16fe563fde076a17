"""Journey in a real browser: an organization that missed its annual report appears in the
review queue after the daily job; the bureau confirms it; the organization's public page
and the public lists show the entry."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from shezhi.conftest import log_in
from shezhi.credit.models import ListEntry, Proposal, ProposalStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_missed_annual_report_to_the_public_lists(page: Page, live_server, seed_defaults, users, orgs):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The daily job for the day after the 2025 reports were due (31 May 2026).
    call_command("run_daily", "--on", "2026-06-01", "--only", "credit_detection")
    proposal = Proposal.objects.get(organization=orgs.reg_a, source=f"annual_report:2025:org-{orgs.reg_a.pk}")
    assert proposal.status == ProposalStatus.PENDING

    # The public sees nothing yet: the system proposes, the bureau decides.
    page.goto(f"{live_server.url}/credit/lists/")
    expect(page.get_by_test_id("credit-lists")).not_to_contain_text(orgs.reg_a.name)

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/credit/queue/")
    row = page.locator(f"#proposal-{proposal.pk}")
    expect(row).to_contain_text(orgs.reg_a.name)
    expect(row).to_contain_text("2026-05-31")  # the deadline, in the evidence
    page.screenshot(path=str(SHOTS / "credit-queue.png"), full_page=True)

    # Confirming without a decision number is refused with a message, nothing is written.
    row.locator("button[name=confirm]").click()
    expect(row.locator(".errorlist")).to_be_visible()
    assert not ListEntry.objects.exists()

    row = page.locator(f"#proposal-{proposal.pk}")
    row.locator(f"#id_c{proposal.pk}-decided_on").fill("2026-06-03")
    row.locator(f"#id_c{proposal.pk}-decision_number").fill("平民信〔2026〕18号")
    row.locator("button[name=confirm]").click()
    expect(page.get_by_test_id(f"decided-{proposal.pk}")).to_be_visible()
    page.screenshot(path=str(SHOTS / "credit-confirmed.png"), full_page=True)
    entry = ListEntry.objects.get(organization=orgs.reg_a)
    assert entry.included_on == dt.date(2026, 6, 3) and entry.decision_number == "平民信〔2026〕18号"

    # The public page of the organization shows the entry and its new status.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/organizations/{orgs.reg_a.pk}/")
    record = page.get_by_test_id("credit-record")
    expect(record).to_contain_text("平民信〔2026〕18号")
    expect(record).to_contain_text("2026-06-03")
    expect(page.locator("[data-status=abnormal]")).to_be_visible()
    record.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "credit-public-page.png"), full_page=True)

    page.goto(f"{live_server.url}/credit/lists/")
    expect(page.get_by_test_id("credit-lists")).to_contain_text(orgs.reg_a.name)
    expect(page.get_by_test_id("credit-lists")).to_contain_text("平民信〔2026〕18号")
    page.screenshot(path=str(SHOTS / "credit-lists.png"), full_page=True)
