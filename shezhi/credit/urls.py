from django.urls import path

from shezhi.credit import views

app_name = "credit"
urlpatterns = [
    path("lists/", views.public_lists, name="lists"),
    path("lists/export/", views.public_lists_export, name="lists_export"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.proposal_detail, name="proposal"),
    path("queue/<int:pk>/confirm/", views.proposal_confirm, name="proposal_confirm"),
    path("queue/<int:pk>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("penalties/", views.penalties, name="penalties"),
    path("penalties/new/", views.penalty_new, name="penalty_new"),
    path("penalties/<int:pk>/", views.penalty_detail, name="penalty"),
    path("penalties/<int:pk>/withdraw/", views.penalty_withdraw, name="penalty_withdraw"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
