"""Demo data for care (called from seed_demo): a month of survey answers on the demo's
tickets, callbacks in every state, a few VIP appointments, an opted-out customer.
Idempotent: nothing is written when the demo already has survey answers."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from care import services
from care.choices import AnsweredVia, AppointmentPlace, CallbackOutcome, SurveyStatus
from care.models import Campaign, Survey, token_digest
from complaints.models import OutageCluster
from intake.choices import VipTier
from intake.models import Customer
from staffing.models import User
from worktickets import services as ticket_services
from worktickets.choices import CallbackReason, TicketKind, TicketStatus
from worktickets.models import Ticket

# A month of answers: mostly 4 and 5, a few dissatisfied (CSAT near 85 %, below 95 %).
SCORES = ((5, 55), (4, 30), (3, 8), (2, 4), (1, 3))
COMMENTS = {
    5: ["服务很好，谢谢", "处理很快", ""],
    4: ["还可以", "", "等待时间稍长"],
    3: ["一般", "解释不够清楚"],
    2: ["问题没有彻底解决", "等了很久才回复"],
    1: ["非常不满意，要求回电", "多次反映无人处理"],
}


def _score(rng: random.Random) -> int:
    roll = rng.uniform(0, 100)
    for score, weight in SCORES:
        if roll < weight:
            return score
        roll -= weight
    return 5


def seed_care(users: dict[str, User]) -> int:
    """Returns how many survey answers were written."""
    if Survey.objects.filter(answered_at__isnull=False).exists():
        return 0
    rng = random.Random(15)
    now = timezone.now()
    tickets = list(
        Ticket.objects.filter(customer__isnull=False)
        .exclude(kind=TicketKind.CALLBACK)
        .select_related("customer")
        .order_by("pk")[:600]
    )
    surveys = []
    for index, ticket in enumerate(tickets):
        answered = rng.random() < 0.7  # the rest were sent and not answered
        sent_at = now - datetime.timedelta(days=rng.uniform(0, 30))
        score = _score(rng) if answered else None
        surveys.append(
            Survey(
                ticket=ticket,
                customer=ticket.customer,
                token_hash=token_digest(f"demo-{index}-{rng.random()}"),
                status=SurveyStatus.ANSWERED if answered else SurveyStatus.EXPIRED,
                send_at=sent_at,
                sent_at=sent_at,
                expires_at=sent_at + datetime.timedelta(days=3),
                answered_at=sent_at + datetime.timedelta(minutes=rng.uniform(2, 600))
                if answered
                else None,
                answered_via=rng.choice([AnsweredVia.SMS_LINK, AnsweredVia.IVR])
                if answered
                else "",
                score=score,
                attitude=score if answered and rng.random() < 0.5 else None,
                comment=rng.choice(COMMENTS[score]) if score else "",
                agent_id=ticket.assignee_id or ticket.first_contact_agent_id,
                team_id=ticket.team_id,
                ticket_kind=ticket.kind,
                channel=ticket.channel,
                tier=ticket.customer.grade_tier,
            )
        )
    bulk_create_with_history(surveys, Survey, default_change_reason="demo data")
    # As answering does: the score goes on the ticket, where quality's sampling reads it.
    for survey in surveys:
        if survey.score is not None:
            ticket_services.ticket_record_survey_score(survey.ticket, survey.score)
    _callbacks(users, rng)
    _appointments(users, now)
    _campaigns(now)
    if tickets:
        services.survey_opt_out(tickets[-1].customer, reason="客户要求不再接收调查短信")
    return sum(1 for survey in surveys if survey.score is not None)


def _callbacks(users: dict[str, User], rng: random.Random) -> None:
    """Callbacks for the dissatisfied answers, left in every state: new, tried and not
    reached, reached and resolved, and one of each other reason."""
    agent = users["agent"]
    dissatisfied = list(
        Survey.objects.filter(score__lte=2).select_related("ticket", "ticket__team")[:12]
    )
    for index, survey in enumerate(dissatisfied):
        callback = services.callback_create(
            source_ticket=survey.ticket, reason=CallbackReason.DISSATISFIED, survey=survey, by=agent
        )
        state = index % 3
        if state == 1:
            services.callback_record_outcome(
                callback, by=agent, outcome=CallbackOutcome.NOT_REACHED, comment="无人接听"
            )
        elif state == 2:
            services.callback_record_outcome(
                callback,
                by=agent,
                outcome=CallbackOutcome.REACHED_SATISFIED,
                comment="已向客户解释并致歉，客户表示理解",
            )
            ticket = Ticket.objects.get(pk=callback.ticket_id)
            if ticket.status == TicketStatus.RESOLVED:
                ticket_services.ticket_close(ticket, by=agent, version=ticket.version)
    customer = dissatisfied[0].customer if dissatisfied else None
    if customer is not None:
        services.callback_create(
            reason=CallbackReason.REQUESTED, customer=customer, by=agent, note="客户晚上方便接听"
        )
        services.callback_create(
            reason=CallbackReason.MANUAL, customer=customer, by=users.get("lead", agent)
        )


HALLS = ["人民路营业厅", "高新区旗舰营业厅"]


def _appointments(users: dict[str, User], now: datetime.datetime) -> None:
    """A few VIP appointments without waiting (P-9) for gold-and-above postpaid
    customers: hall visits and a callback, in the coming days."""
    agent = users["agent"]
    customers = list(
        Customer.objects.entitled_to_grade_service()
        .filter(vip_tier__in=[VipTier.GOLD, VipTier.DIAMOND, VipTier.SUPREME])
        .order_by("pk")[:4]
    )
    today = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    for index, customer in enumerate(customers):
        start = today + datetime.timedelta(days=index, hours=3 + index)
        place = AppointmentPlace.CALLBACK if index % 2 else AppointmentPlace.HALL
        services.appointment_book(
            customer,
            by=agent,
            slot_start=start,
            slot_end=start + datetime.timedelta(minutes=30),
            place=place,
            hall=HALLS[index % len(HALLS)] if place == AppointmentPlace.HALL else "",
            note="客户预约办理，请提前准备资料" if place == AppointmentPlace.HALL else "",
            now=now,
        )


def _campaigns(now: datetime.datetime) -> None:
    """The two example campaigns: a birthday greeting for VIPs (daily, sent today) and an
    outage compensation notice to the customers of an outage cluster (scheduled)."""
    birthday = Campaign.objects.create(
        name="VIP生日祝福",
        message="{name}您好，今天是您的生日，中国联通祝您生日快乐！会员特权详询10010。",
        tiers=["silver", "gold", "diamond", "supreme"],
        payment_type="postpaid",
        birthday_today=True,
        scheduled_at=now,
    )
    services.campaign_send(birthday, now=now)
    cluster = OutageCluster.objects.order_by("-opened_at").first()
    Campaign.objects.create(
        name="宽带故障补偿通知",
        message="{name}您好，您所在区域的宽带故障已修复，补偿将在3个工作日内到账，给您带来不便深表歉意。",
        outage_cluster=cluster,
        service_type="broadband" if cluster is None else "",
        scheduled_at=now + datetime.timedelta(days=1),
    )
