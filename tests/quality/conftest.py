import datetime

import pytest
from django.utils import timezone

from quality.choices import SampleReason
from quality.models import Sample, Scorecard
from tests.factories import ContactFactory


@pytest.fixture
def default_card(db):
    """The default scorecard the migration ships (P-10)."""
    return Scorecard.objects.get(name="服务质量评分表")


def make_sample(agent, *, inspector=None, channel="hotline", when=None, contact=None):
    when = when or timezone.now() - datetime.timedelta(hours=2)
    contact = contact or ContactFactory(agent=agent, channel=channel, queued_at=when)
    return Sample.objects.create(
        month=timezone.localtime(contact.queued_at).date().replace(day=1),
        agent=agent,
        contact=contact,
        channel=contact.channel,
        ticket_kind="",
        reason=SampleReason.RANDOM,
        inspector=inspector,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


@pytest.fixture
def sample(agent_user, qa_user):
    return make_sample(agent_user, inspector=qa_user)


def full_points(evaluation, **overrides):
    """Every line at its maximum, except those named by position (`p3=5`)."""
    lines = evaluation.scorecard_version.lines.order_by("position")
    return {line.pk: overrides.get(f"p{line.position}", line.max_points) for line in lines}
