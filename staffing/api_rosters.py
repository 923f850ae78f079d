"""Teams and published rosters for integrations: `/api/v1/teams/` (an integration
must name a team to create a ticket) and `/api/v1/staffing/roster/`."""

import datetime

from django.urls import path
from django.utils import timezone
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
    shifts = RosterShiftSerializer(many=True, source="entries_listed")

    class Meta:
        model = Roster
        fields = ["team", "status", "published_at", "shifts"]
        read_only_fields = fields


class MonthRostersSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM."))
    rosters = RosterSerializer(many=True)


TEAM = {"id": 1, "name": "热线一班", "kind": "hotline", "channels": ["hotline"]}
ROSTERS = {
    "month": "2026-05",
    "rosters": [
        {
            "team": 1,
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
        summary=_("Published rosters of a month"),
        description=_(
            "Who works which shift on which day, per team, for `month` (default this "
            "month); `team` narrows it to one team. Drafts are not shown until the team "
            "lead publishes them."
        ),
        parameters=[
            OpenApiParameter("month", str, description=_("YYYY-MM; default this month.")),
            OpenApiParameter("team", int, description=_("One team's id.")),
        ],
        responses={200: MonthRostersSerializer},
        errors={
            400: refusal(
                _("A malformed `month` or `team`."),
                error_body(
                    "BadMonth", _("A month that is not YYYY-MM"), {"month": ["应为 YYYY-MM。"]}
                ),
            )
        },
        examples=[response_body("Rosters", _("May's rosters"), ROSTERS)],
    )
    def get(self, request: Request) -> Response:
        errors = {}
        month = timezone.localdate().replace(day=1)
        if request.query_params.get("month"):
            try:
                month = datetime.datetime.strptime(request.query_params["month"], "%Y-%m").date()
            except ValueError:
                errors["month"] = [_("Expected YYYY-MM.")]
        team = request.query_params.get("team")
        if team is not None and not team.isdigit():
            errors["team"] = [_("A team id is a number.")]
        if errors:
            raise ValidationError(errors)
        found = Roster.objects.filter(month=month, status=Roster.Status.PUBLISHED)
        if team is not None:
            found = found.filter(team_id=int(team))
        listed = list(found.order_by("team__name"))
        shifts = RosterEntry.objects.filter(roster__in=listed).select_related("agent", "template")
        by_roster: dict[int, list[RosterEntry]] = {roster.pk: [] for roster in listed}
        for entry in shifts.order_by("starts_at", "agent__employee_number"):
            by_roster[entry.roster_id].append(entry)
        for roster in listed:
            roster.entries_listed = by_roster[roster.pk]
        body = {"month": f"{month:%Y-%m}", "rosters": listed}
        return Response(MonthRostersSerializer(body).data)


api_urlpatterns = [
    path("teams/", TeamList.as_view(), name="team-list"),
    path("staffing/roster/", RosterView.as_view(), name="staffing-roster"),
]
