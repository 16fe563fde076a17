from django.urls import path

from shezhi.charity import views

app_name = "charity"
urlpatterns = [
    path("", views.charity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("disclosures/", views.staff_disclosures, name="staff_disclosures"),
    path("disclosures/new/", views.disclosure_new, name="disclosure_new"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path("disclosures/<int:pk>/edit/", views.disclosure_edit, name="disclosure_edit"),
    path("disclosures/<int:pk>/publish/", views.disclosure_publish, name="disclosure_publish"),
    path("disclosures/<int:pk>/delete/", views.disclosure_delete, name="disclosure_delete"),
    path("disclosures/<int:pk>/correct/", views.disclosure_correct, name="disclosure_correct"),
    path("disclosures/<int:pk>/attachment/", views.disclosure_attachment, name="disclosure_attachment"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("special-reports/new/", views.special_report_new, name="special_report_new"),
    path("staff/", views.staff_home, name="staff"),
    path("late/", views.late_list, name="late"),
    path("tax/", views.tax_home, name="tax"),
    path("tax/<int:pk>/<int:year>/", views.tax_check_view, name="tax_check"),
]
