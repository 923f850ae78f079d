from django.urls import path

from care import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path(
        "customers/<int:customer_pk>/appointments/new/",
        views.appointment_new,
        name="appointment_new",
    ),
    path("callbacks/<int:pk>/outcome/", views.callback_outcome, name="callback_outcome"),
    # The customer's page from the SMS link: public, no login.
    path("s/<str:token>/", views.survey, name="survey"),
]
