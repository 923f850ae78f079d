"""One FilterSet for the workbench page and the API list."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from complaints.choices import STAGES, Category, ServiceType, Severity, SupportLevel, Tier
from complaints.models import Complaint
from csc.lib.moments import validate_moment
from csc.lib.widgets import AnyYesNo
from intake.choices import Channel, Region
from worktickets.choices import TicketStatus
from worktickets.models import ACTIVE_CATEGORY_VALUES

STAGE_CHOICES = [(stage, TicketStatus(stage).label) for stage in STAGES]


class ComplaintFilter(filters.FilterSet):
    stage = filters.MultipleChoiceFilter(
        field_name="ticket__status", choices=STAGE_CHOICES, label=_("stage")
    )
    category = filters.MultipleChoiceFilter(choices=Category.choices, label=_("category"))
    subcategory = filters.CharFilter(field_name="subcategory__code", label=_("subcategory"))
    severity = filters.MultipleChoiceFilter(choices=Severity.choices, label=_("severity"))
    tier = filters.MultipleChoiceFilter(choices=Tier.choices, label=_("tier"))
    support_level = filters.TypedChoiceFilter(
        choices=SupportLevel.choices, coerce=int, label=_("support level")
    )
    is_major = filters.BooleanFilter(label=_("major complaint"), widget=AnyYesNo)
    channel = filters.ChoiceFilter(field_name="ticket__channel", choices=Channel.choices)
    region = filters.ChoiceFilter(choices=Region.choices, label=_("region"))
    service_type = filters.ChoiceFilter(choices=ServiceType.choices, label=_("affected service"))
    team = filters.NumberFilter(field_name="ticket__team_id", label=_("team"))
    assignee = filters.NumberFilter(field_name="ticket__assignee_id", label=_("assignee"))
    customer = filters.NumberFilter(field_name="ticket__customer_id", label=_("customer"))
    cluster = filters.NumberFilter(field_name="cluster_id", label=_("outage cluster"))
    parent = filters.NumberFilter(field_name="parent_id", label=_("earlier complaint"))
    number = filters.CharFilter(
        field_name="ticket__number", lookup_expr="iexact", label=_("number")
    )
    created_after = filters.IsoDateTimeFilter(
        field_name="ticket__created_at", lookup_expr="gte", validators=[validate_moment]
    )
    created_before = filters.IsoDateTimeFilter(
        field_name="ticket__created_at", lookup_expr="lt", validators=[validate_moment]
    )
    open = filters.BooleanFilter(method="filter_open", label=_("open"), widget=AnyYesNo)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("overdue"), widget=AnyYesNo)
    recurrence = filters.BooleanFilter(
        method="filter_recurrence", label=_("recurrence"), widget=AnyYesNo
    )

    class Meta:
        model = Complaint
        fields = []

    def filter_open(self, queryset, name, value):
        active = {"ticket__status_category__in": ACTIVE_CATEGORY_VALUES}
        return queryset.filter(**active) if value else queryset.exclude(**active)

    def filter_overdue(self, queryset, name, value):
        overdue = {
            "ticket__status_category__in": ACTIVE_CATEGORY_VALUES,
            "ticket__sla_due_at__lt": timezone.now(),
        }
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_recurrence(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=not value)
