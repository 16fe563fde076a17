"""Included by shezhi/api/urls.py under /api/v1/filings/ (names in the "api" namespace)."""

from django.urls import path

from shezhi.affairs import api

urlpatterns = [
    path("", api.FilingList.as_view(), name="filing-list"),
    path("metrics/", api.FilingMetrics.as_view(), name="filing-metrics"),
    path("<int:pk>/", api.FilingDetail.as_view(), name="filing-detail"),
    path("<int:pk>/steps/<slug:step>/", api.FilingStep.as_view(), name="filing-step"),
]
