"""One FilterSet per list, for the HTML page and the API alike.

They parse and validate the query string (bad values give field errors: a 400
in the API, a message on the page) and hand the clean values to the selector,
which does the filtering.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from intake import searches, selectors
from intake.choices import (
    AccessAction,
    AccessVia,
    Channel,
    CustomerType,
    PaymentType,
    Region,
    VipTier,
)
from intake.models import Contact, Customer, PersonalDataAccess, validate_phone

BIGINT_MAX = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number in the primary key's range (larger ones are a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


def agents_queryset(request=None):
    return (
        get_user_model()
        .objects.filter(agent__isnull=False, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    """People by the name colleagues know them by, not their login name."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Phone, resident ID or name"),
        help_text=_("A full phone or resident ID number, or the start of the customer's name."),
        max_length=100,
    )
    phone = django_filters.CharFilter(
        label=_("Phone"),
        help_text=_("The customer's own phone or one of their service numbers, in any usual form."),
        max_length=40,
        validators=[validate_phone],
    )
    customer_type = django_filters.ChoiceFilter(
        label=_("Customer type"), choices=CustomerType.choices
    )
    payment_type = django_filters.ChoiceFilter(label=_("Payment type"), choices=PaymentType.choices)
    vip_tier = django_filters.ChoiceFilter(label=_("VIP tier"), choices=VipTier.choices)
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Region.choices)

    class Meta:
        model = Customer
        fields = ["q", "phone", "customer_type", "payment_type", "vip_tier", "region"]

    def filter_queryset(self, queryset):
        values = {name: value for name, value in self.form.cleaned_data.items() if value}
        # A phone or number looked up is a limited, recorded search (intake/searches.py).
        return searches.customer_list_searched(searches.Searcher.for_api(self.request), **values)


class ContactFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    agent = PersonFilter(label=_("Agent"), queryset=agents_queryset)
    customer = IdFilter(label=_("Customer ID"))
    queued_from = django_filters.DateFilter(label=_("From (day)"))
    queued_to = django_filters.DateFilter(label=_("To (day)"))

    class Meta:
        model = Contact
        fields = ["channel", "agent", "customer", "queued_from", "queued_to"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.contact_list(
            channel=data.get("channel") or "",
            agent=data.get("agent"),
            customer=data.get("customer"),
            queued_from=data.get("queued_from"),
            queued_to=data.get("queued_to"),
        )


class PersonalDataAccessFilter(django_filters.FilterSet):
    user = PersonFilter(
        label=_("User"),
        queryset=lambda request: get_user_model().objects.order_by(
            "last_name", "first_name", "username"
        ),
    )
    customer = IdFilter(label=_("Customer ID"))
    via = django_filters.ChoiceFilter(label=_("Via"), choices=AccessVia.choices)
    action = django_filters.ChoiceFilter(label=_("What"), choices=AccessAction.choices)

    class Meta:
        model = PersonalDataAccess
        fields = ["user", "customer", "via", "action"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.personal_data_access_list(
            user=data.get("user"),
            customer=data.get("customer"),
            via=data.get("via") or "",
            action=data.get("action") or "",
        )
