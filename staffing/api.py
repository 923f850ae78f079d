"""Webhook subscriptions API (DESIGN.md §3): `/api/v1/webhooks/`.

Subscriptions belong to API clients: a client sees and manages only its own
(scopes `webhooks:read` / `webhooks:write`); browser sessions have no client
and manage subscriptions in the admin. The signing secret is in the create
response only. How deliveries are signed and retried: staffing/webhooks.py.
"""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from csc.lib.paging import ApiCursorPagination
from csc.lib.serializers import ModelSerializer, Serializer
from staffing import api_docs, selectors, webhooks
from staffing.api_auth import api_client_of
from staffing.api_idempotency import IdempotentCreateMixin
from staffing.models import (
    SUBSCRIBABLE_EVENT_CHOICES,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

# ---------------------------------------------------------------- output


class WebhookSubscriptionSerializer(ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_CHOICES)
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "created_at"]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        help_text=_(
            "Signs every delivery (X-CSC-Signature). Shown in this response only: store it now."
        )
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookAttemptSerializer(ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "at",
            "url",
            "response_code",
            "response_excerpt",
            "duration_ms",
            "error",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(ModelSerializer):
    id = serializers.UUIDField(source="uuid", help_text=_("Sent as X-CSC-Delivery."))
    event_id = serializers.UUIDField(help_text=_("The body's id: the same for every receiver."))
    status = serializers.ChoiceField(
        source="message.status",
        choices=OutboxMessage.Status.choices,
        help_text=_("pending (will be tried or retried), sent (answered 2xx) or failed."),
    )
    attempts = serializers.IntegerField(source="message.attempts")
    created_at = serializers.DateTimeField(source="message.created_at")
    next_attempt_at = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField(source="message.sent_at", allow_null=True)
    last_error = serializers.CharField(source="message.last_error")
    payload = serializers.SerializerMethodField()
    attempt_log = WebhookAttemptSerializer(source="attempts", many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "sent_at",
            "last_attempt_at",
            "response_code",
            "response_excerpt",
            "duration_ms",
            "last_error",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    def get_next_attempt_at(self, delivery: WebhookDelivery) -> str | None:
        message = delivery.message
        if message.status != OutboxMessage.Status.PENDING:
            return None
        return serializers.DateTimeField().to_representation(message.next_attempt_at)

    def get_payload(self, delivery: WebhookDelivery) -> dict:
        # The body exactly as it is POSTed (and signed).
        return json.loads(delivery.message.body)


# ---------------------------------------------------------------- input


class WebhookSubscriptionInputSerializer(Serializer):
    url = serializers.CharField(
        max_length=500, help_text=_("Where deliveries are POSTed: an http:// or https:// URL.")
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_CHOICES), allow_empty=False
    )
    is_active = serializers.BooleanField(default=True)


class WebhookSubscriptionPatchSerializer(Serializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_CHOICES),
        allow_empty=False,
        required=False,
    )
    is_active = serializers.BooleanField(required=False)


# ---------------------------------------------------------------- viewset


class DeliveryCursorPagination(ApiCursorPagination):
    ordering = ("-id",)


class _ServiceCreate:
    """Create through the service (the idempotency mixin wraps this)."""

    def create(self, request, *args, **kwargs):
        data = WebhookSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = webhooks.webhook_subscription_create(
            api_client_of(request), **data.validated_data
        )
        subscription.secret = secret
        return Response(
            WebhookSubscriptionCreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
        )

    def replay_created(self, object_id: int) -> Response:
        subscription = self.get_queryset().get(pk=object_id)
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data)


@extend_schema_view(
    **api_docs.subscription_operations(
        output=WebhookSubscriptionSerializer,
        created=WebhookSubscriptionCreatedSerializer,
        payload=WebhookSubscriptionInputSerializer,
        patch=WebhookSubscriptionPatchSerializer,
        delivery=WebhookDeliverySerializer,
    )
)
class WebhookSubscriptionViewSet(
    IdempotentCreateMixin,
    _ServiceCreate,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    scope_resource = "webhooks"
    # No permission lets a browser session in: subscriptions belong to API clients.
    required_perms: dict[str, list[str]] = {}
    serializer_class = WebhookSubscriptionSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = WebhookSubscription.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        client = api_client_of(self.request)
        if getattr(self, "swagger_fake_view", False) or client is None:
            return WebhookSubscription.objects.none()
        return selectors.webhook_subscriptions_of(client)

    def partial_update(self, request, pk=None):
        subscription = self.get_object()
        data = WebhookSubscriptionPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhooks.webhook_subscription_update(subscription, **data.validated_data)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    def destroy(self, request, pk=None):
        webhooks.webhook_subscription_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], pagination_class=DeliveryCursorPagination)
    def deliveries(self, request, pk=None):
        deliveries = selectors.webhook_deliveries_of(self.get_object())
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        delivery = webhooks.webhook_ping(self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
api_urlpatterns = router.urls
