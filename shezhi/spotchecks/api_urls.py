"""API endpoints of this section, mounted under /api/v1/spotchecks/."""

urlpatterns: list = []
