"""Escalation: raising the support level L1 → L2 → L3, and upgrading a complaint to
升级投诉 (DOMAIN.md C-1, C-5, K-19), by a handler or by the SLA ladder.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import deadlines, webhooks
from complaints.choices import (
    OPEN_STAGES,
    Action,
    EscalationKind,
    EscalationTrigger,
    EventCode,
    SupportLevel,
    Tier,
)
from complaints.models import Complaint, ComplaintEscalation, ComplaintSettings
from complaints.notices import LEADERSHIP_PERM, complaint_link, event, handlers_of, tell
from complaints.routing import route_for
from complaints.services.guards import _check, _lock, _move, _refuse, _text
from complaints.services.major import _refresh_major
from csc.lib.errors import DomainError, IllegalTransition
from csc.lib.phrases import Phrase
from staffing.models import Team, User
from staffing.selectors import holders_of
from worktickets.choices import EventKind, Priority, TicketKind, TicketStatus
from worktickets.models import Ticket
from worktickets.numbering import next_ticket_number
from worktickets.services import save_ticket
from worktickets.webhooks import ticket_created_emit

# Where an escalated tier starts (DOMAIN.md C-5, K-19): an upgraded complaint goes to
# the specialist group at least; an appeal from the regulator to the provincial centre.
TIER_MIN_LEVEL: dict[str, int] = {
    Tier.COMPLAINT: SupportLevel.L1,
    Tier.UPGRADED: SupportLevel.L2,
    Tier.APPEAL: SupportLevel.L3,
}


def _escalation_recipients(
    complaint: Complaint, *, leadership: bool, group: bool = False
) -> list[User]:
    people = [complaint.ticket.team.lead, complaint.ticket.assignee]
    if group:  # the group that now coordinates it, and the one collaborating
        people += handlers_of(complaint.ticket.team) + handlers_of(complaint.collaborating_team)
    if leadership:
        people += list(holders_of(LEADERSHIP_PERM))
    return list({p.pk: p for p in people if p is not None}.values())


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
        body=Phrase("%(level)s: %(reason)s", level=label, reason=reason),
        escalation=escalation.pk,
        to_level=to_level,
        trigger=trigger,
    )
    webhooks.complaint_escalated_emit(complaint, escalation)
    tell(
        _escalation_recipients(complaint, leadership=to_level == SupportLevel.L3),
        kind="complaint.escalated",
        title=Phrase(
            gettext_noop("Complaint %(number)s escalated to %(level)s"),
            number=ticket.number,
            level=label,
        ),
        body=reason,
        link=complaint_link(complaint.pk),
        key=f"complaint-escalation:{escalation.pk}",
    )
    return escalation


# What an upgraded complaint takes over from the complaint it carries on.
COPIED_ON_UPGRADE = (
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
)


def _upgrade(
    complaint: Complaint, *, by: User | None, trigger: str, reason: str, dedupe_key: str
) -> Complaint:
    """升级投诉: a new complaint of tier upgraded, child of this one, with the tighter
    deadlines of its tier; this one closes and points to it (DOMAIN.md C-1, K-19)."""
    _check_upgradable(complaint)
    now = timezone.now()
    level = max(complaint.support_level, TIER_MIN_LEVEL[Tier.UPGRADED])
    upgraded = _upgraded_copy(complaint, by=by, level=level, now=now)
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
    _write_upgrade_lines(complaint, upgraded, escalation, by)
    _close_as_upgraded(complaint, upgraded, by, now)
    deadlines.start(upgraded, at=now)
    ticket_created_emit(upgraded.ticket)
    webhooks.complaint_escalated_emit(complaint, escalation)
    _refresh_major(upgraded, by, ComplaintSettings.current())
    tell(
        _escalation_recipients(upgraded, leadership=True, group=True),
        kind="complaint.escalated",
        title=Phrase(
            gettext_noop("Upgraded complaint %(number)s (from %(parent)s)"),
            number=upgraded.ticket.number,
            parent=complaint.ticket.number,
        ),
        body=reason,
        link=complaint_link(upgraded.pk),
        key=f"complaint-escalation:{escalation.pk}",
    )
    return upgraded


def _check_upgradable(complaint: Complaint) -> None:
    """Only an open complaint of the first tier, not upgraded yet, can be upgraded."""
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


def _upgraded_copy(
    complaint: Complaint, *, by: User | None, level: int, now: datetime
) -> Complaint:
    """The upgraded complaint on a ticket of its own, written with its history: the
    complaint-handling group coordinates it, the group that had it collaborates."""
    ticket = complaint.ticket
    team, assignee = _upgraded_route(complaint, by)
    upgraded_ticket = Ticket(
        number=next_ticket_number(now),
        kind=TicketKind.COMPLAINT,
        channel=ticket.channel,
        subject=ticket.subject,
        description=ticket.description,
        customer=ticket.customer,
        caller_number=ticket.caller_number,
        contact=ticket.contact,
        team=team,
        assignee=assignee,
        first_contact_agent=ticket.first_contact_agent,
        priority=max(ticket.priority, Priority.HIGH),
        created_by=by or ticket.created_by,
    )
    upgraded_ticket.set_status(TicketStatus.NEW)
    upgraded_ticket.save()
    return Complaint.objects.create(
        ticket=upgraded_ticket,
        tier=Tier.UPGRADED,
        parent=complaint,
        support_level=level,
        collaborating_team=ticket.team if ticket.team_id != team.pk else None,
        **{name: getattr(complaint, name) for name in COPIED_ON_UPGRADE},
    )


def _upgraded_route(complaint: Complaint, by: User | None) -> tuple[Team, User | None]:
    """Where the routing rules send an upgraded complaint (DOMAIN.md C-10); without a
    rule or group for it, the group that had the complaint keeps it, with its assignee."""
    ticket = complaint.ticket
    try:
        route = route_for(
            complaint.category,
            complaint.subcategory,
            agent_concerned=complaint.agent_concerned,
            recorded_by=by or ticket.created_by,
            tier=Tier.UPGRADED,
        )
    except DomainError:
        return ticket.team, ticket.assignee
    if route.team.pk == ticket.team_id:
        return ticket.team, route.assignee or ticket.assignee
    return route.team, route.assignee


def _write_upgrade_lines(
    complaint: Complaint, upgraded: Complaint, escalation: ComplaintEscalation, by: User | None
) -> None:
    """The upgraded complaint's first line and the upgrade on this one's timeline."""
    reason = escalation.reason
    event(
        upgraded.ticket,
        EventCode.RECORDED,
        by,
        kind=EventKind.CREATED,
        to_status=upgraded.ticket.status,
        body=Phrase(
            gettext_noop("Upgraded from %(number)s: %(reason)s"),
            number=complaint.ticket.number,
            reason=reason,
        ),
        tier=Tier.UPGRADED,
        parent=complaint.pk,
    )
    event(
        complaint.ticket,
        EventCode.ESCALATION,
        by,
        kind=EventKind.ESCALATED,
        body=Phrase(
            gettext_noop("Upgraded to %(number)s: %(reason)s"),
            number=upgraded.ticket.number,
            reason=reason,
        ),
        escalation=escalation.pk,
        upgraded_to=upgraded.pk,
        trigger=escalation.trigger,
    )


def _close_as_upgraded(
    complaint: Complaint, upgraded: Complaint, by: User | None, now: datetime
) -> None:
    """This complaint closes; the upgraded one carries the case on."""
    ticket = complaint.ticket
    ticket.closed_at = now
    _move(
        complaint,
        TicketStatus.CLOSED,
        by,
        body=Phrase(
            gettext_noop("Carried on as the upgraded complaint %(number)s."),
            number=upgraded.ticket.number,
        ),
    )
    save_ticket(ticket, ["status", "status_category", "closed_at"])


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
