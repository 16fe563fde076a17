"""Journeys in a real browser: a change of legal representative with a correction, and an annual report."""

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from shezhi.affairs.models import Filing, FilingStatus
from shezhi.affairs.tests.conftest import PDF
from shezhi.registry.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pass-Shezhi-2026"


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def upload(page: Page, item: str, name: str) -> None:
    form = page.get_by_test_id("upload-form")
    form.locator("select[name=requirement]").select_option(label=item)
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": "application/pdf", "buffer": PDF})
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(name)


def test_change_of_legal_representative_with_a_correction(page: Page, live_server, users, orgs):
    base = live_server.url
    org = orgs.reg_a
    log_in(page, base, "org_a")
    page.goto(f"{base}/affairs/new/")
    page.click("a[href='/affairs/new/change/'] >> nth=0")
    page.fill("#id_legal_representative", "李四")
    page.fill("#id_reason", "理事会改选新任法定代表人")
    page.click("button[type=submit]")
    filing = Filing.objects.get(organization=org)
    # Submitting with a required material missing is refused, naming it.
    upload(page, "变更登记申请表", "申请表.pdf")
    page.get_by_test_id("step-submit").click()
    expect(page.locator(".messages")).to_contain_text("理事会（会员大会）决议")
    upload(page, "理事会（会员大会）决议", "决议.pdf")
    upload(page, "新任法定代表人任职资格材料及身份证明", "身份证明.pdf")
    page.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("step-submit")).to_have_count(0)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED

    # The bureau finds the identity document unreadable and asks for it again.
    log_in(page, base, "bureau")
    page.goto(f"{base}/affairs/")
    page.get_by_role("link", name=filing.number).click()
    correction = page.locator(".step-request_correction")
    correction.get_by_label("新任法定代表人任职资格材料及身份证明").check()
    correction.locator("textarea").fill("身份证明复印件不清晰，请重新上传")
    page.get_by_test_id("step-request_correction").click()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.CORRECTION

    # The organization uploads the missing material and resubmits.
    log_in(page, base, "org_a")
    page.goto(f"{base}/affairs/{filing.pk}/")
    expect(page.get_by_test_id("asked")).to_contain_text("新任法定代表人任职资格材料及身份证明")
    upload(page, "新任法定代表人任职资格材料及身份证明", "身份证明-清晰.pdf")
    page.get_by_test_id("step-resubmit").click()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED

    # The bureau accepts and approves.
    log_in(page, base, "bureau")
    page.goto(f"{base}/affairs/{filing.pk}/")
    page.get_by_test_id("step-accept").click()
    page.get_by_test_id("step-approve").click()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DONE
    page.screenshot(path="var/screenshots/affairs-change.png", full_page=True)

    # The acceptance notice downloads and names the organization.
    with page.expect_download() as download:
        page.get_by_test_id("document-acceptance").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert org.name in text and "受理通知书" in text

    # The registry shows the new representative, with history pointing at the filing.
    page.goto(f"{base}/registry/{org.pk}/")
    expect(page.locator("#record-facts")).to_contain_text("李四")
    expect(page.locator("#change-history")).to_contain_text(f"filing:{filing.number}")
    assert Organization.objects.get(pk=org.pk).legal_representative == "李四"


def test_annual_report_and_result(page: Page, live_server, users, orgs):
    base = live_server.url
    log_in(page, base, "org_a")
    page.goto(f"{base}/affairs/new/annual-report/")
    page.fill("#id_year", "2025")
    page.fill("#id_activities", "全年开展助老服务120次")
    page.click("button[type=submit]")
    upload(page, "年度工作报告书", "年度工作报告.pdf")
    upload(page, "年度财务审计报告", "审计报告.pdf")
    page.get_by_test_id("step-submit").click()
    filing = Filing.objects.get(organization=orgs.reg_a)
    assert filing.status == FilingStatus.SUBMITTED, page.locator(".messages").inner_text()

    log_in(page, base, "bureau")
    page.goto(f"{base}/affairs/{filing.pk}/")
    page.get_by_test_id("step-accept").click()
    page.locator("select[name=approve-result]").select_option("合格")
    page.get_by_test_id("step-approve").click()
    expect(page.get_by_test_id("decision-1")).to_have_text("合格")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DONE and filing.decision_data["result"] == "合格"
    page.screenshot(path="var/screenshots/affairs-annual.png", full_page=True)
