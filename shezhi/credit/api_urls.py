"""API endpoints of this section, mounted under /api/v1/credit/."""

from django.urls import path

from shezhi.credit import api

urlpatterns = [
    path("entries/", api.EntryList.as_view(), name="credit-entry-list"),
]
