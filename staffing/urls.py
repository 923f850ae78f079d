from django.urls import path

from staffing import schedule_views, views

# Included under /team/ by csc/urls.py, which also adds the team board
# (`staffing:team_board`): the board shows contact figures staffing may not read.
app_name = "staffing"
urlpatterns = [
    path("status/", views.agent_status, name="agent_status"),
    path("schedule/", schedule_views.my_schedule, name="my_schedule"),
    path("schedule/feed/", schedule_views.renew_feed, name="renew_feed"),
    path("calendar/<str:token>.ics", schedule_views.calendar_feed, name="calendar_feed"),
]
