"""Journey in a real browser: the bureau opens the targets dashboard, sees the charts drawn
with Chinese labels, drills from the city to a town to the communities below the line,
looks back to a past day, and exports the dashboard as .xlsx."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from shezhi.conftest import log_in
from shezhi.registry.models import HubKind
from shezhi.testing import make_filed, make_registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


@pytest.fixture
def data(areas, users):
    for i in range(5):
        make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2017 + i, 3, 1))
    make_filed(town=areas.town_b, community=areas.community_b1, founded_on=dt.date(2019, 5, 1))
    make_registered(town=areas.town_b, founded_on=dt.date(2018, 1, 1), hub_kind=HubKind.HUB, hub_area=areas.town_b)
    return areas


def test_bureau_drills_down_and_exports(page: Page, live_server, data, users):
    SHOTS.mkdir(parents=True, exist_ok=True)
    areas = data
    log_in(page, live_server, "bureau")
    page.goto(f"{live_server.url}/targets/")
    expect(page.get_by_test_id("targets-city")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("平湖市")
    # Eight community organizations today: six filed here and the fixture's two (filed 2019).
    expect(page.get_by_test_id("actual-T1")).to_have_text("8")
    expect(page.get_by_test_id("met-T1")).to_contain_text("未达标")
    # The charts are drawn: a canvas in each chart, after the script ran.
    expect(page.locator("html[data-charts-ready]")).to_have_count(1)
    expect(page.locator("[data-testid='chart-T1'] canvas")).to_have_count(1)
    expect(page.locator("[data-testid='chart-towns'] canvas")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "targets-city.png"), full_page=True)
    page.locator("[data-testid='chart-T1']").screenshot(path=str(SHOTS / "targets-chart-T1.png"))

    # The towns, ranked; open the first town's view.
    towns = page.get_by_test_id("town-link")
    expect(towns).to_have_count(2)
    page.get_by_role("link", name=areas.town_a.name).first.click()
    expect(page.get_by_test_id("targets-town")).to_be_visible()
    expect(page.get_by_test_id("communities-table")).to_contain_text("东湖社区")
    page.screenshot(path=str(SHOTS / "targets-town.png"), full_page=True)

    # The communities below the line for T3 (rural communities): 虹霓村 has none.
    page.get_by_test_id("below-link-T3").click()
    expect(page.get_by_test_id("below-table")).to_contain_text("虹霓村")
    expect(page.get_by_test_id("below-count")).to_contain_text("1")
    page.screenshot(path=str(SHOTS / "targets-below.png"), full_page=True)

    # Back to the city, as of the end of 2018: the two filed by then, judged against 1,800.
    page.get_by_test_id("area-link").click()
    page.get_by_test_id("city-link").click()
    page.fill("#id_on", "2018-12-31")
    page.get_by_role("button", name="显示").click()
    expect(page.locator("h1")).to_contain_text("2018-12-31")
    expect(page.get_by_test_id("actual-T1")).to_have_text("2")
    expect(page.locator("tr[data-code='T1']")).to_contain_text("1800")

    # Export the whole dashboard as .xlsx.
    page.get_by_test_id("export-xlsx").click()
    expect(page.locator("[data-status='done']")).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert len(book.sheetnames) >= 3
    first = book[book.sheetnames[0]]
    text = " ".join(str(c) for row in first.iter_rows(values_only=True) for c in row if c is not None)
    assert "平湖市" in text and "2018-12-31" in text and "T1" in text


def test_wall_screen_mode(page: Page, live_server, data, users, settings):
    settings.TARGETS_WALL_REFRESH_SECONDS = 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "bureau")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/targets/area/{data.city.pk}/?wall=1")
    expect(page.locator(".targets.wall")).to_be_visible()
    expect(page.locator("html[data-charts-ready]")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "targets-wall.png"))
    # Showing today, the screen reloads itself: a mark left on this page is gone after it.
    page.evaluate("window.__beforeReload = true")
    page.wait_for_function("window.__beforeReload === undefined && document.documentElement.dataset.chartsReady", timeout=20_000)
    expect(page.locator("[data-testid=wall-updated]")).to_be_visible()
