from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("mine/", views.assigned, name="assigned"),
    path("recorded/", views.recorded, name="recorded"),
    path("leadership/", views.leadership, name="leadership"),
    path("new/", views.complaint_new, name="new"),
    path("new/repair-limit/", views.repair_limit, name="repair_limit"),
    path("new/lookup/", views.intake_lookup, name="intake_lookup"),
    path("new/customer/", views.intake_customer, name="intake_customer"),
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("recurrence/", views.recurrence_report, name="recurrence"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.complaint_action, name="action"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/verify/", views.evidence_chain, name="evidence_chain"),
    path("<int:pk>/evidence/<int:seq>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/archive/", views.complaint_archive, name="archive"),
    path("<int:pk>/reveal/<slug:what>/", views.reveal, name="reveal"),
]
