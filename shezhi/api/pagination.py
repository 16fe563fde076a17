"""Page-number pagination that refuses malformed page parameters with a 400.

DRF's own class answers `page=0` or `page=abc` with a 404 "Invalid page" and silently
ignores a bad `page_size`; both hide a client's mistake. A page past the end is still a
404: that page does not exist, and the message says which is the last one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

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


class SearchPagination(Pagination):
    """Pages of the public registry search, which counts as the portal does: exactly up to
    a cap (2,000 matches of a text, 10,000 without one), and beyond it `count` is the cap
    and `count_capped` is true. Counting every match of 会 means reading most of the
    registry; nobody pages that far, and the open-data download holds the whole registry.
    """

    def page_params(self, request) -> tuple[int, int]:
        """(page number, page size) of the request, or a 400 naming the bad one."""
        self.request = request
        return self.get_page_number(request, None), self.get_page_size(request)

    def search_response(self, page, data) -> Response:
        """The response for a portal ResultPage (shezhi.portal.selectors) and its serialized rows."""
        if page.number > page.num_pages:
            if page.capped:
                message = _(
                    "Page %(page)d is past the last page this search can reach (%(last)d): it has more than %(cap)s matches. "
                    "Narrow the search with more text or filters, or download the whole registry from /open-data/."
                ) % {"page": page.number, "last": page.num_pages, "cap": f"{page.cap:,}"}
            else:
                message = _("Page %(page)d does not exist (the last page is %(last)d).") % {"page": page.number, "last": page.num_pages}
            raise NotFound(message)
        url = self.request.build_absolute_uri()
        return Response(
            {
                "count": page.total,
                "count_capped": page.capped,
                "next": replace_query_param(url, self.page_query_param, page.number + 1) if page.has_next else None,
                "previous": self._previous(url, page.number) if page.has_previous else None,
                "results": data,
            }
        )

    def _previous(self, url: str, number: int) -> str:
        if number - 1 == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number - 1)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {
            "type": "boolean",
            "example": False,
            "description": "True when there are more matches than `count`, which is then the search's cap.",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response
