"""Surveys API (DESIGN.md §3): the IVR posts the customer's answer with the link's
token (`surveys:write`); reporting systems read answers (`surveys:read`)."""

from django.urls import path
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from care import api_docs, services
from care.choices import AnsweredVia
from care.models import Survey
from csc.lib.paging import ApiCursorPagination


def _score_field(required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=5, required=required, allow_null=not required
    )


class SurveyAnswerSerializer(serializers.Serializer):
    score = _score_field(required=True)
    attitude = _score_field()
    efficiency = _score_field()
    stability = _score_field()
    after_sales = _score_field()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SurveySerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.number", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "ticket",
            "ticket_kind",
            "channel",
            "tier",
            "team",
            "agent",
            "status",
            "sent_at",
            "answered_at",
            "answered_via",
            "score",
            "attitude",
            "efficiency",
            "stability",
            "after_sales",
            "comment",
        ]
        read_only_fields = fields


class SurveyPagination(ApiCursorPagination):
    ordering = ("-id",)


@extend_schema_view(list=api_docs.list_operation())
class SurveyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Answered surveys, newest first (cursor pages)."""

    scope_resource = "surveys"
    required_perms = {"read": ["care.view_survey"]}
    serializer_class = SurveySerializer
    pagination_class = SurveyPagination

    def get_queryset(self):
        return Survey.objects.filter(answered_at__isnull=False).select_related("ticket")


class SurveyAnswerView(APIView):
    """The IVR's result for a survey offered by SMS link or IVR: once per survey."""

    scope_resource = "surveys"
    required_perms = {"write": ["care.change_survey"]}

    @api_docs.answer_operation(request=SurveyAnswerSerializer, response=SurveySerializer)
    def post(self, request, token: str):
        data = SurveyAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        answer = services.SurveyAnswer(
            score=fields["score"],
            comment=fields.get("comment", ""),
            attitude=fields.get("attitude"),
            efficiency=fields.get("efficiency"),
            stability=fields.get("stability"),
            after_sales=fields.get("after_sales"),
        )
        try:
            survey = services.survey_answer(token, answer, via=AnsweredVia.IVR)
        except services.SurveyRefused as refusal:
            body = {"detail": refusal.message, "code": refusal.code}
            return Response(body, status=refusal.status)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)


router = SimpleRouter(trailing_slash=True)
router.register("surveys", SurveyViewSet, basename="survey")

api_urlpatterns = [
    *router.urls,
    path("surveys/<str:token>/", SurveyAnswerView.as_view(), name="survey-answer"),
]
