"""Shared fixtures: the area tree of one city with two towns, and a named user per role.

town_a / community_a1 belong to the first town; town_b to the second. Tests of forbidden
access use a user of one area against the data of another.
"""

from __future__ import annotations

import os
import shutil

import pytest

from shezhi.accounts.models import Role, User
from shezhi.areas.models import AreaKind
from shezhi.testing import make_area, make_filed, make_registered

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def areas(db):
    province = make_area("330000", "浙江省", AreaKind.PROVINCE)
    city = make_area("330482", "平湖市", AreaKind.CITY, province, population=680000)
    town_a = make_area("330482001", "当湖街道", AreaKind.STREET, city, population=150000)
    town_b = make_area("330482101", "乍浦镇", AreaKind.TOWN, city, population=75000)
    community_a1 = make_area("330482001001", "东湖社区", AreaKind.URBAN, town_a, population=8000)
    community_a2 = make_area("330482001201", "虹霓村", AreaKind.RURAL, town_a, population=3000)
    community_b1 = make_area("330482101001", "乍浦社区", AreaKind.URBAN, town_b, population=6000)
    other_city = make_area("330481", "海宁市", AreaKind.CITY, province, population=1000000)
    other_town = make_area("330481001", "硖石街道", AreaKind.STREET, other_city, population=100000)
    return type(
        "Areas",
        (),
        dict(
            province=province,
            city=city,
            town_a=town_a,
            town_b=town_b,
            community_a1=community_a1,
            community_a2=community_a2,
            community_b1=community_b1,
            other_city=other_city,
            other_town=other_town,
        ),
    )


PASSWORD = "pass-Shezhi-2026"  # noqa: S105 (the test accounts' password)


def _user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, display_name=username, **extra)


@pytest.fixture
def orgs(areas):
    """One registered organization and one filed community organization in each town."""
    return type(
        "Orgs",
        (),
        dict(
            reg_a=make_registered(
                town=areas.town_a, name="平湖市当湖养老服务中心", legal_form="social_service_agency", community=areas.community_a1
            ),
            filed_a=make_filed(town=areas.town_a, community=areas.community_a1, name="东湖社区邻里互助会"),
            reg_b=make_registered(town=areas.town_b, name="乍浦镇老年协会"),
            filed_b=make_filed(town=areas.town_b, community=areas.community_b1, name="乍浦社区文体队"),
            reg_other=make_registered(town=areas.other_town, name="海宁市志愿者协会", division="330481"),
        ),
    )


@pytest.fixture
def users(areas, orgs):
    return type(
        "Users",
        (),
        dict(
            bureau=_user("bureau", Role.BUREAU, area=areas.city),
            department=_user("department", Role.DEPARTMENT, area=areas.city),
            town_a=_user("town_a", Role.TOWN, area=areas.town_a),
            town_b=_user("town_b", Role.TOWN, area=areas.town_b),
            community_a1=_user("community_a1", Role.COMMUNITY, area=areas.community_a1),
            org_a=_user("org_a", Role.ORGANIZATION, organization=orgs.reg_a),
            reviewer=_user("reviewer", Role.REVIEWER),
            resident=_user("resident", Role.PUBLIC),
            other_bureau=_user("other_bureau", Role.BUREAU, area=areas.other_city),
        ),
    )


def client_for(client, user):
    client.force_login(user)
    return client


# --- browser journeys -------------------------------------------------------------------


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the log-in page, as a person would (a fresh session each time)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not chromium_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and Debian's chromium is missing: install it with `apt-get install -y chromium fonts-wqy-microhei`")
        pytest.skip("browser tests skipped: Debian's chromium is not installed (apt-get install -y chromium fonts-wqy-microhei)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
