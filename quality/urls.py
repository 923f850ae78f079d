from django.urls import path

from quality import views

app_name = "quality"
urlpatterns = [
    path("", views.home, name="home"),
    path("worklist/", views.worklist, name="worklist"),
    path("mine/", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("checks/", views.check_rates, name="check_rates"),
    path("summary/", views.summary, name="summary"),
    path("coaching/", views.coaching, name="coaching"),
    path("coaching/<int:pk>/done/", views.coaching_done, name="coaching_done"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("evaluations/<int:pk>/coach/", views.coaching_new, name="coaching_new"),
    path("calibration/", views.calibration_list, name="calibrations"),
    path("calibration/new/", views.calibration_new, name="calibration_new"),
    path("calibration/<int:pk>/", views.calibration_detail, name="calibration"),
    path("calibration/<int:pk>/score/", views.calibration_score, name="calibration_score"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/new/", views.scorecard_new, name="scorecard_new"),
    path("scorecards/<int:pk>/", views.scorecard_edit, name="scorecard"),
    path("evaluations.csv", views.export, name="export"),
    path("evaluations.xlsx", views.export_xlsx, name="export_xlsx"),
    path("samples/<int:pk>/evaluate/", views.sample_start, name="sample_start"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/scorings/", views.evaluation_scorings, name="scorings"),
    path("evaluations/<int:pk>/<slug:action>/", views.evaluation_action, name="action"),
]
