from django.urls import path

from shezhi.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>.<slug:fmt>", views.download, name="download"),
    path("<slug:key>/fields.<slug:fmt>", views.fields, name="fields"),
]
