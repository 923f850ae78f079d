"""Forms of the staffing pages: rosters, leave and swap requests, handover, duty log."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import (
    Agent,
    DutyLogEntry,
    LeaveRequest,
    RosterEntry,
    ShiftPattern,
    ShiftTemplate,
    Team,
)


class AutoAssignmentForm(forms.Form):
    auto_assign = forms.BooleanField(label=_("auto-assignment"), required=False)
    assignment_cap = forms.IntegerField(
        label=_("open tickets per agent"), min_value=1, max_value=200
    )


def auto_assignment_form(team: Team) -> AutoAssignmentForm:
    """The team's switch and cap as they stand, for the team board."""
    return AutoAssignmentForm(
        initial={"auto_assign": team.auto_assign, "assignment_cap": team.assignment_cap}
    )


class RosterCreateForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    month = forms.DateField(
        label=_("month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    pattern = forms.ModelChoiceField(label=_("shift pattern"), queryset=ShiftPattern.objects.all())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ProposeForm(forms.Form):
    """Next month's roster proposed by the solver, for one of the lead's teams."""

    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    pattern = forms.ModelChoiceField(
        label=_("shift pattern"),
        queryset=ShiftPattern.objects.all(),
        help_text=_("Used when next month has no draft yet; a draft keeps its own."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("agent"), queryset=Agent.objects.none())
    day = forms.DateField(
        label=_("day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    template = forms.ModelChoiceField(label=_("shift"), queryset=ShiftTemplate.objects.none())
    reason = forms.CharField(label=_("reason for the change"), required=False, max_length=500)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.filter(team=roster.team).select_related(
            "user"
        )
        self.fields["template"].queryset = ShiftTemplate.objects.filter(pattern=roster.pattern)


class RemoveForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("shift"), queryset=RosterEntry.objects.none())
    reason = forms.CharField(label=_("reason for the change"), required=False, max_length=500)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = roster.entries.select_related("agent__user", "template")


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=LeaveRequest.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SwapForm(forms.Form):
    give = forms.ModelChoiceField(label=_("my shift"), queryset=RosterEntry.objects.none())
    take = forms.ModelChoiceField(
        label=_("colleague's shift (pay-back)"), queryset=RosterEntry.objects.none()
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        upcoming = RosterEntry.objects.filter(
            roster__status="published", starts_at__gt=timezone.now()
        ).select_related("agent__user", "template")
        self.fields["give"].queryset = upcoming.filter(agent=agent).order_by("starts_at")
        self.fields["take"].queryset = (
            upcoming.filter(agent__team=agent.team)
            .exclude(agent=agent)
            .order_by("starts_at", "agent__employee_number")
        )
        self.fields["give"].label_from_instance = _shift_label
        self.fields["take"].label_from_instance = _shift_label


def _shift_label(entry: RosterEntry) -> str:
    start = timezone.localtime(entry.starts_at)
    return f"{start:%m-%d %H:%M} {entry.template.name} · {entry.agent.user.display_name}"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class HandoverForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    shift_ends_at = forms.DateTimeField(
        label=_("shift ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    equipment_status = forms.CharField(
        label=_("equipment status"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    difficult_issues = forms.CharField(
        label=_("difficult issues"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    staff_changes = forms.CharField(
        label=_("staff changes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notices = forms.CharField(
        label=_("notices"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["shift_ends_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class DutyLogForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=DutyLogEntry.Kind.choices)
    text = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
