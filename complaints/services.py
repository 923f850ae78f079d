"""Every change to a complaint: one function per business action.

A complaint lives on its Ticket (kind complaint), so each action takes the
ticket's row lock and refuses a stale version exactly as ticket actions do
(worktickets.services.lock_ticket), checks the stage table in
choices.TRANSITIONS, saves, bumps the version and writes its timeline lines
in the same transaction. Deadlines are the SLA engine's (complaints.deadlines).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from complaints import clusters, deadlines, reference, webhooks
from complaints.choices import (
    CASH_KINDS,
    OPEN_STAGES,
    TRANSITIONS,
    Action,
    ApprovalStage,
    Category,
    ClusterStatus,
    CompensationKind,
    CompensationStatus,
    CustomerResponse,
    Decision,
    DissatisfiedNext,
    EscalationKind,
    EscalationTrigger,
    EventCode,
    ExtensionMetric,
    ExtensionStatus,
    FeedbackChannel,
    MajorReason,
    ServiceType,
    Severity,
    SupportLevel,
    Tier,
)
from complaints.models import (
    Compensation,
    CompensationDecision,
    Complaint,
    ComplaintEscalation,
    ComplaintSettings,
    DeadlineExtension,
    Feedback,
    OutageCluster,
    Subcategory,
)
from complaints.notices import (
    EXTENSION_PERM,
    LEADERSHIP_PERM,
    LEGAL_PERM,
    MANAGER_PERM,
    cluster_link,
    complaint_link,
    event,
    event_line,
    tell,
)
from complaints.routing import route_for
from complaints.selectors import who_may_open
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from csc.lib.history import insert_created
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from intake.choices import Channel, Region
from intake.models import Contact, Customer
from staffing.models import User
from staffing.outbox import outbox_enqueue
from staffing.selectors import holders_of
from worktickets.choices import EventKind, Priority, TicketKind, TicketStatus
from worktickets.models import Ticket, TicketEvent
from worktickets.numbering import next_ticket_number
from worktickets.services import change_status, lock_ticket, record_events, save_ticket
from worktickets.webhooks import ticket_created_emit

SEVERITY_PRIORITY = {
    Severity.NORMAL: Priority.NORMAL,
    Severity.MAJOR: Priority.HIGH,
    Severity.CRITICAL: Priority.URGENT,
}
# Where an escalated tier starts (DOMAIN.md C-5, K-19): an upgraded complaint goes to
# the specialist group at least; an appeal from the regulator to the provincial centre.
TIER_MIN_LEVEL = {
    Tier.COMPLAINT: SupportLevel.L1,
    Tier.UPGRADED: SupportLevel.L2,
    Tier.APPEAL: SupportLevel.L3,
}
MAX_EXTENSION_WORKING_DAYS = 30


# ---------------------------------------------------------------- helpers


def _refuse(message: str, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, details={field_name: [message]})


def _text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(message, field_name, "required")
    return value


def _require(by: User | None, perm: str, message: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise NotAllowed(message)


def _lock(complaint: Complaint | int, version: int | None) -> Complaint:
    """The complaint with its ticket row locked (the ticket's lock guards both)."""
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    ticket = lock_ticket(pk, version)
    locked = Complaint.objects.select_related("subcategory").get(pk=pk)
    locked.ticket = ticket
    return locked


def _check(complaint: Complaint, action: str) -> str | None:
    allowed_from, target = TRANSITIONS[action]
    ticket = complaint.ticket
    if ticket.status not in allowed_from:
        raise IllegalTransition(
            _("Cannot %(action)s complaint %(number)s while it is %(stage)s.")
            % {
                "action": str(Action(action).label).lower(),
                "number": ticket.number,
                "stage": ticket.get_status_display(),
            },
            details={"status": ticket.status, "allowed": allowed_actions(complaint)},
        )
    return target


def allowed_actions(complaint: Complaint) -> list[str]:
    """The actions the complaint's stage allows now (for buttons and 409 bodies)."""
    status = complaint.ticket.status
    actions = [a for a, (allowed_from, _t) in TRANSITIONS.items() if status in allowed_from]
    if complaint.category != Category.SERVICE_FAULT or complaint.repaired_at is not None:
        actions = [a for a in actions if a != Action.RECORD_REPAIR]
    if complaint.evidence_completed_at is not None:
        actions = [a for a in actions if a != Action.EVIDENCE_COMPLETE]
    return actions


def _move(complaint: Complaint, to_status: str, by: User | None, *, body: str = "") -> None:
    """Change the stage and record it; change_status tells the SLA engine, which pauses,
    meets, stops or restarts the clocks by the stage's status category."""
    change_status(complaint.ticket, to_status, by, body=body)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


# ---------------------------------------------------------------- intake


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


def _check_parent(tier: str, parent: Complaint | None, regulator_reference: str) -> None:
    if tier == Tier.UPGRADED:
        raise _refuse(
            _("Upgraded complaints come from escalating a complaint, not from intake."), "tier"
        )
    if tier == Tier.COMPLAINT and parent is not None:
        raise _refuse(_("Only an appeal names an earlier complaint."), "parent")
    if tier == Tier.APPEAL:
        if parent is None and not regulator_reference:
            raise _refuse(
                _("An appeal names the complaint it appeals or the regulator's reference."),
                "parent",
                "required",
            )
        if parent is not None and parent.tier == Tier.APPEAL:
            raise _refuse(_("An appeal cannot appeal another appeal."), "parent")


def _check_repair(
    category: str,
    service_type: str,
    region: str,
    promised_repair_at: datetime | None,
    received_at: datetime,
    **facts,
) -> deadlines.RepairLimit | None:
    """Service faults: the customer is told a repair time within the limit (K-35, S-19).

    Returns the limit; nothing for other categories.
    """
    if category != Category.SERVICE_FAULT:
        return None
    if not service_type:
        raise _refuse(
            _("Choose the affected service of a service fault."), "service_type", "required"
        )
    limit = deadlines.repair_limit(
        service_type=service_type, region=region, at=received_at, **facts
    )
    if limit is None:
        raise _refuse(
            _(
                "No repair time limit is configured for %(service)s; ask an administrator to "
                "set one before recording its faults."
            )
            % {"service": ServiceType(service_type).label},
            "service_type",
            "repair_limit_missing",
        )
    if promised_repair_at is None:
        raise _refuse(
            _("Tell the customer when the fault will be repaired (no later than %(latest)s).")
            % {"latest": _when(limit.due_at)},
            "promised_repair_at",
            "required",
        )
    if promised_repair_at <= received_at:
        raise _refuse(_("The promised repair time must be in the future."), "promised_repair_at")
    if promised_repair_at > limit.due_at:
        raise _refuse(
            _(
                "The repair limit for this service and region is %(limit)s: promise no later "
                "than %(latest)s."
            )
            % {"limit": limit.text, "latest": _when(limit.due_at)},
            "promised_repair_at",
        )
    return limit


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
    # history row) with their number and nearest deadline (the queue's order).
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
    # Each with its history row, in one statement (csc.lib.history; no model signals).
    insert_created(ticket)
    insert_created(complaint)
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


def _tell_about_appeal(appeal: Complaint, by: User) -> None:
    """Appeals are shown to the CS manager from the start (DOMAIN.md P-2)."""
    _tell_leadership(
        appeal, "appeal", _("Appeal %(number)s: %(subject)s"), body=appeal.regulator_reference
    )
    if appeal.parent is not None:
        event(
            appeal.parent.ticket,
            EventCode.APPEALED,
            by,
            body=_("The customer appealed: %(number)s.") % {"number": appeal.ticket.number},
            appeal=appeal.pk,
        )


def _tell_leadership(complaint: Complaint, what: str, title: str, *, body: str) -> None:
    """Notify the leadership group once of this complaint's `what` (appeal, major);
    `title` takes the ticket's number and subject."""
    ticket = complaint.ticket
    tell(
        reference.leadership_group.get(),
        kind=f"complaint.{what}",
        title=title % {"number": ticket.number, "subject": ticket.subject},
        body=body,
        link=complaint_link(complaint.pk),
        key=f"complaint-{what}:{complaint.pk}",
    )


# ---------------------------------------------------------------- major complaints


def major_reasons(complaint: Complaint, config: ComplaintSettings) -> list[str]:
    """DOMAIN.md P-3, K-19: the configurable criteria of a major complaint."""
    reasons = []
    if complaint.severity in (Severity.MAJOR, Severity.CRITICAL):
        reasons.append(MajorReason.SEVERITY)
    if config.major_on_media and complaint.media_involved:
        reasons.append(MajorReason.MEDIA)
    if config.major_on_regulator and complaint.regulator_involved:
        reasons.append(MajorReason.REGULATOR)
    if config.major_on_cluster and complaint.cluster_id is not None:
        reasons.append(MajorReason.MASS_FAULT)
    repeat = config.major_repeat_count
    if repeat and complaint.recurrence_count >= repeat:
        reasons.append(MajorReason.REPEAT)
    return [str(r) for r in reasons]


def _refresh_major(
    complaint: Complaint, by: User | None, config: ComplaintSettings, *, notify: bool = True
) -> list[TicketEvent]:
    """Mark a major complaint and report it to the leadership group at once (C-10).

    Returns the timeline lines written."""
    reasons = major_reasons(complaint, config)
    is_major = bool(reasons)
    if reasons == complaint.major_reasons and is_major == complaint.is_major:
        return []
    written = []
    complaint.is_major, complaint.major_reasons = is_major, reasons
    fields = ["is_major", "major_reasons"]
    if is_major and complaint.leadership_notified_at is None:
        complaint.leadership_notified_at = timezone.now()
        fields.append("leadership_notified_at")
        written.append(_report_major(complaint, by, notify=notify))
    complaint.save(update_fields=fields)
    return written


def _report_major(complaint: Complaint, by: User | None, *, notify: bool = True) -> TicketEvent:
    """Tell the leadership group of a complaint just found major; its timeline line."""
    if notify:
        _tell_leadership_of_major(complaint)
    return record_events([_major_line(complaint, by)])[0]


def _tell_leadership_of_major(complaint: Complaint) -> None:
    _tell_leadership(
        complaint,
        "major",
        _("Major complaint %(number)s: %(subject)s"),
        body=_major_labels(complaint),
    )


def _major_line(complaint: Complaint, by: User | None) -> TicketEvent:
    """The timeline line of a complaint found major (not yet written)."""
    return event_line(
        complaint.ticket,
        EventCode.MAJOR,
        by,
        kind=EventKind.NOTIFIED,
        body=_major_labels(complaint),
        reasons=complaint.major_reasons,
    )


def _major_labels(complaint: Complaint) -> str:
    return "、".join(str(MajorReason(r).label) for r in complaint.major_reasons)


# ---------------------------------------------------------------- recurrence


def _earlier_complaints(
    complaint: Complaint, config: ComplaintSettings, now: datetime
) -> list[Complaint]:
    """The same customer's complaints of the same category within the window,
    latest first (DOMAIN.md C-25, C-36), for a complaint being recorded now."""
    if complaint.tier != Tier.COMPLAINT or not config.recurrence_window_days:
        return []
    ticket = complaint.ticket
    if ticket.customer_id:
        same_customer = {"ticket__customer_id": ticket.customer_id}
    elif complaint.contact_phone:
        same_customer = {"ticket__customer__isnull": True, "contact_phone": complaint.contact_phone}
    else:
        return []
    # Only what the link and its lines show: this runs for every complaint recorded.
    return list(
        Complaint.objects.select_related("ticket")
        .only("ticket__number")
        .filter(
            tier=Tier.COMPLAINT,
            category=complaint.category,
            ticket__created_at__gte=now - timedelta(days=config.recurrence_window_days),
            **same_customer,
        )
        .order_by("-ticket__created_at", "-pk")
    )


def _recurrence_lines(complaint: Complaint, earlier: list[Complaint]) -> list[TicketEvent]:
    """The timeline lines of a recurrence, on this complaint's and the latest earlier one's
    (not yet written)."""
    ticket, latest = complaint.ticket, earlier[0]
    values = {"number": latest.ticket.number, "count": len(earlier)}
    return [
        event_line(
            ticket,
            EventCode.RECURRENCE,
            None,
            body=_("Recurrence of %(number)s (%(count)s earlier complaint(s) in the window).")
            % values,
            earlier=latest.pk,
            count=len(earlier),
        ),
        event_line(
            latest.ticket,
            EventCode.RECURRENCE,
            None,
            body=_("The customer complained again: %(number)s.") % {"number": ticket.number},
            later=complaint.pk,
        ),
    ]


# ---------------------------------------------------------------- outage clusters


def _after_cluster_change(
    change: clusters.ClusterChange, by: User | None, config: ComplaintSettings
) -> list[TicketEvent]:
    """Tell the members and the leadership group; returns the timeline lines written."""
    cluster = change.cluster
    label = str(cluster)
    written = []
    for member in change.joined:
        written.append(
            event(
                member.ticket,
                EventCode.CLUSTER,
                by,
                body=_("Part of the outage %(cluster)s.") % {"cluster": label},
                cluster=cluster.pk,
            )
        )
        # The cluster's notice tells the leadership group; members are not told one by one.
        written += _refresh_major(member, by, config, notify=False)
    if change.opened:
        tell(
            reference.leadership_group.get(),
            kind="complaint.cluster",
            title=_("Outage: %(count)s service-fault complaints, %(cluster)s")
            % {"count": len(change.joined), "cluster": label},
            link=cluster_link(cluster.pk),
            key=f"complaint-cluster:{cluster.pk}",
        )
    return written


# ---------------------------------------------------------------- stages


@transaction.atomic
def complaint_accept(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """受理: the handling group takes the complaint; the acceptance deadline is met."""
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.ACCEPT)
    ticket = complaint.ticket
    now = timezone.now()
    fields = ["status", "status_category"]
    if ticket.assignee_id is None:
        ticket.assignee = by
        fields.append("assignee")
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    ticket.transfer_pending = False
    fields.append("transfer_pending")
    deadlines.meet(complaint, deadlines.ACCEPTANCE, at=now)
    _move(complaint, target, by, body=note)
    save_ticket(ticket, fields)
    complaint.accepted_at = now
    complaint.save(update_fields=["accepted_at"])
    return complaint


@transaction.atomic
def complaint_investigate(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.INVESTIGATE)
    _move(complaint, target, by, body=note)
    save_ticket(complaint.ticket, ["status", "status_category"])
    return complaint


@transaction.atomic
def complaint_handle(
    complaint: Complaint, *, by: User, version: int | None, findings: str
) -> Complaint:
    """The investigation is done (its deadline met); the complaint is handled now."""
    findings = _text(findings, "findings", _("Write down what the investigation found."))
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.HANDLE)
    deadlines.meet(complaint, deadlines.INVESTIGATION)
    _move(complaint, target, by, body=findings)
    save_ticket(complaint.ticket, ["status", "status_category"])
    return complaint


def _recipient(complaint: Complaint, channel: str) -> str:
    if channel == FeedbackChannel.SMS:
        recipient = complaint.contact_phone
        message = _("The complaint has no phone number to send an SMS to.")
    elif channel == FeedbackChannel.EMAIL:
        recipient = complaint.contact_email
        message = _("The complaint has no email address.")
    elif channel == FeedbackChannel.LETTER:
        recipient = (
            f"{complaint.customer_name}\n{complaint.contact_address}"
            if complaint.contact_address
            else ""
        )
        message = _("The complaint has no postal address for a letter.")
    else:
        raise _refuse(_("Choose SMS, email or letter."), "channel")
    if not recipient:
        raise _refuse(message, "channel", "no_recipient")
    return recipient


def _approved_compensation_text(complaint: Complaint) -> str:
    approved = complaint.compensations.filter(status=CompensationStatus.APPROVED)
    return "；".join(c.summary for c in approved)


def _feedback_message(complaint: Complaint, feedback: Feedback) -> tuple[str, str]:
    """The customer-facing text, in the centre's language (DOMAIN.md C-33)."""
    ticket = complaint.ticket
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("The result of your complaint %(number)s") % {"number": ticket.number}
        lines = [
            _("Dear %(name)s,") % {"name": complaint.customer_name},
            _("This is the result of the complaint you made on %(date)s (number %(number)s).")
            % {"date": _when(ticket.created_at), "number": ticket.number},
            _("Cause: %(text)s") % {"text": feedback.cause},
            _("Measures taken: %(text)s") % {"text": feedback.measures},
        ]
        if feedback.compensation_text:
            lines.append(_("Compensation: %(text)s") % {"text": feedback.compensation_text})
        if feedback.rectification:
            lines.append(_("Rectification: %(text)s") % {"text": feedback.rectification})
        if feedback.follow_up:
            lines.append(_("Follow-up: %(text)s") % {"text": feedback.follow_up})
        lines.append(
            _("If you are not satisfied with this result, reply or call us and quote the number.")
        )
    return str(subject), "\n".join(str(line) for line in lines)


@transaction.atomic
def complaint_feedback(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    cause: str,
    measures: str,
    channel: str,
    rectification: str = "",
    follow_up: str = "",
    compensation: str | None = None,
    cluster: OutageCluster | None = None,
) -> Feedback:
    """结果反馈: cause, measures, compensation, rectification and follow-up go to the
    customer by SMS, email or letter through the outbox; the feedback deadline is met."""
    cause = _text(cause, "cause", _("Give the cause."))
    measures = _text(measures, "measures", _("Describe the measures taken."))
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.FEEDBACK)
    if complaint.compensations.filter(
        status__in=[CompensationStatus.PROPOSED, CompensationStatus.AWAITING_MANAGER]
    ).exists():
        raise IllegalTransition(
            _("A compensation proposal awaits its decision; decide it before giving the result.")
        )
    recipient = _recipient(complaint, channel)
    now = timezone.now()
    feedback = Feedback(
        complaint=complaint,
        cause=cause,
        measures=measures,
        compensation_text=(
            compensation if compensation is not None else _approved_compensation_text(complaint)
        ).strip(),
        rectification=(rectification or "").strip(),
        follow_up=(follow_up or "").strip(),
        channel=channel,
        recipient=recipient,
        cluster=cluster,
        due_at=deadlines.due_at(complaint, deadlines.FEEDBACK),
        sent_by=by,
        sent_at=now,
    )
    feedback.save()
    subject, body = _feedback_message(complaint, feedback)
    feedback.message = outbox_enqueue(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        payload={"complaint": complaint.pk, "feedback": feedback.pk},
        dedupe_key=f"complaint-feedback:{feedback.pk}",
    )
    feedback.save(update_fields=["message"])
    ticket = complaint.ticket
    # Skipped stages (a cluster answer) are done now too.
    deadlines.meet(complaint, deadlines.INVESTIGATION, at=now)
    deadlines.meet(complaint, deadlines.FEEDBACK, at=now)
    event(
        ticket,
        EventCode.FEEDBACK,
        by,
        kind=EventKind.REPLY,
        customer_facing=True,
        body=body,
        channel=channel,
        feedback=feedback.pk,
    )
    _move(complaint, target, by)
    fields = ["status", "status_category"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    ticket.resolution = f"{cause}\n{measures}"
    fields.append("resolution")
    save_ticket(ticket, fields)
    complaint.customer_response = CustomerResponse.NONE
    complaint.save(update_fields=["customer_response"])
    webhooks.complaint_feedback_given_emit(complaint, feedback)
    return feedback


def _latest_feedback(complaint: Complaint) -> Feedback:
    feedback = complaint.feedback.order_by("-sent_at", "-pk").first()
    if feedback is None:
        raise IllegalTransition(_("No result has been given to the customer yet."))
    return feedback


def _record_response(complaint: Complaint, by: User, response: str, note: str) -> Feedback:
    feedback = _latest_feedback(complaint)
    feedback.response = response
    feedback.response_note = note
    feedback.responded_at = timezone.now()
    feedback.save(update_fields=["response", "response_note", "responded_at"])
    complaint.customer_response = response
    complaint.save(update_fields=["customer_response"])
    event(
        complaint.ticket,
        EventCode.CUSTOMER_RESPONSE,
        by,
        body=note or CustomerResponse(response).label,
        response=response,
        feedback=feedback.pk,
    )
    return feedback


@transaction.atomic
def complaint_confirm(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """The customer confirms the result (DOMAIN.md C-20 step 4)."""
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.CONFIRM)
    _record_response(complaint, by, CustomerResponse.CONFIRMED, (note or "").strip())
    ticket = complaint.ticket
    ticket.resolved_at = timezone.now()
    _move(complaint, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "resolved_at"])
    return complaint


@transaction.atomic
def complaint_dissatisfied(
    complaint: Complaint, *, by: User, version: int | None, note: str, next_step: str
) -> Complaint:
    """The customer is not satisfied: handle it again, or upgrade it (C-6, K-19).

    Returns the complaint that now carries the case (the upgraded one on upgrade).
    """
    note = _text(note, "note", _("Write down what the customer is not satisfied with."))
    if next_step not in DissatisfiedNext.values:
        raise _refuse(_("Choose to reopen or to upgrade."), "next_step")
    complaint = _lock(complaint, version)
    _check(complaint, Action.DISSATISFIED)
    _record_response(complaint, by, CustomerResponse.DISSATISFIED, note)
    if next_step == DissatisfiedNext.REOPEN:
        _move(complaint, TicketStatus.HANDLING, by, body=note)
        deadlines.result_rejected(complaint)
        save_ticket(complaint.ticket, ["status", "status_category"])
        return complaint
    return _upgrade(
        complaint,
        by=by,
        trigger=EscalationTrigger.DISSATISFIED,
        reason=note,
        dedupe_key=f"upgrade:{complaint.pk}",
    )


@transaction.atomic
def complaint_close(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """归档: the confirmed complaint is filed; the first-contact agent is told (P-6)."""
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.CLOSE)
    ticket = complaint.ticket
    ticket.closed_at = timezone.now()
    _move(complaint, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "closed_at"])
    owner = ticket.first_contact_agent
    if owner.pk != by.pk:
        tell(
            [owner],
            kind="complaint.closed",
            title=_("Complaint %(number)s is closed") % {"number": ticket.number},
            body=ticket.resolution,
            link=complaint_link(complaint.pk),
            key=f"complaint-closed:{complaint.pk}:{ticket.version}",
        )
    return complaint


@transaction.atomic
def complaint_reopen(
    complaint: Complaint, *, by: User, version: int | None, reason: str
) -> Complaint:
    """The customer comes back: the complaint is handled again."""
    reason = _text(reason, "reason", _("Say why the complaint is reopened."))
    complaint = _lock(complaint, version)
    target = _check(complaint, Action.REOPEN)
    if complaint.tier != Tier.APPEAL and complaint.children.filter(tier=Tier.UPGRADED).exists():
        raise IllegalTransition(
            _("This complaint was upgraded; the upgraded complaint carries the case now.")
        )
    ticket = complaint.ticket
    ticket.resolved_at = None
    ticket.closed_at = None
    _move(complaint, target, by, body=reason)
    save_ticket(ticket, ["status", "status_category", "resolved_at", "closed_at"])
    complaint.customer_response = CustomerResponse.NONE
    complaint.save(update_fields=["customer_response"])
    return complaint


@transaction.atomic
def complaint_evidence_complete(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """Evidence collection is done: its 7-day clock is met (DOMAIN.md C-26, K-3)."""
    complaint = _lock(complaint, version)
    _check(complaint, Action.EVIDENCE_COMPLETE)
    if complaint.evidence_completed_at is not None:
        raise IllegalTransition(_("Evidence collection is already complete."))
    now = timezone.now()
    complaint.evidence_completed_at = now
    complaint.save(update_fields=["evidence_completed_at"])
    deadlines.meet(complaint, deadlines.EVIDENCE, at=now)
    count = complaint.evidence.count()
    event(complaint.ticket, EventCode.EVIDENCE_COMPLETE, by, body=note, entries=count)
    save_ticket(complaint.ticket, [])
    return complaint


@transaction.atomic
def complaint_record_repair(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    note: str = "",
    repaired_at: datetime | None = None,
) -> Complaint:
    """The fault is repaired (service faults): the repair deadline is met."""
    complaint = _lock(complaint, version)
    _check(complaint, Action.RECORD_REPAIR)
    if complaint.category != Category.SERVICE_FAULT:
        raise IllegalTransition(_("Only service faults have a repair."))
    if complaint.repaired_at is not None:
        raise IllegalTransition(_("The repair is already recorded."))
    now = timezone.now()
    repaired_at = repaired_at or now
    if repaired_at > now or repaired_at < complaint.ticket.created_at:
        raise _refuse(_("The repair time lies between the complaint and now."), "repaired_at")
    complaint.repaired_at = repaired_at
    complaint.save(update_fields=["repaired_at"])
    deadlines.meet(complaint, deadlines.REPAIR, at=repaired_at)
    late = complaint.promised_repair_at is not None and repaired_at > complaint.promised_repair_at
    event(
        complaint.ticket,
        EventCode.REPAIR,
        by,
        body=note,
        repaired_at=repaired_at.isoformat(),
        later_than_promised=late,
    )
    save_ticket(complaint.ticket, [])
    return complaint


# ---------------------------------------------------------------- escalation


def _escalation_recipients(complaint: Complaint, *, leadership: bool) -> list[User]:
    people = [complaint.ticket.team.lead, complaint.ticket.assignee]
    if leadership:
        people += list(holders_of(LEADERSHIP_PERM))
    return [p for p in people if p is not None]


def _raise_level(
    complaint: Complaint, *, by: User | None, trigger: str, reason: str, dedupe_key: str
) -> ComplaintEscalation:
    from_level = complaint.support_level
    if from_level >= SupportLevel.L3:
        raise IllegalTransition(
            _("Complaint %(number)s is already with the provincial complaint centre (L3).")
            % {"number": complaint.ticket.number}
        )
    to_level = from_level + 1
    escalation = ComplaintEscalation.objects.create(
        complaint=complaint,
        kind=EscalationKind.RAISE_LEVEL,
        trigger=trigger,
        from_level=from_level,
        to_level=to_level,
        reason=reason,
        by=by,
        dedupe_key=dedupe_key,
    )
    complaint.support_level = to_level
    complaint.save(update_fields=["support_level"])
    ticket = complaint.ticket
    ticket.priority = min(max(ticket.priority + 1, Priority.HIGH), Priority.URGENT)
    save_ticket(ticket, ["priority"])
    label = SupportLevel(to_level).label
    event(
        ticket,
        EventCode.ESCALATION,
        by,
        kind=EventKind.ESCALATED,
        body=f"{label}: {reason}",
        escalation=escalation.pk,
        to_level=to_level,
        trigger=trigger,
    )
    webhooks.complaint_escalated_emit(complaint, escalation)
    tell(
        _escalation_recipients(complaint, leadership=to_level == SupportLevel.L3),
        kind="complaint.escalated",
        title=_("Complaint %(number)s escalated to %(level)s")
        % {"number": ticket.number, "level": label},
        body=reason,
        link=complaint_link(complaint.pk),
        key=f"complaint-escalation:{escalation.pk}",
    )
    return escalation


def _upgrade(
    complaint: Complaint, *, by: User | None, trigger: str, reason: str, dedupe_key: str
) -> Complaint:
    """升级投诉: a new complaint of tier upgraded, child of this one, with the tighter
    deadlines of its tier; this one closes and points to it (DOMAIN.md C-1, K-19)."""
    ticket = complaint.ticket
    if complaint.tier != Tier.COMPLAINT:
        raise IllegalTransition(
            _("Only a complaint can be upgraded; %(number)s is already %(tier)s.")
            % {"number": ticket.number, "tier": complaint.get_tier_display()}
        )
    if complaint.children.filter(tier=Tier.UPGRADED).exists():
        raise IllegalTransition(_("This complaint has already been upgraded."))
    if ticket.status not in OPEN_STAGES:
        raise IllegalTransition(_("A closed complaint cannot be upgraded; reopen it first."))
    now = timezone.now()
    level = max(complaint.support_level, TIER_MIN_LEVEL[Tier.UPGRADED])
    upgraded_ticket = Ticket(
        number=next_ticket_number(now),
        kind=TicketKind.COMPLAINT,
        channel=ticket.channel,
        subject=ticket.subject,
        description=ticket.description,
        customer=ticket.customer,
        caller_number=ticket.caller_number,
        contact=ticket.contact,
        team=ticket.team,
        assignee=ticket.assignee,
        first_contact_agent=ticket.first_contact_agent,
        priority=max(ticket.priority, Priority.HIGH),
        created_by=by or ticket.created_by,
    )
    upgraded_ticket.set_status(TicketStatus.NEW)
    upgraded_ticket.save()
    copied = [
        "customer_name",
        "contact_phone",
        "contact_email",
        "contact_address",
        "category",
        "subcategory",
        "severity",
        "service_type",
        "service_number",
        "region",
        "area",
        "agent_concerned",
        "media_involved",
        "regulator_involved",
        "promised_repair_at",
        "repaired_at",
    ]
    upgraded = Complaint.objects.create(
        ticket=upgraded_ticket,
        tier=Tier.UPGRADED,
        parent=complaint,
        support_level=level,
        **{name: getattr(complaint, name) for name in copied},
    )
    escalation = ComplaintEscalation.objects.create(
        complaint=complaint,
        kind=EscalationKind.UPGRADE,
        trigger=trigger,
        from_level=complaint.support_level,
        to_level=level,
        upgraded_to=upgraded,
        reason=reason,
        by=by,
        dedupe_key=dedupe_key,
    )
    event(
        upgraded_ticket,
        EventCode.RECORDED,
        by,
        kind=EventKind.CREATED,
        to_status=upgraded_ticket.status,
        body=_("Upgraded from %(number)s: %(reason)s")
        % {"number": ticket.number, "reason": reason},
        tier=Tier.UPGRADED,
        parent=complaint.pk,
    )
    event(
        ticket,
        EventCode.ESCALATION,
        by,
        kind=EventKind.ESCALATED,
        body=_("Upgraded to %(number)s: %(reason)s")
        % {"number": upgraded_ticket.number, "reason": reason},
        escalation=escalation.pk,
        upgraded_to=upgraded.pk,
        trigger=trigger,
    )
    ticket.closed_at = now
    _move(
        complaint,
        TicketStatus.CLOSED,
        by,
        body=_("Carried on as the upgraded complaint %(number)s.")
        % {"number": upgraded_ticket.number},
    )
    save_ticket(ticket, ["status", "status_category", "closed_at"])
    deadlines.start(upgraded, at=now)
    ticket_created_emit(upgraded_ticket)
    webhooks.complaint_escalated_emit(complaint, escalation)
    config = ComplaintSettings.current()
    _refresh_major(upgraded, by, config)
    tell(
        _escalation_recipients(upgraded, leadership=True),
        kind="complaint.escalated",
        title=_("Upgraded complaint %(number)s (from %(parent)s)")
        % {"number": upgraded_ticket.number, "parent": ticket.number},
        body=reason,
        link=complaint_link(upgraded.pk),
        key=f"complaint-escalation:{escalation.pk}",
    )
    return upgraded


@transaction.atomic
def complaint_escalate(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    mode: str,
    reason: str,
) -> Complaint:
    """A handler escalates: raise the support level, or upgrade the complaint.

    Returns the complaint that now carries the case.
    """
    reason = _text(reason, "reason", _("Say why the complaint is escalated."))
    if mode not in EscalationKind.values:
        raise _refuse(_("Choose to raise the level or to upgrade."), "mode")
    complaint = _lock(complaint, version)
    _check(complaint, Action.ESCALATE)
    if mode == EscalationKind.UPGRADE:
        return _upgrade(
            complaint,
            by=by,
            trigger=EscalationTrigger.MANUAL,
            reason=reason,
            dedupe_key=f"upgrade:{complaint.pk}",
        )
    level = complaint.support_level + 1
    _raise_level(
        complaint,
        by=by,
        trigger=EscalationTrigger.MANUAL,
        reason=reason,
        dedupe_key=f"level:{complaint.pk}:{level}:{complaint.ticket.version}",
    )
    return complaint


@transaction.atomic
def complaint_escalate_overdue(
    complaint_id: int, *, mode: str, reason: str, dedupe_key: str
) -> ComplaintEscalation | Complaint | None:
    """An overdue stage escalates (called by the SLA sweeper's ladder): once per key.

    Does nothing, rather than refuse, when the step was taken already or no longer
    applies (the complaint closed, upgraded, or at the top level).
    """
    if ComplaintEscalation.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return None
    complaint = _lock(complaint, None)
    if complaint.ticket.status not in OPEN_STAGES:
        return None
    if ComplaintEscalation.objects.filter(dedupe_key=dedupe_key).exists():
        return None  # taken while we waited for the lock
    if mode == EscalationKind.UPGRADE:
        if (
            complaint.tier != Tier.COMPLAINT
            or complaint.children.filter(tier=Tier.UPGRADED).exists()
        ):
            return None
        return _upgrade(
            complaint,
            by=None,
            trigger=EscalationTrigger.OVERDUE,
            reason=reason,
            dedupe_key=dedupe_key,
        )
    if complaint.support_level >= SupportLevel.L3:
        return None
    return _raise_level(
        complaint, by=None, trigger=EscalationTrigger.OVERDUE, reason=reason, dedupe_key=dedupe_key
    )


# ---------------------------------------------------------------- deadline extensions


def _extension_metric(metric: str) -> str:
    if metric not in ExtensionMetric.values:
        raise _refuse(_("Choose the deadline to extend."), "metric")
    return metric


def _extension_days(working_days) -> int:
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise _refuse(
            _("An extension is between 1 and %(max)s working days.")
            % {"max": MAX_EXTENSION_WORKING_DAYS},
            "working_days",
        )
    return working_days


def _check_reply_limit(complaint: Complaint, clock) -> datetime | None:
    """Refuse an extension of a deadline already at the 15-day reply limit (R-1, P-2);
    returns the limit the extension may reach."""
    limit = deadlines.extension_limit(complaint, clock.metric)
    if limit is not None and clock.due_at >= limit:
        raise _refuse(
            _(
                "The result must reach the customer by %(limit)s, 15 calendar days after "
                "receipt (MIIT Order 35); no extension can move it. Answer the customer, "
                "or hand the complaint to the appeal path."
            )
            % {"limit": _when(limit)},
            "working_days",
            "reply_limit",
        )
    return limit


@transaction.atomic
def complaint_request_extension(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    metric: str,
    working_days: int,
    reason: str,
) -> DeadlineExtension:
    """Ask a CS manager to move a deadline (DOMAIN.md P-2, K-3: evidence outlasting the result)."""
    metric = _extension_metric(metric)
    working_days = _extension_days(working_days)
    reason = _text(reason, "reason", _("Say why the deadline must move."))
    complaint = _lock(complaint, version)
    _check(complaint, Action.REQUEST_EXTENSION)
    clock = deadlines.open_clock(complaint, metric)
    if clock is None:
        raise _refuse(_("That deadline is not running."), "metric", "no_clock")
    _check_reply_limit(complaint, clock)
    if complaint.extensions.filter(metric=metric, status=ExtensionStatus.REQUESTED).exists():
        raise IllegalTransition(_("An extension of this deadline already awaits a decision."))
    extension = DeadlineExtension.objects.create(
        complaint=complaint,
        metric=metric,
        working_days=working_days,
        reason=reason,
        requested_by=by,
    )
    ticket = complaint.ticket
    label = ExtensionMetric(metric).label
    event(
        ticket,
        EventCode.EXTENSION,
        by,
        body=_("Requested %(days)s more working day(s) for %(metric)s: %(reason)s")
        % {"days": working_days, "metric": label, "reason": reason},
        extension=extension.pk,
        status=ExtensionStatus.REQUESTED,
    )
    save_ticket(ticket, [])
    tell(
        who_may_open(complaint, holders_of(EXTENSION_PERM)),
        kind="complaint.extension_requested",
        title=_("Extension requested for %(number)s: %(metric)s +%(days)s")
        % {"number": ticket.number, "metric": label, "days": working_days},
        body=reason,
        link=complaint_link(complaint.pk),
        key=f"complaint-extension:{extension.pk}",
    )
    return extension


@transaction.atomic
def complaint_extend(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    decision: str = Decision.APPROVE,
    extension: DeadlineExtension | None = None,
    metric: str = "",
    working_days: int | None = None,
    reason: str = "",
    note: str = "",
) -> DeadlineExtension:
    """A CS manager approves (moving the clock) or refuses an extension, always recorded.

    Without a pending request the manager extends directly, giving the reason.
    """
    _require(by, EXTENSION_PERM, _("Only a CS manager can approve a deadline extension."))
    if decision not in Decision.values:
        raise _refuse(_("Approve or refuse."), "decision")
    complaint = _lock(complaint, version)
    _check(complaint, Action.EXTEND)
    now = timezone.now()
    if extension is None:
        if decision == Decision.REJECT:
            raise _refuse(_("Choose the request to refuse."), "extension", "required")
        extension = DeadlineExtension(
            complaint=complaint,
            metric=_extension_metric(metric),
            working_days=_extension_days(working_days),
            reason=_text(reason, "reason", _("Say why the deadline must move.")),
            requested_by=by,
            requested_at=now,
        )
    else:
        extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.complaint_id != complaint.pk:
            raise _refuse(_("That request is another complaint's."), "extension")
        if extension.status != ExtensionStatus.REQUESTED:
            raise IllegalTransition(_("That request has already been decided."))
    extension.decided_by = by
    extension.decided_at = now
    extension.decision_note = (note or "").strip()
    label = ExtensionMetric(extension.metric).label
    if decision == Decision.APPROVE:
        clock = deadlines.open_clock(complaint, extension.metric)
        if clock is None:
            raise _refuse(_("That deadline is not running."), "metric", "no_clock")
        limit = _check_reply_limit(complaint, clock)
        extension.due_before = clock.due_at
        clock = deadlines.extend(
            clock,
            working_days=extension.working_days,
            reason=extension.reason,
            approved_by=by,
            not_after=limit,
        )
        extension.due_after = clock.due_at
        extension.status = ExtensionStatus.APPROVED
        body = _("%(metric)s extended by %(days)s working day(s), now due %(due)s: %(reason)s") % {
            "metric": label,
            "days": extension.working_days,
            "due": _when(clock.due_at),
            "reason": extension.reason,
        }
        if limit is not None and clock.due_at == limit:
            body += " " + _(
                "(held at the 15-day reply limit of MIIT Order 35: answer the customer by then "
                "or hand the complaint to the appeal path)"
            )
    else:
        extension.status = ExtensionStatus.REFUSED
        body = _("Extension of %(metric)s refused: %(note)s") % {
            "metric": label,
            "note": extension.decision_note,
        }
    extension.save()
    ticket = complaint.ticket
    event(
        ticket,
        EventCode.EXTENSION,
        by,
        body=body,
        extension=extension.pk,
        status=extension.status,
        due_before=extension.due_before.isoformat() if extension.due_before else "",
        due_after=extension.due_after.isoformat() if extension.due_after else "",
    )
    save_ticket(ticket, [])
    if extension.requested_by_id != by.pk:
        tell(
            [extension.requested_by],
            kind="complaint.extension_decided",
            title=_("Extension for %(number)s: %(status)s")
            % {"number": ticket.number, "status": extension.get_status_display()},
            body=body,
            link=complaint_link(complaint.pk),
            key=f"complaint-extension-decided:{extension.pk}",
        )
    return extension


# ---------------------------------------------------------------- compensation


@transaction.atomic
def compensation_propose(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    kind: str,
    reason: str,
    amount: Decimal | None = None,
    remedy: str = "",
) -> Compensation:
    """A handler proposes a remedy (DOMAIN.md C-16, C-32); market & legal decide first."""
    if kind not in CompensationKind.values:
        raise _refuse(_("Choose the kind of remedy."), "kind")
    reason = _text(reason, "reason", _("Say why the customer is compensated."))
    remedy = (remedy or "").strip()
    if amount is not None and amount < 0:
        raise _refuse(_("The amount cannot be negative."), "amount")
    if kind in CASH_KINDS and not amount:
        raise _refuse(_("Give the amount of a cash remedy."), "amount", "required")
    if kind not in CASH_KINDS and not remedy:
        raise _refuse(_("Describe the remedy."), "remedy", "required")
    complaint = _lock(complaint, version)
    _check(complaint, Action.PROPOSE_COMPENSATION)
    threshold = ComplaintSettings.current().compensation_manager_threshold
    compensation = Compensation.objects.create(
        complaint=complaint,
        kind=kind,
        amount=amount,
        remedy=remedy,
        reason=reason,
        needs_manager=amount is not None and amount > threshold,
        threshold=threshold,
        proposed_by=by,
    )
    ticket = complaint.ticket
    event(
        ticket,
        EventCode.COMPENSATION,
        by,
        body=f"{compensation.summary}: {reason}",
        compensation=compensation.pk,
        amount=str(amount) if amount is not None else "",
        needs_manager=compensation.needs_manager,
    )
    save_ticket(ticket, [])
    tell(
        who_may_open(complaint, holders_of(LEGAL_PERM)),
        kind="complaint.compensation_proposed",
        title=_("Compensation for %(number)s awaits market & legal: %(summary)s")
        % {"number": ticket.number, "summary": compensation.summary},
        body=reason,
        link=complaint_link(complaint.pk),
        key=f"complaint-compensation:{compensation.pk}:legal",
    )
    return compensation


@transaction.atomic
def compensation_decide(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    compensation: Compensation,
    decision: str,
    note: str = "",
) -> Compensation:
    """Market & legal decide; above the threshold the CS manager decides next.

    Every decision is a row with who and when; a proposer never approves their own.
    """
    if decision not in Decision.values:
        raise _refuse(_("Approve or reject."), "decision")
    note = (note or "").strip()
    if decision == Decision.REJECT and not note:
        raise _refuse(_("Give the reason for the rejection."), "note", "required")
    complaint = _lock(complaint, version)
    compensation = Compensation.objects.select_for_update().get(pk=compensation.pk)
    if compensation.complaint_id != complaint.pk:
        raise _refuse(_("That compensation is another complaint's."), "compensation")
    if compensation.status == CompensationStatus.PROPOSED:
        stage = ApprovalStage.MARKET_LEGAL
        _require(by, LEGAL_PERM, _("Market & legal compliance decides on compensation first."))
    elif compensation.status == CompensationStatus.AWAITING_MANAGER:
        stage = ApprovalStage.CS_MANAGER
        _require(
            by,
            MANAGER_PERM,
            _("Compensation above %(threshold)s yuan needs the CS manager's approval.")
            % {"threshold": compensation.threshold},
        )
    else:
        raise IllegalTransition(_("This compensation has already been decided."))
    if by.pk == compensation.proposed_by_id:
        raise NotAllowed(_("The person who proposed a compensation cannot approve it."))
    CompensationDecision.objects.create(
        compensation=compensation, stage=stage, decision=decision, note=note, by=by
    )
    if decision == Decision.REJECT:
        compensation.status = CompensationStatus.REJECTED
    elif stage == ApprovalStage.MARKET_LEGAL and compensation.needs_manager:
        compensation.status = CompensationStatus.AWAITING_MANAGER
    else:
        compensation.status = CompensationStatus.APPROVED
    compensation.save(update_fields=["status"])
    ticket = complaint.ticket
    values = {
        "stage": ApprovalStage(stage).label,
        "decision": Decision(decision).label,
        "summary": compensation.summary,
    }
    event(
        ticket,
        EventCode.COMPENSATION_DECISION,
        by,
        body=_("%(stage)s: %(decision)s %(summary)s") % values + (f" — {note}" if note else ""),
        compensation=compensation.pk,
        stage=stage,
        decision=decision,
        status=compensation.status,
    )
    save_ticket(ticket, [])
    link = complaint_link(complaint.pk)
    if compensation.status == CompensationStatus.AWAITING_MANAGER:
        tell(
            who_may_open(complaint, holders_of(MANAGER_PERM)),
            kind="complaint.compensation_proposed",
            title=_("Compensation for %(number)s awaits your approval: %(summary)s")
            % {"number": ticket.number, "summary": compensation.summary},
            body=compensation.reason,
            link=link,
            key=f"complaint-compensation:{compensation.pk}:manager",
        )
    else:
        tell(
            [compensation.proposed_by],
            kind="complaint.compensation_decided",
            title=_("Compensation for %(number)s: %(status)s")
            % {"number": ticket.number, "status": compensation.get_status_display()},
            body=note,
            link=link,
            key=f"complaint-compensation:{compensation.pk}:decided",
        )
    return compensation


def pending_compensation_for(user: User, complaint: Complaint) -> list[Compensation]:
    """The proposals awaiting a decision this person may take."""
    pending = []
    for compensation in complaint.compensations.filter(
        status__in=[CompensationStatus.PROPOSED, CompensationStatus.AWAITING_MANAGER]
    ):
        if compensation.proposed_by_id == user.pk:
            continue
        perm = LEGAL_PERM if compensation.status == CompensationStatus.PROPOSED else MANAGER_PERM
        if user.has_perm(perm):
            pending.append(compensation)
    return pending


# ---------------------------------------------------------------- cluster feedback


@dataclass
class ClusterFeedbackResult:
    given: list[Feedback] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


@transaction.atomic
def cluster_feedback(
    cluster: OutageCluster,
    *,
    by: User,
    cause: str,
    measures: str,
    channel: str,
    rectification: str = "",
    follow_up: str = "",
) -> ClusterFeedbackResult:
    """One result for every complaint of an outage; the cluster is resolved."""
    cause = _text(cause, "cause", _("Give the cause."))
    measures = _text(measures, "measures", _("Describe the measures taken."))
    if channel not in FeedbackChannel.values:
        raise _refuse(_("Choose SMS, email or letter."), "channel")
    cluster = OutageCluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.status != ClusterStatus.OPEN:
        raise IllegalTransition(_("This outage has already been answered."))
    result = ClusterFeedbackResult()
    members = cluster.complaints.select_related("ticket").order_by("ticket__created_at", "pk")
    for member in members:
        number = member.ticket.number
        if member.ticket.status not in TRANSITIONS[Action.FEEDBACK][0] | {TicketStatus.NEW}:
            result.skipped.append((number, str(member.ticket.get_status_display())))
            continue
        member_channel = channel
        if channel != FeedbackChannel.SMS and not _has_recipient(member, channel):
            member_channel = FeedbackChannel.SMS  # the customer's phone is always there
        if not _has_recipient(member, member_channel):
            result.skipped.append((number, str(_("no contact for this channel"))))
            continue
        try:
            with transaction.atomic():
                if member.ticket.status == TicketStatus.NEW:
                    member = complaint_accept(member, by=by, version=None)
                feedback = complaint_feedback(
                    member,
                    by=by,
                    version=None,
                    cause=cause,
                    measures=measures,
                    channel=member_channel,
                    rectification=rectification,
                    follow_up=follow_up,
                    cluster=cluster,
                )
        except DomainError as refusal:
            # One complaint that cannot take the answer yet (a compensation awaiting its
            # decision) does not hold back the others; it is answered on its own later.
            result.skipped.append((number, refusal.message))
            continue
        result.given.append(feedback)
    cluster.status = ClusterStatus.RESOLVED
    cluster.resolved_at = timezone.now()
    cluster.cause = cause
    cluster.save(update_fields=["status", "resolved_at", "cause"])
    return result


def _has_recipient(complaint: Complaint, channel: str) -> bool:
    try:
        _recipient(complaint, channel)
    except DomainError:
        return False
    return True
