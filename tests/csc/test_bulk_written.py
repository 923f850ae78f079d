"""The rows the busiest paths write many of at once, timeline lines, clock events and
notifications, are written with `bulk_create`, which sends no model signals: a
receiver added later would silently miss them (simple-history's among them), so
none may listen."""

import pytest
from django.db.models.signals import post_save, pre_save

from sla.models import ClockEvent
from staffing.models import Notification
from tests.factories import TicketFactory
from worktickets.choices import EventKind
from worktickets.models import TicketEvent
from worktickets.services import record_events

pytestmark = pytest.mark.django_db

BULK_WRITTEN = (TicketEvent, ClockEvent, Notification)


def _receivers(signal, model) -> list:
    sync, asynchronous = signal._live_receivers(model)
    return [*sync, *asynchronous]


@pytest.mark.parametrize("model", BULK_WRITTEN, ids=lambda model: model._meta.label)
def test_no_save_receiver_listens_to_a_model_written_in_bulk(model):
    assert _receivers(pre_save, model) == []
    assert _receivers(post_save, model) == []


def test_timeline_lines_are_written_in_one_statement_with_their_keys(
    agent_user, django_assert_num_queries
):
    ticket = TicketFactory()
    lines = [
        TicketEvent(ticket=ticket, kind=EventKind.NOTE, actor=agent_user, body=body)
        for body in ("客户来电询问：“流量包”怎么退订？", "it's")
    ]
    with django_assert_num_queries(1):
        record_events(lines)
    assert all(line.pk is not None and not line._state.adding for line in lines)
    stored = TicketEvent.objects.filter(pk__in=[line.pk for line in lines])
    assert sorted(stored.values_list("body", flat=True)) == sorted(line.body for line in lines)
