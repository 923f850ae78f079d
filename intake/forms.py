"""Browser forms; they parse input, the services decide and save."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csc.lib.masking import mask_phone
from intake.choices import (
    Channel,
    CustomerType,
    Disposition,
    PaymentType,
    Region,
    ServiceStatus,
    ServiceType,
    VipTier,
)
from intake.models import validate_phone, validate_resident_id

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def account_managers():
    return get_user_model().objects.filter(is_active=True, agent__isnull=False).order_by("username")


class AccountManagerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class CustomerForm(forms.Form):
    """Register or edit a customer.

    Editing for a user who may not see full personal data: the phone and ID
    inputs start empty (the stored numbers are never sent to the browser);
    leaving them empty keeps what is stored.
    """

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        validators=[validate_phone],
        help_text=_("Mobile (11 digits) or fixed line with area code, e.g. 010-6512 3456."),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        required=False,
        validators=[validate_resident_id],
        help_text=_("18 characters; the last may be X."),
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"), choices=CustomerType.choices, initial=CustomerType.INDIVIDUAL
    )
    payment_type = forms.ChoiceField(
        label=_("Payment type"), choices=PaymentType.choices, initial=PaymentType.PREPAID
    )
    vip_tier = forms.ChoiceField(label=_("VIP tier"), choices=VipTier.choices, initial=VipTier.NONE)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices, initial=Region.URBAN)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    account_manager = AccountManagerChoice(
        label=_("Account manager"), queryset=account_managers(), required=False
    )

    # Fields whose errors the page checks as they are typed (htmx), one at a time.
    LIVE_CHECKED = ("phone", "id_number")

    def __init__(self, *args, customer=None, full_personal_data: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.keeps_stored_numbers = customer is not None and not full_personal_data
        if self.keeps_stored_numbers:
            self.fields["phone"].required = False
            self.fields["phone"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it, or type the new number."
            ) % {"masked": mask_phone(customer.phone)}
            self.fields["id_number"].help_text = (
                _("Stored: %(masked)s. Leave empty to keep it, or type the new number.")
                % {"masked": customer.masked_id_number}
                if customer.id_number_masked
                else _("None stored. 18 characters; the last may be X.")
            )

    def service_fields(self) -> dict:
        """The cleaned values to hand to the service (stored numbers kept when left empty)."""
        values = dict(self.cleaned_data)
        if self.keeps_stored_numbers:
            for name in ("phone", "id_number"):
                if not values.get(name):
                    values.pop(name, None)
        return values

    @classmethod
    def initial_for(cls, customer, *, full_personal_data: bool) -> dict:
        initial = {
            "name": customer.name,
            "customer_type": customer.customer_type,
            "payment_type": customer.payment_type,
            "vip_tier": customer.vip_tier,
            "region": customer.region,
            "city": customer.city,
            "account_manager": customer.account_manager_id,
        }
        if full_personal_data:
            initial.update(phone=customer.phone, id_number=customer.id_number)
        return initial

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class CustomerServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    number = forms.CharField(
        label=_("Number or account"),
        max_length=40,
        help_text=_("Phone number for mobile and fixed lines; the account for broadband."),
    )
    plan = forms.CharField(label=_("Plan"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.ACTIVE
    )
    activated_on = forms.DateField(
        label=_("Activated on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    add_service_error = CustomerForm.add_service_error


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    caller_number = forms.CharField(
        label=_("Caller number"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        help_text=_("Leave empty for a visit or a withheld number."),
    )
    queued_at = forms.DateTimeField(
        label=_("Came in at"), input_formats=[DATETIME_LOCAL], widget=LocalDateTimeInput()
    )
    answered_at = forms.DateTimeField(
        label=_("Answered at"),
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=LocalDateTimeInput(),
    )
    ended_at = forms.DateTimeField(
        label=_("Ended at"),
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=LocalDateTimeInput(),
    )
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[("", "---------"), *Disposition.choices],
        required=False,
    )
    summary = forms.CharField(
        label=pgettext_lazy("contact", "Summary"), widget=forms.Textarea, required=False
    )

    add_service_error = CustomerForm.add_service_error

    @staticmethod
    def initial_now() -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"queued_at": now, "answered_at": now}
