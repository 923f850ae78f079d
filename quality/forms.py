"""The QA lead's scorecard form (issue 17 item 2): the card's name and scope, the
effective date, and its lines as a formset. Fields check their own type and range;
the business rules (at least one scored line, positive weights, distinct names, the
effective date) are quality.services', whose refusals the view puts next to the
fields they name, all at once."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.choices import ScorecardScope
from quality.models import Scorecard
from quality.services import LineSpec


class ScorecardForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("channel"),
        required=False,
        choices=[("", _("Every channel")), *ScorecardScope.choices],
    )
    ticket_kind = forms.ChoiceField(
        label=_("ticket kind"),
        required=False,
        choices=[("", _("Every kind")), *Scorecard._meta.get_field("ticket_kind").choices],
    )
    effective_from = forms.DateField(
        label=_("effective from"),
        # ISO, whatever the language: a browser's date input drops the Chinese
        # format's 2026/12/01 and would post the field empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Contacts from this day on are scored on this version."),
    )


class LineForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("weight"), max_digits=6, decimal_places=2, min_value=0, initial=Decimal("1")
    )
    max_points = forms.IntegerField(
        label=_("maximum points"), min_value=1, max_value=1000, initial=10
    )
    is_critical = forms.BooleanField(label=_("critical"), required=False)

    def spec(self) -> LineSpec:
        data = self.cleaned_data
        return LineSpec(
            name=data["name"].strip(),
            description=data.get("description", ""),
            weight=data["weight"],
            max_points=data["max_points"],
            is_critical=data.get("is_critical", False),
        )


LineFormSet = forms.formset_factory(LineForm, extra=2, can_delete=True, max_num=50)


def line_initial(version) -> list[dict]:
    """The lines of a version as the formset's initial rows."""
    return [
        {
            "name": line.name,
            "description": line.description,
            "weight": line.weight,
            "max_points": line.max_points,
            "is_critical": line.is_critical,
        }
        for line in version.lines.all()
    ]
