"""API endpoints of this section, mounted under /api/v1/activities/."""

urlpatterns: list = []
