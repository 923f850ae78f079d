"""Result feedback (结果反馈) to the customer and the customer's answer: confirmed, or
not satisfied (handled again or upgraded).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import deadlines, webhooks
from complaints.choices import (
    Action,
    CompensationStatus,
    CustomerResponse,
    DissatisfiedNext,
    EscalationTrigger,
    EventCode,
    FeedbackChannel,
)
from complaints.models import Complaint, Feedback, OutageCluster
from complaints.notices import event
from complaints.services.escalation import _upgrade
from complaints.services.guards import _check, _check_move, _lock, _move, _refuse, _text, _when
from csc.lib.errors import IllegalTransition
from staffing.models import User
from staffing.outbox import outbox_enqueue
from worktickets.choices import EventKind, TicketStatus
from worktickets.services import save_ticket


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
    target = _check_move(complaint, Action.FEEDBACK)
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
    body = _send_feedback(complaint, feedback)
    _mark_answered(complaint, feedback, body, target)
    webhooks.complaint_feedback_given_emit(complaint, feedback)
    return feedback


def _send_feedback(complaint: Complaint, feedback: Feedback) -> str:
    """Queue the customer's message in the outbox; returns its text."""
    subject, body = _feedback_message(complaint, feedback)
    feedback.message = outbox_enqueue(
        channel=feedback.channel,
        recipient=feedback.recipient,
        subject=subject,
        body=body,
        payload={"complaint": complaint.pk, "feedback": feedback.pk},
        dedupe_key=f"complaint-feedback:{feedback.pk}",
    )
    feedback.save(update_fields=["message"])
    return body


def _mark_answered(complaint: Complaint, feedback: Feedback, body: str, target: str) -> None:
    """The deadlines are met, the result is on the timeline and the stage moves on; the
    customer's answer is awaited."""
    ticket, by, now = complaint.ticket, feedback.sent_by, feedback.sent_at
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
        channel=feedback.channel,
        feedback=feedback.pk,
    )
    _move(complaint, target, by)
    fields = ["status", "status_category"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    ticket.resolution = f"{feedback.cause}\n{feedback.measures}"
    fields.append("resolution")
    save_ticket(ticket, fields)
    complaint.customer_response = CustomerResponse.NONE
    complaint.save(update_fields=["customer_response"])


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
    target = _check_move(complaint, Action.CONFIRM)
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
