"""Reads for care pages, the API and the shift dashboard.

CSAT (DOMAIN.md P-13, K-23) = answers of 4 or 5 / all answers, in a period.
The satisfaction index (满意度指数, CA-30) combines the customers' word with
business data, documented here and in docs/architecture.md:

    index = 0.6 × CSAT + 0.2 × first-contact resolution + 0.2 × SLA met

each a share in 0..1 over the same period, shown as 0..100. CSAT weighs most
because it is the customers' own answer; resolution on first contact and
deadlines kept are the business data CA-30 names. Missing parts (no answers,
no clocks) are left out and the remaining weights rescaled.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from care.choices import APPOINTMENT_LOWEST_TIER, SATISFIED_AT_LEAST
from care.models import (
    Appointment,
    Callback,
    CareSettings,
    CsatTarget,
    Privilege,
    Survey,
    TierPrivilege,
)
from csc.lib.reference import ReferenceCache
from csc.lib.translations import choice_label
from intake.choices import Channel, Disposition, VipTier
from intake.models import Contact
from worktickets.choices import TicketKind, TicketStatus

GROUPINGS = {
    "agent": "agent",
    "team": "team",
    "channel": "channel",
    "kind": "ticket_kind",
    "tier": "tier",
}
# The groupings whose keys are codes, labelled in the reader's language.
GROUPING_LABELS: dict[str, type[models.TextChoices]] = {
    "channel": Channel,
    "kind": TicketKind,
    "tier": VipTier,
}
PERIODS = ("day", "week", "month")
INDEX_WEIGHTS = {"csat": 0.6, "first_contact_resolution": 0.2, "sla_met": 0.2}


@dataclass(frozen=True)
class Csat:
    answers: int
    satisfied: int
    target_percent: int

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate * 100 >= self.target_percent


def answered_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Survey]:
    return Survey.objects.filter(answered_at__gte=start, answered_at__lt=end)


def _figures(surveys: QuerySet[Survey]) -> dict:
    return surveys.aggregate(
        answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=SATISFIED_AT_LEAST))
    )


def csat(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    team_ids: Sequence[int] | None = None,
) -> Csat:
    """CSAT over answers given in [start, end), against the editable target (CA-36);
    of the tickets of these teams only, when given (the shift dashboard's scope)."""
    surveys = answered_between(start, end)
    if team_ids is not None:
        surveys = surveys.filter(team_id__in=team_ids)
    figures = _figures(surveys)
    return Csat(
        figures["answers"], figures["satisfied"], CareSettings.current().csat_target_percent
    )


@dataclass(frozen=True)
class CsatTargets:
    """The centre's CSAT target and those set per channel, per tier or both."""

    centre: int
    specific: dict[tuple[str, str], int]

    def for_(self, channel: str = "", tier: str = "") -> int:
        """The most specific target: channel and tier, channel, tier, the centre's."""
        for key in ((channel, tier), (channel, ""), ("", tier)):
            if key != ("", "") and key in self.specific:
                return self.specific[key]
        return self.centre


def csat_targets() -> CsatTargets:
    """Every CSAT target in two small queries (the settings row and the targets)."""
    return CsatTargets(
        CareSettings.current().csat_target_percent,
        {(t.channel, t.tier): t.target_percent for t in CsatTarget.objects.all()},
    )


def csat_by(
    by: str,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    targets: CsatTargets | None = None,
) -> list[dict]:
    """CSAT per agent, team, channel, ticket kind or tier: one grouped query. Given the
    targets, each channel's or tier's row carries its own target and whether it is met."""
    field = GROUPINGS[by]
    rows = (
        answered_between(start, end)
        .values(field)
        .annotate(
            answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=SATISFIED_AT_LEAST))
        )
        .order_by(field)
    )
    labels = GROUPING_LABELS.get(by)
    result = [
        {
            "key": row[field],
            "label": choice_label(labels, row[field]) if labels else row[field],
            "answers": row["answers"],
            "satisfied": row["satisfied"],
            "percent": round(row["satisfied"] * 100 / row["answers"], 1),
        }
        for row in rows
    ]
    if targets is not None:
        for row in result:
            key = row["key"] or ""
            target = targets.for_(
                channel=key if by == "channel" else "", tier=key if by == "tier" else ""
            )
            row["target_percent"] = target
            row["met"] = row["satisfied"] * 100 >= target * row["answers"]
    return result


def _period_start(period: str, day: datetime.date) -> datetime.date:
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())  # Monday, as TruncWeek
    if period == "month":
        return day.replace(day=1)
    return day


def _next_period(period: str, day: datetime.date) -> datetime.date:
    if period == "week":
        return day + datetime.timedelta(days=7)
    if period == "month":
        return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day + datetime.timedelta(days=1)


def trend_buckets(
    period: str, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """The days, weeks or months (local time) cut by [start, end): (label, from, until)."""
    if period not in PERIODS:
        raise KeyError(period)
    zone = timezone.get_current_timezone()
    label = _period_start(period, timezone.localtime(start, zone).date())
    buckets = []
    while True:
        until_day = _next_period(period, label)
        lower = max(start, datetime.datetime.combine(label, datetime.time.min, tzinfo=zone))
        upper = min(end, datetime.datetime.combine(until_day, datetime.time.min, tzinfo=zone))
        if lower >= end:
            break
        buckets.append((label, lower, upper))
        label = until_day
    return buckets


TREND_SQL = """
    SELECT bucket.lower, counted.answers, counted.satisfied
    FROM unnest(%s::timestamptz[], %s::timestamptz[]) AS bucket(lower, upper)
    CROSS JOIN LATERAL (
        SELECT count(*) AS answers, count(*) FILTER (WHERE score >= %s) AS satisfied
        FROM {table}
        WHERE answered_at >= bucket.lower AND answered_at < bucket.upper
    ) AS counted
    WHERE counted.answers > 0
    ORDER BY bucket.lower
"""


def csat_trend(period: str, start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """CSAT per day, week or month (local time), oldest first; periods without answers
    are left out.

    One statement: the period bounds are worked out here and each period is counted
    by a range scan of the (answered_at, score) index, so PostgreSQL neither reads
    the table nor converts every answer's time to a local day (300,000 answers: from
    ~500 ms with a per-row date_trunc grouping to a few tens; tests/bench/bench_csat.py).
    """
    buckets = trend_buckets(period, start, end)
    if not buckets:
        return []
    labels = {lower: label for label, lower, _upper in buckets}
    with connection.cursor() as cursor:
        cursor.execute(
            TREND_SQL.format(table=connection.ops.quote_name(Survey._meta.db_table)),
            [
                [lower for _label, lower, _upper in buckets],
                [upper for _label, _lower, upper in buckets],
                SATISFIED_AT_LEAST,
            ],
        )
        rows = cursor.fetchall()
    return [
        {
            "period": labels[lower],
            "answers": answers,
            "percent": round(satisfied * 100 / answers, 1),
        }
        for lower, answers, satisfied in rows
    ]


def response_rate(start: datetime.datetime, end: datetime.datetime) -> float | None:
    """Share of surveys sent in the period that were answered."""
    figures = Survey.objects.filter(sent_at__gte=start, sent_at__lt=end).aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
    )
    return round(figures["answered"] * 100 / figures["sent"], 1) if figures["sent"] else None


def satisfaction_index(start: datetime.datetime, end: datetime.datetime) -> float | None:
    """The documented weighted index (module docstring), 0..100, or None without data."""
    from sla.models import Clock  # the SLA engine's clocks: business data (CA-30)

    parts: dict[str, float] = {}
    score = csat(start, end).rate
    if score is not None:
        parts["csat"] = score
    # First-contact resolution: answered contacts resolved without a ticket (I-series).
    fcr = Contact.objects.filter(
        queued_at__gte=start, queued_at__lt=end, answered_at__isnull=False
    ).aggregate(n=Count("id"), first=Count("id", filter=Q(disposition=Disposition.RESOLVED)))
    if fcr["n"]:
        parts["first_contact_resolution"] = fcr["first"] / fcr["n"]
    clocks = Clock.objects.filter(
        Q(met_at__gte=start, met_at__lt=end) | Q(breached_at__gte=start, breached_at__lt=end)
    ).aggregate(n=Count("id"), met=Count("id", filter=Q(state="met")))
    if clocks["n"]:
        parts["sla_met"] = clocks["met"] / clocks["n"]
    if not parts:
        return None
    weight = sum(INDEX_WEIGHTS[name] for name in parts)
    return round(sum(INDEX_WEIGHTS[n] * v for n, v in parts.items()) * 100 / weight, 1)


def shift_csat_today() -> Csat:
    """For the csc shift dashboard: today's CSAT against the target."""
    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return csat(start, start + datetime.timedelta(days=1))


def open_callbacks() -> QuerySet[Callback]:
    """Callbacks not yet done, nearest deadline first (the manager's list)."""
    return (
        Callback.objects.exclude(ticket__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
        .select_related(
            "ticket",
            "ticket__customer",
            "ticket__assignee",
            "ticket__care_appointment",
            "source_ticket",
        )
        .order_by("ticket__sla_due_at", "pk")
    )


def callbacks_weekly(start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """CA-26: the director's weekly callback statistics, per week and outcome."""
    rows = (
        Callback.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
        .values("week", "outcome")
        .annotate(n=Count("id"))
        .order_by("week", "outcome")
    )
    return [{"week": r["week"].date(), "outcome": r["outcome"], "count": r["n"]} for r in rows]


def _load_privileges_by_tier() -> dict[str, list]:
    """Each tier's privileges, its own grants and those of every tier below it (P-9)."""
    from intake.choices import VipTier

    privileges = list(Privilege.objects.prefetch_related("grants").order_by("number", "code"))
    by_tier: dict[str, list] = {}
    for tier in VipTier.values[1:]:
        rank = VipTier.rank(tier)
        by_tier[tier] = [
            p for p in privileges if any(VipTier.rank(g.tier) <= rank for g in p.grants.all())
        ]
    return by_tier


# Read on every desk page with a VIP caller; the catalogue changes a few times a year.
privileges_by_tier = ReferenceCache(
    "care-privileges", _load_privileges_by_tier, sources=[Privilege, TierPrivilege]
)


def privileges_for(customer) -> list:
    """The privileges a customer's tier grants, inherited from the tiers below it
    (P-9). None for a customer not entitled to grade service: a prepaid customer's
    recorded tier grants nothing (CA-4; intake/grade_service.py)."""
    return privileges_by_tier.get().get(customer.grade_tier, [])


def appointment_refusal(customer) -> str:
    """Why this customer may not book a VIP appointment (DOMAIN.md P-9: gold tier and
    above, entitled to grade service); empty when they may."""
    from django.utils.translation import gettext as _

    from intake.choices import VipTier

    if customer.tier_without_grade_service:
        return str(customer.no_grade_service_reason)
    if VipTier.rank(customer.grade_tier) < VipTier.rank(APPOINTMENT_LOWEST_TIER):
        return _("Appointments without waiting are for gold-tier VIP customers and above.")
    return ""


def upcoming_appointments(customer) -> QuerySet[Appointment]:
    """The customer's appointments whose ticket is not done, soonest first."""
    return (
        Appointment.objects.filter(customer=customer)
        .exclude(ticket__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
        .select_related("ticket")
        .order_by("slot_start", "pk")
    )


def customer_care_summary(customer) -> dict:
    """What the customer page and the desk show: privileges, recent answers, callbacks."""
    surveys = list(
        Survey.objects.filter(customer=customer, answered_at__isnull=False)
        .select_related("ticket")
        .order_by("-answered_at")[:5]
    )
    callbacks = list(
        Callback.objects.filter(ticket__customer=customer)
        .select_related("ticket")
        .order_by("-pk")[:5]
    )
    return {
        "privileges": privileges_for(customer),
        "surveys": surveys,
        "callbacks": callbacks,
        "appointments": list(upcoming_appointments(customer)[:5]),
    }


def campaign_audience(campaign) -> list:
    """The customers a campaign reaches: its segment, never an opted-out customer."""
    from intake.models import Customer

    customers = Customer.objects.filter(survey_opt_out__isnull=True)
    if campaign.tiers:
        customers = customers.filter(vip_tier__in=campaign.tiers)
    if campaign.payment_type:
        customers = customers.filter(payment_type=campaign.payment_type)
    if campaign.region:
        customers = customers.filter(region=campaign.region)
    if campaign.service_type:
        customers = customers.filter(
            services__service_type=campaign.service_type, services__status="active"
        )
    if campaign.min_tenure_days is not None:
        since = timezone.now() - datetime.timedelta(days=campaign.min_tenure_days)
        customers = customers.filter(created_at__lte=since)
    if campaign.outage_cluster_id:
        customers = customers.filter(tickets__complaint__cluster_id=campaign.outage_cluster_id)
    found = list(customers.distinct().order_by("pk"))
    if campaign.birthday_today:
        # The birth date is in the resident ID number (digits 11-14: MMDD), stored
        # encrypted: read for this segment only.
        today = timezone.localdate().strftime("%m%d")
        found = [c for c in found if len(c.id_number) == 18 and c.id_number[10:14] == today]
    return found
