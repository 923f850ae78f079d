"""CSAT = share of 4 and 5 (DOMAIN.md P-13, K-23), per agent, team, channel, kind, tier
and period, against the editable target (CA-36); the satisfaction index (CA-30)."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from care import selectors
from care.models import CareSettings, CsatTarget, Survey
from tests.factories import CustomerFactory, TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
START, END = NOW - datetime.timedelta(days=30), NOW + datetime.timedelta(seconds=1)


def answered(score, *, days_ago=0, **fields):
    ticket = fields.pop("ticket", None) or TicketFactory()
    at = NOW - datetime.timedelta(days=days_ago)
    values = {
        "ticket": ticket,
        "customer": ticket.customer or CustomerFactory(),
        "token_hash": f"{ticket.pk:064d}",
        "status": "answered",
        "send_at": at,
        "sent_at": at,
        "expires_at": at + datetime.timedelta(days=3),
        "answered_at": at,
        "score": score,
        "ticket_kind": "inquiry",
        "channel": "hotline",
        "tier": "none",
        **fields,
    }
    return Survey.objects.create(**values)


def test_csat_is_the_share_of_fours_and_fives():
    for score in (5, 4, 4, 3, 1):
        answered(score)

    figure = selectors.csat(START, END)

    assert (figure.answers, figure.satisfied) == (5, 3)
    assert figure.percent == 60.0
    assert figure.target_percent == 95 and figure.met is False


def test_csat_without_answers_is_unknown_not_zero():
    figure = selectors.csat(START, END)

    assert figure.percent is None and figure.met is None


def test_the_target_is_editable():
    CareSettings.objects.update(csat_target_percent=60)
    for score in (5, 4, 4, 3, 1):
        answered(score)

    assert selectors.csat(START, END).met is True


def test_csat_by_channel_team_agent_kind_and_tier():
    team = TeamFactory(name="Online")
    agent = UserFactory(username="a9")
    answered(5, channel="online_chat", team=team, agent=agent, tier="gold", ticket_kind="complaint")
    answered(2, channel="online_chat", team=team, agent=agent, tier="gold", ticket_kind="complaint")
    answered(4, channel="hotline")

    by_channel = {row["key"]: row["percent"] for row in selectors.csat_by("channel", START, END)}
    assert by_channel == {"hotline": 100.0, "online_chat": 50.0}
    assert {r["key"]: r["answers"] for r in selectors.csat_by("team", START, END)}[team.pk] == 2
    assert {r["key"]: r["answers"] for r in selectors.csat_by("agent", START, END)}[agent.pk] == 2
    assert {r["key"]: r["percent"] for r in selectors.csat_by("kind", START, END)}[
        "complaint"
    ] == 50.0
    assert {r["key"]: r["percent"] for r in selectors.csat_by("tier", START, END)}["gold"] == 50.0


def test_answers_outside_the_period_are_left_out():
    answered(1, days_ago=40)
    answered(5)

    assert selectors.csat(START, END).percent == 100.0


def test_the_trend_is_per_day_oldest_first():
    answered(5, days_ago=2)
    answered(1, days_ago=2)
    answered(5, days_ago=1)

    trend = selectors.csat_trend("day", START, END)

    assert [(row["answers"], row["percent"]) for row in trend] == [(2, 50.0), (1, 100.0)]


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_the_trend_cuts_days_at_local_midnight_weeks_on_monday_and_months_on_the_first():
    # 2026-03-01 is a Sunday. 23:30 and 00:30 local fall on two days (UTC: one day).
    answered(5, answered_at=shanghai(2026, 2, 27, 10, 0))
    answered(1, answered_at=shanghai(2026, 3, 1, 23, 30))
    answered(5, answered_at=shanghai(2026, 3, 2, 0, 30))
    answered(4, answered_at=shanghai(2026, 3, 2, 9, 0))
    start, end = shanghai(2026, 2, 27, 9, 0), shanghai(2026, 3, 2, 23, 0)

    def rows(period):
        return [
            (row["period"].isoformat(), row["answers"], row["percent"])
            for row in selectors.csat_trend(period, start, end)
        ]

    assert rows("day") == [
        ("2026-02-27", 1, 100.0),
        ("2026-03-01", 1, 0.0),
        ("2026-03-02", 2, 100.0),
    ]
    assert rows("week") == [("2026-02-23", 2, 50.0), ("2026-03-02", 2, 100.0)]
    assert rows("month") == [("2026-02-01", 1, 100.0), ("2026-03-01", 3, 66.7)]


def test_the_trend_counts_only_the_answers_inside_the_range():
    answered(1, answered_at=shanghai(2026, 3, 2, 8, 59))
    answered(5, answered_at=shanghai(2026, 3, 2, 9, 0))
    answered(1, answered_at=shanghai(2026, 3, 2, 18, 0))

    trend = selectors.csat_trend("day", shanghai(2026, 3, 2, 9, 0), shanghai(2026, 3, 2, 18, 0))

    assert [(row["answers"], row["percent"]) for row in trend] == [(1, 100.0)]


def test_the_trend_is_one_query_whatever_the_number_of_days(django_assert_num_queries):
    for days_ago in range(0, 30, 3):
        answered(4, days_ago=days_ago)

    with django_assert_num_queries(1):
        trend = selectors.csat_trend("day", START, END)

    assert len(trend) == 10


def test_the_satisfaction_index_rescales_without_business_data():
    for score in (5, 4, 1, 1):
        answered(score)

    # Only CSAT is known (no contacts, no clocks in the period): the index is CSAT.
    assert selectors.satisfaction_index(START, END) == 50.0


def test_the_csat_aggregate_is_one_query(django_assert_num_queries):
    for score in (5, 4, 1):
        answered(score)
    CareSettings.current()

    with django_assert_num_queries(2):  # the figures and the target
        selectors.csat(START, END)


def test_a_channel_or_tier_target_overrides_the_centres_the_most_specific_first():
    CareSettings.objects.update(csat_target_percent=95)
    CsatTarget.objects.create(channel="online_chat", target_percent=80)
    CsatTarget.objects.create(tier="gold", target_percent=97)
    CsatTarget.objects.create(channel="online_chat", tier="gold", target_percent=90)

    targets = selectors.csat_targets()

    assert targets.for_() == 95
    assert targets.for_(channel="hotline") == 95
    assert targets.for_(channel="online_chat") == 80
    assert targets.for_(tier="gold") == 97
    assert targets.for_(channel="hotline", tier="gold") == 97
    assert targets.for_(channel="online_chat", tier="gold") == 90


def test_csat_per_channel_is_compared_with_each_channels_target():
    CsatTarget.objects.create(channel="online_chat", target_percent=50)
    for score in (5, 1):
        answered(score, channel="online_chat")
        answered(score, channel="hotline")

    rows = {
        row["key"]: row
        for row in selectors.csat_by("channel", START, END, targets=selectors.csat_targets())
    }

    assert (rows["online_chat"]["target_percent"], rows["online_chat"]["met"]) == (50, True)
    assert (rows["hotline"]["target_percent"], rows["hotline"]["met"]) == (95, False)


def test_csat_per_tier_is_compared_with_each_tiers_target():
    CsatTarget.objects.create(tier="gold", target_percent=60)
    for score in (5, 4, 1):
        answered(score, tier="gold")

    (row,) = selectors.csat_by("tier", START, END, targets=selectors.csat_targets())

    assert (row["percent"], row["target_percent"], row["met"]) == (66.7, 60, True)


def test_a_target_naming_neither_channel_nor_tier_is_refused():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CsatTarget.objects.create(target_percent=90)


def test_channels_kinds_and_tiers_are_named_in_the_readers_language():
    from django.utils import translation

    answered(5, channel="online_chat", tier="gold", ticket_kind="complaint")
    with translation.override("en"):
        assert [r["label"] for r in selectors.csat_by("channel", START, END)] == ["Online chat"]
    with translation.override("zh-hans"):
        (tier,) = selectors.csat_by("tier", START, END)
        (kind,) = selectors.csat_by("kind", START, END)
    assert (tier["key"], tier["label"]) == ("gold", "金卡")
    assert kind["label"] == "投诉"
