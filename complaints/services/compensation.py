"""Compensation (DOMAIN.md C-16, C-32): proposed by a handler, decided by market &
legal and, above the threshold, by the CS manager.

Nobody decides their own proposal. When market & legal has no other member who may
decide (its only member proposed it), the CS manager decides in its place. Each
request names those who may take it; a decision, by whoever takes it, marks every
request for that step done.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.choices import (
    CASH_KINDS,
    Action,
    ApprovalStage,
    CompensationKind,
    CompensationStatus,
    Decision,
    EventCode,
)
from complaints.models import Compensation, CompensationDecision, Complaint, ComplaintSettings
from complaints.notices import LEGAL_PERM, MANAGER_PERM, complaint_link, event, tell
from complaints.selectors import compensation_deciders, next_decision
from complaints.services.guards import _check, _lock, _refuse, _require, _text, _when
from csc.lib.errors import IllegalTransition, NotAllowed
from csc.lib.phrases import Phrase, joined
from staffing.models import Notification, User
from worktickets.services import save_ticket


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
    # Market & legal decide first, unless none of them but the proposer may (C-12).
    legal_may_decide = bool(compensation_deciders(complaint, LEGAL_PERM, by.pk))
    compensation = Compensation.objects.create(
        complaint=complaint,
        kind=kind,
        amount=amount,
        remedy=remedy,
        reason=reason,
        status=CompensationStatus.PROPOSED
        if legal_may_decide
        else CompensationStatus.AWAITING_MANAGER,
        needs_manager=amount is not None and amount > threshold,
        threshold=threshold,
        proposed_by=by,
    )
    ticket = complaint.ticket
    body: Phrase | str = Phrase(
        "%(summary)s: %(reason)s", summary=compensation.summary_phrase, reason=reason
    )
    if not legal_may_decide:
        body = joined(
            body,
            Phrase(
                gettext_noop(
                    "No other member of market & legal may decide it: the CS manager decides."
                )
            ),
            separator=" ",
        )
    event(
        ticket,
        EventCode.COMPENSATION,
        by,
        body=body,
        compensation=compensation.pk,
        amount=str(amount) if amount is not None else "",
        needs_manager=compensation.needs_manager,
        status=compensation.status,
    )
    save_ticket(ticket, [])
    _ask_deciders(complaint, compensation)
    return compensation


# The request to decide each pending status, one per compensation and step.
REQUEST_KEYS: dict[str, str] = {
    CompensationStatus.PROPOSED: "legal",
    CompensationStatus.AWAITING_MANAGER: "manager",
}


def _request_key(compensation: Compensation, status: str) -> str:
    return f"complaint-compensation:{compensation.pk}:{REQUEST_KEYS[status]}"


def _ask_deciders(complaint: Complaint, compensation: Compensation) -> None:
    """Tell those who may take the next decision, with its deadline (the result's)."""
    step = next_decision(complaint, compensation)
    if step is None:
        return
    ticket = complaint.ticket
    title: Phrase | str = Phrase(
        gettext_noop("Compensation for %(number)s awaits your decision (%(stage)s): %(summary)s"),
        number=ticket.number,
        summary=compensation.summary_phrase,
        stage=ApprovalStage(step.stage).label,
    )
    if step.due_at is not None:
        title = joined(
            title,
            Phrase(gettext_noop("by %(when)s"), when=_when(step.due_at)),
            separator=" · ",
        )
    tell(
        step.people,
        kind="complaint.compensation_proposed",
        title=title,
        body=compensation.reason,
        link=complaint_link(complaint.pk),
        key=_request_key(compensation, compensation.status),
    )


def _close_requests(compensation: Compensation) -> None:
    """A step decided, by whoever took it: every request for it is done (read)."""
    done = [
        _request_key(compensation, status)
        for status in REQUEST_KEYS
        if status != compensation.status
    ]
    Notification.objects.filter(
        dedupe_key__in=done, kind="complaint.compensation_proposed", read_at__isnull=True
    ).update(read_at=timezone.now())


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
    stage = _deciding_stage(compensation, by)
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
    line = Phrase(
        gettext_noop("%(stage)s: %(decision)s %(summary)s"),
        stage=ApprovalStage(stage).label,
        decision=Decision(decision).label,
        summary=compensation.summary_phrase,
    )
    event(
        ticket,
        EventCode.COMPENSATION_DECISION,
        by,
        body=joined(line, note),
        compensation=compensation.pk,
        stage=stage,
        decision=decision,
        status=compensation.status,
    )
    save_ticket(ticket, [])
    _close_requests(compensation)
    _tell_of_decision(complaint, compensation, note)
    return compensation


def _deciding_stage(compensation: Compensation, by: User) -> str:
    """Whose decision is due, refused to anyone else and to the proposer."""
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
    return stage


def _tell_of_decision(complaint: Complaint, compensation: Compensation, note: str) -> None:
    """The CS manager when their approval is due next, otherwise the proposer."""
    if compensation.status == CompensationStatus.AWAITING_MANAGER:
        _ask_deciders(complaint, compensation)
        return
    ticket = complaint.ticket
    tell(
        [compensation.proposed_by],
        kind="complaint.compensation_decided",
        title=Phrase(
            gettext_noop("Compensation for %(number)s: %(status)s"),
            number=ticket.number,
            status=CompensationStatus(compensation.status).label,
        ),
        body=note,
        link=complaint_link(complaint.pk),
        key=f"complaint-compensation:{compensation.pk}:decided",
    )


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
