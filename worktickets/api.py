"""Tickets API (DESIGN.md §3): list, detail, create, patch and the actions.

Viewsets parse input, call one service and render the result. Writes carry
the `version` the client read; a stale one is a 409 (csc/api.py).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from csc.lib.masking import mask_phone
from csc.lib.paging import ApiCursorPagination
from csc.lib.serializers import (
    ModelSerializer,
    Serializer,
    render_rows,
    written_or_read,
)
from intake.choices import Channel
from intake.models import Contact, Customer
from sla.api import ClockSerializer
from sla.selectors import clocks_for_api
from staffing.api_auth import api_client_of
from staffing.api_fields import ActiveTeamField
from staffing.api_idempotency import IdempotentCreateMixin
from staffing.models import User
from staffing.selectors import default_team_of
from worktickets import api_docs, selectors, services
from worktickets.choices import (
    Priority,
    TicketKind,
)
from worktickets.filters import ProblemFilter, TicketFilter
from worktickets.models import (
    BusinessType,
    InquiryCategory,
    Problem,
    Ticket,
    TicketEvent,
    due_order,
)
from worktickets.reference import category_by_id, inquiry_categories

COMPLAINTS_READ, COMPLAINTS_WRITE = "complaints:read", "complaints:write"

# ---------------------------------------------------------------- fields


@extend_schema_field({"type": "string", "nullable": True})
class CategoryCodeField(serializers.Field):
    """A ticket's inquiry category as its code, named from the tree kept per process."""

    def __init__(self, **kwargs):
        super().__init__(source="category_id", read_only=True, **kwargs)

    def to_representation(self, category_id: int) -> str | None:
        category = category_by_id(category_id)
        return category.code if category is not None else None


class InquiryCategoryField(serializers.SlugRelatedField):
    """An inquiry category by code, looked up in the tree kept per process (no query)."""

    default_error_messages = {
        "does_not_exist": _("Unknown inquiry category “{slug_value}”."),
        "invalid": _("Give the inquiry category's code as a string."),
    }

    def __init__(self, **kwargs):
        # For the schema; validation reads the kept tree.
        super().__init__(slug_field="code", queryset=InquiryCategory.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        category = inquiry_categories.get().by_code.get(data.strip())
        if category is None:
            self.fail("does_not_exist", slug_name="code", slug_value=data)
        return category


# ---------------------------------------------------------------- output


class PersonRefSerializer(Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class TeamRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class CustomerRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    vip_tier = serializers.CharField()
    payment_type = serializers.CharField()
    region = serializers.CharField()

    def get_phone(self, customer: Customer) -> str:
        # Lists never show full numbers; the customer endpoint does, with an audit row.
        return mask_phone(customer.phone)


class TicketListSerializer(ModelSerializer):
    customer = CustomerRefSerializer(allow_null=True)
    team = TeamRefSerializer()
    assignee = PersonRefSerializer(allow_null=True)
    first_contact_agent = PersonRefSerializer()
    business_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    category = CategoryCodeField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "status_category",
            "priority",
            "channel",
            "customer",
            "team",
            "assignee",
            "first_contact_agent",
            "transfer_pending",
            "subject",
            "business_type",
            "category",
            "created_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_due_at",
            "in_escalation_queue",
            "version",
        ]


class MessageSerializer(Serializer):
    """A generated text's message key and parameters (csc.lib.phrases)."""

    key = serializers.CharField()
    params = serializers.DictField()
    context = serializers.CharField(required=False)


class TicketEventSerializer(ModelSerializer):
    actor = PersonRefSerializer(allow_null=True)
    # `body` is the text as written; `text` is it in the request's language (a
    # generated line rendered from `message`, its key and parameters).
    text = serializers.CharField(read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "kind",
            "at",
            "actor",
            "from_status",
            "to_status",
            "body",
            "text",
            "message",
            "is_customer_facing",
            "data",
        ]

    @extend_schema_field(MessageSerializer(allow_null=True))
    def get_message(self, event: TicketEvent) -> dict | None:
        return event.message or None


class TicketDetailSerializer(TicketListSerializer):
    timeline = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    contact = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    caller_number = serializers.SerializerMethodField()

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "description",
            "caller_number",
            "contact",
            "order_details",
            "identity_verified",
            "resolution",
            "rejection_reason",
            "updated_at",
            "timeline",
            "clocks",
            "allowed_actions",
        ]

    def get_caller_number(self, ticket: Ticket) -> str:
        return mask_phone(ticket.caller_number)

    # A ticket just created comes with what its creation wrote (context "timeline"
    # and "clocks"): the answer needs no read back.

    @extend_schema_field(TicketEventSerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> list[dict]:
        rows = written_or_read(self, "timeline", selectors.ticket_timeline, ticket)
        return render_rows(TicketEventSerializer, rows)

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, ticket: Ticket) -> list[dict]:
        rows = written_or_read(self, "clocks", clocks_for_api, ticket)
        return render_rows(ClockSerializer, rows)

    def get_allowed_actions(self, ticket: Ticket) -> list[str]:
        return services.allowed_actions(ticket)


# ---------------------------------------------------------------- input


class TicketCreateSerializer(Serializer):
    kind = serializers.ChoiceField(choices=[TicketKind.INQUIRY, TicketKind.BUSINESS])
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    caller_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    business_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=BusinessType.objects.all(),
        required=False,
        allow_null=True,
    )
    order_details = serializers.DictField(required=False, default=dict)
    team = ActiveTeamField(
        required=False,
        allow_null=True,
        help_text=_(
            "Empty: the calling agent's team, or the API client's default team set in the admin."
        ),
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_(
            "Empty: a ticket an agent opens for their own team is assigned to them; any "
            "other goes to an agent on shift when its team assigns automatically, or "
            "else waits in its team's queue."
        ),
    )
    to_team_queue = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Leave the ticket in its team's queue even when an agent opens it."),
    )
    first_contact_agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, agent__isnull=False),
        required=False,
        allow_null=True,
        help_text=_("For integrations: the agent who took the contact. Defaults to the caller."),
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    category = InquiryCategoryField(
        required=False,
        allow_null=True,
        help_text=_("Inquiries only: the inquiry category's code (SLA policies match on it)."),
    )


class TicketPatchSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)
    subject = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = InquiryCategoryField(
        required=False,
        allow_null=True,
        help_text=_("Inquiries only: the inquiry category's code; null clears it."),
    )


class TicketVersionSerializer(Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The ticket version you read; a stale one gets 409.")
    )


class TicketReplySerializer(TicketVersionSerializer):
    body = serializers.CharField()
    gives_solution = serializers.BooleanField(default=False)


class TicketNoteSerializer(Serializer):
    body = serializers.CharField()


class TicketTransferSerializer(TicketVersionSerializer):
    reason = serializers.CharField()
    team = ActiveTeamField(required=False, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, agent__isnull=False),
        required=False,
        allow_null=True,
    )


class TicketReasonSerializer(TicketVersionSerializer):
    reason = serializers.CharField()


class TicketNoteOptionalSerializer(TicketVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TicketResolveSerializer(TicketVersionSerializer):
    resolution = serializers.CharField()


class BusinessReviewSerializer(TicketNoteOptionalSerializer):
    identity_verified = serializers.BooleanField()


class BusinessChangeOrderSerializer(TicketReasonSerializer):
    order_details = serializers.DictField()


# action name -> (input serializer, service call taking (ticket, user, validated data))
ACTIONS = {
    "accept": (TicketVersionSerializer, lambda t, u, d: services.ticket_accept(t, by=u, **d)),
    "reply": (TicketReplySerializer, lambda t, u, d: services.ticket_reply(t, by=u, **d)),
    "transfer": (TicketTransferSerializer, lambda t, u, d: services.ticket_transfer(t, by=u, **d)),
    "hold": (TicketReasonSerializer, lambda t, u, d: services.ticket_hold(t, by=u, **d)),
    "resume": (TicketNoteOptionalSerializer, lambda t, u, d: services.ticket_resume(t, by=u, **d)),
    "resolve": (TicketResolveSerializer, lambda t, u, d: services.ticket_resolve(t, by=u, **d)),
    "close": (TicketNoteOptionalSerializer, lambda t, u, d: services.ticket_close(t, by=u, **d)),
    "reopen": (TicketReasonSerializer, lambda t, u, d: services.ticket_reopen(t, by=u, **d)),
    "review": (BusinessReviewSerializer, lambda t, u, d: services.business_review(t, by=u, **d)),
    "approve": (
        TicketNoteOptionalSerializer,
        lambda t, u, d: services.business_approve(t, by=u, **d),
    ),
    "reject": (TicketReasonSerializer, lambda t, u, d: services.business_reject(t, by=u, **d)),
    "deliver": (
        TicketNoteOptionalSerializer,
        lambda t, u, d: services.business_deliver(t, by=u, **d),
    ),
    "change_order": (
        BusinessChangeOrderSerializer,
        lambda t, u, d: services.business_change_order(t, by=u, **d),
    ),
    "cancel": (TicketReasonSerializer, lambda t, u, d: services.business_cancel(t, by=u, **d)),
}


# ---------------------------------------------------------------- filters and paging


ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    # Nearest deadline first; tickets without one come last.
    "due": ("due_order", "-priority", "id"),
}


class TicketCursorPagination(ApiCursorPagination):
    orderings = ORDERINGS
    ordering = ORDERINGS["-created_at"]


# ---------------------------------------------------------------- viewset


class _ServiceCreate:
    """Create through the ticket service (the idempotency mixin wraps this)."""

    def create(self, request, *args, **kwargs):
        data = TicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields.get("team") is None:
            # A client's default team, set in the admin; with none, the service asks.
            fields["team"] = default_team_of(api_client_of(request))
        created = services.ticket_create(created_by=request.user, **fields)
        # The creation returns every related row the answer shows: no re-read.
        written = {"timeline": created.timeline, "clocks": created.clocks}
        return Response(
            TicketDetailSerializer(created.ticket, context=written).data,
            status=status.HTTP_201_CREATED,
        )

    def replay_created(self, object_id: int) -> Response:
        return self._detail(Ticket(pk=object_id))


@extend_schema_view(
    **api_docs.ticket_operations(
        row=TicketListSerializer,
        detail=TicketDetailSerializer,
        create=TicketCreateSerializer,
        patch=TicketPatchSerializer,
        note=TicketNoteSerializer,
        event=TicketEventSerializer,
        orderings=list(ORDERINGS),
    )
)
class TicketViewSet(
    IdempotentCreateMixin,
    _ServiceCreate,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    scope_resource = "tickets"
    required_perms = {"read": ["worktickets.view_ticket"], "write": ["worktickets.work_ticket"]}
    filterset_class = TicketFilter
    pagination_class = TicketCursorPagination
    serializer_class = TicketListSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset = Ticket.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        client = api_client_of(self.request)
        if client is not None:
            # Integrations are limited by scope, not by team: a complaint's ticket is
            # read through the complaints scope, whichever endpoint serves it.
            tickets = Ticket.objects.all()
            if not client.has_scope(COMPLAINTS_READ):
                tickets = tickets.exclude(kind=TicketKind.COMPLAINT)
        else:
            tickets = selectors.tickets_visible_to(self.request.user)
        tickets = tickets.select_related(*selectors.LIST_RELATED)
        if self.action == "list":
            tickets = tickets.annotate(due_order=due_order())
        return tickets

    def get_object(self):
        ticket = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            self._check_may_change(ticket)
        return ticket

    def _check_may_change(self, ticket: Ticket) -> None:
        """Changing a complaint's ticket takes what changing the complaint takes: the
        complaints write scope for integrations, handling complaints for people."""
        client = api_client_of(self.request)
        if client is None:
            services.check_may_change(ticket, self.request.user)
        elif ticket.kind == TicketKind.COMPLAINT and not client.has_scope(COMPLAINTS_WRITE):
            self.permission_denied(
                self.request,
                message=_("This API client lacks the scope %(scope)s.")
                % {"scope": COMPLAINTS_WRITE},
            )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        return TicketListSerializer

    def _detail(self, ticket: Ticket) -> Response:
        ticket = Ticket.objects.select_related(*selectors.LIST_RELATED).get(pk=ticket.pk)
        return Response(TicketDetailSerializer(ticket).data)

    def create(self, request, *args, **kwargs):
        if api_client_of(request) is None and not request.user.has_perm("worktickets.add_ticket"):
            self.permission_denied(request, message=_("You may not open tickets."))
        return super().create(request, *args, **kwargs)

    def partial_update(self, request, pk=None):
        ticket = self.get_object()
        data = TicketPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        ticket = services.ticket_update(ticket, by=request.user, version=version, **changes)
        return self._detail(ticket)

    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        ticket = self.get_object()
        data = TicketNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.ticket_add_note(ticket, by=request.user, **data.validated_data)
        return Response(TicketEventSerializer(event).data, status=status.HTTP_201_CREATED)

    def run_action(self, request, name: str) -> Response:
        ticket = self.get_object()
        serializer_class, call = ACTIONS[name]
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = call(ticket, request.user, dict(data.validated_data))
        return self._detail(ticket)


def _make_action(name: str, serializer_class):
    def handler(self, request, pk=None):
        return self.run_action(request, name)

    # The router maps the HTTP method to the attribute of this name.
    handler.__name__ = handler.__qualname__ = name
    handler = action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
    return api_docs.action_operation(
        name, request=serializer_class, response=TicketDetailSerializer
    )(handler)


for _name, (_serializer, _call) in ACTIONS.items():
    setattr(TicketViewSet, _name, _make_action(_name, _serializer))


# ---------------------------------------------------------------- the problem ledger (read)


class TicketRefSerializer(Serializer):
    # A problem's tickets by number and status, never by subject (their visibility is
    # the tickets endpoint's business).
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class ProblemSerializer(ModelSerializer):
    number = serializers.CharField(read_only=True)
    category = CategoryCodeField()
    owner = PersonRefSerializer()
    raised_by = PersonRefSerializer()
    ticket_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "number",
            "title",
            "status",
            "category",
            "owner",
            "review_date",
            "raised_by",
            "raised_at",
            "fixed_at",
            "verified_at",
            "ticket_count",
            "version",
        ]


class ProblemDetailSerializer(ProblemSerializer):
    tickets = serializers.SerializerMethodField()

    class Meta(ProblemSerializer.Meta):
        fields = [
            *ProblemSerializer.Meta.fields,
            "description",
            "root_cause",
            "resolution",
            "tickets",
        ]

    @extend_schema_field(TicketRefSerializer(many=True))
    def get_tickets(self, problem: Problem) -> list[dict]:
        rows = Ticket.objects.filter(problem_links__problem=problem).order_by("pk")
        return render_rows(TicketRefSerializer, rows.only("id", "number", "status"))


class ProblemCursorPagination(ApiCursorPagination):
    ordering = ("-raised_at", "-id")


@extend_schema_view(
    **api_docs.problem_operations(row=ProblemSerializer, detail=ProblemDetailSerializer)
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """问题台账 (DOMAIN.md W-6), read only: problems change on their pages."""

    scope_resource = "problems"
    required_perms = {"read": ["worktickets.view_problem"]}
    filterset_class = ProblemFilter
    pagination_class = ProblemCursorPagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "head", "options"]
    queryset = Problem.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Problem.objects.none()
        return selectors.problem_list().select_related("raised_by")

    def get_serializer_class(self):
        return ProblemDetailSerializer if self.action == "retrieve" else ProblemSerializer


router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("problems", ProblemViewSet, basename="problem")
api_urlpatterns = router.urls
