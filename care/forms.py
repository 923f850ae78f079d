"""Care's forms: what an agent types to book a VIP appointment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from care.choices import AppointmentPlace
from csc.lib.moments import validate_moment
from worktickets.forms import ServiceErrorsMixin

DURATIONS = [(15, _("15 minutes")), (30, _("30 minutes")), (60, _("1 hour")), (120, _("2 hours"))]


class AppointmentForm(ServiceErrorsMixin, forms.Form):
    slot_start = forms.DateTimeField(
        label=_("Slot starts"),
        validators=[validate_moment],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration = forms.TypedChoiceField(
        label=_("Slot length"), choices=DURATIONS, coerce=int, initial=30
    )
    place = forms.ChoiceField(
        label=_("Where"),
        choices=AppointmentPlace.choices,
        widget=forms.RadioSelect,
        initial=AppointmentPlace.HALL,
    )
    hall = forms.CharField(
        label=_("Business hall"),
        max_length=100,
        required=False,
        help_text=_("For a hall visit: the hall where the customer is expected."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
