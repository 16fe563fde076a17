"""Helpers for paginated list pages."""

from __future__ import annotations


def query_without(request, *names: str) -> str:
    """The page's query string without the given parameters (e.g. "page"), for links that
    keep the filters but start again at the first page."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
