"""Form widgets the filters of several apps share."""

from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget


class AnyYesNo(BooleanWidget):
    """django-filter's yes/no choice, whose empty choice means "any", not "unknown" (未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
