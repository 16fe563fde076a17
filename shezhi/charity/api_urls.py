"""API endpoints of this section, mounted under /api/v1/charity/."""

urlpatterns: list = []
