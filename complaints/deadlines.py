"""The complaint's deadlines, kept by the SLA engine (DOMAIN.md P-2, K-3, P-5).

Complaints never compute a due time themselves: they tell `sla` the facts that
select the complaint policy (category, tier, VIP tier, service, region), meet
a stage's metric when the stage is done, and move a clock on an approved
extension. This module is the only place in complaints that calls `sla`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from sla import services as sla
from sla.choices import OPEN_STATES, Metric, StatusCategory
from sla.deadlines import base_due
from sla.explain import amount_text
from sla.matching import TicketFacts, targets_for
from sla.models import Clock
from sla.selectors import clocks_for_ticket

NO_VIP = "none"

# The metric a stage's completion meets.
ACCEPTANCE = Metric.COMPLAINT_ACCEPTANCE
INVESTIGATION = Metric.COMPLAINT_INVESTIGATION
FEEDBACK = Metric.COMPLAINT_FEEDBACK
OVERALL = Metric.COMPLAINT_OVERALL
EVIDENCE = Metric.EVIDENCE_COLLECTION
REPAIR = Metric.REPAIR

# DOMAIN.md R-1 (MIIT Order 35) and P-2: the result reaches the customer within 15
# calendar days of receipt. Extensions lengthen the 30-working-day cap, never this.
REPLY_LIMIT_DAYS = 15
# The deadlines that lead up to the reply; evidence collection runs on its own (K-3).
BOUND_BY_REPLY_LIMIT = frozenset({INVESTIGATION, FEEDBACK, OVERALL})


def facts_for(complaint) -> TicketFacts:
    ticket = complaint.ticket
    customer = ticket.customer
    return TicketFacts(
        kind=ticket.kind,
        channel=ticket.channel,
        priority=ticket.priority,
        vip_tier=customer.grade_tier if customer is not None else NO_VIP,
        complaint_category=complaint.category,
        complaint_tier=complaint.tier,
        region=complaint.region,
        service_type=complaint.service_type,
    )


@dataclass(frozen=True)
class RepairLimit:
    """The maximum repair time for a fault (DOMAIN.md P-5, K-11): the SLA repair target."""

    amount: int
    unit: str
    note: str
    due_at: datetime

    @property
    def text(self) -> str:
        return amount_text(self.amount, self.unit)


def repair_limit(
    *,
    service_type: str,
    region: str,
    at: datetime,
    channel: str = "",
    priority: int = 0,
    vip_tier: str = NO_VIP,
    tier: str = "complaint",
) -> RepairLimit | None:
    """The repair target the SLA policies give a service fault, and its due time from `at`."""
    facts = TicketFacts(
        kind="complaint",
        channel=channel,
        priority=priority,
        vip_tier=vip_tier or NO_VIP,
        complaint_category="service_fault",
        complaint_tier=tier,
        region=region,
        service_type=service_type,
    )
    for _version, target in targets_for(facts):
        if target["metric"] == REPAIR:
            calendar = sla.business_calendar(target["calendar_id"])
            due, _limbs = base_due(calendar, at, target)
            return RepairLimit(target["amount"], target["unit"], target.get("note") or "", due)
    return None


def start(complaint, *, at: datetime | None = None) -> list[Clock]:
    return sla.clocks_start(complaint.ticket, facts_for(complaint), at=at)


def planned(complaint, *, at: datetime) -> list[Clock]:
    """The clocks a complaint not yet saved starts with, scheduled and not saved: the
    ticket is then written once, with its nearest due time (`nearest_due`)."""
    return sla.clocks_planned(facts_for(complaint), at=at)


def nearest_due(clocks: list[Clock]) -> datetime | None:
    return sla.nearest_due(clocks)


def save_planned(complaint, clocks: list[Clock]) -> list[Clock]:
    """Save the planned clocks of a complaint just inserted, with their start events."""
    return sla.clocks_save_planned(complaint.ticket, clocks, facts_for(complaint))


def meet(complaint, metric: str, *, at: datetime | None = None) -> Clock | None:
    return sla.clock_meet(complaint.ticket, metric, at=at)


def result_rejected(complaint, *, at: datetime | None = None) -> None:
    """The customer rejected the result: its deadlines reopen as the policy says
    (the feedback deadline restarts) though the ticket never left its open stages."""
    sla.clocks_status_changed(
        complaint.ticket, StatusCategory.RESOLVED, complaint.ticket.status_category, at=at
    )


def open_clock(complaint, metric: str) -> Clock | None:
    return (
        Clock.objects.select_related("calendar")
        .filter(ticket_id=complaint.pk, metric=metric, state__in=OPEN_STATES)
        .first()
    )


def due_at(complaint, metric: str) -> datetime | None:
    """The due time of the metric's clock, open or finished (None if it never ran)."""
    clock = Clock.objects.filter(ticket_id=complaint.pk, metric=metric).order_by("-pk").first()
    return clock.due_at if clock is not None else None


def reply_limit(complaint) -> datetime:
    """The latest moment the result may reach the customer: receipt + 15 calendar days (R-1).

    Receipt is when the overall clock started (its cap counts the same 15 days); the
    ticket row is written a moment after its clocks are planned.
    """
    started = (
        Clock.objects.filter(ticket_id=complaint.pk, metric=OVERALL)
        .order_by("pk")
        .values_list("started_at", flat=True)
        .first()
    )
    return (started or complaint.ticket.created_at) + timedelta(days=REPLY_LIMIT_DAYS)


def extension_limit(complaint, metric: str) -> datetime | None:
    """How far an extension may move the metric's deadline (None: no fixed limit)."""
    return reply_limit(complaint) if metric in BOUND_BY_REPLY_LIMIT else None


def extend(
    clock: Clock,
    *,
    working_days: int,
    reason: str,
    approved_by,
    not_after: datetime | None = None,
) -> Clock:
    return sla.clock_extend(
        clock,
        by_working_days=working_days,
        reason=reason,
        approved_by=approved_by,
        not_after=not_after,
    )


def clocks(complaint) -> QuerySet[Clock]:
    return clocks_for_ticket(complaint.pk)
