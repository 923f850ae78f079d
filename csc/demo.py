"""The demo's history for the dashboard and the reports (seed_demo): eight weeks of
finished tickets with their deadlines met or missed, a wallboard, and last month's
reports, so every chart shows a real shape.

The tickets are opened through the ticket service, then dated back and finished
directly in the database: replaying eight weeks of work through each service at
its own time is what the demo must not take minutes for. Nothing here runs outside
seed_demo.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from csc import reports
from csc.choices import ReportKind
from csc.models import Report, Wallboard
from csc.wallboards import wallboard_create
from intake.models import Customer
from sla.choices import ClockState
from sla.models import Clock
from staffing.models import Team, User
from worktickets import services as ticket_services
from worktickets.choices import TicketKind
from worktickets.models import BusinessType, InquiryCategory, Ticket

HISTORY_MARK = "【历史】"
HISTORY_WEEKS = 8
PER_DAY = 4
LATE_SHARE = 0.12  # about one deadline in eight missed, so the targets are sometimes missed
SUBJECTS = ("查询本月话费", "宽带无法上网", "套餐余量查询", "积分兑换咨询", "国际漫游资费")


def seed_history(users: dict[str, User], team: Team, customers: list[Customer]) -> int:
    """Finished inquiries and business orders of the past eight weeks; once."""
    if Ticket.objects.filter(subject__startswith=HISTORY_MARK).exists():
        return 0
    rng = random.Random("csc-demo-history")
    categories = list(InquiryCategory.objects.filter(parent__isnull=False))
    order_type = BusinessType.objects.filter(code="product_order_change").first()
    postpaid = [c for c in customers if c.payment_type == "postpaid"]
    today = timezone.localdate()
    created = 0
    for days_ago in range(HISTORY_WEEKS * 7, 0, -1):
        day = today - datetime.timedelta(days=days_ago)
        with transaction.atomic():
            for n in range(PER_DAY):
                business = n == PER_DAY - 1 and order_type is not None and postpaid
                ticket = ticket_services.ticket_create(
                    kind=TicketKind.BUSINESS if business else TicketKind.INQUIRY,
                    channel="hotline",
                    subject=HISTORY_MARK + rng.choice(SUBJECTS),
                    customer=rng.choice(postpaid if business else customers),
                    created_by=users["agent"],
                    assignee=users["agent"],
                    team=team,
                    business_type=order_type if business else None,
                    category=None if business or not categories else rng.choice(categories),
                ).ticket
                opened = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(8 + rng.randrange(12)))
                ) + datetime.timedelta(minutes=rng.randrange(60))
                _finish(ticket, opened, rng)
                created += 1
    return created


def _finish(ticket: Ticket, opened: datetime.datetime, rng: random.Random) -> None:
    latest = opened
    for clock in Clock.objects.filter(ticket=ticket):
        span = clock.due_at - clock.started_at
        due = opened + span
        late = rng.random() < LATE_SHARE
        met = (
            due + datetime.timedelta(minutes=20 + rng.randrange(240))
            if late
            else (opened + span * rng.uniform(0.1, 0.9))
        )
        Clock.objects.filter(pk=clock.pk).update(
            started_at=opened,
            due_at=due,
            met_at=met,
            state=ClockState.MET,
            lateness=met - due,
            at_risk=False,
            warn_at=None,
            sweep_at=None,
        )
        latest = max(latest, met)
    ticket.created_at, ticket.resolved_at, ticket.closed_at = opened, latest, latest
    ticket.status = "closed" if ticket.kind == TicketKind.INQUIRY else "delivered"
    ticket.status_category, ticket.sla_due_at = "closed", None
    ticket.save(
        update_fields=[
            "created_at",
            "resolved_at",
            "closed_at",
            "status",
            "status_category",
            "sla_due_at",
        ]
    )


def seed_dashboard(users: dict[str, User], team: Team) -> dict[str, int]:
    """A wallboard for the hotline floor and last month's, last week's and yesterday's
    reports; once."""
    made = {"wallboards": 0, "reports": 0}
    if not Wallboard.objects.exists():
        wallboard_create(name="热线大厅东墙", team=None, by=users["manager"])
        made["wallboards"] += 1
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    wanted = [
        (ReportKind.MONTHLY, last_month, None),
        (ReportKind.MONTHLY, last_month, team),
        (ReportKind.WEEKLY, today - datetime.timedelta(days=7), None),
        (ReportKind.DAILY, today - datetime.timedelta(days=1), None),
    ]
    for kind, day, for_team in wanted:
        start, _end = reports.period_of(kind, day)
        if Report.objects.filter(kind=kind, period_start=start, team=for_team).exists():
            continue
        requested = reports.report_request(
            kind, day, team=for_team, by=users["manager"], in_background=False
        )
        reports.report_build(requested.pk)
        made["reports"] += 1
    return made
