from django.urls import path
from django.views.generic import TemplateView

app_name = "staffing"
urlpatterns = [path("", TemplateView.as_view(), name="team_board")]
