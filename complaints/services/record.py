"""Recording a complaint from any channel: validate, route, work out recurrence, the
major criteria and the clocks, then write the ticket and the complaint once each.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import clusters, deadlines, reference
from complaints.choices import Category, EventCode, ServiceType, Severity, Tier
from complaints.models import Complaint, Subcategory
from complaints.notices import event_line
from complaints.routing import route_for
from complaints.services.appeals import _check_parent, _tell_about_appeal
from complaints.services.escalation import TIER_MIN_LEVEL
from complaints.services.guards import _refuse, _text
from complaints.services.major import _major_line, _tell_leadership_of_major, major_reasons
from complaints.services.outages import _after_cluster_change
from complaints.services.recurrence import _earlier_complaints, _recurrence_lines
from complaints.services.repair import _check_repair
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from intake.choices import Channel, Region
from intake.models import Contact, Customer
from staffing.models import User
from worktickets.choices import EventKind, Priority, TicketKind, TicketStatus
from worktickets.models import Ticket
from worktickets.numbering import next_ticket_number
from worktickets.services import record_events
from worktickets.webhooks import ticket_created_emit

SEVERITY_PRIORITY = {
    Severity.NORMAL: Priority.NORMAL,
    Severity.MAJOR: Priority.HIGH,
    Severity.CRITICAL: Priority.URGENT,
}


def _priority_for(severity: str, customer: Customer | None, tier: str) -> int:
    priority = SEVERITY_PRIORITY[severity]
    if tier != Tier.COMPLAINT or (customer is not None and customer.is_vip):
        priority = max(priority, Priority.HIGH)
    return priority


def _normalised_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except InvalidPhoneNumber:
        raise _refuse(
            _("Enter a mainland mobile number or a fixed-line number with its area code."),
            "contact_phone",
        ) from None


@transaction.atomic
def complaint_record(
    *,
    recorded_by: User,
    channel: str,
    content: str,
    category: str = "",
    customer_name: str = "",
    subject: str = "",
    customer: Customer | None = None,
    contact: Contact | None = None,
    contact_phone: str = "",
    contact_email: str = "",
    contact_address: str = "",
    subcategory: Subcategory | None = None,
    severity: str = Severity.NORMAL,
    tier: str = Tier.COMPLAINT,
    parent: Complaint | None = None,
    regulator_reference: str = "",
    service_type: str = "",
    service_number: str = "",
    region: str = "",
    area: str = "",
    agent_concerned: User | None = None,
    media_involved: bool = False,
    regulator_involved: bool = False,
    promised_repair_at: datetime | None = None,
    first_contact_agent: User | None = None,
) -> Complaint:
    """Record a complaint from any channel (DOMAIN.md I-17, C-20) and route it (P-4)."""
    if channel not in Channel.values:
        raise _refuse(_("Unknown channel."), "channel")
    regulator_reference = (regulator_reference or "").strip()
    _check_parent(tier, parent, regulator_reference)
    if contact is not None and customer is None:
        customer = contact.customer
    if parent is not None:
        if customer is None:
            customer = parent.ticket.customer
        elif parent.ticket.customer_id not in (None, customer.pk):
            raise _refuse(_("The appealed complaint is another customer's."), "parent")
        category = category or parent.category
        subcategory = subcategory or parent.subcategory
        service_type = service_type or parent.service_type
        service_number = service_number or parent.service_number
        region = region or parent.region
        area = area or parent.area
        customer_name = customer_name or parent.customer_name
        contact_phone = contact_phone or parent.contact_phone
        contact_email = contact_email or parent.contact_email
        contact_address = contact_address or parent.contact_address
    if category not in Category.values:
        raise _refuse(_("Choose the complaint's category."), "category", "required")
    if subcategory is not None and (subcategory.category != category or not subcategory.is_active):
        raise _refuse(_("This subcategory belongs to another category."), "subcategory")
    if severity not in Severity.values:
        raise _refuse(_("Unknown severity."), "severity")
    if service_type and service_type not in ServiceType.values:
        raise _refuse(_("Unknown service."), "service_type")
    region = region or (customer.region if customer is not None else "")
    if region not in Region.values:
        raise _refuse(_("Say whether the service is urban or rural."), "region", "required")
    content = _text(content, "content", _("Write down what the customer complains about."))
    customer_name = (customer_name or (customer.name if customer else "")).strip()
    customer_name = _text(customer_name, "customer_name", _("Record the customer's name."))
    contact_phone = (
        _normalised_phone(contact_phone)
        or (customer.phone if customer else "")
        or (contact.caller_number if contact else "")
    )
    if not (contact_phone or contact_email or contact_address):
        raise _refuse(
            _("Record how to reach the customer: a phone, an email or a postal address."),
            "contact_phone",
            "required",
        )
    now = timezone.now()
    priority = _priority_for(severity, customer, tier)
    if parent is not None and promised_repair_at is None and parent.promised_repair_at:
        # An appeal of a fault keeps the promise the customer was given then.
        promised_repair_at = parent.promised_repair_at
    else:
        _check_repair(
            category,
            service_type,
            region,
            promised_repair_at,
            now,
            channel=channel,
            priority=priority,
            vip_tier=customer.vip_tier if customer is not None else "",
            tier=tier,
        )
    route = route_for(
        category, subcategory, agent_concerned=agent_concerned, recorded_by=recorded_by
    )
    ticket = Ticket(
        kind=TicketKind.COMPLAINT,
        channel=channel,
        subject=(subject or "").strip()[:200] or content.splitlines()[0][:80],
        description=content,
        customer=customer,
        caller_number=contact_phone,
        contact=contact,
        team=route.team,
        assignee=route.assignee,
        first_contact_agent=first_contact_agent or recorded_by,
        priority=priority,
        created_by=recorded_by,
    )
    ticket.set_status(TicketStatus.NEW)
    complaint = Complaint(
        ticket=ticket,
        customer_name=customer_name,
        contact_phone=contact_phone,
        contact_email=(contact_email or "").strip(),
        contact_address=(contact_address or "").strip(),
        category=category,
        subcategory=subcategory,
        severity=severity,
        tier=tier,
        parent=parent,
        regulator_reference=regulator_reference,
        support_level=TIER_MIN_LEVEL[tier],
        service_type=service_type,
        service_number=(service_number or "").strip(),
        region=region,
        area=clusters.area_key(area),
        agent_concerned=agent_concerned,
        media_involved=media_involved,
        regulator_involved=regulator_involved,
        promised_repair_at=promised_repair_at if category == Category.SERVICE_FAULT else None,
    )
    # The settings are kept per process (complaints.reference), renewed when saved.
    config = reference.complaint_settings.get()
    # Recurrence, the major criteria and the clocks are worked out first, so
    # the ticket and the complaint are each written once (one INSERT, one
    # history row each) with their number and nearest deadline (the queue's order).
    earlier = _earlier_complaints(complaint, config, now)
    if earlier:
        complaint.recurrence_of, complaint.recurrence_count = earlier[0], len(earlier)
    major = major_reasons(complaint, config)
    if major:
        complaint.is_major, complaint.major_reasons = True, major
        complaint.leadership_notified_at = now
    clocks = deadlines.planned(complaint, at=now)
    ticket.sla_due_at = deadlines.nearest_due(clocks)
    ticket.number = next_ticket_number(now)
    ticket.save()  # simple-history writes each one's history row
    complaint.save(force_insert=True)  # its key is its ticket's: no UPDATE tried first
    # The creation's lines, with a recurrence's and the major report's, in one INSERT.
    lines = [
        event_line(
            ticket,
            EventCode.RECORDED,
            recorded_by,
            kind=EventKind.CREATED,
            body=content,
            to_status=ticket.status,
            tier=tier,
            category=category,
        ),
        event_line(
            ticket,
            EventCode.ROUTED,
            recorded_by,
            body=_("Routed to %(team)s (%(rule)s).") % {"team": route.team, "rule": route.rule},
            team=route.team.name,
            rule=route.rule.pk,
        ),
    ]
    if earlier:
        lines += _recurrence_lines(complaint, earlier)
    if major:
        lines.append(_major_line(complaint, recorded_by))
        _tell_leadership_of_major(complaint)
    written = record_events(lines)
    complaint.started_clocks = deadlines.save_planned(complaint, clocks)
    cluster_change = clusters.cluster_check(complaint, config)
    ticket_created_emit(ticket)
    if tier == Tier.APPEAL:
        _tell_about_appeal(complaint, recorded_by)
    if cluster_change is not None:
        written += _after_cluster_change(cluster_change, recorded_by, config)
    # The complaint's timeline as the creation wrote it (others' lines are left out):
    # the API answers with it and the started clocks instead of reading them back.
    complaint.created_events = sorted(
        (line for line in written if line.ticket_id == ticket.pk), key=lambda e: (e.at, e.pk)
    )
    return complaint
