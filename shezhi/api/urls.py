from django.urls import include, path, re_path

from shezhi.api import errors, targets, views

app_name = "api"
urlpatterns = [
    path("organizations/", views.OrganizationList.as_view(), name="organization-list"),
    path("organizations/<int:pk>/", views.OrganizationDetail.as_view(), name="organization-detail"),
    path("areas/", views.AreaList.as_view(), name="area-list"),
    path("areas/<str:code>/", views.AreaDetail.as_view(), name="area-detail"),
    path("targets/", targets.TargetsView.as_view(), name="targets"),
    path("staff/organizations/", views.StaffOrganizationList.as_view(), name="staff-organization-list"),
    path("staff/organizations/file/", views.StaffOrganizationFile.as_view(), name="staff-organization-file"),
    path("staff/organizations/<int:pk>/", views.StaffOrganizationDetail.as_view(), name="staff-organization-detail"),
    path("filings/", include("shezhi.affairs.api_urls")),
    path("credit/", include("shezhi.credit.api_urls")),
    path("spotchecks/", include("shezhi.spotchecks.api_urls")),
    path("complaints/", include("shezhi.complaints.api_urls")),
    path("charity/", include("shezhi.charity.api_urls")),
    path("places/", include("shezhi.places.api_urls")),
    path("volunteers/", include("shezhi.volunteers.api_urls")),
    path("activities/", include("shezhi.activities.api_urls")),
    re_path(r"^.*$", errors.not_found),
]
