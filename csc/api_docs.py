"""What the API documentation says about the API as a whole (its front page and its
resources) and about the customer erasure (csc/api_erasure.py).

`describe_api` is a drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): it
writes the front page of /api/docs/ and the description of each resource's tag.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter

from staffing.api_schema import error_body, operation, refusal, request_body, response_body

FRONT_PAGE = (
    _(
        "The customer-service centre's API, version 1: customers and their contacts, "
        "tickets (inquiries and business orders), complaints, SLA clocks and webhooks. "
        "JSON in and out; times are ISO 8601 with their offset (Asia/Shanghai, +08:00)."
    ),
    _(
        "**Authentication.** Send `Authorization: Token <key>`. A key belongs to an API "
        "client that an administrator creates (`manage.py create_api_client`) and acts as "
        "the client's service user. Every request checks the key, so a revoked, "
        "deactivated or expired key stops working at once. Signed-in staff may call the "
        "API from the browser too (session and CSRF), with their own permissions."
    ),
    _(
        "**Scopes.** Each operation names the scope it needs: `<resource>:read` to read, "
        "`<resource>:write` for the rest, for the resources customers, contacts, tickets, "
        "complaints, sla and webhooks. Complaint tickets under /tickets/ also need "
        "complaints:read to be seen and complaints:write to be changed. A few actions "
        "also ask the service user for a permission; their descriptions say which."
    ),
    _(
        "**Errors.** Every error is JSON of one of two shapes. `Error`: `detail`, a message "
        "in the language of Accept-Language (Chinese unless you ask for `en`), mostly a "
        "stable `code`, and the details of the refused rule. `FieldErrors`: each refused "
        "field with its messages. 400 bad input; 401 no key or a bad one; 403 a missing "
        "scope or permission; 404 no such object, or not one you may see; 409 a stale "
        "version or a move the object's state does not allow; 413 a file too large; 415 a "
        "body of the wrong media type; 422 a reused Idempotency-Key; 429 too many requests "
        "(with Retry-After). No input answers 500. Each operation lists the errors it "
        "answers and when."
    ),
    _(
        "**Versions.** Ticket and complaint writes carry the `version` you read. If the "
        "object changed since, the answer is 409 `stale_version` with `current_version`: "
        "read it again, decide, and retry."
    ),
    _(
        "**Idempotent creates.** POST /customers/, /contacts/, /tickets/, /complaints/ and "
        "/webhooks/ take an `Idempotency-Key` header. A retry with the same key and body "
        "answers with what the first request created (and `Idempotent-Replayed: true`) and "
        "creates nothing; the same key with another body is refused with 422."
    ),
    _(
        "**Pages.** Lists answer `{next, previous, results}`, 50 rows to a page unless "
        "`page_size` asks for up to 200. Follow `next` until it is null. Long lists are "
        "paged by an opaque `cursor` and stay consistent while rows are added; outage "
        "clusters and webhook subscriptions are paged by `page`."
    ),
    _(
        "**Personal data.** Phone, ID and service numbers come masked (138****1234) unless "
        "the service user holds `intake.view_full_personal_data`; every response showing "
        "one in full is recorded. Webhook payloads carry no phone or ID numbers."
    ),
    _(
        "**Rates.** Each client may make 600 requests a minute unless its own rate is set; "
        "searches by phone or ID number have a limit of their own."
    ),
)

RESOURCES = {
    "customers": _(
        "Customers and their services: look up, register, change, and erase on cancellation."
    ),
    "contacts": _(
        "Calls, chats, visits and messages from the channels; they feed the service level."
    ),
    "tickets": _(
        "Inquiries and business orders: open, change, and move through their life by actions."
    ),
    "complaints": _(
        "Complaints, upgraded complaints and appeals: record, handle, compensate, answer the "
        "customer, extend deadlines, and keep the evidence chain."
    ),
    "complaint-clusters": _(
        "Outage clusters: complaints about one fault in one area, answered together."
    ),
    "sla": _("SLA clocks: each deadline of a ticket, its state and its escalations."),
    "webhooks": _("Subscriptions to events, signed deliveries and their log."),
    "metrics": _("The shift dashboard's figures, for the operator's own BI."),
}


def describe_api(result: dict, generator, request, public) -> dict:
    """The front page and the resources' descriptions, in the request's language."""
    result["info"]["description"] = "\n\n".join(str(paragraph) for paragraph in FRONT_PAGE)
    used = {
        tag
        for operations in result["paths"].values()
        for op in operations.values()
        for tag in op.get("tags", [])
    }
    result["tags"] = [
        {"name": name, "description": str(text)} for name, text in RESOURCES.items() if name in used
    ]
    return result


# ---------------------------------------------------------------- customer erasure

ERASURE = {
    "id": 31,
    "customer": 1024,
    "by": 7,
    "at": "2025-06-20T16:45:12+08:00",
    "reason": "客户于 2025-06-18 在营业厅办理销户，书面申请删除个人信息"
    "（申请单号 XH-20250618-0042）",
    "counts": {"contacts": 14, "tickets": 3, "complaints_anonymised": 1, "complaints_kept": 1},
}


def erase_operation(*, payload, output):
    return operation(
        operation_id="customers_erase",
        summary=_("Erase a cancelled customer's personal data"),
        description=_(
            "On the customer's request after cancellation (PIPL Art. 47): the customer and "
            "their contacts and tickets are anonymised now; complaints still within their "
            "retention period keep their content under a pseudonym until retention reaches "
            "them. Every service must be closed and every ticket and complaint finished "
            "first. The answer says who erased, when, why, and how many records changed. "
            "It cannot be undone. The service user needs the permission "
            "`csc.erase_customer`."
        ),
        request=payload,
        responses={201: output},
        errors={
            400: refusal(
                _(
                    "No `reason`; the customer still has services that are not closed "
                    "(`services_open`) or open tickets or complaints (`tickets_open`)."
                ),
                error_body(
                    "ServicesOpen",
                    _("A line is still active"),
                    {
                        "detail": "该客户仍有未关闭的业务：须先销户，才能删除个人信息。",
                        "code": "services_open",
                    },
                ),
                error_body("NoReason", _("No reason given"), {"reason": ["该字段是必填项。"]}),
            ),
            403: refusal(
                _("The service user lacks `csc.erase_customer` (`not_allowed`)."),
                error_body(
                    "NotAllowed",
                    _("A service user without the permission"),
                    {"detail": "只有客服经理可以删除客户的个人信息。", "code": "not_allowed"},
                ),
            ),
            409: refusal(
                _("The customer was erased already (`illegal_transition`)."),
                error_body(
                    "AlreadyErased",
                    _("Erased before"),
                    {"detail": "该客户的个人信息已被删除。", "code": "illegal_transition"},
                ),
            ),
        },
        examples=[
            request_body(
                "Cancellation",
                _("After the customer cancelled every line"),
                {"reason": ERASURE["reason"]},
            ),
            response_body("Erased", _("What was erased"), ERASURE, 201),
        ],
    )


# ---------------------------------------------------------------- shift metrics

SHIFT_METRICS = {
    "scope": {"centre": True, "team_ids": []},
    "taken_at": "2026-03-10T10:40:00+08:00",
    "waiting": [
        {"channel": "hotline", "queue": "general", "count": 4, "longest_wait_seconds": 37},
        {"channel": "hotline", "queue": "vip", "count": 0, "longest_wait_seconds": None},
        {"channel": "online_chat", "queue": "", "count": 2, "longest_wait_seconds": 80},
    ],
    "service_level_today": [
        {
            "queue": "general",
            "offered": 412,
            "answered_in_target": 301,
            "rate": 0.7306,
            "target": 0.7,
            "met": True,
            "answer_seconds": 20,
            "short_abandon_seconds": 5,
        }
    ],
    "intervals": [
        {
            "start": "2026-03-10T10:30:00+08:00",
            "levels": [
                {
                    "queue": "general",
                    "offered": 22,
                    "answered_in_target": 14,
                    "rate": 0.6364,
                    "target": 0.7,
                    "met": False,
                    "answer_seconds": 20,
                    "short_abandon_seconds": 5,
                }
            ],
        }
    ],
    "agents_by_status": [{"status": "available", "count": 7}, {"status": "busy", "count": 12}],
    "open_tickets": [{"team_id": 3, "kind": "inquiry", "count": 41}],
    "sla": {"at_risk": 5, "breached": 1},
    "complaints_today": [{"category": "billing", "tier": "complaint", "count": 3, "major": 1}],
    "csat_today": {
        "answers": 57,
        "satisfied": 53,
        "rate": 0.9298,
        "target_percent": 95,
        "met": False,
    },
    "callbacks": {"open": 12, "due_today": 5, "overdue": 1},
    "staffing": {
        "on_shift": 18,
        "required": 20,
        "by_status": [{"status": "available", "count": 6}, {"status": "busy", "count": 12}],
    },
    "shift": {
        "name": "白班",
        "starts_at": "2026-03-10T08:00:00+08:00",
        "ends_at": "2026-03-10T17:00:00+08:00",
        "service_level": [
            {
                "queue": "general",
                "offered": 301,
                "answered_in_target": 222,
                "rate": 0.7375,
                "target": 0.7,
                "met": True,
                "answer_seconds": 20,
                "short_abandon_seconds": 5,
            }
        ],
    },
}


def shift_metrics_operation(*, output):
    return operation(
        operation_id="metrics_shift",
        summary=_("The shift's figures"),
        description=_(
            "What the shift dashboard shows, as taken now: calls waiting per queue with "
            "the longest wait, the 20-second service level per half hour and for the day "
            "against the targets (DOMAIN.md P-8, K-13), agents per presence status, open "
            "tickets per team and kind, deadlines at risk and breached, complaints "
            "accepted today, today's CSAT against its target, the callbacks due, and the "
            "agents on shift against the forecast's requirement (Erlang C). An "
            "integration with `metrics:read` reads the whole centre, or one team with "
            "`?team=`; a signed-in person reads their own dashboard's scope. The waiting "
            "calls and the service level are the centre's queue in every scope. No "
            "personal data."
        ),
        responses={200: output},
        errors={
            400: refusal(
                _("`team` is not a number."),
                error_body("BadTeam", _("A team by name"), {"team": ["班组请用编号表示。"]}),
            ),
            403: refusal(
                _("A signed-in person asked for a team that is not theirs."),
                error_body(
                    "OtherTeam",
                    _("Another team's figures"),
                    {"detail": "您没有执行该操作的权限。", "code": "permission_denied"},
                ),
            ),
        },
        parameters=[
            OpenApiParameter(
                "team", int, description=_("One team's figures instead of the whole centre.")
            )
        ],
        examples=[response_body("Shift", _("Mid-morning on a busy day"), SHIFT_METRICS)],
    )
