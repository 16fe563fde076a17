from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("shezhi.portal.urls")),
    path("accounts/", include("shezhi.accounts.urls")),
    path("areas/", include("shezhi.areas.urls")),
    path("registry/", include("shezhi.registry.urls")),
    path("jobs/", include("shezhi.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("shezhi.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("affairs/", include("shezhi.affairs.urls")),
    path("notifications/", include("shezhi.notifications.urls")),
    path("verify/", include("shezhi.documents.urls")),
    path("inspection/", include("shezhi.inspection.urls")),
    path("credit/", include("shezhi.credit.urls")),
    path("spotchecks/", include("shezhi.spotchecks.urls")),
    path("complaints/", include("shezhi.complaints.urls")),
    path("charity/", include("shezhi.charity.urls")),
    path("places/", include("shezhi.places.urls")),
    path("volunteers/", include("shezhi.volunteers.urls")),
    path("activities/", include("shezhi.activities.urls")),
    path("targets/", include("shezhi.targets.urls")),
    path("open-data/", include("shezhi.opendata.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = admin.site.site_title = "Shezhi 社治"
