"""Anonymous callers of the public endpoints are rate-limited; staff and logged-in callers are not."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon_rate(settings):
    def set_rate(rate: str | None) -> None:
        rest = dict(django_settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": rate}
        settings.REST_FRAMEWORK = rest

    return set_rate


def test_anonymous_calls_beyond_the_rate_get_429(api, areas, anon_rate):
    anon_rate("3/min")
    for _ in range(3):
        assert api.get("/api/v1/areas/").status_code == 200
    response = api.get("/api/v1/organizations/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert set(response.json()) == {"detail", "errors"}


def test_forged_forwarded_for_does_not_reset_the_count(api, areas, anon_rate):
    anon_rate("2/min")
    for n in range(2):
        assert api.get("/api/v1/areas/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    assert api.get("/api/v1/areas/", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_logged_in_users_are_not_limited_by_the_anonymous_rate(api_as, users, anon_rate):
    anon_rate("1/min")
    client = api_as(users.resident)
    for _ in range(3):
        assert client.get("/api/v1/organizations/").status_code == 200


def test_rate_none_switches_throttling_off(api, areas, anon_rate):
    anon_rate(None)
    for _ in range(5):
        assert api.get("/api/v1/areas/").status_code == 200


def test_default_rate_allows_normal_use(api, areas):
    for _ in range(30):
        assert api.get("/api/v1/areas/").status_code == 200
