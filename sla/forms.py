from django import forms
from django.utils.translation import gettext_lazy as _

from sla.choices import Metric
from staffing.models import Team


class AttentionFilterForm(forms.Form):
    """Filters of the at-risk and breached list; teams limited to those the user sees."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    metric = forms.ChoiceField(
        label=_("Metric"), choices=[("", _("All metrics")), *Metric.choices], required=False
    )
    breached_only = forms.BooleanField(label=_("Breached only"), required=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.all()
