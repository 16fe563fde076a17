from django.urls import path

from shezhi.spotchecks import views

app_name = "spotchecks"
urlpatterns = [
    # Public: results, pools, redraw.
    path("", views.public_list, name="public_list"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/input.json", views.campaign_input, name="campaign_input"),
    path("pools/", views.pools, name="pools"),
    path("redraw/", views.redraw, name="redraw"),
    # Staff: campaigns, checks, inspectors.
    path("staff/", views.staff_campaigns, name="staff_campaigns"),
    path("staff/new/", views.campaign_new, name="campaign_new"),
    path("staff/campaigns/<int:pk>/", views.staff_campaign, name="staff_campaign"),
    path("staff/campaigns/<int:pk>/draw/", views.campaign_draw, name="campaign_draw"),
    path("staff/campaigns/<int:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("staff/campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("staff/checks/<int:pk>/", views.check_detail, name="check"),
    path("staff/inspectors/", views.inspectors, name="inspectors"),
    path("staff/inspectors/<int:pk>/", views.inspector_detail, name="inspector"),
    path("staff/inspectors/<int:pk>/conflicts/", views.conflict_add, name="conflict_add"),
    path("staff/inspectors/<int:pk>/conflicts/<int:cid>/delete/", views.conflict_delete, name="conflict_delete"),
    # Rectification orders: the bureau, towns (read only), the organization itself.
    path("rectifications/", views.orders, name="orders"),
    path("rectifications/new/", views.order_new, name="order_new"),
    path("rectifications/<int:pk>/", views.order, name="order"),
    path("rectifications/<int:pk>/report/", views.order_report, name="order_report"),
    path("rectifications/<int:pk>/verify/", views.order_verify, name="order_verify"),
    path("rectifications/<int:pk>/reject/", views.order_reject, name="order_reject"),
    path("rectifications/<int:pk>/withdraw/", views.order_withdraw, name="order_withdraw"),
    path("rectifications/<int:pk>/attachment/", views.order_attachment, name="order_attachment"),
    path("rectifications/<int:pk>/document.pdf", views.order_document, name="order_document"),
]
