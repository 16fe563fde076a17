"""API endpoints of this section, mounted under /api/v1/credit/."""

urlpatterns: list = []
