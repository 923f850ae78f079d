"""Quality API (issue 17 item 9; DESIGN.md §3): scorecards and evaluations for a
workforce-management or HR system, read-only, scope `quality:read`.

Integrations see every submitted evaluation; signed-in people see what the QA pages
show them (quality.selectors: agents their own, team leads their teams')."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from csc.lib.paging import ApiCursorPagination
from quality import api_docs, selectors
from quality.choices import EvaluationState
from quality.models import Evaluation, Scorecard, ScorecardLine, ScorecardVersion, Scoring
from staffing.api_auth import api_client_of

VIEW = "quality.view_evaluation"


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScorecardLine
        fields = ["id", "position", "name", "description", "weight", "max_points", "is_critical"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "effective_from", "lines"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(
        read_only=True, help_text=_("hotline, online or walk_in; empty for every channel.")
    )
    ticket_kind = serializers.CharField(
        read_only=True, help_text=_("inquiry, business or complaint; empty for every kind.")
    )
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "name", "scope", "ticket_kind", "is_active", "versions"]
        read_only_fields = fields


class LineScoreOut(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    name = serializers.CharField(source="line.name")
    points = serializers.IntegerField()
    comment = serializers.CharField()


class ScoringSerializer(serializers.ModelSerializer):
    lines = LineScoreOut(source="line_scores", many=True, read_only=True)

    class Meta:
        model = Scoring
        fields = ["number", "score", "critical_failed", "scored_at", "note", "lines"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name", read_only=True)
    employee_number = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    month = serializers.SerializerMethodField()
    scorecard_version = serializers.IntegerField(source="scorecard_version_id")
    scorings = ScoringSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "month",
            "agent",
            "agent_name",
            "employee_number",
            "team",
            "inspector",
            "scorecard_version",
            "state",
            "score",
            "passed",
            "critical_failed",
            "submitted_at",
            "respond_by",
            "closed_at",
            "scorings",
        ]
        read_only_fields = fields

    def _profile(self, evaluation: Evaluation):
        return getattr(evaluation.agent, "agent", None)

    def get_employee_number(self, evaluation: Evaluation) -> str:
        profile = self._profile(evaluation)
        return profile.employee_number if profile else ""

    def get_team(self, evaluation: Evaluation) -> int | None:
        profile = self._profile(evaluation)
        return profile.team_id if profile else None

    def get_month(self, evaluation: Evaluation) -> str:
        return f"{evaluation.month:%Y-%m}"


class EvaluationFilters(serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    team = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
    state = serializers.ChoiceField(choices=EvaluationState.choices, required=False)

    def validate_month(self, value: str) -> date:
        year, month = (int(part) for part in value.split("-"))
        if year < 1:  # "0000-01" has the form but is no month
            raise serializers.ValidationError(_("Give the month as YYYY-MM."))
        return date(year, month, 1)


class EvaluationPagination(ApiCursorPagination):
    ordering = ("-id",)


@extend_schema_view(**api_docs.scorecard_operations(output=ScorecardSerializer))
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    scope_resource = "quality"
    required_perms = {"read": ["quality.view_scorecard"]}
    serializer_class = ScorecardSerializer
    pagination_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.scorecards()


@extend_schema_view(
    **api_docs.evaluation_operations(output=EvaluationSerializer, filters=EvaluationFilters)
)
class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    scope_resource = "quality"
    required_perms = {"read": [VIEW]}
    serializer_class = EvaluationSerializer
    pagination_class = EvaluationPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evaluation.objects.none()
        if api_client_of(self.request) is not None:
            found = Evaluation.objects.exclude(state=EvaluationState.DRAFT)
        else:
            found = selectors.evaluations_visible_to(self.request.user)
        return found.select_related("agent__agent").prefetch_related("scorings__line_scores__line")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = EvaluationFilters(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        given = params.validated_data
        if "agent" in given:
            queryset = queryset.filter(agent_id=given["agent"])
        if "team" in given:
            queryset = queryset.filter(agent__agent__team_id=given["team"])
        if "month" in given:
            queryset = queryset.filter(month=given["month"])
        if "state" in given:
            queryset = queryset.filter(state=given["state"])
        return queryset

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


router = SimpleRouter(trailing_slash=True)
router.register("quality/scorecards", ScorecardViewSet, basename="quality-scorecard")
router.register("quality/evaluations", EvaluationViewSet, basename="quality-evaluation")

api_urlpatterns = router.urls
