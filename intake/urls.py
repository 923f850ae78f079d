from django.urls import path
from django.views.generic import TemplateView

app_name = "intake"
urlpatterns = [
    path("customers/", TemplateView.as_view(), name="customer_search"),
    path("contacts/", TemplateView.as_view(), name="contact_list"),
    path("access-log/", TemplateView.as_view(), name="access_log"),
]
