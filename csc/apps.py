from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CscConfig(AppConfig):
    name = "csc"
    verbose_name = _("Customer-service centre")
