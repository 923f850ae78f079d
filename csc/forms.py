from django import forms
from django.utils.translation import gettext_lazy as _

from worktickets.forms import ServiceErrorsMixin


class CustomerEraseForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the account cancellation and the customer's request."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the customer's personal data cannot be restored."),
        required=True,
    )
