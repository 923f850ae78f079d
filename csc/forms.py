from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csc.choices import ReportKind
from csc.lib.errors import DomainError
from csc.models import Report
from csc.reports import part_label, written_parts
from staffing.models import Team
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


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """A decision taken in the 待我审批 inbox; the service says whether a note is needed."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: the reason is recorded and told to the requester."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def add_domain_error(self, error: DomainError) -> None:
        # A business order's refusal names its "reason": in this form that is the note.
        if "reason" in error.details:
            details = {**error.details}
            details["note"] = details.pop("reason")
            error = DomainError(error.message, code=error.code, details=details)
        super().add_domain_error(error)


class WallboardForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("wallboard", "Name"),
        max_length=100,
        help_text=_("Where the screen hangs, for example “Hotline floor, east wall”."),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("Whole centre"),
    )


class ReportRequestForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    day = forms.DateField(
        label=_("A day of the period"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The report covers the day, week, month, quarter or year holding it."),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Whole centre")
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
        self._teams = teams

    def clean_team(self):
        team = self.cleaned_data.get("team")
        if team is None and len(self._teams) < Team.objects.filter(is_active=True).count():
            # A lead reports on their own team; the centre's report is the managers'.
            raise forms.ValidationError(_("Choose your team."))
        return team


PART_HELP = {
    "analysis": _(
        "What the figures mean: causes, difficult issues from the duty log, what to "
        "improve and the next steps (Q-4)."
    ),
    "background": _("Why this evaluation, and what changed in the period."),
    "method": _("How the service was evaluated: the figures, samples and surveys used."),
    "results": _("What the figures show against the targets."),
    "improvements": _("What to improve, and how."),
    "next_steps": _("Who does what by when, in the next period."),
}


class ReportTextForm(ServiceErrorsMixin, forms.Form):
    """The lead's text for a report: the monthly analysis, or the quarterly or annual
    evaluation's five parts (Q-13), each a field of its own."""

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        for part in written_parts(report):
            self.fields[part] = forms.CharField(
                label=part_label(part),
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 10 if part == "analysis" else 5}),
                help_text=PART_HELP[part],
            )
            self.initial.setdefault(part, getattr(report, part))
