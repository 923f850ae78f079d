"""Admin for intake: numbers masked in lists; full numbers only for holders of the
permission, and each full view of a change form recorded like any page."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from csc.lib.resident_id import normalise_resident_id
from intake.models import (
    Contact,
    Customer,
    CustomerService,
    PersonalDataAccess,
    validate_resident_id,
)
from intake.personal_data import PersonalDataDisclosure, sees_full_personal_data
from intake.services import CUSTOMER_EDITABLE_FIELDS


class PersonalDataAdminMixin:
    """Leaves `personal_fields` out of the change form of users who may not see them in
    full (a masked read-only copy is shown instead) and records full views."""

    personal_fields: tuple[str, ...] = ()
    masked_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not sees_full_personal_data(request.user):
            readonly += list(self.masked_fields)
        return readonly

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not sees_full_personal_data(request.user):
            fields = [f for f in fields if f not in self.personal_fields]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET" and response.status_code == 200:
            self.record_full_view(PersonalDataDisclosure.for_single_record(request), obj)
        return response

    def record_full_view(self, pd: PersonalDataDisclosure, obj) -> None:
        raise NotImplementedError


class CustomerServiceInline(admin.TabularInline):
    model = CustomerService
    extra = 0
    fields = ["service_type", "masked_number", "plan", "status", "activated_on"]
    readonly_fields = ["masked_number"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("number or account"))
    def masked_number(self, service: CustomerService) -> str:
        return service.masked_number


class CustomerAdminForm(forms.ModelForm):
    """The resident ID number is stored encrypted, so it is no model field: this form
    edits it through `Customer.id_number`."""

    id_number = forms.CharField(
        label=_("resident ID number"),
        max_length=30,
        required=False,
        validators=[validate_resident_id],
    )

    class Meta:
        model = Customer
        fields = CUSTOMER_EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].initial = self.instance.id_number

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        return normalise_resident_id(value) if value else ""

    def _post_clean(self) -> None:
        # Left out of the page for users who may not see it: then it is not in the
        # submitted data, and the stored number is kept.
        if self.add_prefix("id_number") in self.data and "id_number" in self.cleaned_data:
            self.instance.id_number = self.cleaned_data["id_number"]
        super()._post_clean()


@admin.register(Customer)
class CustomerAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = [
        "name",
        "masked_phone",
        "vip_tier",
        "customer_type",
        "payment_type",
        "region",
        "city",
    ]
    list_filter = ["vip_tier", "customer_type", "payment_type", "region"]
    # Names only: searching on numbers would let fragments reveal masked numbers.
    search_fields = ["name"]
    list_select_related = ["account_manager"]
    raw_id_fields = ["account_manager"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CustomerServiceInline]
    personal_fields = ("phone", "id_number")
    masked_fields = ("masked_phone", "masked_id_number")

    @admin.display(description=_("phone"))
    def masked_phone(self, customer: Customer) -> str:
        return customer.masked_phone

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, customer: Customer) -> str:
        return customer.masked_id_number

    def record_full_view(self, pd, customer) -> None:
        pd.phone(customer)
        pd.id_number(customer)
        pd.record()


@admin.register(CustomerService)
class CustomerServiceAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["masked_number", "service_type", "customer", "plan", "status"]
    list_filter = ["service_type", "status"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    personal_fields = ("number",)
    masked_fields = ("masked_number",)

    @admin.display(description=_("number or account"))
    def masked_number(self, service: CustomerService) -> str:
        return service.masked_number

    def record_full_view(self, pd, service) -> None:
        pd.service_number(service)
        pd.record()


@admin.register(Contact)
class ContactAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = [
        "queued_at",
        "channel",
        "customer",
        "masked_caller_number",
        "agent",
        "disposition",
    ]
    list_filter = ["channel", "disposition"]
    list_select_related = ["customer", "agent"]
    raw_id_fields = ["customer", "agent"]
    date_hierarchy = "queued_at"
    readonly_fields = ["created_at"]
    personal_fields = ("caller_number",)
    masked_fields = ("masked_caller_number",)

    @admin.display(description=_("caller number"))
    def masked_caller_number(self, contact: Contact) -> str:
        return contact.masked_caller_number

    def record_full_view(self, pd, contact) -> None:
        pd.caller_number(contact)
        pd.record()


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The audit trail: read only, for everyone."""

    list_display = [
        "accessed_at",
        "user",
        "customer",
        "contact",
        "action",
        "term",
        "reason",
        "via",
        "path",
    ]
    list_filter = ["via", "action"]
    list_select_related = ["user", "customer", "contact"]
    date_hierarchy = "accessed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
