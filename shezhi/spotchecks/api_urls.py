"""API endpoints of this section, mounted under /api/v1/spotchecks/ (names in the "api" namespace)."""

from django.urls import path

from shezhi.spotchecks import api

urlpatterns = [
    path("campaigns/", api.CampaignList.as_view(), name="spotcheck-campaign-list"),
    path("campaigns/<int:pk>/", api.CampaignDetail.as_view(), name="spotcheck-campaign-detail"),
]
