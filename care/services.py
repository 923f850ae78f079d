"""Every state change of the care app: one function per business action."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from care import selectors
from care.choices import (
    APPOINTMENT_BOOK_AHEAD_DAYS,
    APPOINTMENT_MAX_MINUTES,
    DIMENSIONS,
    DISSATISFIED_AT_MOST,
    AnsweredVia,
    AppointmentPlace,
    CallbackOutcome,
    SurveyStatus,
)
from care.models import (
    Appointment,
    Callback,
    CallbackPolicy,
    Campaign,
    CareSettings,
    Survey,
    SurveyOptOut,
    SurveyPolicy,
    token_digest,
)
from complaints.models import Complaint
from complaints.services import complaint_reopen
from csc.lib.errors import DomainError
from csc.lib.phrases import Phrase
from intake.choices import Channel, Disposition
from intake.models import Contact, Customer
from staffing.models import OutboxMessage, User
from staffing.outbox import outbox_enqueue, outbox_enqueue_many
from worktickets import services as ticket_services
from worktickets.choices import CallbackReason, TicketKind, TicketStatus
from worktickets.models import Ticket


class SurveyRefused(DomainError):
    """The link is unknown, expired or used: the page and the API say so, nothing is written."""

    STATUS = {"not_found": 404, "used": 409, "expired": 410}

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)


# ------------------------------------------------------------------ offering a survey


def policy_for(kind: str, channel: str) -> SurveyPolicy | None:
    """The policy of this kind and channel, else the kind's every-channel policy."""
    policies = {p.channel: p for p in SurveyPolicy.objects.filter(ticket_kind=kind)}
    return policies.get(channel) or policies.get("")


def _recently_asked(customer_id: int, days: int, now: datetime) -> bool:
    return Survey.objects.filter(
        customer_id=customer_id, created_at__gt=now - timedelta(days=days)
    ).exists()


@transaction.atomic
def survey_offer(ticket_id: int, *, now: datetime | None = None) -> Survey | None:
    """Offer a survey for a closed ticket, as its policy says (DOMAIN.md P-13, K-23).

    None when the kind and channel are not surveyed, the customer is unknown or
    opted out, or was asked within the policy's N days (at most once per N days).
    """
    now = now or timezone.now()
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != TicketStatus.CLOSED or ticket.customer is None:
        return None
    if ticket.kind == TicketKind.CALLBACK:
        return None  # a callback is itself the follow-up; never survey it
    policy = policy_for(ticket.kind, ticket.channel)
    if policy is None or not policy.is_active:
        return None
    customer = ticket.customer
    # One customer at a time: two tickets closing together offer one survey.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if SurveyOptOut.objects.filter(customer=customer).exists():
        return None
    if _recently_asked(customer.pk, policy.min_days_between, now):
        return None
    send_at = now + timedelta(minutes=policy.delay_minutes)
    survey = Survey.objects.create(
        ticket=ticket,
        customer=customer,
        # No usable link until it is sent: the real token is drawn then.
        token_hash=token_digest(secrets.token_urlsafe(32)),
        send_at=send_at,
        expires_at=send_at + timedelta(days=CareSettings.current().link_valid_days),
        agent_id=ticket.assignee_id or ticket.first_contact_agent_id,
        team_id=ticket.team_id,
        ticket_kind=ticket.kind,
        channel=ticket.channel,
        tier=customer.grade_tier,
    )
    if policy.delay_minutes == 0:
        survey_send(survey, now=now)
    return survey


def survey_link(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("care:survey", args=[token])


@transaction.atomic
def survey_send(survey: Survey, *, now: datetime | None = None) -> str:
    """Draw the link's token, keep only its hash, and queue the SMS; returns the token."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(24)
    survey.token_hash = token_digest(token)
    survey.status = SurveyStatus.SENT
    survey.sent_at = now
    survey.expires_at = now + timedelta(days=CareSettings.current().link_valid_days)
    survey._change_reason = "sent"
    survey.save(update_fields=["token_hash", "status", "sent_at", "expires_at"])
    body = _(
        "[10010] How did we do with request %(number)s? Tap to rate us (1-5), "
        "valid until %(until)s: %(link)s  Reply TD to stop surveys."
    ) % {
        "number": survey.ticket.number,
        "until": timezone.localtime(survey.expires_at).strftime("%m-%d %H:%M"),
        "link": survey_link(token),
    }
    outbox_enqueue(
        channel=OutboxMessage.Channel.SMS,
        recipient=survey.customer.phone,
        body=body,
        payload={"survey": survey.pk},
        dedupe_key=f"survey:{survey.pk}",
    )
    return token


def surveys_dispatch(*, now: datetime | None = None, batch: int = 500) -> int:
    """Send the scheduled surveys now due (beat task); each in its own transaction."""
    now = now or timezone.now()
    due = list(
        Survey.objects.filter(status=SurveyStatus.SCHEDULED, send_at__lte=now)
        .select_related("ticket", "customer")
        .order_by("send_at")[:batch]
    )
    sent = 0
    for survey in due:
        if SurveyOptOut.objects.filter(customer_id=survey.customer_id).exists():
            _set_status([survey], SurveyStatus.EXPIRED, "customer opted out")
            continue
        survey_send(survey, now=now)
        sent += 1
    return sent


# ------------------------------------------------------------------ answering


def survey_by_token(token: str, *, now: datetime | None = None, lock: bool = False) -> Survey:
    """The survey a link names, if it may still be answered; SurveyRefused otherwise."""
    now = now or timezone.now()
    surveys = Survey.objects.select_related("ticket")
    if lock:
        surveys = surveys.select_for_update(of=("self",))
    else:
        # The public page reads what it shows and checks, not two wide rows: it is
        # opened in bursts after an SMS batch (tests/bench/bench_survey_page.py).
        surveys = surveys.only("status", "expires_at", "ticket__number")
    survey = surveys.filter(token_hash=token_digest(token or "")).first()
    if survey is None or survey.status == SurveyStatus.SCHEDULED:
        raise SurveyRefused(_("This survey link is not valid."), code="not_found")
    if survey.status == SurveyStatus.ANSWERED:
        raise SurveyRefused(_("This survey has already been answered. Thank you!"), code="used")
    if survey.status == SurveyStatus.EXPIRED or survey.expires_at <= now:
        raise SurveyRefused(_("This survey link has expired."), code="expired")
    return survey


@dataclass(frozen=True)
class SurveyAnswer:
    score: int
    comment: str = ""
    attitude: int | None = None
    efficiency: int | None = None
    stability: int | None = None
    after_sales: int | None = None


def _check_answer(answer: SurveyAnswer) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(answer.score, int) or not 1 <= answer.score <= 5:
        errors["score"] = [_("Choose a score from 1 to 5.")]
    for name in DIMENSIONS:
        value = getattr(answer, name)
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            errors[name] = [_("Choose a score from 1 to 5.")]
    if len(answer.comment or "") > 2000:
        errors["comment"] = [_("Keep the comment under 2000 characters.")]
    if errors:
        raise DomainError(_("Check the answer."), code="invalid", details=errors)


@transaction.atomic
def survey_answer(token: str, answer: SurveyAnswer, *, via: str = AnsweredVia.SMS_LINK) -> Survey:
    """Record the customer's answer, once (DOMAIN.md P-13). A dissatisfied answer (1-2)
    opens a callback with its own SLA clock and, for a complaint, offers reopening."""
    _check_answer(answer)
    now = timezone.now()
    survey = survey_by_token(token, now=now, lock=True)
    survey.status = SurveyStatus.ANSWERED
    survey.answered_at = now
    survey.answered_via = via
    survey.score = answer.score
    survey.comment = (answer.comment or "").strip()
    for name in DIMENSIONS:
        setattr(survey, name, getattr(answer, name))
    survey._change_reason = "answered"
    survey.save()
    ticket_services.ticket_record_survey_score(survey.ticket, answer.score)
    if answer.score <= DISSATISFIED_AT_MOST:
        callback_create(
            source_ticket=survey.ticket, reason=CallbackReason.DISSATISFIED, survey=survey
        )
    return survey


def surveys_expire(*, now: datetime | None = None) -> int:
    """Mark sent surveys past their link's end as expired (for the response rate)."""
    now = now or timezone.now()
    stale = list(Survey.objects.filter(status=SurveyStatus.SENT, expires_at__lte=now)[:5000])
    return _set_status(stale, SurveyStatus.EXPIRED, "link expired")


def _set_status(surveys: list[Survey], status: str, reason: str) -> int:
    """Change many surveys' status with their history rows (two statements)."""
    for survey in surveys:
        survey.status = status
    return (
        bulk_update_with_history(
            surveys, Survey, ["status"], default_change_reason=reason, batch_size=500
        )
        or 0
    )


@transaction.atomic
def survey_opt_out(customer: Customer, *, reason: str = "") -> SurveyOptOut:
    """The customer is never surveyed nor sent care messages again (until removed)."""
    opt_out, _created = SurveyOptOut.objects.get_or_create(
        customer=customer, defaults={"reason": reason[:200]}
    )
    waiting = list(Survey.objects.filter(customer=customer, status=SurveyStatus.SCHEDULED))
    _set_status(waiting, SurveyStatus.EXPIRED, "customer opted out")
    return opt_out


# ------------------------------------------------------------------ callbacks


def _callback_subject(reason: str, source: Ticket | None) -> str:
    label = CallbackReason(reason).label
    return f"{_('Callback')}: {label}" + (f" · {source.number}" if source else "")


@transaction.atomic
def callback_create(
    *,
    reason: str,
    source_ticket: Ticket | None = None,
    customer: Customer | None = None,
    by: User | None = None,
    survey: Survey | None = None,
    channel: str = "hotline",
    note: str = "",
    contact: Contact | None = None,
) -> Callback:
    """Open a callback ticket in the team's queue; the SLA engine starts its clock from
    the callback policy of its reason (care/migrations/0002: dissatisfied 24 h, after
    delivery 3 working days, after complaint closure 2 working days)."""
    if reason not in CallbackReason.values:
        raise DomainError(_("Unknown callback reason."), code="invalid")
    customer = customer or (source_ticket.customer if source_ticket else None)
    if customer is None:
        raise DomainError(
            _("A callback needs a customer to call."),
            code="invalid",
            details={"customer": [_("Look up or register the customer first.")]},
        )
    created_by = by or (source_ticket.first_contact_agent if source_ticket else None)
    if created_by is None:
        raise DomainError(_("Say who opens the callback."), code="invalid")
    complaint = _complaint_of(source_ticket)
    description = note
    if complaint is not None and reason == CallbackReason.DISSATISFIED:
        description = _(
            "The customer was dissatisfied with complaint %(number)s: offer to reopen it."
        ) % {"number": complaint.ticket.number} + ("\n" + note if note else "")
    created = ticket_services.ticket_create(
        kind=TicketKind.CALLBACK,
        channel=channel,
        subject=_callback_subject(reason, source_ticket),
        description=description,
        customer=customer,
        contact=contact,
        created_by=created_by,
        team=source_ticket.team if source_ticket else None,
        to_team_queue=True,
        callback_reason=reason,
    )
    return Callback.objects.create(
        ticket=created.ticket,
        source_ticket=source_ticket,
        survey=survey,
        reopen_offered=complaint is not None and reason == CallbackReason.DISSATISFIED,
    )


def _complaint_of(ticket: Ticket | None) -> Complaint | None:
    if ticket is None or ticket.kind != TicketKind.COMPLAINT:
        return None
    return Complaint.objects.filter(ticket=ticket).first()


def callback_for_contact(contact: Contact, *, by: User | None = None) -> Callback | None:
    """A contact whose disposition is "callback requested" gets its callback, opened by
    the agent who took it (none without a customer to call or an agent)."""
    by = by or contact.agent
    if contact.disposition != Disposition.CALLBACK or contact.customer_id is None or by is None:
        return None
    if Callback.objects.filter(ticket__contact=contact).exists():
        return None
    return callback_create(
        reason=CallbackReason.REQUESTED,
        customer=contact.customer,
        by=by,
        channel=contact.channel,
        note=contact.summary,
        contact=contact,
    )


@transaction.atomic
def callback_record_outcome(
    callback: Callback,
    *,
    by: User,
    outcome: str,
    comment: str = "",
    reopen_complaint: bool = False,
) -> Callback:
    """Record one attempt. Not reached: the callback waits and is tried again; reached:
    it is resolved (and the complaint reopened if the customer wants it)."""
    if outcome not in CallbackOutcome.values:
        raise DomainError(
            _("Choose the outcome."),
            code="invalid",
            details={"outcome": [_("Choose the outcome.")]},
        )
    callback = Callback.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
    ticket = callback.ticket
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise DomainError(_("This callback is already done."), code="illegal_transition")
    callback.attempts += 1
    callback.outcome = outcome
    callback.outcome_comment = (comment or "").strip()
    callback.outcome_at = timezone.now()
    callback.outcome_by = by
    callback._change_reason = f"attempt {callback.attempts}: {outcome}"
    callback.save()
    if ticket.status == TicketStatus.NEW:
        ticket = ticket_services.ticket_accept(ticket, by=by, version=ticket.version)
    if outcome == CallbackOutcome.NOT_REACHED:
        ticket_services.ticket_add_note(
            ticket,
            by=by,
            body=Phrase(
                gettext_noop("Attempt %(n)s: not reached. %(comment)s"),
                n=callback.attempts,
                comment=callback.outcome_comment,
            ),
        )
        return callback
    resolution = f"{CallbackOutcome(outcome).label}. {callback.outcome_comment}".strip()
    if ticket.status == TicketStatus.PENDING_CUSTOMER:
        ticket = ticket_services.ticket_resume(ticket, by=by, version=ticket.version)
    ticket_services.ticket_resolve(ticket, by=by, version=ticket.version, resolution=resolution)
    if reopen_complaint:
        complaint = _complaint_of(callback.source_ticket)
        if complaint is None or not callback.reopen_offered:
            raise DomainError(_("Only a complaint's callback may reopen it."), code="invalid")
        complaint_reopen(
            complaint,
            by=by,
            version=None,
            reason=_("Reopened at the customer's request on callback %(number)s.")
            % {"number": ticket.number},
        )
    return callback


@transaction.atomic
def appointment_book(
    customer: Customer,
    *,
    by: User,
    slot_start: datetime,
    slot_end: datetime,
    place: str,
    hall: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book a VIP appointment without waiting (DOMAIN.md P-9) for a gold-tier-or-higher
    customer entitled to grade service: a callback ticket of reason "VIP appointment"
    in the agent's team queue, whose SLA clock ("VIP appointments", care/migrations/
    0011) counts from the slot's start, and its appointment row."""
    now = now or timezone.now()
    refusal = selectors.appointment_refusal(customer)
    if refusal:
        raise DomainError(refusal, code="not_entitled", details={"customer": [refusal]})
    errors: dict[str, list[str]] = {}
    hall = (hall or "").strip()
    if place not in AppointmentPlace.values:
        errors["place"] = [_("Choose a hall visit or a callback.")]
    elif place == AppointmentPlace.HALL and not hall:
        errors["hall"] = [_("Name the business hall.")]
    if slot_start <= now:
        errors["slot_start"] = [_("The slot must be in the future.")]
    elif slot_start > now + timedelta(days=APPOINTMENT_BOOK_AHEAD_DAYS):
        errors["slot_start"] = [
            _("Book at most %(days)s days ahead.") % {"days": APPOINTMENT_BOOK_AHEAD_DAYS}
        ]
    if slot_end <= slot_start:
        errors["slot_end"] = [_("The slot must end after it starts.")]
    elif slot_end - slot_start > timedelta(minutes=APPOINTMENT_MAX_MINUTES):
        errors["slot_end"] = [
            _("A slot lasts at most %(hours)s hours.") % {"hours": APPOINTMENT_MAX_MINUTES // 60}
        ]
    if errors:
        raise DomainError(_("Check the appointment."), code="invalid", details=errors)
    local_start = timezone.localtime(slot_start)
    where = hall if place == AppointmentPlace.HALL else AppointmentPlace(place).label
    created = ticket_services.ticket_create(
        kind=TicketKind.CALLBACK,
        channel=Channel.WALK_IN if place == AppointmentPlace.HALL else Channel.HOTLINE,
        subject=f"{CallbackReason.VIP_APPOINTMENT.label}: {local_start:%m-%d %H:%M} · {where}",
        description=(note or "").strip(),
        customer=customer,
        created_by=by,
        to_team_queue=True,
        callback_reason=CallbackReason.VIP_APPOINTMENT,
        clocks_from=slot_start,
    )
    Callback.objects.create(ticket=created.ticket)
    return Appointment.objects.create(
        ticket=created.ticket,
        customer=customer,
        place=place,
        hall=hall if place == AppointmentPlace.HALL else "",
        slot_start=slot_start,
        slot_end=slot_end,
        booked_by=by,
    )


def sampled(ticket_number: str, rate_percent: int) -> bool:
    """Reproducible sampling: the same order is always in or out at the same rate
    (a hash of its number, not a random draw), so a re-run picks the same orders."""
    digest = hashlib.sha256(f"callback-sample:{ticket_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < rate_percent


def callback_policy_for(business_type_code: str) -> CallbackPolicy | None:
    policies = {
        p.business_type_code: p
        for p in CallbackPolicy.objects.filter(business_type_code__in=[business_type_code, ""])
    }
    return policies.get(business_type_code) or policies.get("")


def callback_sample_delivery(ticket_id: int) -> Callback | None:
    """A delivered business order is called back when its policy samples it (CA-21)."""
    ticket = (
        Ticket.objects.select_related("business_type", "customer", "team", "first_contact_agent")
        .filter(pk=ticket_id, kind=TicketKind.BUSINESS)
        .first()
    )
    if ticket is None or ticket.customer is None or ticket.business_type is None:
        return None
    policy = callback_policy_for(ticket.business_type.code)
    if policy is None or not policy.is_active or not sampled(ticket.number, policy.rate_percent):
        return None
    if Callback.objects.filter(
        source_ticket=ticket, ticket__callback_reason=CallbackReason.DELIVERY
    ).exists():
        return None
    return callback_create(source_ticket=ticket, reason=CallbackReason.DELIVERY)


@transaction.atomic
def campaign_send(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Send a scheduled campaign to its audience through the outbox, once (each message
    keyed by campaign and customer); returns how many messages were queued."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.SCHEDULED:
        raise DomainError(_("This campaign has already been sent."), code="illegal_transition")
    messages = [
        OutboxMessage(
            channel=OutboxMessage.Channel.SMS,
            recipient=customer.phone,
            body=campaign.message.replace("{name}", customer.name),
            payload={"campaign": campaign.pk},
            dedupe_key=f"campaign:{campaign.pk}:{customer.pk}",
        )
        for customer in selectors.campaign_audience(campaign)
    ]
    outbox_enqueue_many(messages)
    campaign.status = Campaign.Status.SENT
    campaign.sent_at = now
    campaign.sent_count = len(messages)
    campaign._change_reason = "sent"
    campaign.save()
    return len(messages)


def campaigns_send_due(*, now: datetime | None = None) -> int:
    """Send the campaigns whose time has come (beat task); each in its own transaction."""
    now = now or timezone.now()
    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now)
    return sum(campaign_send(campaign, now=now) for campaign in due)
