from django.urls import path

from shezhi.affairs import views

app_name = "affairs"
urlpatterns = [
    path("", views.filing_list, name="list"),
    path("new/", views.procedure_choose, name="new"),
    path("new/<slug:code>/", views.filing_new, name="create"),
    path("metrics/", views.metrics_view, name="metrics"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    path("<int:pk>/edit/", views.filing_edit, name="edit"),
    path("<int:pk>/materials/", views.material_upload, name="upload"),
    path("<int:pk>/materials/<int:mid>/", views.material_download, name="material"),
    path("<int:pk>/materials/<int:mid>/remove/", views.material_delete, name="material_remove"),
    path("<int:pk>/documents/<int:did>/", views.document_download, name="document"),
    path("<int:pk>/step/<slug:step>/", views.filing_step, name="step"),
]
