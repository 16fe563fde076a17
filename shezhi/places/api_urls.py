"""API endpoints of this section, mounted under /api/v1/places/."""

urlpatterns: list = []
