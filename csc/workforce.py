"""The staffing requirement per interval (DOMAIN.md ST-19, P-8): the forecast from
contact history (intake) turned into agents by Erlang C (staffing.erlang).

Composed here because it reads `intake.Contact`, which sits above `staffing`.
Two queues are sized apart by their targets (csc.ServiceTarget: general contacts
70 % within 20 s, VIP callers 85 % within 20 s, P-8, K-13); the people to roster
add the shrinkage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from csc.choices import TargetQueue
from csc.selectors import half_hour_slot, vip_calls
from csc.targets import Target, service_level_target
from intake.models import Contact
from staffing import calendar_port, erlang
from staffing.forecast import HistoryCell, forecast
from staffing.models import Team

ANSWER_WITHIN_SECONDS = 20  # when a target leaves its answer time out
DEFAULT_SHRINKAGE = 0.30
DEFAULT_WEEKS = 4
SLOT = timedelta(minutes=30)


@dataclass(frozen=True)
class Requirement:
    starts_at: datetime
    general_volume: float
    vip_volume: float
    aht_seconds: float
    general_agents: int
    vip_agents: int
    basis: str

    @property
    def agents(self) -> int:
        return self.general_agents + self.vip_agents


def team_channels(team: Team) -> list[str]:
    return list(team.channels) or ["hotline"]


def contact_history(
    channels: list[str], since: datetime, until: datetime
) -> dict[bool, list[HistoryCell]]:
    """Offered, answered and talk time per local day and 30-minute interval, for the
    general (False) and VIP (True) queues: one grouped query."""
    tz = timezone.get_default_timezone()
    rows = (
        Contact.objects.filter(channel__in=channels, queued_at__gte=since, queued_at__lt=until)
        .annotate(
            day=TruncDate("queued_at", tzinfo=tz),
            slot=half_hour_slot("queued_at", tz),
            # The VIP seat answers callers entitled to grade service (CA-4), as the
            # dashboard's service level counts them.
            vip=Case(
                When(vip_calls(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values("day", "slot", "vip")
        .annotate(
            offered=Count("id"),
            answered=Count("answered_at"),
            handle=Sum(
                ExpressionWrapper(F("ended_at") - F("answered_at"), output_field=DurationField()),
                filter=Q(answered_at__isnull=False, ended_at__isnull=False),
            ),
        )
        .order_by()
    )
    history: dict[bool, list[HistoryCell]] = defaultdict(list)
    for row in rows:
        handle = row["handle"].total_seconds() if row["handle"] else 0.0
        history[bool(row["vip"])].append(
            HistoryCell(row["day"], row["slot"], row["offered"], row["answered"], handle)
        )
    return history


def requirements(
    channels: list[str],
    *,
    start: date,
    days: int,
    weeks: int = DEFAULT_WEEKS,
    shrinkage: float = DEFAULT_SHRINKAGE,
) -> list[Requirement]:
    """Agents needed on the phones per interval for `days` days from `start`, from the
    last `weeks` weeks before `start`."""
    tz = timezone.get_default_timezone()
    since = datetime.combine(start - timedelta(weeks=weeks), time.min, tzinfo=tz)
    until = datetime.combine(start, time.min, tzinfo=tz)
    # Holidays are their own pattern: look back far enough to have met some.
    holiday_since = datetime.combine(start - timedelta(days=366), time.min, tzinfo=tz)
    target_days = [start + timedelta(days=n) for n in range(days)]
    needs_holidays = any(calendar_port.is_public_holiday(day) for day in target_days)
    history = contact_history(channels, holiday_since if needs_holidays else since, until)
    queues = {
        vip: forecast(
            history.get(vip, []),
            days=target_days,
            weeks=weeks,
            is_holiday=calendar_port.is_public_holiday,
        )
        for vip in (False, True)
    }
    general_target = service_level_target(TargetQueue.GENERAL)
    vip_target = service_level_target(TargetQueue.VIP)
    result = []
    for general, vip in zip(queues[False], queues[True], strict=True):
        starts_at = datetime.combine(general.day, time.min, tzinfo=tz) + general.slot * SLOT
        result.append(
            Requirement(
                starts_at=starts_at,
                general_volume=round(general.volume, 2),
                vip_volume=round(vip.volume, 2),
                aht_seconds=round(general.aht_seconds, 1),
                general_agents=erlang.with_shrinkage(
                    _agents(general.volume, general.aht_seconds, general_target), shrinkage
                ),
                vip_agents=erlang.with_shrinkage(
                    _agents(vip.volume, vip.aht_seconds, vip_target), shrinkage
                ),
                basis=general.basis,
            )
        )
    return result


def _agents(volume: float, aht_seconds: float, target: Target) -> int:
    traffic = volume * aht_seconds / SLOT.total_seconds()
    answer_within = target.answer_seconds or ANSWER_WITHIN_SECONDS
    return erlang.agents_required(traffic, aht_seconds, answer_within, target.ratio)


def required_now(channels: list[str], moment: datetime) -> int | None:
    """Agents needed on the phones in the half hour holding `moment`, or None when the
    history gives no forecast. The day's requirement is computed once per day, channel
    set and targets, and kept in the cache: it reads weeks of contacts, which the day
    itself does not change."""
    day = timezone.localdate(moment)
    general = service_level_target(TargetQueue.GENERAL)
    vip = service_level_target(TargetQueue.VIP)
    key = ":".join(
        [
            "workforce-requirement",
            day.isoformat(),
            ",".join(sorted(channels)),
            f"{general.ratio}/{general.answer_seconds}/{vip.ratio}/{vip.answer_seconds}",
        ]
    )
    rows = cache.get(key)
    if rows is None:
        rows = [(row.starts_at, row.agents) for row in requirements(channels, start=day, days=1)]
        cache.set(key, rows, 6 * 3600)
    for starts_at, agents in rows:
        if starts_at <= moment < starts_at + SLOT:
            return agents
    return None


def proposal_requirement(team: Team, start: date, days: int) -> list[tuple[datetime, int]] | None:
    """People required per interval for a roster proposal (staffing.proposal), or None
    when the team's channels have no contact history to forecast from."""
    rows = requirements(team_channels(team), start=start, days=days)
    if not any(row.agents for row in rows):
        return None
    return [(row.starts_at, row.agents) for row in rows]


def connect() -> None:
    from staffing import proposal

    proposal.register_requirement(proposal_requirement)
