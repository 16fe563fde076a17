"""Journey in a real browser: a resident registers as a volunteer, signs up for an activity,
signs in and out with the organizer's codes, the organizer confirms the hours, and the
volunteer downloads a certificate whose text shows the hours.

The clock is not frozen: between sign-in and sign-out the test moves the activity (and the
recorded sign-in) three hours back, as if the afternoon had passed."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from shezhi.activities.models import Activity, HoursRecord, HoursStatus, SignUp
from shezhi.conftest import log_in
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.testing import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_from_registration_to_the_certificate(page: Page, live_server, users, areas, vorg, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    activity = make_activity(title="东湖河道清洁", hours=3, headcount=10, starts_at=timezone.now() + dt.timedelta(days=1))
    id_number = make_id_number(sequence=321, born=dt.date(1988, 3, 2))

    # 1. The resident registers as a volunteer.
    log_in(page, live_server, "resident")
    page.goto(f"{live_server.url}/volunteers/register/")
    page.fill("#id_name", "陈志愿")
    page.fill("#id_id_number", id_number)
    page.select_option("#id_town", label="当湖街道")
    page.fill("#id_phone", "13912345678")
    page.check("#id_agree")
    page.get_by_test_id("register-submit").click()
    expect(page.locator(".messages")).to_be_visible()
    volunteer = Volunteer.objects.get(user=users.resident)
    assert volunteer.name == "陈志愿"

    # 2. They find the activity in the public list and sign up.
    page.goto(f"{live_server.url}/activities/")
    page.get_by_role("link", name="东湖河道清洁").click()
    page.get_by_test_id("signup").click()
    expect(page.get_by_test_id("signup-status")).to_be_visible()
    assert SignUp.objects.get(activity=activity, volunteer=volunteer).status == "confirmed"

    # 3. The activity is about to start: sign in with the code the organizer shows.
    start = timezone.now() + dt.timedelta(minutes=10)
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=3))
    page.reload()
    page.fill("#sign-in-code", activity.sign_in_code)
    page.locator("#sign-in-form button[type=submit]").click()
    expect(page.locator("#sign-out-form")).to_be_visible()
    assert SignUp.objects.get(activity=activity, volunteer=volunteer).signed_in_at is not None
    page.screenshot(path=str(SHOTS / "activities-signed-in.png"), full_page=True)

    # Three hours pass.
    three = dt.timedelta(hours=3)
    Activity.objects.filter(pk=activity.pk).update(starts_at=start - three, ends_at=start)
    signup = SignUp.objects.get(activity=activity, volunteer=volunteer)
    SignUp.objects.filter(pk=signup.pk).update(signed_in_at=signup.signed_in_at - three)

    # 4. Sign out with the sign-out code: 2 h 50 min of service, rounded down to 2.5 h.
    page.reload()
    page.fill("#sign-out-code", activity.sign_out_code)
    page.locator("#sign-out-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("2.5")
    record = HoursRecord.objects.get(volunteer=volunteer)
    assert record.status == HoursStatus.PENDING

    # 5. The organizer (the organization's account) sees the code page and confirms the hours.
    log_in(page, live_server, "org_a")
    page.goto(f"{live_server.url}/activities/manage/")
    page.get_by_role("link", name="东湖河道清洁").click()
    expect(page.get_by_test_id("sign-in-code")).to_have_text(activity.sign_in_code)
    expect(page.locator("#hours-queue")).to_contain_text("陈志愿")
    page.screenshot(path=str(SHOTS / "activities-organizer.png"), full_page=True)
    page.get_by_test_id("confirm-all").click()
    expect(page.locator("#hours-decided")).to_contain_text("陈志愿")
    record.refresh_from_db()
    assert record.status == HoursStatus.CONFIRMED and record.decided_by == users.org_a
    page.goto(f"{live_server.url}/activities/manage/{activity.pk}/show/in/")
    expect(page.get_by_test_id("big-code")).to_have_text(activity.sign_in_code)
    expect(page.locator("svg")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "activities-code.png"), full_page=True)

    # 6. The volunteer sees the confirmed hours and downloads a certificate.
    log_in(page, live_server, "resident")
    page.goto(f"{live_server.url}/volunteers/me/")
    expect(page.get_by_test_id("total-hours")).to_contain_text("2.5")
    page.get_by_test_id("my-hours-link").click()
    expect(page.get_by_test_id("masked-id")).to_have_text(volunteer.masked_id_number)
    page.fill("#id_period_from", (timezone.localdate() - dt.timedelta(days=30)).isoformat())
    page.locator("#certificate-form button[type=submit]").click()
    page.screenshot(path=str(SHOTS / "activities-after-certificate.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("certificate-pdf").first.click()
    page.screenshot(path=str(SHOTS / "activities-my-hours.png"), full_page=True)
    data = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace(" ", "").replace("\n", "")
    assert "志愿服务记录证明" in text and "2.5小时" in text and "陈志愿" in text
    assert volunteer.masked_id_number in text and id_number not in text
