from django.urls import path

from shezhi.targets import views, views_export

app_name = "targets"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("area/<int:pk>/", views.area_dashboard, name="area"),
    path("area/<int:pk>/export/", views_export.export, name="export"),
    path("area/<int:pk>/<str:code>/", views.target_detail, name="target"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="new"),
    path("manage/<int:pk>/", views.edit, name="edit"),
]
