"""The complaint's stage moves: accept (受理), investigate, handle, close (归档) and
reopen.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import deadlines
from complaints.choices import Action, CustomerResponse, Tier
from complaints.models import Complaint
from complaints.notices import complaint_link, tell
from complaints.services.guards import _check_move, _lock, _move, _text
from csc.lib.errors import IllegalTransition
from csc.lib.phrases import Phrase
from staffing.models import User
from worktickets.services import save_ticket


@transaction.atomic
def complaint_accept(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """受理: the handling group takes the complaint; the acceptance deadline is met."""
    complaint = _lock(complaint, version)
    target = _check_move(complaint, Action.ACCEPT)
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
    target = _check_move(complaint, Action.INVESTIGATE)
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
    target = _check_move(complaint, Action.HANDLE)
    deadlines.meet(complaint, deadlines.INVESTIGATION)
    _move(complaint, target, by, body=findings)
    save_ticket(complaint.ticket, ["status", "status_category"])
    return complaint


@transaction.atomic
def complaint_close(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """归档: the confirmed complaint is filed; the first-contact agent is told (P-6)."""
    complaint = _lock(complaint, version)
    target = _check_move(complaint, Action.CLOSE)
    ticket = complaint.ticket
    ticket.closed_at = timezone.now()
    _move(complaint, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "closed_at"])
    owner = ticket.first_contact_agent
    if owner.pk != by.pk:
        tell(
            [owner],
            kind="complaint.closed",
            title=Phrase(gettext_noop("Complaint %(number)s is closed"), number=ticket.number),
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
    target = _check_move(complaint, Action.REOPEN)
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
