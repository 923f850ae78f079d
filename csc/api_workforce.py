"""`GET /api/v1/staffing/requirements/`: agents needed per 30-minute interval from the
forecast and Erlang C (csc/workforce.py), for integrations and planning tools."""

import datetime

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csc import workforce
from staffing.api_schema import error_body, operation, refusal, response_body
from staffing.models import Team

MAX_DAYS = 28


class RequirementQuery(serializers.Serializer):
    team = serializers.IntegerField(required=False)
    channel = serializers.CharField(required=False, max_length=20, default="hotline")
    start = serializers.DateField(required=False)
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=7)
    weeks = serializers.IntegerField(min_value=1, max_value=12, default=workforce.DEFAULT_WEEKS)
    shrinkage = serializers.FloatField(
        min_value=0, max_value=0.9, default=workforce.DEFAULT_SHRINKAGE
    )


class IntervalSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    general_volume = serializers.FloatField()
    vip_volume = serializers.FloatField()
    aht_seconds = serializers.FloatField()
    general_agents = serializers.IntegerField()
    vip_agents = serializers.IntegerField()
    agents = serializers.IntegerField()
    basis = serializers.ChoiceField(choices=["weekday", "holiday"])


class RequirementSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True)
    channels = serializers.ListField(child=serializers.CharField())
    start = serializers.DateField()
    days = serializers.IntegerField()
    weeks = serializers.IntegerField()
    shrinkage = serializers.FloatField()
    intervals = IntervalSerializer(many=True)


EXAMPLE = {
    "team": 1,
    "channels": ["hotline"],
    "start": "2026-05-11",
    "days": 1,
    "weeks": 4,
    "shrinkage": 0.3,
    "intervals": [
        {
            "starts_at": "2026-05-11T09:00:00+08:00",
            "general_volume": 100.0,
            "vip_volume": 6.0,
            "aht_seconds": 180.0,
            "general_agents": 19,
            "vip_agents": 3,
            "agents": 22,
            "basis": "weekday",
        }
    ],
}


class RequirementView(APIView):
    scope_resource = "staffing"
    required_perms = {"read": ["staffing.publish_roster"]}

    @operation(
        summary=_("Agents required per interval"),
        description=_(
            "For a team's channels (or one `channel`), for each 30-minute interval from "
            "`start` (default today) for `days` days: the "
            "forecast volume (the same weekday and interval averaged over the last `weeks` "
            "weeks; public holidays from past holidays), the average handling time, and the "
            "people to roster for 70 % of general and 85 % of VIP contacts answered within "
            "20 s (Erlang C), raised by the `shrinkage` share."
        ),
        parameters=[
            OpenApiParameter("team", int, description=_("Size the team's channels.")),
            OpenApiParameter(
                "channel", str, description=_("Without a team: one channel; default hotline.")
            ),
            OpenApiParameter("start", datetime.date),
            OpenApiParameter("days", int, description=_("1 to 28; default 7.")),
            OpenApiParameter("weeks", int, description=_("History weeks, 1 to 12; default 4.")),
            OpenApiParameter("shrinkage", float, description=_("0 to 0.9; default 0.3.")),
        ],
        responses={200: RequirementSerializer},
        errors={
            400: refusal(
                _("A value out of range, or a `team` that does not exist."),
                error_body(
                    "TooManyDays", _("More than 28 days"), {"days": ["请确保该值小于或者等于 28。"]}
                ),
            )
        },
        examples=[response_body("Requirement", _("One interval of a Monday"), EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        query = RequirementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        team = None
        if "team" in params:
            team = Team.objects.filter(pk=params["team"]).first()
            if team is None:
                raise ValidationError({"team": [_("No such team.")]})
        channels = workforce.team_channels(team) if team else [params["channel"]]
        start = params.get("start") or timezone.localdate()
        rows = workforce.requirements(
            channels,
            start=start,
            days=params["days"],
            weeks=params["weeks"],
            shrinkage=params["shrinkage"],
        )
        body = {
            "team": team.pk if team else None,
            "channels": channels,
            "start": start,
            "days": params["days"],
            "weeks": params["weeks"],
            "shrinkage": params["shrinkage"],
            "intervals": [{**row.__dict__, "agents": row.agents} for row in rows],
        }
        return Response(RequirementSerializer(body).data)


api_urlpatterns = [
    path("staffing/requirements/", RequirementView.as_view(), name="staffing-requirements"),
]
