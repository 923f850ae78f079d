"""The FilterSets of tickets and of the problem ledger, each one for the desk's list
and the API's."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from csc.lib.moments import validate_moment
from csc.lib.widgets import AnyYesNo
from intake.choices import Channel
from sla.models import Clock
from worktickets.choices import (
    STATUS_CATEGORY,
    Priority,
    ProblemStatus,
    StatusCategory,
    TicketKind,
    TicketStatus,
)
from worktickets.models import Problem, Ticket
from worktickets.reference import inquiry_categories


def category_choices() -> list[tuple[str, str]]:
    """Every category by code, retired ones too: old tickets are still found by them."""
    return [(category.code, category.path) for category in inquiry_categories.get().in_order]


class TicketFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=TicketKind.choices)
    # distinct=False: the filters join nothing, and SELECT DISTINCT over every
    # column of the page costs a sort of all matching rows.
    status = filters.MultipleChoiceFilter(
        choices=TicketStatus.choices, distinct=False, method="filter_status"
    )
    status_category = filters.MultipleChoiceFilter(choices=StatusCategory.choices, distinct=False)
    channel = filters.ChoiceFilter(choices=Channel.choices)
    priority = filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    # A top-level code also finds its sub-categories' tickets.
    category = filters.ChoiceFilter(
        label=_("Inquiry category"), choices=category_choices, method="filter_category"
    )
    team = filters.NumberFilter(field_name="team_id")
    assignee = filters.NumberFilter(field_name="assignee_id")
    first_contact_agent = filters.NumberFilter(field_name="first_contact_agent_id")
    customer = filters.NumberFilter(field_name="customer_id")
    number = filters.CharFilter(field_name="number", lookup_expr="iexact")
    created_after = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", validators=[validate_moment]
    )
    created_before = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", validators=[validate_moment]
    )
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("overdue"), widget=AnyYesNo)

    class Meta:
        model = Ticket
        fields = []

    def filter_status(self, queryset, name, value):
        # The category follows from the status; saying so lets PostgreSQL pick the
        # active-queue indexes instead of every ticket the team ever had.
        categories = {STATUS_CATEGORY[status] for status in value}
        return queryset.filter(status__in=value, status_category__in=categories)

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=inquiry_categories.get().ids_under(value))

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.active().filter(sla_due_at__lt=now)
        return queryset.exclude(sla_due_at__lt=now, status_category__in=["open"])


def due_today_bounds() -> tuple:
    """Today in the centre's time zone, as [start, end) moments."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def needing_attention() -> Exists:
    """The ticket has an open deadline at risk or breached (the at-risk list's rule)."""
    return Exists(Clock.objects.needing_attention().filter(ticket_id=OuterRef("pk")))


class QueueFilter(TicketFilter):
    """The desk queues' filters: the API's, and who holds the ticket and how close its
    deadline is, so the figures on the landing pages link to the tickets they count."""

    holder = filters.ChoiceFilter(
        label=_("Holder"),
        choices=[("unassigned", _("Unassigned"))],
        method="filter_holder",
        empty_label=_("Anyone"),
    )
    deadline = filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("attention", _("At risk or breached")), ("today", _("Due today"))],
        method="filter_deadline",
        empty_label=_("Any deadline"),
    )

    def filter_holder(self, queryset, name, value):
        return queryset.filter(assignee__isnull=True) if value == "unassigned" else queryset

    def filter_deadline(self, queryset, name, value):
        if value == "attention":
            return queryset.filter(needing_attention())
        if value == "today":
            start, end = due_today_bounds()
            return queryset.filter(sla_due_at__gte=start, sla_due_at__lt=end)
        return queryset


class ProblemFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=ProblemStatus.choices)
    category = filters.ChoiceFilter(
        label=_("Inquiry category"), choices=category_choices, method="filter_category"
    )
    owner = filters.NumberFilter(field_name="owner_id")
    review = filters.ChoiceFilter(
        label=_("Review"),
        choices=[("due", _("Review date reached"))],
        method="filter_review",
    )

    class Meta:
        model = Problem
        fields = []

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=inquiry_categories.get().ids_under(value))

    def filter_review(self, queryset, name, value):
        # Problems still being worked whose review date has come (复盘).
        return queryset.filter(review_date__lte=timezone.localdate()).exclude(
            status=ProblemStatus.VERIFIED
        )
