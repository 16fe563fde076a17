"""Remembers who is acting and from where, so every audit entry can say so.

Services take the acting user explicitly; the client address is a property of the
request, not of the change, so it travels in a context variable instead of through every
service signature.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("shezhi_request", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


def client_ip(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXY_COUNT and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            return hops[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestContext(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
