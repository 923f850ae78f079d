"""The API documentation of quality assurance (quality/api.py), applied by its decorators."""

from django.utils.translation import gettext_lazy as _

from staffing.api_schema import error_body, operation, refusal, response_body

LINES = [
    {
        "id": 1,
        "position": 1,
        "name": "服务用语",
        "description": "",
        "weight": "1.00",
        "max_points": 10,
        "is_critical": False,
    },
    {
        "id": 6,
        "position": 6,
        "name": "严重违规（泄露客户信息、辱骂客户）",
        "description": "",
        "weight": "0.00",
        "max_points": 1,
        "is_critical": True,
    },
]
SCORECARD = {
    "id": 1,
    "name": "服务质量评分表",
    "scope": "",
    "ticket_kind": "",
    "is_active": True,
    "versions": [{"id": 1, "number": 1, "effective_from": "2026-01-01", "lines": LINES}],
}
EVALUATION = {
    "id": 311,
    "month": "2026-11",
    "agent": 12,
    "agent_name": "张伟",
    "employee_number": "E00012",
    "team": 3,
    "inspector": 7,
    "scorecard_version": 1,
    "state": "revised",
    "score": "92.00",
    "passed": True,
    "critical_failed": False,
    "submitted_at": "2026-11-12T10:20:00+08:00",
    "respond_by": "2026-11-17T10:20:00+08:00",
    "closed_at": None,
    "scorings": [
        {
            "number": 1,
            "score": "84.00",
            "critical_failed": False,
            "scored_at": "2026-11-12T10:20:00+08:00",
            "note": "",
            "lines": [{"line": 1, "name": "服务用语", "points": 6, "comment": "开场白不完整"}],
        },
        {
            "number": 2,
            "score": "92.00",
            "critical_failed": False,
            "scored_at": "2026-11-13T15:02:00+08:00",
            "note": "复听录音，开场白完整",
            "lines": [{"line": 1, "name": "服务用语", "points": 10, "comment": ""}],
        },
    ],
}


def scorecard_operations(*, output) -> dict:
    return {
        "list": operation(
            summary=_("List scorecards"),
            description=_(
                "Every scorecard with its versions and lines; an evaluation names the "
                "version it was scored on, which never changes."
            ),
            responses={200: output(many=True)},
            examples=[response_body("Scorecard", _("The default P-10 scorecard"), SCORECARD)],
        ),
        "retrieve": operation(
            summary=_("Get a scorecard"),
            description=_("One scorecard with its versions and lines."),
            responses={200: output},
            examples=[response_body("Scorecard", _("The default P-10 scorecard"), SCORECARD)],
        ),
    }


def evaluation_operations(*, output, filters) -> dict:
    return {
        "list": operation(
            summary=_("List evaluations"),
            description=_(
                "Submitted QA evaluations with their scored versions, newest first, paged by "
                "`cursor`; filter by agent (user id), team, month (YYYY-MM) and state. "
                "Integrations see every submitted evaluation; people see their own, their "
                "teams' or (QA) all."
            ),
            parameters=[filters],
            responses={200: output(many=True)},
            errors={
                400: refusal(
                    _("A filter value that is refused (a malformed month, an unknown state)."),
                    error_body(
                        "BadMonth",
                        _("A month that is no month"),
                        {"month": ["请按 YYYY-MM 格式填写月份。"]},
                    ),
                )
            },
            examples=[
                response_body("Revised", _("An evaluation revised after a dispute"), EVALUATION)
            ],
        ),
        "retrieve": operation(
            summary=_("Get an evaluation"),
            description=_(
                "One evaluation with every scored version (the inspector's and any revision)."
            ),
            responses={200: output},
            examples=[
                response_body("Revised", _("An evaluation revised after a dispute"), EVALUATION)
            ],
        ),
    }
