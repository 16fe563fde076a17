"""Page-number pagination that refuses malformed page parameters with a 400.

DRF's own class answers `page=0` or `page=abc` with a 404 "Invalid page" and silently
ignores a bad `page_size`; both hide a client's mistake. A page past the end is still a
404: that page does not exist, and the message says which is the last one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


def _positive_int(raw: str, *, param: str, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        if maximum is None:
            message = _("Must be a whole number of 1 or more, not “%(value)s”.") % {"value": raw[:20]}
        else:
            message = _("Must be a whole number from 1 to %(max)d, not “%(value)s”.") % {"max": maximum, "value": raw[:20]}
        raise ValidationError({param: [message]})
    return value


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = gettext_lazy("Number of results per page (1–100, default 20).")
    invalid_page_message = gettext_lazy("Page {page_number} does not exist ({message}).")

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "":
            return 1
        return _positive_int(raw, param=self.page_query_param)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        return _positive_int(raw, param=self.page_size_query_param, maximum=self.max_page_size)
