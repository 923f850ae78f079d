from django.urls import path

from staffing import (
    attendance_views,
    handover_views,
    request_views,
    roster_views,
    schedule_views,
    views,
)

# Included under /team/ by csc/urls.py, which also adds the team board
# (`staffing:team_board`): the board shows contact figures staffing may not read.
# The calendar feed is public by its secret address: csc/urls.py names it outside.
app_name = "staffing"
urlpatterns = [
    path("status/", views.agent_status, name="agent_status"),
    path("<int:pk>/auto-assignment/", views.team_auto_assignment, name="team_auto_assignment"),
    path("schedule/", schedule_views.my_schedule, name="my_schedule"),
    path("schedule/feed/", schedule_views.renew_feed, name="renew_feed"),
    path("rosters/", roster_views.roster_list, name="roster_list"),
    path("rosters/propose/", roster_views.roster_propose_next, name="roster_propose_next"),
    path("rosters/<int:pk>/", roster_views.roster_edit, name="roster_edit"),
    path("rosters/<int:pk>/propose/", roster_views.roster_propose, name="roster_propose"),
    path("rosters/<int:pk>/proposal/", roster_views.proposal_progress, name="proposal_progress"),
    path("rosters/<int:pk>/assign/", roster_views.roster_assign, name="roster_assign"),
    path("rosters/<int:pk>/remove/", roster_views.roster_remove, name="roster_remove"),
    path("rosters/<int:pk>/publish/", roster_views.roster_publish, name="roster_publish"),
    path("requests/", request_views.my_requests, name="my_requests"),
    path("requests/leave/", request_views.leave_create, name="leave_create"),
    path("requests/leave/<int:pk>/withdraw/", request_views.leave_withdraw, name="leave_withdraw"),
    path("requests/swap/", request_views.swap_create, name="swap_create"),
    path("requests/swap/<int:pk>/answer/", request_views.swap_answer, name="swap_answer"),
    path("requests/swap/<int:pk>/withdraw/", request_views.swap_withdraw, name="swap_withdraw"),
    path("approvals/", request_views.approvals, name="approvals"),
    path("approvals/leave/<int:pk>/", request_views.leave_decide, name="leave_decide"),
    path("approvals/swap/<int:pk>/", request_views.swap_decide, name="swap_decide"),
    path("handover/", handover_views.handover_page, name="handover"),
    path("handover/write/", handover_views.handover_write, name="handover_write"),
    path(
        "handover/<int:pk>/acknowledge/",
        handover_views.handover_acknowledge,
        name="handover_acknowledge",
    ),
    path("handover/duty-log/", handover_views.duty_log_write, name="duty_log_write"),
    path("attendance/", attendance_views.attendance_list, name="attendance"),
    path(
        "attendance/<int:pk>/decide/",
        attendance_views.attendance_decide,
        name="attendance_decide",
    ),
]
