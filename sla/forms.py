import re
from datetime import date, timedelta

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


# "2027-02-06 ~ 2027-02-12 春节" or "2027-02-14 春节调休": one day or a range, then a note.
_DAY_LINE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|–|—|\.\.)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*([^\d\s~～至–—.].*)?$"
)
LONGEST_RANGE_DAYS = 31


def _parse_day(text: str, number: int) -> date:
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise forms.ValidationError(
            _("Line %(number)s: %(text)s is not a date."), params={"number": number, "text": text}
        ) from None


def parse_day_lines(text: str) -> dict[date, str]:
    """Days by line, each a date or a range of up to a month, and an optional note."""
    days: dict[date, str] = {}
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _DAY_LINE.match(line)
        if match is None:
            errors.append(
                forms.ValidationError(
                    _(
                        "Line %(number)s: write a date (2027-01-01) or a range "
                        "(2027-02-06 ~ 2027-02-12), then a note."
                    ),
                    params={"number": number},
                )
            )
            continue
        try:
            first = _parse_day(match[1], number)
            last = _parse_day(match[2], number) if match[2] else first
        except forms.ValidationError as error:
            errors.append(error)
            continue
        if not timedelta(0) <= last - first < timedelta(days=LONGEST_RANGE_DAYS):
            errors.append(
                forms.ValidationError(
                    _("Line %(number)s: a range runs forward and spans at most %(most)s days."),
                    params={"number": number, "most": LONGEST_RANGE_DAYS},
                )
            )
            continue
        note = (match[3] or "").strip()[:200]
        for offset in range((last - first).days + 1):
            days[first + timedelta(days=offset)] = note
    if errors:
        raise forms.ValidationError(errors)
    return days


class HolidayEntryForm(forms.Form):
    """A year's public holidays and make-up working days, as the State Council lists them."""

    closed_days = forms.CharField(
        label=_("Public holidays (closed)"),
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "2027-01-01 元旦\n2027-02-06 ~ 2027-02-12 春节"}
        ),
        required=False,
        help_text=_("One line each: a date or a range of dates, then the holiday's name."),
    )
    working_days = forms.CharField(
        label=_("Make-up working days (调休, open)"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2027-02-14 春节调休"}),
        required=False,
        help_text=_("Weekend days worked in exchange for a longer holiday, one line each."),
    )

    def clean_closed_days(self) -> dict[date, str]:
        return parse_day_lines(self.cleaned_data["closed_days"])

    def clean_working_days(self) -> dict[date, str]:
        return parse_day_lines(self.cleaned_data["working_days"])
