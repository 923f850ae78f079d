"""Teams and published rosters for integrations: `/api/v1/teams/` (an integration
must name a team to create a ticket) and `/api/v1/staffing/roster/`."""

import datetime

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from staffing.api_schema import error_body, operation, refusal, response_body
from staffing.models import Roster, RosterEntry, Team


class TeamSerializer(serializers.ModelSerializer):
    channels = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "channels"]
        read_only_fields = fields


class RosterShiftSerializer(serializers.ModelSerializer):
    agent = serializers.IntegerField(source="agent.user_id")
    employee_number = serializers.CharField(source="agent.employee_number")
    shift = serializers.CharField(source="template.name")
    kind = serializers.CharField(source="template.kind")

    class Meta:
        model = RosterEntry
        fields = ["agent", "employee_number", "day", "shift", "kind", "starts_at", "ends_at"]
        read_only_fields = fields


class RosterSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    shifts = RosterShiftSerializer(many=True, source="entries_listed")

    class Meta:
        model = Roster
        fields = ["team", "month", "status", "published_at", "shifts"]
        read_only_fields = fields


TEAM = {"id": 1, "name": "热线一班", "kind": "hotline", "channels": ["hotline"]}
ROSTER = {
    "team": 1,
    "month": "2026-05",
    "status": "published",
    "published_at": "2026-04-25T16:00:00+08:00",
    "shifts": [
        {
            "agent": 7,
            "employee_number": "E00007",
            "day": "2026-05-01",
            "shift": "白班",
            "kind": "day",
            "starts_at": "2026-05-01T08:00:00+08:00",
            "ends_at": "2026-05-01T17:00:00+08:00",
        }
    ],
}


class TeamList(generics.ListAPIView):
    scope_resource = "staffing"
    required_perms = {"read": []}
    serializer_class = TeamSerializer
    queryset = Team.objects.filter(is_active=True).order_by("name")

    @operation(
        summary=_("List teams"),
        description=_(
            "The active teams with their kind and the channels they answer: the team id a "
            "ticket is created for comes from here."
        ),
        responses={200: TeamSerializer(many=True)},
        examples=[response_body("Team", _("The first hotline team"), TEAM)],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class RosterView(APIView):
    scope_resource = "staffing"
    required_perms = {"read": ["staffing.view_roster"]}

    @operation(
        summary=_("A team's published roster for a month"),
        description=_(
            "Who works which shift on which day. Only a published roster is shown; a draft "
            "answers 404 until the team lead publishes it."
        ),
        parameters=[
            OpenApiParameter("team", int, required=True, description=_("The team's id.")),
            OpenApiParameter("month", str, required=True, description=_("YYYY-MM.")),
        ],
        responses={200: RosterSerializer},
        errors={
            400: refusal(
                _("No or a malformed `team` or `month`."),
                error_body(
                    "BadMonth", _("A month that is not YYYY-MM"), {"month": ["应为 YYYY-MM。"]}
                ),
            )
        },
        examples=[response_body("Roster", _("May's roster"), ROSTER)],
    )
    def get(self, request: Request) -> Response:
        errors = {}
        try:
            team = int(request.query_params.get("team", ""))
        except ValueError:
            errors["team"] = [_("A team id is required.")]
        try:
            month = datetime.datetime.strptime(
                request.query_params.get("month", ""), "%Y-%m"
            ).date()
        except ValueError:
            errors["month"] = [_("Expected YYYY-MM.")]
        if errors:
            raise ValidationError(errors)
        roster = Roster.objects.filter(
            team_id=team, month=month, status=Roster.Status.PUBLISHED
        ).first()
        if roster is None:
            raise Http404
        roster.entries_listed = roster.entries.select_related("agent", "template").order_by(
            "starts_at", "agent__employee_number"
        )
        return Response(RosterSerializer(roster).data)


api_urlpatterns = [
    path("teams/", TeamList.as_view(), name="team-list"),
    path("staffing/roster/", RosterView.as_view(), name="staffing-roster"),
]
