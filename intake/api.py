"""REST API for customers and contacts (DESIGN.md §3): thin, over the services.

Input and output have their own serializers. Phone, ID, service and caller
numbers in every response go through the request's personal-data disclosure:
masked unless the caller holds `intake.view_full_personal_data`, and each full
view recorded (via "api", with the endpoint's path).
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from csc.lib.moments import validate_moment
from csc.lib.paging import ApiCursorPagination
from csc.lib.serializers import ModelSerializer, Serializer
from intake import api_docs, selectors, services
from intake.choices import Channel, CustomerType, Disposition, PaymentType, Region, VipTier
from intake.filters import ContactFilter, CustomerFilter
from intake.models import Contact, Customer, CustomerService
from intake.personal_data import PersonalDataDisclosure
from staffing.api_idempotency import IdempotentCreateMixin

User = get_user_model()

# --- personal data -----------------------------------------------------------------------


class PersonalDataViewMixin:
    """Gives serializers the request's disclosure and records full views once the
    response is built (one bulk insert per response)."""

    @cached_property
    def personal_data(self) -> PersonalDataDisclosure:
        return PersonalDataDisclosure.for_api(self.request)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "personal_data": self.personal_data}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if "personal_data" in self.__dict__ and response.status_code < 400:
            self.personal_data.record()
        return response


class PermsByAction:
    """`required_perms` for session users, by the viewset's action."""

    perms_by_action: dict[str, list[str]] = {}

    @property
    def required_perms(self) -> dict[str, list[str]]:
        perms = self.perms_by_action.get(getattr(self, "action", None) or "", [])
        return {"read": perms, "write": perms}


# --- customers ---------------------------------------------------------------------------


class CustomerServiceOutput(ModelSerializer):
    number = serializers.SerializerMethodField(help_text=_("Masked unless you may see it in full."))

    class Meta:
        model = CustomerService
        fields = ["id", "service_type", "number", "plan", "status", "activated_on"]

    def get_number(self, service: CustomerService) -> str:
        return self.context["personal_data"].service_number(service)


class CustomerOutput(ModelSerializer):
    phone = serializers.SerializerMethodField(
        help_text=_("Masked (138****1234) unless you may see it in full.")
    )
    id_number = serializers.SerializerMethodField(
        help_text=_("Masked (110105********1234) unless you may see it in full.")
    )
    personal_data = serializers.SerializerMethodField(
        help_text=_("'full' or 'masked': how phone and ID numbers are shown to you.")
    )
    payment_segment = serializers.CharField(read_only=True)
    account_manager_name = serializers.SerializerMethodField()
    services = CustomerServiceOutput(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "id_number",
            "personal_data",
            "customer_type",
            "payment_type",
            "payment_segment",
            "vip_tier",
            "region",
            "city",
            "account_manager",
            "account_manager_name",
            "services",
            "created_at",
            "updated_at",
        ]

    def get_phone(self, customer: Customer) -> str:
        return self.context["personal_data"].phone(customer)

    def get_id_number(self, customer: Customer) -> str:
        return self.context["personal_data"].id_number(customer)

    def get_personal_data(self, customer: Customer) -> str:
        return "full" if self.context["personal_data"].full else "masked"

    def get_account_manager_name(self, customer: Customer) -> str:
        return customer.account_manager.display_name if customer.account_manager else ""


class CustomerInput(Serializer):
    """Register a customer (POST) or change some fields (PATCH)."""

    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(
        max_length=40, help_text=_("Mobile or fixed line, in any usual form (+86, spaces, dashes).")
    )
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=_("18-digit resident ID.")
    )
    customer_type = serializers.ChoiceField(choices=CustomerType.choices, required=False)
    payment_type = serializers.ChoiceField(choices=PaymentType.choices, required=False)
    vip_tier = serializers.ChoiceField(choices=VipTier.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    city = serializers.CharField(max_length=50, required=False, allow_blank=True)
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class CustomerCursorPagination(ApiCursorPagination):
    ordering = "-id"


class _CustomerRegister:
    """Register through the service (the idempotency mixin wraps this)."""

    def create(self, request, *args, **kwargs):
        payload = CustomerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        customer = services.customer_register(**payload.validated_data, registered_by=request.user)
        return self._output(customer.pk, status.HTTP_201_CREATED)

    def replay_created(self, object_id: int) -> Response:
        return self._output(object_id)


@extend_schema_view(**api_docs.customer_operations(output=CustomerOutput, payload=CustomerInput))
class CustomerViewSet(
    PersonalDataViewMixin,
    PermsByAction,
    IdempotentCreateMixin,
    _CustomerRegister,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    scope_resource = "customers"
    perms_by_action = {
        "list": ["intake.view_customer"],
        "retrieve": ["intake.view_customer"],
        "create": ["intake.add_customer"],
        "partial_update": ["intake.change_customer"],
    }
    serializer_class = CustomerOutput
    filterset_class = CustomerFilter
    pagination_class = CustomerCursorPagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.customer_list()

    def _output(self, customer_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        customer = selectors.customer_list().get(pk=customer_id)
        return Response(self.get_serializer(customer).data, status=status_code)

    def retrieve(self, request, pk=None):
        customer = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(customer).data)

    def partial_update(self, request, pk=None):
        customer = get_object_or_404(Customer, pk=pk)
        payload = CustomerInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.customer_update(customer, changed_by=request.user, **payload.validated_data)
        return self._output(customer.pk)


# --- contacts ----------------------------------------------------------------------------


class ContactOutput(ModelSerializer):
    caller_number = serializers.SerializerMethodField(
        help_text=_("Masked unless you may see it in full.")
    )
    customer_name = serializers.SerializerMethodField()
    agent_name = serializers.SerializerMethodField()
    wait_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "channel",
            "customer",
            "customer_name",
            "caller_number",
            "queued_at",
            "answered_at",
            "ended_at",
            "wait_seconds",
            "agent",
            "agent_name",
            "summary",
            "disposition",
            "external_id",
            "recording_url",
            "recording_seconds",
            "created_at",
        ]

    def get_caller_number(self, contact: Contact) -> str:
        return self.context["personal_data"].caller_number(contact)

    def get_customer_name(self, contact: Contact) -> str:
        return contact.customer.name if contact.customer else ""

    def get_agent_name(self, contact: Contact) -> str:
        return contact.agent.display_name if contact.agent else ""


class ContactInput(Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Leave out to link the customer by the caller number when it is known."),
    )
    caller_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    queued_at = serializers.DateTimeField(validators=[validate_moment])
    answered_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[validate_moment]
    )
    ended_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[validate_moment]
    )
    agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, agent__isnull=False),
        required=False,
        allow_null=True,
        help_text=_("The user ID of the agent who took the contact."),
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    recording_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    recording_seconds = serializers.IntegerField(
        min_value=0, max_value=86_400, required=False, allow_null=True
    )
    transcript = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    disposition = serializers.ChoiceField(
        choices=Disposition.choices, required=False, allow_blank=True
    )
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_(
            "The contact's ID in the channel's system; sending the same one again returns "
            "the contact recorded the first time."
        ),
    )


class ContactRecordingInput(Serializer):
    """What the CTI or chat adds after a contact: its recording and transcript."""

    recording_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text=_(
            "Where the CTI serves the call recording (http or https); played, never copied."
        ),
    )
    recording_seconds = serializers.IntegerField(
        min_value=0, max_value=86_400, required=False, allow_null=True
    )
    transcript = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200_000,
        trim_whitespace=False,
        help_text=_("The call's or chat's text, one utterance a line (`坐席：…`, `客户：…`)."),
    )


class ContactCursorPagination(ApiCursorPagination):
    ordering = ("-queued_at", "-id")


class _ContactRecord:
    """Record through the service (the idempotency mixin wraps this)."""

    def create(self, request, *args, **kwargs):
        payload = ContactInput(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = services.contact_record(**payload.validated_data, recorded_by=request.user)
        return self._output(contact.pk, status.HTTP_201_CREATED)

    def replay_created(self, object_id: int) -> Response:
        return self._output(object_id)

    def _output(self, contact_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        contact = self.get_queryset().get(pk=contact_id)
        return Response(self.get_serializer(contact).data, status=status_code)


@extend_schema_view(
    **api_docs.contact_operations(
        output=ContactOutput, payload=ContactInput, recording=ContactRecordingInput
    )
)
class ContactViewSet(
    PersonalDataViewMixin,
    PermsByAction,
    IdempotentCreateMixin,
    _ContactRecord,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    scope_resource = "contacts"
    perms_by_action = {
        "list": ["intake.view_contact"],
        "retrieve": ["intake.view_contact"],
        "create": ["intake.add_contact"],
        "partial_update": ["intake.change_contact"],
    }
    serializer_class = ContactOutput
    filterset_class = ContactFilter
    pagination_class = ContactCursorPagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.contact_list()

    def retrieve(self, request, pk=None):
        contact = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(contact).data)

    def partial_update(self, request, pk=None):
        contact = get_object_or_404(self.get_queryset(), pk=pk)
        payload = ContactRecordingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.contact_recording_attach(contact, **payload.validated_data, by=request.user)
        return self._output(contact.pk)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")

api_urlpatterns = router.urls
