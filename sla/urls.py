from django.urls import path

from sla import views

app_name = "sla"
urlpatterns = [
    path("at-risk/", views.at_risk, name="at_risk"),
]
