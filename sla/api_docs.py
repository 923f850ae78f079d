"""The API documentation of SLA clocks (sla/api.py), applied by its decorators."""

from django.utils.translation import gettext_lazy as _

from staffing.api_schema import error_body, operation, refusal, response_body

BREACHED = {
    "id": 88106,
    "ticket": 52744,
    "metric": "first_response",
    "metric_label": "首次响应",
    "state": "breached",
    "state_label": "已超时",
    "at_risk": True,
    "policy": "金卡及以上客户咨询",
    "policy_version": 3,
    "calendar": "24×7",
    "started_at": "2025-06-03T10:02:00+08:00",
    "due_at": "2025-06-03T10:12:00+08:00",
    "warn_at": "2025-06-03T10:07:00+08:00",
    "paused_since": None,
    "paused_seconds": 0,
    "met_at": None,
    "breached_at": "2025-06-03T10:12:00+08:00",
    "stopped_at": None,
    "lateness_seconds": None,
    "escalations": [
        {
            "level": "临近超时：提醒处理人",
            "due_at": "2025-06-03T10:07:00+08:00",
            "recorded_at": "2025-06-03T10:07:12+08:00",
            "outcome": "done",
        },
        {
            "level": "超时：通知班长并提升优先级",
            "due_at": "2025-06-03T10:12:00+08:00",
            "recorded_at": "2025-06-03T10:12:09+08:00",
            "outcome": "done",
        },
    ],
}
MET = {
    **BREACHED,
    "id": 88131,
    "ticket": 52790,
    "metric": "closure",
    "metric_label": "问题闭环",
    "state": "met",
    "state_label": "已达成",
    "at_risk": False,
    "policy": "业务办理",
    "calendar": "工作日 8:30–17:30",
    "started_at": "2025-06-03T11:05:00+08:00",
    "due_at": "2025-06-05T11:05:00+08:00",
    "warn_at": "2025-06-04T14:05:00+08:00",
    "paused_seconds": 5400,
    "met_at": "2025-06-04T16:20:00+08:00",
    "breached_at": None,
    "stopped_at": None,
    "lateness_seconds": -67500,
    "escalations": [],
}


def clock_operations(*, output) -> dict:
    """The ClockViewSet's operations, given its serializer."""
    return {
        "list": operation(
            summary=_("List SLA clocks"),
            description=_(
                "One clock per ticket and deadline (first response, initial solution, "
                "closure, business delivery, the complaint stages, evidence, repair), "
                "soonest due first, 50 to a page (`page_size` up to 200), paged by `cursor`. "
                "Filter by ticket, metric, team, `at_risk`, and `state`: running, paused, "
                "breached, met, stopped, or `open` (running, paused or breached) and "
                "`at_risk` (open, warned, not yet breached). An API client sees every clock; "
                "a signed-in person the clocks of the tickets they may see."
            ),
            responses={200: output(many=True)},
            errors={
                400: refusal(
                    _("A filter value that is refused."),
                    error_body(
                        "UnknownState",
                        _("A state that does not exist"),
                        {"state": ["选择一个有效的选项。 late 不在可用的选项中。"]},
                    ),
                )
            },
            examples=[
                response_body("Breached", _("A breached first response, escalated"), BREACHED)
            ],
        ),
        "retrieve": operation(
            summary=_("Get an SLA clock"),
            description=_(
                "The clock with the policy and calendar it runs on, the time it spent paused "
                "(working time), how early or late it was met (`lateness_seconds`, negative "
                "when early) and the escalation steps taken."
            ),
            responses={200: output},
            examples=[
                response_body("Met", _("A closure deadline met early"), MET),
                response_body("Breached", _("A breached first response, escalated"), BREACHED),
            ],
        ),
    }
