"""Reads of customers, contacts and the personal-data access log."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from csc.lib.anonymise import MARKER
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from csc.lib.resident_id import InvalidResidentId, normalise_resident_id
from intake.models import PHONE_ERROR, Contact, Customer, CustomerService, PersonalDataAccess

RECENT_CONTACTS = 10

# Digits with the separators people type in numbers; such a query is a number, never a name.
_NUMBER_LIKE = re.compile(r"^\+?[\d\s\-().]+[xX]?$")


def customers_with_number(number: str) -> QuerySet[Customer]:
    """Customers whose own phone, or one of whose services, is this normalised number.

    One query: a UNION of the two indexed equality lookups, so each side uses
    its own index (an OR across the join would scan).
    """
    own = Customer.objects.filter(phone=number).order_by().values("pk")
    by_service = CustomerService.objects.filter(number=number).order_by().values("customer_id")
    return Customer.objects.filter(pk__in=own.union(by_service)).select_related("account_manager")


def customer_find_by_phone(phone: str) -> QuerySet[Customer]:
    """Customers reached at this phone number, typed in any usual form."""
    try:
        number = normalise_phone(phone)
    except InvalidPhoneNumber:
        raise ValidationError(
            {"phone": ValidationError(PHONE_ERROR, code="invalid_phone")}
        ) from None
    return customers_with_number(number)


@dataclass(frozen=True)
class CustomerSearch:
    """What a search box query was taken to be, and what it found."""

    kind: str  # "empty", "phone", "id_number", "name" or "partial_number"
    customers: QuerySet[Customer]
    number: str = ""  # the normalised phone or ID number of an exact search

    @property
    def is_exact(self) -> bool:
        return self.kind in ("phone", "id_number")


def customer_search(query: str) -> CustomerSearch:
    """Find customers by a full phone number, a full resident ID number or a name prefix.

    Partial numbers are not searched: matching on fragments would let anyone
    rebuild a masked number digit by digit.
    """
    query = (query or "").strip()
    if not query:
        return CustomerSearch("empty", Customer.objects.none())
    try:
        number = normalise_phone(query)
        return CustomerSearch("phone", customers_with_number(number), number)
    except InvalidPhoneNumber:
        pass
    try:
        id_number = normalise_resident_id(query)
    except InvalidResidentId:
        pass
    else:
        customers = Customer.objects.with_id_number(id_number).select_related("account_manager")
        return CustomerSearch("id_number", customers, id_number)
    if _NUMBER_LIKE.match(query):
        return CustomerSearch("partial_number", Customer.objects.none())
    customers = (
        Customer.objects.filter(name__startswith=query)
        .select_related("account_manager")
        .order_by("name", "id")
    )
    return CustomerSearch("name", customers)


def customer_list(
    *,
    customers: QuerySet[Customer] | None = None,
    q: str = "",
    phone: str = "",
    customer_type: str = "",
    payment_type: str = "",
    vip_tier: str = "",
    region: str = "",
) -> QuerySet[Customer]:
    """Customers for the API list, with their services (one query for all of them);
    `customers` is a search already made (intake.searches), else `phone` or `q` search."""
    if customers is None and phone:
        customers = customer_find_by_phone(phone)
    elif customers is None and q:
        customers = customer_search(q).customers
    elif customers is None:
        customers = Customer.objects.select_related("account_manager")
    filters = {
        "customer_type": customer_type,
        "payment_type": payment_type,
        "vip_tier": vip_tier,
        "region": region,
    }
    customers = customers.filter(**{name: value for name, value in filters.items() if value})
    return customers.prefetch_related("services")


def customer_details() -> tuple:
    """What customer_with_details prefetches: services and the most recent contacts
    (for prefetch_related, or prefetch_related_objects on a customer read otherwise)."""
    recent = Contact.objects.select_related("agent").order_by("-queued_at", "-id")
    return (
        "services",
        Prefetch("contacts", queryset=recent[:RECENT_CONTACTS], to_attr="recent_contacts"),
    )


def contact_tickets() -> Prefetch:
    """The tickets opened from each contact (number only), as `linked_tickets`: a
    contact whose outcome is "ticket opened" links to them. The ticket model sits
    above intake, so it is named through the relation, not imported."""
    ticket_model = Contact._meta.get_field("tickets").related_model
    assert ticket_model is not None and not isinstance(ticket_model, str)  # a resolved relation
    tickets = ticket_model._default_manager.only("number", "contact")
    return Prefetch("tickets", queryset=tickets.order_by("pk"), to_attr="linked_tickets")


def customer_with_details() -> QuerySet[Customer]:
    """Customers with their services and most recent contacts, in three queries."""
    return Customer.objects.select_related("account_manager").prefetch_related(*customer_details())


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def contact_list(
    *,
    channel: str = "",
    agent=None,
    customer=None,
    queued_from: datetime.date | None = None,
    queued_to: datetime.date | None = None,
) -> QuerySet[Contact]:
    """Contacts newest first, filtered; days are whole local (Asia/Shanghai) days, inclusive."""
    contacts = (
        Contact.objects.select_related("customer", "agent")
        .prefetch_related(contact_tickets())
        .order_by("-queued_at", "-id")
    )
    if channel:
        contacts = contacts.filter(channel=channel)
    if agent is not None:
        contacts = contacts.filter(agent=agent)
    if customer is not None:
        contacts = contacts.filter(customer=customer)
    # Ranges on the column itself (not on its date) so the indexes serve them.
    # Days at the ends of the calendar bound nothing and would overflow.
    if queued_from is not None and queued_from > datetime.date.min:
        contacts = contacts.filter(queued_at__gte=_start_of_day(queued_from))
    if queued_to is not None and queued_to < datetime.date.max - datetime.timedelta(days=1):
        contacts = contacts.filter(
            queued_at__lt=_start_of_day(queued_to + datetime.timedelta(days=1))
        )
    return contacts


def personal_data_access_list(
    *, user=None, customer=None, via: str = "", action: str = ""
) -> QuerySet:
    accesses = PersonalDataAccess.objects.select_related("user", "customer", "contact").order_by(
        "-accessed_at", "-id"
    )
    if user is not None:
        accesses = accesses.filter(user=user)
    if customer is not None:
        accesses = accesses.filter(customer=customer)
    if via:
        accesses = accesses.filter(via=via)
    if action:
        accesses = accesses.filter(action=action)
    return accesses


# --- retention (DOMAIN.md R-3) ----------------------------------------------------


def contacts_holding_personal_data_before(cutoff: datetime.datetime) -> QuerySet[Contact]:
    """Contacts queued before the cutoff whose number, channel ID, customer or summary remain."""
    return Contact.objects.filter(queued_at__lt=cutoff).exclude(
        caller_number="", external_id="", customer=None, summary__in=["", MARKER]
    )


def personal_data_accesses_before(cutoff: datetime.datetime) -> QuerySet[PersonalDataAccess]:
    return PersonalDataAccess.objects.filter(accessed_at__lt=cutoff)
