"""One FilterSet for the clock list, used by the API (and any page listing clocks)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sla.choices import OPEN_STATES, ClockState, Metric
from sla.models import Clock

BIGINT_MAX = 2**63 - 1

# `state` takes the clock states plus two views the queue needs.
STATE_CHOICES = [
    *ClockState.choices,
    ("open", _("Open (running, paused or breached)")),
    ("at_risk", _("At risk (open, warned, not yet breached)")),
]


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class ClockFilter(django_filters.FilterSet):
    ticket = IdFilter(label=_("Ticket"), field_name="ticket_id")
    state = django_filters.ChoiceFilter(label=_("State"), choices=STATE_CHOICES, method="by_state")
    metric = django_filters.ChoiceFilter(label=_("Metric"), choices=Metric.choices)
    team = IdFilter(label=_("Team"), field_name="ticket__team_id")
    at_risk = django_filters.BooleanFilter(label=_("At risk"), field_name="at_risk")

    class Meta:
        model = Clock
        fields = ["ticket", "state", "metric", "team", "at_risk"]

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "at_risk":
            return queryset.filter(state__in=OPEN_STATES, at_risk=True).exclude(
                state=ClockState.BREACHED
            )
        return queryset.filter(state=value)
