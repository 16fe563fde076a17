from django.urls import path

from shezhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.public_list, name="public"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.place_new, name="new"),
    path("staff/<int:pk>/", views.place_edit, name="edit"),
    path("party/<int:pk>/", views.party_record, name="party"),
]
