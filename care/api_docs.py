"""The API documentation of surveys (care/api.py), applied by its decorators."""

from django.utils.translation import gettext_lazy as _

from staffing.api_schema import (
    error_body,
    operation,
    refusal,
    request_body,
    response_body,
)

SURVEY = {
    "id": 881,
    "ticket": "T20260310-000123",
    "ticket_kind": "inquiry",
    "channel": "hotline",
    "tier": "gold",
    "team": 3,
    "agent": 17,
    "status": "answered",
    "sent_at": "2026-03-10T15:02:00+08:00",
    "answered_at": "2026-03-10T15:20:41+08:00",
    "answered_via": "ivr",
    "score": 2,
    "attitude": None,
    "efficiency": 1,
    "stability": None,
    "after_sales": None,
    "comment": "",
}
ANSWER = {"score": 2, "efficiency": 1, "comment": ""}


def list_operation() -> dict:
    return operation(
        summary=_("List survey answers"),
        description=_(
            "Answered satisfaction surveys, newest first, in cursor pages: the score "
            "(1-5), the optional dimensions (service attitude, business-handling "
            "efficiency, system stability, after-sales service), the comment, and what "
            "CSAT is cut by (agent, team, channel, ticket kind, tier)."
        ),
        responses={200: None},
        examples=[response_body("Answer", _("A dissatisfied IVR answer"), SURVEY)],
    )


def answer_operation(*, request, response) -> dict:
    return operation(
        summary=_("Record a survey answer from the IVR"),
        description=_(
            "The CTI posts the customer's answer with the token of the survey's link. "
            "A survey is answered once: `404` for a token never sent, `409` for a "
            "survey already answered, `410` for an expired link; nothing is written "
            "then. `400` for a score outside 1 to 5. An answer of 1 or 2 opens a "
            "callback with its own deadline."
        ),
        request=request,
        responses={201: response},
        errors={
            400: refusal(
                _("A score outside 1 to 5."),
                error_body(
                    "BadScore", _("A score of 9"), {"score": ["请确保该值小于或者等于 5。"]}
                ),
            ),
            404: refusal(
                _("No survey was sent with this token."),
                error_body(
                    "UnknownToken",
                    _("A forged token"),
                    {"detail": "该调查链接无效。", "code": "not_found"},
                ),
            ),
            409: refusal(
                _("The survey is already answered."),
                error_body(
                    "Answered",
                    _("A second answer"),
                    {"detail": "该调查已回答，谢谢！", "code": "used"},
                ),
            ),
            410: refusal(
                _("The link has expired."),
                error_body(
                    "Expired",
                    _("An expired link"),
                    {"detail": "该调查链接已过期。", "code": "expired"},
                ),
            ),
        },
        examples=[
            request_body("Answer", _("A dissatisfied answer"), ANSWER),
            response_body("Answered", _("The recorded answer"), SURVEY, status=201),
        ],
    )
