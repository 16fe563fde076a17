"""Journey in a real browser: a resident registers as a volunteer (and gets an account), a
second attempt with the same ID number is led to recovery, and a town officer reveals the
full number on purpose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.conftest import log_in
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.testing import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def fill_registration(page: Page, areas, number: str, username: str) -> None:
    page.fill("#id_name", "陈静")
    page.select_option("#id_id_type", "id_card")
    page.fill("#id_id_number", number)
    page.fill("#id_phone", "13700001111")
    page.select_option("#id_town", str(areas.town_a.pk))
    # htmx loads the town's communities into the next list
    expect(page.locator(f"#id_community option[value='{areas.community_a1.pk}']")).to_be_attached()
    page.select_option("#id_community", str(areas.community_a1.pk))
    page.locator("input[name=availability], select[name=availability]").first.select_option("weekends")
    page.fill("#id_username", username)
    page.fill("#id_password", "Volunteer-2026!x")
    page.fill("#id_password2", "Volunteer-2026!x")
    page.check("#id_agree")


def test_register_duplicate_recover_and_reveal(page: Page, live_server, areas, users):
    SHOTS.mkdir(parents=True, exist_ok=True)
    number = make_id_number(born=dt.date(1992, 3, 4), sequence=77, male=False)

    page.goto(f"{live_server.url}/volunteers/register/")
    expect(page.locator("#account-note")).to_be_visible()
    fill_registration(page, areas, number, "chenjing")
    page.screenshot(path=str(SHOTS / "volunteers-register.png"), full_page=True)
    page.get_by_test_id("register-submit").click()
    expect(page).to_have_url(f"{live_server.url}/volunteers/me/")
    v = Volunteer.objects.get()
    expect(page.get_by_test_id("volunteer-number")).to_have_text(v.volunteer_number)
    expect(page.get_by_test_id("masked-id")).to_have_text(v.masked_id_number)
    assert number not in page.content()
    page.screenshot(path=str(SHOTS / "volunteers-me.png"), full_page=True)

    # Someone (the same person, on a new phone without the old password) registers again.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/volunteers/register/")
    fill_registration(page, areas, number, "chenjing2")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("duplicate")).to_contain_text(v.volunteer_number)
    assert number not in page.content()
    page.screenshot(path=str(SHOTS / "volunteers-duplicate.png"), full_page=True)
    page.get_by_test_id("recover-link").click()
    page.fill("#id_name", "陈静")
    page.fill("#id_id_number", number)
    page.fill("#id_phone", "13700001111")
    page.fill("#id_username", "chenjing2")
    page.fill("#id_password", "Volunteer-2026!x")
    page.fill("#id_password2", "Volunteer-2026!x")
    page.get_by_test_id("recover-submit").click()
    expect(page).to_have_url(f"{live_server.url}/volunteers/me/")
    v.refresh_from_db()
    assert v.user.username == "chenjing2" and Volunteer.objects.count() == 1

    # The town officer opens the record: masked, and the full number only on purpose.
    log_in(page, live_server, "town_a")
    page.goto(f"{live_server.url}/volunteers/{v.pk}/")
    expect(page.get_by_test_id("masked-id")).to_have_text(v.masked_id_number)
    assert number not in page.content()
    page.get_by_test_id("show-id").click()
    expect(page.get_by_test_id("full-id-number")).to_have_text(number)
    page.screenshot(path=str(SHOTS / "volunteers-staff-record.png"), full_page=True)
    assert AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED, actor=users.town_a, target_id=str(v.pk)).exists()

    page.goto(f"{live_server.url}/volunteers/numbers/")
    expect(page.get_by_test_id("counts")).to_contain_text(areas.community_a1.name)
    page.screenshot(path=str(SHOTS / "volunteers-numbers.png"), full_page=True)
