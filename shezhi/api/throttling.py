"""Rate limits for anonymous callers of the public endpoints.

The rate is read from settings on every request (DRF's own classes copy it once at import),
so a test or the bench can switch it off with REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
{"anon": None} or override_settings, and a deployment can change it without a code change.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from shezhi.audit.middleware import client_ip


class PublicAnonThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        # DRF fixes self.rate in __init__; re-read it so a changed setting applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request) -> str | None:
        # DRF would trust any X-Forwarded-For header, letting a client pick a fresh identity
        # per request; take the address the same way the audit log does.
        return client_ip(request)
