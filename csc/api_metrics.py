"""`GET /api/v1/metrics/shift/`: the shift dashboard's figures as JSON for the
operator's own BI, scoped as the dashboard is (csc.dashboard_views.viewer_scope)."""

from django.urls import path
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from csc import api_docs, dashboard
from csc.dashboard import viewer_scope
from csc.dashboard_views import DASHBOARD
from staffing.api_auth import api_client_of


class LevelSerializer(serializers.Serializer):
    queue = serializers.CharField(help_text="general or vip")
    offered = serializers.IntegerField(
        help_text="Calls that entered the human queue, short abandons left out."
    )
    answered_in_target = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Null when no call was offered.")
    target = serializers.FloatField()
    met = serializers.BooleanField(allow_null=True)
    answer_seconds = serializers.IntegerField()
    short_abandon_seconds = serializers.IntegerField(source="abandon_seconds")


class WaitingSerializer(serializers.Serializer):
    channel = serializers.CharField()
    queue = serializers.CharField(help_text="general or vip on the hotline; empty elsewhere")
    count = serializers.IntegerField()
    longest_wait_seconds = serializers.IntegerField(source="longest_seconds", allow_null=True)


class ServiceLevelIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    levels = LevelSerializer(source="level_list", many=True)


class AgentStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class TicketCountSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(source="team.pk", allow_null=True)
    kind = serializers.CharField()
    count = serializers.IntegerField()


class DeadlinesSerializer(serializers.Serializer):
    at_risk = serializers.IntegerField(help_text="Tickets with a deadline at risk or breached.")
    breached = serializers.IntegerField()


class ComplaintCountSerializer(serializers.Serializer):
    category = serializers.CharField()
    tier = serializers.CharField()
    count = serializers.IntegerField()
    major = serializers.IntegerField(help_text="Of which major or critical.")


class CsatSerializer(serializers.Serializer):
    answers = serializers.IntegerField(help_text="Survey answers given today.")
    satisfied = serializers.IntegerField(help_text="Of which 4 or 5 out of 5.")
    rate = serializers.FloatField(allow_null=True)
    target_percent = serializers.IntegerField()
    met = serializers.BooleanField(allow_null=True)


class CallbacksSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    due_today = serializers.IntegerField()
    overdue = serializers.IntegerField()


class StaffingSerializer(serializers.Serializer):
    on_shift = serializers.IntegerField(help_text="Agents of a published roster on shift now.")
    required = serializers.IntegerField(
        allow_null=True, help_text="Agents the forecast needs in this half hour (Erlang C)."
    )
    by_status = AgentStatusSerializer(many=True)


class ShiftSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The shift template running now.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    service_level = LevelSerializer(source="levels", many=True)


class ScopeSerializer(serializers.Serializer):
    centre = serializers.BooleanField(source="is_centre")
    team_ids = serializers.ListField(child=serializers.IntegerField(), source="team_id_list")


class ShiftMetricsSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    taken_at = serializers.DateTimeField()
    waiting = WaitingSerializer(many=True)
    service_level_today = LevelSerializer(source="today", many=True)
    intervals = ServiceLevelIntervalSerializer(many=True)
    agents_by_status = AgentStatusSerializer(source="agent_statuses", many=True)
    open_tickets = TicketCountSerializer(many=True)
    sla = DeadlinesSerializer(source="*")
    complaints_today = ComplaintCountSerializer(many=True)
    csat_today = CsatSerializer()
    callbacks = CallbacksSerializer()
    staffing = StaffingSerializer()
    shift = ShiftSerializer(
        allow_null=True, help_text="Null when no published roster's shift runs now."
    )


class ShiftMetricsView(APIView):
    """The shift dashboard's figures. An integration with `metrics:read` reads the whole
    centre (or `?team=`); a signed-in person reads what their dashboard shows."""

    scope_resource = "metrics"
    required_perms = {"read": [DASHBOARD]}

    @api_docs.shift_metrics_operation(output=ShiftMetricsSerializer)
    def get(self, request) -> Response:
        team = request.query_params.get("team", "")
        if team and not team.isdigit():
            raise serializers.ValidationError({"team": [_("A team is given by its number.")]})
        if api_client_of(request) is not None:
            scope = dashboard.team_scope([int(team)]) if team else dashboard.CENTRE
        else:
            scope = viewer_scope(request.user, team)
        figures = dashboard.shift_figures(scope, with_rows=False)
        return Response(ShiftMetricsSerializer(figures).data)


api_urlpatterns = [
    path("metrics/shift/", ShiftMetricsView.as_view(), name="metrics-shift"),
]
