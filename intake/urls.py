from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("customers/", views.customer_search, name="customer_search"),
    path("customers/new/", views.customer_register, name="customer_register"),
    path("customers/check/<str:field>/", views.customer_field_check, name="customer_field_check"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/history/", views.customer_history, name="customer_history"),
    path("customers/<int:pk>/services/new/", views.customer_service_add, name="service_add"),
    path("customers/reveal/<slug:what>/<int:pk>/", views.reveal, name="reveal"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_record, name="contact_record"),
    path("access-log/", views.access_log, name="access_log"),
]
