"""API endpoints of this section, mounted under /api/v1/volunteers/."""

from django.urls import path

from shezhi.volunteers.api import CountsView

urlpatterns: list = [
    path("counts/", CountsView.as_view(), name="volunteer-counts"),
]
