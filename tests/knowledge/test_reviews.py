"""Quarterly review (DOMAIN.md S-47, KB-6): the review date falls a quarter after
publication on a working day of the review calendar, owners are reminded within working
hours only, once per review date, and overdue reviews are listed."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from knowledge import services
from knowledge.models import KnowledgeSettings
from knowledge.reviews import add_months
from knowledge.tasks import remind_reviews
from staffing.models import Notification
from tests.factories import UserFactory, make_article

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner1", roles=["team_lead"])


def published_on(moment, owner, title="套餐变更规则"):
    with time_machine.travel(moment, tick=False):
        return make_article(title, writer=owner)


def reminders(owner) -> list[str]:
    return list(
        Notification.objects.filter(recipient=owner, kind="knowledge.review_due")
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_the_settings_use_the_working_time_calendar():
    assert KnowledgeSettings.current().review_calendar.kind == "working_time"


def test_months_are_added_to_the_last_day_a_month_has():
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), 3) == datetime.date(2026, 4, 15)


def test_the_review_falls_a_quarter_after_publication(owner):
    article = published_on(at(2026, 6, 15, 10), owner)

    assert article.review_due_on == datetime.date(2026, 9, 15)


def test_a_review_date_on_a_holiday_moves_to_the_next_working_day(owner):
    # 2026-10-01 to 10-07 is the National Day holiday.
    article = published_on(at(2026, 7, 1, 10), owner)

    assert article.review_due_on == datetime.date(2026, 10, 8)


def test_the_owner_is_reminded_within_working_hours_five_working_days_ahead_once(owner):
    published_on(at(2026, 6, 15, 10), owner)  # review due Tuesday 2026-09-15

    moments = [
        at(2026, 9, 5, 10),  # Saturday: no reminder on a day off
        at(2026, 9, 7, 8, 30),  # Monday before opening
        at(2026, 9, 7, 10),  # five working days ahead is Monday 14th: not yet
        at(2026, 9, 8, 10),  # five working days ahead is the 15th: remind
        at(2026, 9, 8, 11),  # the next hourly run: already told
    ]
    sent = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            sent.append(remind_reviews.apply().get())

    assert sent == [0, 0, 0, 1, 0]
    assert reminders(owner) == ["《套餐变更规则》将于 2026-09-15 到期复核"]


def test_an_overdue_review_is_told_once_more_and_listed(client, owner):
    article = published_on(at(2026, 6, 15, 10), owner)
    with time_machine.travel(at(2026, 9, 8, 10), tick=False):
        services.review_reminders_send()
    with time_machine.travel(at(2026, 9, 16, 10), tick=False):
        first = services.review_reminders_send()
        again = services.review_reminders_send()
        client.force_login(owner)
        page = client.get("/knowledge/reviews/").content.decode()

    assert (first, again) == (1, 0)
    assert len(reminders(owner)) == 2
    overdue = page.split('id="kb-overdue"', 1)[1].split("</section>", 1)[0]
    assert f'href="/knowledge/{article.pk}/"' in overdue


def test_confirming_a_review_sets_the_next_one_a_quarter_from_today(owner):
    article = published_on(at(2026, 6, 15, 10), owner)

    with time_machine.travel(at(2026, 9, 16, 10), tick=False):
        services.article_review_confirm(article, by=owner, note="资费未变")

    article.refresh_from_db()
    assert article.review_due_on == datetime.date(2026, 12, 16)
    assert article.events.filter(kind="reviewed", note="资费未变").exists()


def test_only_the_owner_or_a_reviewer_confirms_a_review(owner):
    from csc.lib.errors import NotAllowed

    article = published_on(at(2026, 6, 15, 10), owner)
    other = UserFactory(username="editor9", roles=["team_lead"])

    with pytest.raises(NotAllowed):
        services.article_review_confirm(article, by=other)
