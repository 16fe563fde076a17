from django.urls import path

from shezhi.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("export.<str:fmt>", views.area_export, name="export"),
    path("import/", views.area_import, name="import"),
    path("import/confirm/", views.area_import_confirm, name="import_confirm"),
]
