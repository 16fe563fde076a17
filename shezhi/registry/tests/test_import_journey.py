"""Journey: the bureau imports a spreadsheet with some bad rows in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from shezhi.registry.models import Organization
from shezhi.registry.tests.test_import_support import as_lists, filed_row, make_xlsx, registered_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_uploads_sees_reasons_confirms_and_finds_the_rows(page: Page, live_server, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [
        filed_row(**{"名称": "东湖社区读书会"}),  # row 3
        filed_row(**{"名称": "东湖社区邻里互助会"}),  # row 4: already in the registry
        filed_row(**{"名称": "日期不明的组织", "成立/备案日期": "去年春天"}),  # row 5: no date
        registered_row(7, **{"统一社会信用代码": "52330482MA0000000X"}),  # row 6: bad check character
        registered_row(8),  # row 7
    ]
    path = make_xlsx(tmp_path / "当湖街道社会组织.xlsx", as_lists(rows), title_rows=[["当湖街道社会组织名录"]], trailing_blank=3)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", "pass-Shezhi-2026")
    page.click("button[type=submit]")
    page.click("details[data-menu='registry'] > summary")
    page.click("nav.mainnav a[href='/registry/import/']")
    page.set_input_files("#id_file", str(path))
    page.click("form.form button[type=submit]")

    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    expect(page.locator("#count-valid")).to_have_text("2")
    expect(page.locator("#count-invalid")).to_have_text("3")
    expect(errors.locator('tr[data-row="4"]')).to_contain_text("东湖社区邻里互助会")
    expect(errors.locator('tr[data-row="5"]')).to_contain_text("去年春天")
    expect(errors.locator('tr[data-row="6"]')).to_contain_text("统一社会信用代码")
    expect(errors.locator('tr[data-row="3"]')).to_have_count(0)
    assert not Organization.objects.filter(name="东湖社区读书会").exists()  # nothing written yet
    page.screenshot(path="var/screenshots/import-report.png", full_page=True)

    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#import-result")).to_contain_text("2")
    page.screenshot(path="var/screenshots/import-done.png", full_page=True)
    assert set(Organization.objects.filter(created_by=users.bureau).values_list("name", flat=True)) == {
        "东湖社区读书会",
        "平湖市示范社会服务中心8",
    }

    page.goto(f"{live_server.url}/registry/?q=东湖社区读书会")
    expect(page.locator("#results")).to_contain_text("东湖社区读书会")
