from django.urls import path

from shezhi.volunteers import views, views_import

app_name = "volunteers"
urlpatterns = [
    # the person
    path("register/", views.register, name="register"),
    path("recover/", views.recover, name="recover"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/cancel/", views.me_cancel, name="me_cancel"),
    path("communities/", views.community_options, name="communities"),
    # staff
    path("", views.volunteer_list, name="list"),
    path("export/", views.volunteer_export, name="export"),
    path("new/", views.volunteer_new, name="new"),
    path("<int:pk>/", views.volunteer_detail, name="detail"),
    path("<int:pk>/edit/", views.volunteer_edit, name="edit"),
    path("<int:pk>/show-id/", views.volunteer_show_id, name="show_id"),
    path("<int:pk>/show-phone/", views.volunteer_show_phone, name="show_phone"),
    path("<int:pk>/cancel/", views.volunteer_cancel_view, name="cancel"),
    path("<int:pk>/reactivate/", views.volunteer_reactivate_view, name="reactivate"),
    path("<int:pk>/link/", views.volunteer_link_view, name="link"),
    path("<int:pk>/merge/", views.volunteer_merge_view, name="merge"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/<int:pk>/teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("stations/", views.station_list, name="stations"),
    path("stations/<int:pk>/", views.station_edit, name="station_edit"),
    path("numbers/", views.numbers, name="numbers"),
    path("numbers/export/", views.numbers_export, name="numbers_export"),
    path("import/", views_import.import_start, name="import"),
    path("import/template.<str:fmt>", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_import.import_confirm_view, name="import_confirm"),
]
