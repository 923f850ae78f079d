"""REST API for SLA clocks (DESIGN.md §3): `GET /api/v1/sla/clocks/`.

A signed-in person lists and opens the clocks of the tickets they may see
(`visible_clocks`); an integration with the `sla:read` scope, every clock.

`ClockSerializer` is also what the ticket detail embeds:
`ClockSerializer(clocks_for_ticket(ticket), many=True).data`.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from csc.lib.paging import ApiCursorPagination
from csc.lib.serializers import ModelSerializer
from sla import api_docs
from sla.choices import ClockState, Metric
from sla.filters import ClockFilter
from sla.models import Clock, EscalationRecord
from sla.selectors import visible_clocks
from staffing.api_auth import api_client_of


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class EscalationSerializer(ModelSerializer):
    level = serializers.CharField(source="level.name", help_text=_("The ladder step."))

    class Meta:
        model = EscalationRecord
        fields = ["level", "due_at", "recorded_at", "outcome"]


class ClockSerializer(ModelSerializer):
    # Labels from the choices enums: `get_metric_display` builds a dict of every
    # choice, translating each, on every call.
    metric_label = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    policy = serializers.CharField(source="policy_version.policy.name", read_only=True)
    policy_version = serializers.IntegerField(source="policy_version.number", read_only=True)
    calendar = serializers.CharField(source="calendar.name", read_only=True)
    paused_seconds = serializers.SerializerMethodField(
        help_text=_("Working time spent paused, in seconds.")
    )
    lateness_seconds = serializers.SerializerMethodField(
        help_text=_("Met minus due, in seconds: negative when met early; null until met.")
    )
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Clock
        fields = [
            "id",
            "ticket",
            "metric",
            "metric_label",
            "state",
            "state_label",
            "at_risk",
            "policy",
            "policy_version",
            "calendar",
            "started_at",
            "due_at",
            "warn_at",
            "paused_since",
            "paused_seconds",
            "met_at",
            "breached_at",
            "stopped_at",
            "lateness_seconds",
            "escalations",
        ]
        read_only_fields = fields

    def get_metric_label(self, clock: Clock) -> str:
        return _label(Metric, clock.metric)

    def get_state_label(self, clock: Clock) -> str:
        return _label(ClockState, clock.state)

    def get_paused_seconds(self, clock: Clock) -> int:
        return int(clock.paused_total.total_seconds())

    def get_lateness_seconds(self, clock: Clock) -> int | None:
        return None if clock.lateness is None else int(clock.lateness.total_seconds())


class ClockCursorPagination(ApiCursorPagination):
    ordering = ("due_at", "id")


@extend_schema_view(**api_docs.clock_operations(output=ClockSerializer))
class ClockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    scope_resource = "sla"
    required_perms = {"read": ["sla.view_clock"]}
    serializer_class = ClockSerializer
    filterset_class = ClockFilter
    pagination_class = ClockCursorPagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Clock.objects.none()  # schema generation: no request user to scope by
        clocks = Clock.objects.select_related(
            "calendar", "policy_version__policy"
        ).prefetch_related("escalations__level")
        if api_client_of(self.request) is not None:
            return clocks  # an integration with the sla:read scope sees every clock
        return visible_clocks(self.request.user, clocks)

    def retrieve(self, request, pk=None):
        clock = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(clock).data)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sla/clocks", ClockViewSet, basename="sla-clock")

api_urlpatterns = router.urls
