"""API endpoints of this section, mounted under /api/v1/charity/."""

from django.urls import path

from shezhi.charity import api

urlpatterns = [
    path("charities/", api.CharityList.as_view(), name="charity-list"),
    path("disclosures/", api.DisclosureList.as_view(), name="charity-disclosure-list"),
]
