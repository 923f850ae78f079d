"""Complaints API (DESIGN.md §3): list, detail, create, the actions, evidence and its
chain, outage clusters and the recurrence rate.

Viewsets parse input, call one service and render the result. Writes carry the
ticket `version` the client read; a stale one is a 409 (csc/api.py). An
action's response is the complaint that carries the case afterwards (after an
upgrade, the new upgraded complaint).
"""

from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from complaints import actions, api_docs, deadlines, selectors, services
from complaints.choices import (
    Action,
    Category,
    CompensationKind,
    Decision,
    DissatisfiedNext,
    EscalationKind,
    EvidenceKind,
    ExtensionMetric,
    FeedbackChannel,
    ServiceType,
    Severity,
    Tier,
)
from complaints.evidence import (
    evidence_add,
    evidence_max_bytes,
    evidence_too_large,
    evidence_verify,
)
from complaints.filters import ComplaintFilter
from complaints.models import (
    Compensation,
    Complaint,
    DeadlineExtension,
    Evidence,
    OutageCluster,
    Subcategory,
)
from csc.lib.masking import mask_phone
from csc.lib.moments import validate_moment
from csc.lib.paging import ApiCursorPagination
from csc.lib.parsers import JSONParser, MultiPartParser
from csc.lib.serializers import (
    ModelSerializer,
    Serializer,
    render_rows,
    written_or_read,
)
from csc.lib.uploads import limit_upload, upload_exceeded
from intake.api import PersonalDataViewMixin
from intake.choices import Channel, Region
from intake.models import Contact, Customer
from staffing.api_auth import api_client_of
from staffing.api_idempotency import IdempotentCreateMixin
from staffing.models import User
from worktickets.api import (
    CustomerRefSerializer,
    PersonRefSerializer,
    TeamRefSerializer,
    TicketEventSerializer,
)
from worktickets.models import FAR_FUTURE

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
LEADERSHIP = "complaints.view_leadership_board"
LIST_RELATED = (*selectors.LIST_RELATED, "ticket__first_contact_agent", "parent__ticket")


# ---------------------------------------------------------------- output


class ComplaintListSerializer(ModelSerializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField(source="ticket.number")
    kind = serializers.CharField(source="tier", help_text=_("complaint, upgraded or appeal"))
    subcategory = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    status = serializers.CharField(source="ticket.status", help_text=_("The complaint's stage."))
    status_category = serializers.CharField(source="ticket.status_category")
    priority = serializers.IntegerField(source="ticket.priority")
    channel = serializers.CharField(source="ticket.channel")
    subject = serializers.CharField(source="ticket.subject")
    customer = CustomerRefSerializer(source="ticket.customer", allow_null=True)
    team = TeamRefSerializer(source="ticket.team")
    collaborating_team = TeamRefSerializer(
        allow_null=True,
        help_text=_(
            "The specialist group working on an upgraded complaint or an appeal the "
            "complaint-handling group coordinates."
        ),
    )
    assignee = PersonRefSerializer(source="ticket.assignee", allow_null=True)
    first_contact_agent = PersonRefSerializer(source="ticket.first_contact_agent")
    parent_number = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="ticket.created_at")
    sla_due_at = serializers.DateTimeField(source="ticket.sla_due_at", allow_null=True)
    version = serializers.IntegerField(source="ticket.version")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "kind",
            "tier",
            "category",
            "subcategory",
            "severity",
            "support_level",
            "is_major",
            "major_reasons",
            "status",
            "status_category",
            "priority",
            "channel",
            "subject",
            "customer",
            "team",
            "collaborating_team",
            "assignee",
            "first_contact_agent",
            "region",
            "area",
            "service_type",
            "parent",
            "parent_number",
            "cluster",
            "recurrence_of",
            "recurrence_count",
            "created_at",
            "sla_due_at",
            "version",
        ]

    def get_parent_number(self, complaint: Complaint) -> str | None:
        return complaint.parent.ticket.number if complaint.parent_id else None


class ComplaintClockSerializer(Serializer):
    metric = serializers.CharField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    at_risk = serializers.BooleanField()


class CompensationDecisionSerializer(Serializer):
    stage = serializers.CharField()
    decision = serializers.CharField()
    note = serializers.CharField()
    by = PersonRefSerializer()
    at = serializers.DateTimeField()


class NextDecisionSerializer(Serializer):
    stage = serializers.CharField(help_text=_("market_legal or cs_manager"))
    deciders = PersonRefSerializer(
        source="people",
        many=True,
        help_text=_("Who may take the decision: never the proposer; empty when nobody may."),
    )
    due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The result feedback's deadline, which waits for it.")
    )


class CompensationSerializer(ModelSerializer):
    proposed_by = PersonRefSerializer()
    decisions = CompensationDecisionSerializer(many=True)
    next_decision = serializers.SerializerMethodField()

    class Meta:
        model = Compensation
        fields = [
            "id",
            "kind",
            "amount",
            "remedy",
            "reason",
            "status",
            "needs_manager",
            "threshold",
            "proposed_by",
            "proposed_at",
            "decisions",
            "next_decision",
        ]

    @extend_schema_field(NextDecisionSerializer(allow_null=True))
    def get_next_decision(self, compensation: Compensation) -> dict | None:
        step = getattr(compensation, "next_decision", None)
        return NextDecisionSerializer(step).data if step is not None else None


class FeedbackSerializer(Serializer):
    id = serializers.IntegerField()
    cause = serializers.CharField()
    measures = serializers.CharField()
    compensation = serializers.CharField(source="compensation_text")
    rectification = serializers.CharField()
    follow_up = serializers.CharField()
    channel = serializers.CharField()
    sent_by = PersonRefSerializer()
    sent_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True)
    outbox_message = serializers.IntegerField(source="message_id", allow_null=True)
    cluster = serializers.IntegerField(source="cluster_id", allow_null=True)
    response = serializers.CharField()
    response_note = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)


class ComplaintEscalationSerializer(Serializer):
    kind = serializers.CharField()
    trigger = serializers.CharField()
    from_level = serializers.IntegerField()
    to_level = serializers.IntegerField()
    upgraded_to = serializers.IntegerField(source="upgraded_to_id", allow_null=True)
    reason = serializers.CharField()
    by = PersonRefSerializer(allow_null=True)
    at = serializers.DateTimeField()


class ExtensionSerializer(ModelSerializer):
    requested_by = PersonRefSerializer()
    decided_by = PersonRefSerializer(allow_null=True)

    class Meta:
        model = DeadlineExtension
        fields = [
            "id",
            "metric",
            "working_days",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "due_before",
            "due_after",
        ]


class EvidenceSerializer(ModelSerializer):
    uploaded_by = PersonRefSerializer()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "seq",
            "kind",
            "title",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "prev_hash",
            "chain_hash",
            "supersedes",
            "note",
            "uploaded_by",
            "uploaded_at",
        ]


class ComplaintDetailSerializer(ComplaintListSerializer):
    content = serializers.CharField(source="ticket.description")
    contact_phone = serializers.SerializerMethodField()
    service_number = serializers.SerializerMethodField()
    agent_concerned = PersonRefSerializer(allow_null=True)
    clocks = serializers.SerializerMethodField()
    compensations = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()
    escalations = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = [
            *ComplaintListSerializer.Meta.fields,
            "content",
            "customer_name",
            "contact_phone",
            "regulator_reference",
            "service_number",
            "agent_concerned",
            "media_involved",
            "regulator_involved",
            "leadership_notified_at",
            "promised_repair_at",
            "repaired_at",
            "accepted_at",
            "evidence_completed_at",
            "evidence_head",
            "customer_response",
            "clocks",
            "compensations",
            "feedback",
            "escalations",
            "extensions",
            "evidence",
            "timeline",
            "allowed_actions",
        ]

    # A complaint just created comes with what its creation wrote (context "timeline"
    # and "clocks", and empty lists for what a new complaint cannot have yet): the
    # answer needs no read back.

    def _shown(self, complaint: Complaint, number: str) -> str:
        pd = self.context.get("personal_data")
        if not number:
            return ""
        if pd is None or complaint.ticket.customer_id is None:
            return mask_phone(number)
        return pd.customer_phone(complaint.ticket.customer_id, number)

    def get_contact_phone(self, complaint: Complaint) -> str:
        return self._shown(complaint, complaint.contact_phone)

    def get_service_number(self, complaint: Complaint) -> str:
        return self._shown(complaint, complaint.service_number)

    @extend_schema_field(ComplaintClockSerializer(many=True))
    def get_clocks(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "clocks", deadlines.clocks, complaint)
        return render_rows(ComplaintClockSerializer, rows)

    @extend_schema_field(CompensationSerializer(many=True))
    def get_compensations(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "compensations", selectors.compensations_of, complaint)
        return render_rows(CompensationSerializer, rows)

    @extend_schema_field(FeedbackSerializer(many=True))
    def get_feedback(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "feedback", selectors.feedback_of, complaint)
        return render_rows(FeedbackSerializer, rows)

    @extend_schema_field(ComplaintEscalationSerializer(many=True))
    def get_escalations(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "escalations", selectors.escalations_of, complaint)
        return render_rows(ComplaintEscalationSerializer, rows)

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "extensions", selectors.extensions_of, complaint)
        return render_rows(ExtensionSerializer, rows)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "evidence", selectors.evidence_of, complaint)
        return render_rows(EvidenceSerializer, rows)

    @extend_schema_field(TicketEventSerializer(many=True))
    def get_timeline(self, complaint: Complaint) -> list[dict]:
        rows = written_or_read(self, "timeline", selectors.timeline, complaint)
        return render_rows(TicketEventSerializer, rows)

    def get_allowed_actions(self, complaint: Complaint) -> list[str]:
        return services.allowed_actions(complaint)


class ChainReportSerializer(Serializer):
    complaint = serializers.CharField(source="complaint_number")
    ok = serializers.BooleanField()
    entries = serializers.IntegerField()
    first_bad_seq = serializers.IntegerField(allow_null=True)
    first_bad_id = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()
    problem_code = serializers.CharField(
        help_text=_("record_changed, link_broken, file_changed, file_missing or entry_missing")
    )
    message = serializers.CharField()


# ---------------------------------------------------------------- input


class AppealableField(serializers.PrimaryKeyRelatedField):
    """The complaint an appeal names, among those the caller may name (context
    "appealable", selectors.appealable): another one reads as missing."""

    def get_queryset(self):
        return self.context.get("appealable", Complaint.objects.none())


class ComplaintCreateSerializer(Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(
        choices=[Tier.COMPLAINT, Tier.APPEAL],
        default=Tier.COMPLAINT,
        help_text=_("complaint or appeal; upgraded complaints come from escalation."),
    )
    category = serializers.ChoiceField(
        choices=Category.choices,
        required=False,
        help_text=_("Required, except for an appeal, which takes the appealed complaint's."),
    )
    subcategory = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Subcategory.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    customer_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content = serializers.CharField(help_text=_("What the customer complains about."))
    parent = AppealableField(queryset=Complaint.objects.none(), required=False, allow_null=True)
    parent_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("Or the appealed number.")
    )
    regulator_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    service_type = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, allow_blank=True
    )
    service_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    area = serializers.CharField(max_length=60, required=False, allow_blank=True)
    agent_concerned = serializers.PrimaryKeyRelatedField(
        # With the agent row: routing reads the team from it.
        queryset=User.objects.filter(is_active=True, agent__isnull=False).select_related("agent"),
        required=False,
        allow_null=True,
    )
    media_involved = serializers.BooleanField(default=False)
    regulator_involved = serializers.BooleanField(default=False)
    promised_repair_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[validate_moment]
    )
    first_contact_agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, agent__isnull=False),
        required=False,
        allow_null=True,
        help_text=_("For integrations: the agent who took the complaint. Defaults to the caller."),
    )

    def validate(self, data):
        number = (data.pop("parent_number", "") or "").strip().upper()
        if number and data.get("parent") is None:
            parent = self.fields["parent"].get_queryset().filter(ticket__number=number).first()
            if parent is None:
                raise serializers.ValidationError(
                    {"parent_number": [_("No complaint has this number.")]}
                )
            data["parent"] = parent
        data["tier"] = data.pop("kind")
        return data


class VersionedSerializer(Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The ticket version you read; a stale one gets 409.")
    )


class NoteSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HandleSerializer(VersionedSerializer):
    findings = serializers.CharField()


class EscalateSerializer(VersionedSerializer):
    mode = serializers.ChoiceField(choices=EscalationKind.choices)
    reason = serializers.CharField()


class ProposeCompensationSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(choices=CompensationKind.choices)
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    remedy = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reason = serializers.CharField()


class DecideCompensationSerializer(VersionedSerializer):
    compensation = serializers.PrimaryKeyRelatedField(queryset=Compensation.objects.all())
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackInputSerializer(VersionedSerializer):
    cause = serializers.CharField()
    measures = serializers.CharField()
    compensation = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Omit to state the approved compensation."),
    )
    rectification = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=FeedbackChannel.choices)


class DissatisfiedSerializer(VersionedSerializer):
    note = serializers.CharField()
    next_step = serializers.ChoiceField(choices=DissatisfiedNext.choices)


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField()


class RequestExtensionSerializer(VersionedSerializer):
    metric = serializers.ChoiceField(choices=ExtensionMetric.choices)
    working_days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField()


class ExtendSerializer(VersionedSerializer):
    extension = serializers.PrimaryKeyRelatedField(
        queryset=DeadlineExtension.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The request decided; omit to extend directly with metric, days and reason."),
    )
    decision = serializers.ChoiceField(choices=Decision.choices, default=Decision.APPROVE)
    metric = serializers.ChoiceField(
        choices=ExtensionMetric.choices, required=False, allow_blank=True, default=""
    )
    working_days = serializers.IntegerField(
        min_value=1, max_value=30, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RecordRepairSerializer(NoteSerializer):
    repaired_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[validate_moment]
    )


ACTION_INPUT = {
    Action.ACCEPT: NoteSerializer,
    Action.INVESTIGATE: NoteSerializer,
    Action.HANDLE: HandleSerializer,
    Action.ESCALATE: EscalateSerializer,
    Action.PROPOSE_COMPENSATION: ProposeCompensationSerializer,
    Action.APPROVE_COMPENSATION: DecideCompensationSerializer,
    Action.FEEDBACK: FeedbackInputSerializer,
    Action.CONFIRM: NoteSerializer,
    Action.DISSATISFIED: DissatisfiedSerializer,
    Action.REOPEN: ReasonSerializer,
    Action.CLOSE: NoteSerializer,
    Action.REQUEST_EXTENSION: RequestExtensionSerializer,
    Action.EXTEND: ExtendSerializer,
    Action.EVIDENCE_COMPLETE: NoteSerializer,
    Action.RECORD_REPAIR: RecordRepairSerializer,
}


class EvidenceTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class EvidenceUploadSerializer(Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    supersedes = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The entry number (seq) replaced."),
    )


class ClusterSerializer(ModelSerializer):
    size = serializers.IntegerField()
    complaints = serializers.SerializerMethodField()

    class Meta:
        model = OutageCluster
        fields = [
            "id",
            "service_type",
            "area",
            "status",
            "opened_at",
            "threshold",
            "window_minutes",
            "resolved_at",
            "cause",
            "size",
            "complaints",
        ]

    def get_complaints(self, cluster: OutageCluster) -> list[int]:
        return [c.pk for c in cluster.complaints.all()]


class ClusterFeedbackSerializer(Serializer):
    cause = serializers.CharField()
    measures = serializers.CharField()
    rectification = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=FeedbackChannel.choices)


class ClusterFeedbackResultSerializer(Serializer):
    given = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.DictField())


class RecurrenceRowSerializer(Serializer):
    month = serializers.DateField()
    category = serializers.CharField()
    complaints = serializers.IntegerField()
    recurrences = serializers.IntegerField()
    rate = serializers.FloatField()


# ---------------------------------------------------------------- paging


ORDERINGS = {
    "-created_at": ("-pk",),
    "created_at": ("pk",),
    # Nearest deadline first; complaints without one come last.
    "due": ("due_order", "pk"),
}


class ComplaintCursorPagination(ApiCursorPagination):
    orderings = ORDERINGS
    ordering = ORDERINGS["-created_at"]


# ---------------------------------------------------------------- viewsets


class _ServiceCreate:
    """Create through the complaint service (the idempotency mixin wraps this)."""

    def create(self, request, *args, **kwargs):
        appealable = selectors.appealable(
            request.user, any_complaint=api_client_of(request) is not None
        )
        data = ComplaintCreateSerializer(data=request.data, context={"appealable": appealable})
        data.is_valid(raise_exception=True)
        recorded = services.complaint_record(
            services.ComplaintIntake(**data.validated_data), recorded_by=request.user
        )
        # The service returns every related row the answer shows: no re-read.
        written = {
            **self.get_serializer_context(),
            "timeline": recorded.timeline,
            "clocks": recorded.clocks,
            "compensations": [],
            "feedback": [],
            "escalations": [],
            "extensions": [],
            "evidence": [],
        }
        return Response(
            ComplaintDetailSerializer(recorded.complaint, context=written).data,
            status=status.HTTP_201_CREATED,
        )

    def replay_created(self, object_id: int) -> Response:
        return self._detail(Complaint(pk=object_id))


@extend_schema_view(
    **api_docs.complaint_operations(
        row=ComplaintListSerializer,
        detail=ComplaintDetailSerializer,
        create=ComplaintCreateSerializer,
        evidence=EvidenceSerializer,
        evidence_upload=EvidenceUploadSerializer,
        chain_report=ChainReportSerializer,
        recurrence_row=RecurrenceRowSerializer,
        orderings=list(ORDERINGS),
    )
)
class ComplaintViewSet(
    PersonalDataViewMixin,
    IdempotentCreateMixin,
    _ServiceCreate,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    scope_resource = "complaints"
    lookup_value_regex = "[0-9]+"
    # Each action's own permission is checked below (a handler may act, an agent only record).
    required_perms = {"read": [VIEW], "write": [VIEW]}
    filterset_class = ComplaintFilter
    pagination_class = ComplaintCursorPagination
    serializer_class = ComplaintListSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()  # the schema generator has no user
        if api_client_of(self.request) is not None:
            complaints = Complaint.objects.all()  # integrations are limited by scope
        else:
            complaints = selectors.complaints_visible_to(self.request.user)
        complaints = complaints.select_related(*LIST_RELATED)
        if self.action == "list":
            complaints = complaints.annotate(
                due_order=Coalesce(
                    "ticket__sla_due_at", Value(FAR_FUTURE, output_field=DateTimeField())
                )
            )
        return complaints

    def get_serializer_class(self):
        return ComplaintDetailSerializer if self.action == "retrieve" else ComplaintListSerializer

    def initialize_request(self, request, *args, **kwargs):
        # An evidence upload stops streaming past the limit; the handler must be
        # in place before anything (the CSRF check too) reads the body.
        schema_generation = getattr(self, "swagger_fake_view", False)
        if (
            request.method == "POST"
            and self.action_map.get("post") == "evidence"
            and not schema_generation
        ):
            limit_upload(request, evidence_max_bytes())
        return super().initialize_request(request, *args, **kwargs)

    def _session_user_needs(self, perm: str) -> None:
        if api_client_of(self.request) is None and not self.request.user.has_perm(perm):
            raise PermissionDenied(_("Your role may not do this."))

    def _detail(self, complaint: Complaint, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = Complaint.objects.select_related(*LIST_RELATED, "agent_concerned").get(
            pk=complaint.pk
        )
        serializer = ComplaintDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def create(self, request, *args, **kwargs):
        self._session_user_needs(ADD)
        return super().create(request, *args, **kwargs)

    def run_action(self, request, name: str) -> Response:
        complaint = self.get_object()
        if api_client_of(request) is None and not actions.may_try(request.user, name):
            raise PermissionDenied(_("Your role may not do this."))
        data = ACTION_INPUT[name](data=request.data)
        data.is_valid(raise_exception=True)
        result = actions.perform(name, complaint, request.user, dict(data.validated_data))
        carrier = result if isinstance(result, Complaint) else complaint
        return self._detail(carrier)

    # The chain is one short list: neither paged nor filtered.
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="evidence",
        url_name="evidence",
        pagination_class=None,
        filter_backends=[],
    )
    def evidence(self, request, pk=None):
        complaint = self.get_object()
        if request.method == "GET":
            return Response(EvidenceSerializer(selectors.evidence_of(complaint), many=True).data)
        self._session_user_needs(actions.HANDLE)
        request.data  # noqa: B018 - parsed under the limit set in initialize_request
        if upload_exceeded(request):
            refusal = evidence_too_large()
            body = {"detail": refusal.message, "code": refusal.code, **refusal.details}
            raise EvidenceTooLarge(body)
        data = EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        seq = values.pop("supersedes")
        supersedes = None
        if seq is not None:
            supersedes = Evidence.objects.filter(complaint=complaint, seq=seq).first()
            if supersedes is None:
                raise serializers.ValidationError({"supersedes": [_("No entry has this number.")]})
        entry = evidence_add(complaint, by=request.user, supersedes=supersedes, **values)
        return Response(EvidenceSerializer(entry).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="evidence/verify", url_name="evidence-verify")
    def evidence_verify(self, request, pk=None):
        report = evidence_verify(self.get_object())
        return Response(ChainReportSerializer(report).data)

    # One row per month and category: a plain list, neither paged nor filtered.
    @action(
        detail=False,
        methods=["get"],
        url_path="recurrence-rate",
        url_name="recurrence-rate",
        pagination_class=None,
        filter_backends=[],
    )
    def recurrence_rate(self, request):
        self._session_user_needs(LEADERSHIP)
        try:
            months = min(max(int(request.query_params.get("months", 12)), 1), 36)
        except ValueError:
            raise serializers.ValidationError(
                {"months": [_("A whole number of months.")]}
            ) from None
        rows = selectors.recurrence_rates(months=months)
        return Response(RecurrenceRowSerializer(rows, many=True).data)


def _make_action(name: str, serializer_class):
    def handler(self, request, pk=None):
        return self.run_action(request, name)

    handler.__name__ = handler.__qualname__ = name
    handler = action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
    return api_docs.action_operation(
        name, request=serializer_class, response=ComplaintDetailSerializer
    )(handler)


for _name, _serializer in ACTION_INPUT.items():
    setattr(ComplaintViewSet, _name, _make_action(_name, _serializer))


@extend_schema_view(
    **api_docs.cluster_operations(
        output=ClusterSerializer,
        feedback=ClusterFeedbackSerializer,
        result=ClusterFeedbackResultSerializer,
    )
)
class ClusterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scope_resource = "complaints"
    required_perms = {
        "read": [VIEW, "complaints.view_outagecluster"],
        "write": [VIEW, "complaints.view_outagecluster"],
    }
    serializer_class = ClusterSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.clusters_list(
            status=self.request.query_params.get("status", "")
        ).prefetch_related("complaints")

    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        if api_client_of(request) is None and not request.user.has_perm(actions.HANDLE):
            raise PermissionDenied(_("Your role may not do this."))
        cluster = self.get_object()
        data = ClusterFeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.cluster_feedback(cluster, by=request.user, **data.validated_data)
        body = {
            "given": [feedback.complaint_id for feedback in result.given],
            "skipped": [{"number": number, "why": why} for number, why in result.skipped],
        }
        return Response(body)


router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("complaint-clusters", ClusterViewSet, basename="complaint-cluster")
api_urlpatterns = router.urls
