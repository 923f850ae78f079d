from django.urls import path

from worktickets import macro_views, presence_views, problem_views, queue_tools, views

app_name = "worktickets"
urlpatterns = [
    path("", views.my_queue, name="my_queue"),
    path("team/", views.team_queue, name="team_queue"),
    path("bulk/", queue_tools.queue_bulk, name="queue_bulk"),
    path("bulk/form/", queue_tools.queue_bulk_form, name="queue_bulk_form"),
    path("views/", queue_tools.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", queue_tools.saved_view_delete, name="saved_view_delete"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("escalation/", views.escalation_queue, name="escalation_queue"),
    path("search/", views.search, name="search"),
    path("next/", views.next_ticket, name="next_ticket"),
    path("customer/<int:customer_id>/", views.customer_work, name="customer_work"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("new/caller/", views.caller_lookup, name="caller_lookup"),
    path("new/caller/register/", views.caller_register, name="caller_register"),
    path("new/business-types/", views.business_type_options, name="business_type_options"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/reassign/", views.ticket_reassign, name="ticket_reassign"),
    path("<int:pk>/reveal-caller/", views.reveal_caller, name="reveal_caller"),
    path("<int:pk>/presence/", presence_views.ticket_presence, name="ticket_presence"),
    path("<int:pk>/actions/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("<int:pk>/problems/", problem_views.ticket_problems, name="ticket_problems"),
    path(
        "<int:pk>/problems/raise/",
        problem_views.ticket_problem_raise,
        name="ticket_problem_raise",
    ),
    path("<int:pk>/problems/link/", problem_views.ticket_problem_link, name="ticket_problem_link"),
    path("<int:pk>/macros/", macro_views.macro_picker, name="macro_picker"),
    path("macros/", macro_views.macro_list, name="macro_list"),
    path("macros/new/", macro_views.macro_new, name="macro_new"),
    path("macros/<int:pk>/", macro_views.macro_edit, name="macro_edit"),
    path("macros/<int:pk>/use/", macro_views.macro_use, name="macro_use"),
    path("problems/", problem_views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/advance/", problem_views.problem_advance, name="problem_advance"),
    path("problems/<int:pk>/edit/", problem_views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/link/", problem_views.problem_link, name="problem_link"),
]
