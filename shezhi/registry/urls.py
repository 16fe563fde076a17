from django.urls import path

from shezhi.registry import views, views_import

app_name = "registry"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("file/", views.organization_file_view, name="file"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/status/", views.organization_status, name="status"),
    path("<int:pk>/phone/", views.organization_reveal_phone, name="reveal_phone"),
    path("communities/", views.community_options, name="communities"),
    path("import/", views_import.import_start, name="import"),
    path("import/template.<str:fmt>", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_import.import_confirm_view, name="import_confirm"),
]
