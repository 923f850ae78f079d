from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search, name="search"),
    path("notices/", views.notices, name="notices"),
    path("notices/latest/", views.latest_notices, name="latest_notices"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("workspace/", views.workspace, name="workspace"),
    path("reviews/", views.reviews_due, name="reviews"),
    path("new/", views.article_new, name="new"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.draft_edit, name="edit"),
    path("<int:pk>/settings/", views.article_settings, name="settings"),
    path("<int:pk>/revise/", views.revision_start, name="revise"),
    path("<int:pk>/retire/", views.article_retire, name="retire"),
    path("<int:pk>/reviewed/", views.review_confirm, name="review_confirm"),
    path("<int:pk>/feedback/<slug:kind>/", views.feedback, name="feedback"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path(
        "<int:pk>/versions/<int:number>/<slug:action>/", views.version_action, name="version_action"
    ),
]
