"""待我审批: every decision waiting for one person, from every app, in one list.

Each kind of request is read by its own app's selector, which applies that
app's visibility rule and the permission the decision needs, and is decided
by that app's own service. The inbox adds no rule of its own: it lists, in
deadline order, and hands a decision to the service that takes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.choices import Decision
from complaints.models import Compensation, DeadlineExtension
from complaints.notices import EXTENSION_PERM, LEGAL_PERM, MANAGER_PERM
from staffing.models import User
from worktickets import selectors as ticket_selectors
from worktickets import services as ticket_services
from worktickets.models import Ticket

APPROVE_BUSINESS = "worktickets.approve_business"
# Holding any of these makes a person a decider: the inbox is theirs.
DECISION_PERMS = (LEGAL_PERM, MANAGER_PERM, EXTENSION_PERM, APPROVE_BUSINESS)


class RequestKind(models.TextChoices):
    COMPENSATION = "compensation", _("Compensation")
    EXTENSION = "extension", _("Deadline extension")
    BUSINESS_ORDER = "business_order", _("Business order")


@dataclass(frozen=True)
class AwaitingDecision:
    """One request waiting for this person's decision."""

    kind: str
    pk: int
    number: str
    link: str
    asked: str  # what is to be decided
    reason: str
    asked_by: User | None
    asked_at: datetime
    due_at: datetime | None
    version: int  # the ticket's, for the decision's optimistic lock
    # The row read for the list, handed to the service that decides.
    source: Compensation | DeadlineExtension | Ticket = field(repr=False, compare=False)

    @property
    def kind_label(self) -> str:
        return str(RequestKind(self.kind).label)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


def may_decide(user: User) -> bool:
    return any(user.has_perm(perm) for perm in DECISION_PERMS)


def _compensation(compensation: Compensation) -> AwaitingDecision:
    ticket = compensation.complaint.ticket
    return AwaitingDecision(
        kind=RequestKind.COMPENSATION,
        pk=compensation.pk,
        number=ticket.number,
        link=reverse("complaints:detail", args=[ticket.pk]),
        asked=compensation.summary,
        reason=compensation.reason,
        asked_by=compensation.proposed_by,
        asked_at=compensation.proposed_at,
        due_at=getattr(compensation, "due_at", None),
        version=ticket.version,
        source=compensation,
    )


def _extension(extension: DeadlineExtension) -> AwaitingDecision:
    ticket = extension.complaint.ticket
    asked = _("%(metric)s +%(days)s working day(s)") % {
        "metric": extension.get_metric_display(),
        "days": extension.working_days,
    }
    return AwaitingDecision(
        kind=RequestKind.EXTENSION,
        pk=extension.pk,
        number=ticket.number,
        link=reverse("complaints:detail", args=[ticket.pk]),
        asked=str(asked),
        reason=extension.reason,
        asked_by=extension.requested_by,
        asked_at=extension.requested_at,
        due_at=getattr(extension, "due_at", None),
        version=ticket.version,
        source=extension,
    )


def _business_order(ticket: Ticket) -> AwaitingDecision:
    business_type = ticket.business_type
    return AwaitingDecision(
        kind=RequestKind.BUSINESS_ORDER,
        pk=ticket.pk,
        number=ticket.number,
        link=reverse("worktickets:ticket_detail", args=[ticket.pk]),
        asked=business_type.name if business_type is not None else "",
        reason=ticket.subject,
        asked_by=ticket.created_by,
        asked_at=ticket.created_at,
        due_at=getattr(ticket, "due_at", None),
        version=ticket.version,
        source=ticket,
    )


def awaiting_decision(user: User) -> list[AwaitingDecision]:
    """Everything waiting for this person's decision, the soonest deadline first
    (requests without one last, oldest first). Three queries at most."""
    found = [
        *(_compensation(c) for c in complaint_selectors.compensations_awaiting(user)),
        *(_extension(e) for e in complaint_selectors.extensions_awaiting(user)),
        *(_business_order(t) for t in ticket_selectors.orders_awaiting_approval(user)),
    ]
    return sorted(
        found, key=lambda item: (item.due_at is None, item.due_at or item.asked_at, item.asked_at)
    )


def awaiting_one(user: User, kind: str, pk: int) -> AwaitingDecision | None:
    """The request if it still waits for this person's decision, else None."""
    if kind == RequestKind.COMPENSATION:
        compensation = complaint_selectors.compensations_awaiting(user).filter(pk=pk).first()
        return _compensation(compensation) if compensation else None
    if kind == RequestKind.EXTENSION:
        extension = complaint_selectors.extensions_awaiting(user).filter(pk=pk).first()
        return _extension(extension) if extension else None
    if kind == RequestKind.BUSINESS_ORDER:
        ticket = ticket_selectors.orders_awaiting_approval(user).filter(pk=pk).first()
        return _business_order(ticket) if ticket else None
    return None


def decide(item: AwaitingDecision, *, by: User, decision: str, note: str, version: int) -> None:
    """Take the decision through the service of the request's own app."""
    source = item.source
    if isinstance(source, Compensation):
        complaint_services.compensation_decide(
            source.complaint,
            by=by,
            version=version,
            compensation=source,
            decision=decision,
            note=note,
        )
    elif isinstance(source, DeadlineExtension):
        complaint_services.complaint_extend(
            source.complaint, by=by, version=version, decision=decision, extension=source, note=note
        )
    elif decision == Decision.APPROVE:
        ticket_services.business_approve(source, by=by, version=version, note=note)
    else:
        ticket_services.business_reject(source, by=by, version=version, reason=note)
