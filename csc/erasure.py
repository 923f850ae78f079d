"""A customer's erasure on account cancellation (PIPL Art. 47; DOMAIN.md R-1, R-2, R-3).

After cancellation the customer's personal data goes, except what the law
makes the operator keep: complaints still within R-1's appeal period keep
their content until the retention job reaches them, under a pseudonym and
without contact details. Everything else of the customer (contacts, other
tickets, complaints past their period) is anonymised now. The customer row
stays as the pseudonym the kept records point at, and a CustomerErasure row
says who erased whom, when and why.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.retention import (
    complaints_anonymise,
    complaints_closed_before,
    complaints_pseudonymise,
)
from csc.choices import RecordType
from csc.lib.anonymise import ERASED
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from csc.models import CustomerErasure, RetentionPolicy
from csc.retention import cutoff_for
from intake.choices import ServiceStatus
from intake.models import Customer
from intake.services import contacts_anonymise, customer_anonymise, customer_pseudonym
from sla.choices import ACTIVE_CATEGORIES
from staffing.models import User
from worktickets.choices import TicketKind
from worktickets.services import tickets_anonymise

ERASE_PERM = "csc.erase_customer"


def _complaints_past_period(customer: Customer, now: datetime) -> set[int]:
    policies = {p.record_type: p for p in RetentionPolicy.objects.all()}
    past: set[int] = set()
    for billing, record_type in (
        (True, RecordType.COMPLAINT_BILLING),
        (False, RecordType.COMPLAINT_OTHER),
    ):
        policy = policies.get(record_type)
        if policy is None:  # no policy: keep, as the law's side is the safe one
            continue
        # The nightly job's own rule (complaints_closed_before), so an erasure lets go
        # of exactly the complaints retention would.
        rows = complaints_closed_before(cutoff_for(policy, now), billing=billing)
        past.update(rows.filter(ticket__customer=customer).values_list("pk", flat=True))
    return past


@transaction.atomic
def customer_erase(customer: Customer, *, by: User, reason: str) -> CustomerErasure:
    """Erase a cancelled customer's personal data, keeping what the law requires."""
    if not by.has_perm(ERASE_PERM):
        raise NotAllowed(_("Only a CS manager may erase a customer's personal data."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the customer's data is erased (e.g. the cancellation request).")
        raise DomainError(message, code="required", details={"reason": [message]})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.name.startswith(ERASED):
        raise IllegalTransition(_("This customer's personal data has already been erased."))
    if customer.services.exclude(status=ServiceStatus.CLOSED).exists():
        raise DomainError(
            _("The customer still has services that are not closed: erasure follows cancellation."),
            code="services_open",
        )
    tickets = customer.tickets.all()
    if tickets.filter(status_category__in=ACTIVE_CATEGORIES).exists():
        raise DomainError(
            _("The customer has open tickets or complaints: finish them before erasing."),
            code="tickets_open",
        )
    now = timezone.now()
    complaint_ids = set(tickets.filter(kind=TicketKind.COMPLAINT).values_list("pk", flat=True))
    past = _complaints_past_period(customer, now)
    kept = sorted(complaint_ids - past)
    other_tickets = list(tickets.exclude(kind=TicketKind.COMPLAINT).values_list("pk", flat=True))
    counts = {
        "contacts": contacts_anonymise(
            customer.contacts.values_list("pk", flat=True), keep_customer=True
        ),
        "tickets": tickets_anonymise(other_tickets, keep_customer=True),
        # Complaints resolved but not yet closed are kept too: their period has not begun.
        "complaints_anonymised": complaints_anonymise(sorted(past)),
        "complaints_kept": complaints_pseudonymise(kept, pseudonym=customer_pseudonym(customer.pk)),
    }
    customer_anonymise(customer)
    return CustomerErasure.objects.create(
        customer=customer, by=by, at=now, reason=reason, counts=counts
    )
