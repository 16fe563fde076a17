from django.urls import path

from shezhi.inspection import views

app_name = "inspection"
urlpatterns = [
    path("not-reported/", views.not_reported, name="not_reported"),
    path("not-reported/export.xlsx", views.not_reported_export, name="not_reported_export"),
    path("organizations/<int:pk>/", views.organization_inspections, name="organization"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/new/", views.rating_new, name="rating_new"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating_detail"),
    path("ratings/<int:pk>/scores/", views.rating_scores, name="rating_scores"),
    path("ratings/<int:pk>/decide/", views.rating_decide_view, name="rating_decide"),
    path("ratings/<int:pk>/cancel/", views.rating_cancel_view, name="rating_cancel"),
    path("ratings/<int:pk>/reviewers/", views.rating_reviewers_view, name="rating_reviewers"),
]
