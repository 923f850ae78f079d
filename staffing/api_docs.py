"""The API documentation of webhook subscriptions (staffing/api.py), applied by its
decorators."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from staffing.api_schema import error_body, operation, refusal, request_body, response_body

SUBSCRIPTION = {
    "id": 12,
    "url": "https://crm.example.com/csc/webhooks",
    "events": ["ticket.created", "ticket.status_changed", "sla.breached"],
    "is_active": True,
    "created_at": "2025-05-20T09:00:00+08:00",
}
CREATED = {**SUBSCRIPTION, "secret": "whsec_3q8ZlJ0vYdS1rPa4kN7uXcB2mE5tGh9w"}
DELIVERY = {
    "id": "5b0e8d6a-2c1f-4a7e-9f3b-8d4c6e2a1b07",
    "event": "ticket.status_changed",
    "event_id": "c3a1f9e2-7b4d-5e8a-9c0f-1d2e3f4a5b6c",
    "status": "sent",
    "attempts": 2,
    "created_at": "2025-06-03T09:35:42+08:00",
    "next_attempt_at": None,
    "sent_at": "2025-06-03T09:36:45+08:00",
    "last_attempt_at": "2025-06-03T09:36:45+08:00",
    "response_code": 200,
    "response_excerpt": '{"ok":true}',
    "duration_ms": 84,
    "last_error": "",
    "payload": {
        "id": "c3a1f9e2-7b4d-5e8a-9c0f-1d2e3f4a5b6c",
        "event": "ticket.status_changed",
        "occurred_at": "2025-06-03T09:35:42+08:00",
        "data": {
            "ticket": {
                "id": 52731,
                "number": "T20250603-000731",
                "kind": "inquiry",
                "status": "in_progress",
                "status_category": "open",
                "priority": 2,
                "channel": "hotline",
                "customer": 1024,
                "team": 1,
                "assignee": 1,
                "first_contact_agent": 1,
                "created_at": "2025-06-03T09:32:10+08:00",
                "first_response_at": None,
                "resolved_at": None,
                "closed_at": None,
                "sla_due_at": "2025-06-03T09:42:10+08:00",
                "in_escalation_queue": False,
            },
            "from_status": "new",
            "to_status": "in_progress",
            "changed_by": 1,
        },
    },
    "attempt_log": [
        {
            "number": 1,
            "at": "2025-06-03T09:35:43+08:00",
            "url": "https://crm.example.com/csc/webhooks",
            "response_code": 503,
            "response_excerpt": "Service Unavailable",
            "duration_ms": 212,
            "error": "the receiver answered HTTP 503",
        },
        {
            "number": 2,
            "at": "2025-06-03T09:36:45+08:00",
            "url": "https://crm.example.com/csc/webhooks",
            "response_code": 200,
            "response_excerpt": '{"ok":true}',
            "duration_ms": 84,
            "error": "",
        },
    ],
}
PING = {
    **DELIVERY,
    "id": "0d9c7b5a-3e1f-4b2d-8a6c-4f2e1d0c9b8a",
    "event": "ping",
    "event_id": "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
    "status": "pending",
    "attempts": 0,
    "created_at": "2025-06-03T10:00:00+08:00",
    "next_attempt_at": "2025-06-03T10:00:00+08:00",
    "sent_at": None,
    "last_attempt_at": None,
    "response_code": None,
    "response_excerpt": "",
    "duration_ms": None,
    "payload": {
        "id": "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
        "event": "ping",
        "occurred_at": "2025-06-03T10:00:00+08:00",
        "data": {"subscription": 12, "events": SUBSCRIPTION["events"]},
    },
    "attempt_log": [],
}
PRIVATE_ADDRESS = error_body(
    "PrivateAddress",
    _("A receiver on a private network"),
    {"url": ["不能向 10.0.0.5 发送 Webhook：它是（或解析为）环回、私有、链路本地或保留地址。"]},
)
SIGNING = _(
    "Each delivery is a POST with X-CSC-Event, X-CSC-Delivery (the same on every retry: "
    "deduplicate on it), X-CSC-Timestamp and X-CSC-Signature: sha256=<hex HMAC-SHA256 of "
    '"<timestamp>.<body>" with the secret>. The body is {"id", "event", "occurred_at", '
    '"data"} and carries ids, numbers, statuses and deadlines, never phone or ID numbers '
    "nor free text. A receiver that does not answer 2xx within the timeout is retried with "
    "exponential backoff (1, 2, 4 … minutes), up to 8 attempts."
)
SESSIONS = _("A signed-in user: subscriptions belong to API clients and are kept in the admin.")


def subscription_operations(*, output, created, payload, patch, delivery) -> dict:
    """The WebhookSubscriptionViewSet's operations, given its serializers."""
    return {
        "list": operation(
            summary=_("List your webhook subscriptions"),
            description=_(
                "The calling client's subscriptions only, paged by `page`, 50 to a page."
            ),
            responses={200: output(many=True)},
            errors={403: refusal(SESSIONS)},
            examples=[response_body("Subscription", _("A CRM's subscription"), SUBSCRIPTION)],
        ),
        "create": operation(
            summary=_("Subscribe to events"),
            description=format_lazy(
                "{}\n\n{}",
                _(
                    "Subscribes a URL of the calling client to events (at most 20 "
                    "subscriptions a client). The URL must reach a public address, or a "
                    "network the centre allows (WEBHOOK_ALLOWED_NETWORKS); it is checked "
                    "again before every delivery. The answer holds the signing `secret`, "
                    "shown this once: store it."
                ),
                SIGNING,
            ),
            request=payload,
            responses={201: created},
            errors={
                400: refusal(
                    _(
                        "A URL that is not http(s), too long, or at a loopback, private, "
                        "link-local or reserved address (`receiver_refused`); no events or an "
                        "unknown one; the client has 20 subscriptions "
                        "(`too_many_subscriptions`)."
                    ),
                    PRIVATE_ADDRESS,
                    error_body(
                        "UnknownEvent",
                        _("An event that does not exist"),
                        {"events": {"1": ["“ticket.deleted” 不是合法选项。"]}},
                    ),
                ),
                403: refusal(SESSIONS),
            },
            examples=[
                request_body(
                    "Subscribe",
                    _("A CRM subscribes to ticket changes and breaches"),
                    {"url": SUBSCRIPTION["url"], "events": SUBSCRIPTION["events"]},
                ),
                response_body("Subscribed", _("With its secret, shown once"), CREATED, 201),
            ],
        ),
        "retrieve": operation(
            summary=_("Get a webhook subscription"),
            description=_("One of the calling client's subscriptions (never its secret)."),
            responses={200: output},
            errors={403: refusal(SESSIONS)},
            examples=[response_body("Subscription", _("A CRM's subscription"), SUBSCRIPTION)],
        ),
        "partial_update": operation(
            summary=_("Change a webhook subscription"),
            description=_(
                "Change the URL, the events or whether it is active. Pending deliveries go "
                "to the URL in force when they are sent; those of a deactivated "
                "subscription are dropped."
            ),
            request=patch,
            responses={200: output},
            errors={
                400: refusal(_("A refused URL or events, as when subscribing."), PRIVATE_ADDRESS),
                403: refusal(SESSIONS),
            },
            examples=[
                request_body("Pause", _("Stop deliveries for a while"), {"is_active": False}),
                response_body(
                    "Paused", _("The subscription afterwards"), {**SUBSCRIPTION, "is_active": False}
                ),
            ],
        ),
        "destroy": operation(
            summary=_("Delete a webhook subscription"),
            description=_("Deletes it with its delivery log; pending deliveries are not sent."),
            responses={204: None},
            errors={403: refusal(SESSIONS)},
        ),
        "deliveries": operation(
            summary=_("List a subscription's deliveries"),
            description=format_lazy(
                "{}\n\n{}",
                _(
                    "Newest first, 50 to a page (`page_size` up to 200), paged by `cursor`: "
                    "each delivery with its status (pending, sent or failed), the body as "
                    "it was signed and POSTed, and every attempt with the receiver's answer."
                ),
                SIGNING,
            ),
            responses={200: delivery(many=True)},
            errors={403: refusal(SESSIONS)},
            examples=[response_body("Retried", _("Sent on the second attempt"), DELIVERY)],
        ),
        "ping": operation(
            summary=_("Send a test event"),
            description=_(
                "Queues a `ping` delivery to the subscription's URL, signed like any other, "
                "so the receiver can be tested; follow it under deliveries."
            ),
            request=None,
            responses={202: delivery},
            errors={
                400: refusal(
                    _("The subscription is inactive (`subscription_inactive`)."),
                    error_body(
                        "Inactive",
                        _("A paused subscription"),
                        {
                            "detail": "请先启用该订阅，再发送 Ping。",
                            "code": "subscription_inactive",
                        },
                    ),
                ),
                403: refusal(SESSIONS),
            },
            examples=[response_body("Queued", _("The ping, waiting to be sent"), PING, 202)],
        ),
    }
