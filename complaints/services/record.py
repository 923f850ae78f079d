"""Recording a complaint from any channel: validate, route, work out recurrence, the
major criteria and the clocks, then write the ticket and the complaint once each.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import clusters, deadlines, reference
from complaints.choices import Category, EventCode, ServiceType, Severity, Tier
from complaints.models import Complaint, ComplaintSettings, Subcategory
from complaints.notices import event_line
from complaints.routing import Route, collaborator_for, route_for, specialist_route
from complaints.services.appeals import _check_parent, _tell_about_appeal
from complaints.services.escalation import TIER_MIN_LEVEL
from complaints.services.guards import _refuse, _text
from complaints.services.major import _major_line, _tell_leadership_of_major, major_reasons
from complaints.services.outages import _after_cluster_change
from complaints.services.recurrence import _earlier_complaints, _recurrence_lines
from complaints.services.repair import _check_repair
from csc.lib.errors import Refusals
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from csc.lib.phrases import Phrase, joined
from intake.choices import Channel, Region
from intake.models import PHONE_ERROR, Contact, Customer
from sla.models import Clock
from staffing.models import Team, User
from worktickets.assignment import Outcome, assign_new
from worktickets.choices import EventKind, Priority, TicketKind, TicketStatus
from worktickets.models import Ticket, TicketEvent
from worktickets.numbering import next_ticket_number
from worktickets.services import record_events
from worktickets.webhooks import ticket_created_emit

SEVERITY_PRIORITY: dict[str, int] = {
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
        # The same words as every other phone field (intake's validation).
        raise _refuse(str(PHONE_ERROR), "contact_phone") from None


# What an appeal takes from the complaint it appeals when the intake leaves it out.
INHERITED_FROM_PARENT = (
    "category",
    "subcategory",
    "service_type",
    "service_number",
    "region",
    "area",
    "customer_name",
    "contact_phone",
    "contact_email",
    "contact_address",
)


@dataclass
class ComplaintIntake:
    """What the intake form or the API records of a complaint (DOMAIN.md I-17, C-20)."""

    channel: str
    content: str
    category: str = ""
    customer_name: str = ""
    subject: str = ""
    customer: Customer | None = None
    contact: Contact | None = None
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    subcategory: Subcategory | None = None
    severity: str = Severity.NORMAL
    tier: str = Tier.COMPLAINT
    parent: Complaint | None = None
    regulator_reference: str = ""
    service_type: str = ""
    service_number: str = ""
    region: str = ""
    area: str = ""
    agent_concerned: User | None = None
    media_involved: bool = False
    regulator_involved: bool = False
    promised_repair_at: datetime | None = None
    first_contact_agent: User | None = None


@dataclass(frozen=True)
class RecordedComplaint:
    """A complaint just recorded, with what its creation wrote: the API answers with the
    timeline and the started clocks instead of reading them back."""

    complaint: Complaint
    timeline: list[TicketEvent]  # the complaint's own lines (others' are left out), in order
    clocks: list[Clock]


@transaction.atomic
def complaint_record(intake: ComplaintIntake, *, recorded_by: User) -> RecordedComplaint:
    """Record a complaint from any channel (DOMAIN.md I-17, C-20) and route it (P-4)."""
    now = timezone.now()
    intake = _checked(intake, now)
    priority = _priority_for(intake.severity, intake.customer, intake.tier)
    route, collaborators = _routes(intake, recorded_by)
    complaint = _new_complaint(intake, _new_ticket(intake, route, priority, recorded_by))
    complaint.collaborating_team = collaborators
    ticket = complaint.ticket
    # The settings are kept per process (complaints.reference), renewed when saved.
    config = reference.complaint_settings.get()
    # Recurrence, the major criteria and the clocks are worked out first, so
    # the ticket and the complaint are each written once (one INSERT, one
    # history row each) with their number and nearest deadline (the queue's order).
    earlier = _mark_recurrence(complaint, config, now)
    _mark_major(complaint, config, now)
    clocks = deadlines.planned(complaint, at=now)
    ticket.sla_due_at = deadlines.nearest_due(clocks)
    ticket.number = next_ticket_number(now)
    # A routing that names a group, not a person: an agent of it on shift, when the
    # group assigns automatically (worktickets.assignment).
    auto = assign_new(ticket, at=now)
    _insert_rows(ticket, complaint)
    written = _write_creation_lines(complaint, recorded_by, route, earlier, auto)
    if auto is not None:
        auto.tell(ticket)
    started = deadlines.save_planned(complaint, clocks)
    written += _after_recording(complaint, recorded_by, config)
    timeline = sorted(
        (line for line in written if line.ticket_id == ticket.pk), key=lambda e: (e.at, e.pk)
    )
    return RecordedComplaint(complaint=complaint, timeline=timeline, clocks=started)


def _routes(intake: ComplaintIntake, recorded_by: User) -> tuple[Route, Team | None]:
    """The group that handles the complaint and, for an appeal the complaint-handling
    group coordinates, the specialist group that collaborates (DOMAIN.md C-10 to C-12)."""
    concerned = intake.agent_concerned
    route = route_for(
        intake.category,
        intake.subcategory,
        tier=intake.tier,
        agent_concerned=concerned,
        recorded_by=recorded_by,
    )
    if intake.tier == Tier.COMPLAINT:
        return route, None
    specialists = specialist_route(
        intake.category, intake.subcategory, agent_concerned=concerned, recorded_by=recorded_by
    )
    return route, collaborator_for(route, specialists.team if specialists else None)


def complaint_check(intake: ComplaintIntake) -> None:
    """Refuse, as complaint_record would, with every problem of the intake at once; saves
    nothing. The intake form asks for them while it also shows its own field errors."""
    _checked(intake, timezone.now())


def _checked(intake: ComplaintIntake, now: datetime) -> ComplaintIntake:
    """A copy of the intake, completed from the appealed complaint, checked and cleaned,
    with its promised repair time. Independent checks all run: the refusal names every
    field that needs correcting."""
    refusals = Refusals()
    with refusals.check():
        if intake.channel not in Channel.values:
            raise _refuse(_("Unknown channel."), "channel")
    intake = replace(intake, regulator_reference=(intake.regulator_reference or "").strip())
    with refusals.check():
        _check_parent(intake.tier, intake.parent, intake.regulator_reference)
    if intake.contact is not None and intake.customer is None:
        intake.customer = intake.contact.customer
    if intake.parent is not None:
        with refusals.check():
            _inherit_from_parent(intake, intake.parent)
    _check_classification(intake, refusals)
    _check_content_and_contact(intake, refusals)
    if not refusals.refused("category", "severity", "service_type", "region"):
        priority = _priority_for(intake.severity, intake.customer, intake.tier)
        with refusals.check():
            _promise_repair(intake, priority, now)
    refusals.raise_any()
    return intake


def _inherit_from_parent(intake: ComplaintIntake, parent: Complaint) -> None:
    """An appeal is the appealed complaint's customer's, and keeps what it leaves out."""
    if intake.customer is None:
        intake.customer = parent.ticket.customer
    elif parent.ticket.customer_id not in (None, intake.customer.pk):
        raise _refuse(_("The appealed complaint is another customer's."), "parent")
    for name in INHERITED_FROM_PARENT:
        setattr(intake, name, getattr(intake, name) or getattr(parent, name))


def _check_classification(intake: ComplaintIntake, refusals: Refusals) -> None:
    """Category, subcategory, severity, service and region; the region defaults to the
    customer's."""
    with refusals.check():
        if intake.category not in Category.values:
            raise _refuse(_("Choose the complaint's category."), "category", "required")
        subcategory = intake.subcategory
        if subcategory is not None and (
            subcategory.category != intake.category or not subcategory.is_active
        ):
            raise _refuse(_("This subcategory belongs to another category."), "subcategory")
    with refusals.check():
        if intake.severity not in Severity.values:
            raise _refuse(_("Unknown severity."), "severity")
    with refusals.check():
        if intake.service_type and intake.service_type not in ServiceType.values:
            raise _refuse(_("Unknown service."), "service_type")
    customer = intake.customer
    intake.region = intake.region or (customer.region if customer is not None else "")
    with refusals.check():
        if intake.region not in Region.values:
            raise _refuse(_("Say whether the service is urban or rural."), "region", "required")


def _check_content_and_contact(intake: ComplaintIntake, refusals: Refusals) -> None:
    """What the customer complains about, their name, and at least one way to reach them
    (the customer's or the caller's phone when none is given)."""
    customer, contact = intake.customer, intake.contact
    with refusals.check():
        intake.content = _text(
            intake.content, "content", _("Write down what the customer complains about.")
        )
    customer_name = (intake.customer_name or (customer.name if customer else "")).strip()
    with refusals.check():
        intake.customer_name = _text(
            customer_name, "customer_name", _("Record the customer's name.")
        )
    with refusals.check():
        intake.contact_phone = (
            _normalised_phone(intake.contact_phone)
            or (customer.phone if customer else "")
            or (contact.caller_number if contact else "")
        )
        if not (intake.contact_phone or intake.contact_email or intake.contact_address):
            raise _refuse(
                _("Record how to reach the customer: a phone, an email or a postal address."),
                "contact_phone",
                "required",
            )


def _promise_repair(intake: ComplaintIntake, priority: int, now: datetime) -> None:
    """A service fault is promised a repair time within the limit (repair._check_repair)."""
    parent = intake.parent
    if parent is not None and intake.promised_repair_at is None and parent.promised_repair_at:
        # An appeal of a fault keeps the promise the customer was given then.
        intake.promised_repair_at = parent.promised_repair_at
        return
    _check_repair(
        intake.category,
        intake.service_type,
        intake.region,
        intake.promised_repair_at,
        now,
        channel=intake.channel,
        priority=priority,
        vip_tier=intake.customer.grade_tier if intake.customer is not None else "",
        tier=intake.tier,
    )


def _new_ticket(intake: ComplaintIntake, route: Route, priority: int, by: User) -> Ticket:
    """The complaint's ticket, routed, not yet written."""
    ticket = Ticket(
        kind=TicketKind.COMPLAINT,
        channel=intake.channel,
        subject=(intake.subject or "").strip()[:200] or intake.content.splitlines()[0][:80],
        description=intake.content,
        customer=intake.customer,
        caller_number=intake.contact_phone,
        contact=intake.contact,
        team=route.team,
        assignee=route.assignee,
        first_contact_agent=intake.first_contact_agent or by,
        priority=priority,
        created_by=by,
    )
    ticket.set_status(TicketStatus.NEW)
    return ticket


def _new_complaint(intake: ComplaintIntake, ticket: Ticket) -> Complaint:
    """The complaint on its ticket, not yet written."""
    return Complaint(
        ticket=ticket,
        customer_name=intake.customer_name,
        contact_phone=intake.contact_phone,
        contact_email=(intake.contact_email or "").strip(),
        contact_address=(intake.contact_address or "").strip(),
        category=intake.category,
        subcategory=intake.subcategory,
        severity=intake.severity,
        tier=intake.tier,
        parent=intake.parent,
        regulator_reference=intake.regulator_reference,
        support_level=TIER_MIN_LEVEL[intake.tier],
        service_type=intake.service_type,
        service_number=(intake.service_number or "").strip(),
        region=intake.region,
        area=clusters.area_key(intake.area),
        agent_concerned=intake.agent_concerned,
        media_involved=intake.media_involved,
        regulator_involved=intake.regulator_involved,
        promised_repair_at=(
            intake.promised_repair_at if intake.category == Category.SERVICE_FAULT else None
        ),
    )


def _mark_recurrence(
    complaint: Complaint, config: ComplaintSettings, now: datetime
) -> list[Complaint]:
    """Link a recurrence to the latest earlier complaint; returns the earlier ones."""
    earlier = _earlier_complaints(complaint, config, now)
    if earlier:
        complaint.recurrence_of, complaint.recurrence_count = earlier[0], len(earlier)
    return earlier


def _mark_major(complaint: Complaint, config: ComplaintSettings, now: datetime) -> None:
    """Mark a major complaint; the leadership group is told with the creation's lines."""
    major = major_reasons(complaint, config)
    if major:
        complaint.is_major, complaint.major_reasons = True, major
        complaint.leadership_notified_at = now


def _routed_text(route: Route, collaborators: Team | None) -> Phrase | str:
    text = Phrase(
        gettext_noop("Routed to %(team)s (%(rule)s)."), team=str(route.team), rule=str(route.rule)
    )
    if collaborators is None:
        return text
    also = Phrase(gettext_noop("%(team)s collaborates."), team=str(collaborators))
    return joined(text, also, separator=" ")


def _insert_rows(ticket: Ticket, complaint: Complaint) -> None:
    """Write the ticket and the complaint; simple-history writes each one's history row."""
    ticket.save()
    complaint.save(force_insert=True)  # its key is its ticket's: no UPDATE tried first


def _write_creation_lines(
    complaint: Complaint, by: User, route: Route, earlier: list[Complaint], auto: Outcome | None
) -> list[TicketEvent]:
    """The creation's lines, with a recurrence's and the major report's, in one INSERT."""
    ticket = complaint.ticket
    recorded = event_line(
        ticket,
        EventCode.RECORDED,
        by,
        kind=EventKind.CREATED,
        body=ticket.description,
        to_status=ticket.status,
        tier=complaint.tier,
        category=complaint.category,
    )
    if auto is not None:
        auto.note_on(recorded)
    lines = [
        recorded,
        event_line(
            ticket,
            EventCode.ROUTED,
            by,
            body=_routed_text(route, complaint.collaborating_team),
            team=route.team.name,
            rule=route.rule.pk,
            collaborating_team=getattr(complaint.collaborating_team, "name", ""),
        ),
    ]
    if earlier:
        lines += _recurrence_lines(complaint, earlier)
    if complaint.is_major:
        lines.append(_major_line(complaint, by))
        _tell_leadership_of_major(complaint)
    return record_events(lines)


def _after_recording(
    complaint: Complaint, by: User, config: ComplaintSettings
) -> list[TicketEvent]:
    """An outage cluster the complaint joins or opens, the created webhook and an
    appeal's notices; returns the timeline lines written."""
    cluster_change = clusters.cluster_check(complaint, config)
    ticket_created_emit(complaint.ticket)
    if complaint.tier == Tier.APPEAL:
        _tell_about_appeal(complaint, by)
    if cluster_change is None:
        return []
    return _after_cluster_change(cluster_change, by, config)
