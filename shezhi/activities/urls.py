from django.urls import path

from shezhi.activities import views, views_import

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/signup/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/code/<str:direction>/<str:code>/", views.code_link, name="code_link"),
    path("<int:pk>/hours/submit/", views.submit_hours, name="submit_hours"),
    path("me/", views.my_hours, name="my_hours"),
    path("me/certificates/", views.certificate_new, name="certificate_new"),
    path("me/certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    # Organizers
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.activity_new, name="new"),
    path("manage/signatories/", views.issuer_profile, name="issuer"),
    path("manage/<int:pk>/", views.manage, name="manage"),
    path("manage/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("manage/<int:pk>/show/<str:direction>/", views.show_code, name="show_code"),
    path("manage/<int:pk>/qr/<str:direction>.svg", views.qr_svg, name="qr"),
    path("manage/<int:pk>/codes/", views.rotate_codes, name="rotate_codes"),
    path("manage/<int:pk>/recruitment/", views.recruitment, name="recruitment"),
    path("manage/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("manage/<int:pk>/hours/add/", views.add_hours, name="add_hours"),
    path("manage/<int:pk>/hours/confirm-all/", views.confirm_all, name="confirm_all"),
    path("manage/<int:pk>/signups.<str:fmt>", views.export_signups, name="export_signups"),
    path("manage/hours/<int:pk>/confirm/", views.confirm_record, name="confirm"),
    path("manage/hours/<int:pk>/reject/", views.reject_record, name="reject"),
    # Import of service records
    path("import/", views_import.import_start, name="import"),
    path("import/template.<str:fmt>", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_import.import_confirm_view, name="import_confirm"),
]
