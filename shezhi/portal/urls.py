from django.urls import path

from shezhi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/export/", views.export, name="export"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
]
