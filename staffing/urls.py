from django.urls import path

from staffing import views

# Included under /team/ by csc/urls.py, which also adds the team board
# (`staffing:team_board`): the board shows contact figures staffing may not read.
app_name = "staffing"
urlpatterns = [
    path("status/", views.agent_status, name="agent_status"),
]
