from django.urls import path

from shezhi.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("organizations/", views.organization_choices, name="organizations"),
    path("receipt/", views.complaint_receipt, name="receipt"),
    path("track/", views.complaint_track, name="track"),
    path("staff/", views.complaint_list, name="list"),
    path("staff/<int:pk>/", views.complaint_detail, name="detail"),
    path("staff/<int:pk>/step/<str:step>/", views.complaint_step, name="step"),
    path("staff/<int:pk>/reassign/", views.complaint_reassign, name="reassign"),
    path("staff/<int:pk>/contact/", views.complaint_contact, name="contact"),
    path("staff/<int:pk>/attachments/<int:aid>/", views.attachment_download, name="attachment"),
]
