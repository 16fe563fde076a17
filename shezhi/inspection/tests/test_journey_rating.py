"""Journey in a real browser: the bureau opens a rating assessment, a reviewer scores it, the
bureau decides, and the public page shows the level; the bureau's list of unreported organizations."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shezhi.conftest import log_in
from shezhi.inspection.models import RatingAssessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_rating_from_opening_to_the_public_page(page: Page, live_server, seed_defaults, users, orgs, record_result):
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    for year in range(today.year - 3, today.year):
        record_result(orgs.reg_a, year, reported_on=min(dt.date(year + 1, 3, 1), today))

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/inspection/organizations/{orgs.reg_a.pk}/")
    page.get_by_role("link", name="Open a rating assessment").or_(page.get_by_role("link", name="发起等级评估")).first.click()
    page.get_by_label("reviewer", exact=True).check()
    page.click("button[type=submit]")
    assessment = RatingAssessment.objects.get(organization=orgs.reg_a)
    expect(page).to_have_url(f"{live_server.url}/inspection/ratings/{assessment.pk}/")

    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/inspection/ratings/{assessment.pk}/")
    inputs = page.locator("input[name^=i_]")
    for i in range(inputs.count()):
        field = inputs.nth(i)
        field.fill(str(int(int(field.get_attribute("max")) * 0.92)))
    page.click("button[type=submit]")
    # Without the declaration of no conflict of interest nothing is saved.
    expect(page.locator("input[name=no_conflict]")).to_be_visible()
    assert not assessment.reviews.exists()
    page.check("input[name=no_conflict]")
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    total = assessment.reviews.get().total
    assert 900 < total < 930
    page.screenshot(path=str(SHOTS / "rating-reviewer.png"), full_page=True)

    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/inspection/ratings/{assessment.pk}/")
    expect(page.get_by_test_id("mean-level")).to_have_text("4A")
    page.screenshot(path=str(SHOTS / "rating-bureau.png"), full_page=True)
    page.locator("form[action$='/decide/'] button[type=submit]").click()
    expect(page.get_by_test_id("decided-level")).to_contain_text("4A")

    page.goto(f"{live_server.url}/organizations/{orgs.reg_a.pk}/")
    expect(page.locator("body")).to_contain_text("4A")


def test_bureau_sees_who_has_not_reported(page: Page, live_server, seed_defaults, users, orgs):
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "bureau")
    year = timezone.localdate().year - 1
    page.goto(f"{live_server.url}/inspection/not-reported/?year={year}")
    expect(page.get_by_test_id("missing-total")).to_have_text("2")
    expect(page.get_by_test_id("town-counts")).to_contain_text("乍浦镇")
    page.screenshot(path=str(SHOTS / "not-reported.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("a[href*='export.xlsx']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
