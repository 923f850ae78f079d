"""The ticket actions the SLA ladder runs, on a whole sweep batch at once."""

from types import SimpleNamespace

import pytest

from tests.factories import TicketFactory
from worktickets import escalation
from worktickets.choices import EventKind, Priority
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def firings(*tickets):
    # The sweeper passes (clock, level) pairs; the actions read the clock's ticket id.
    return [(SimpleNamespace(ticket_id=t.pk), None) for t in tickets]


def test_a_breach_raises_each_ticket_one_step_up_to_urgent(django_assert_num_queries):
    normal, high, urgent = (TicketFactory(priority=p) for p in (2, 3, Priority.URGENT))
    versions = {t.pk: t.version for t in (normal, high, urgent)}

    # The rows, locked; one UPDATE; one INSERT of their history rows; one of the lines.
    with django_assert_num_queries(4):
        escalation.raise_priority(firings(normal, high, urgent))

    after = dict(Ticket.objects.values_list("pk", "priority"))
    assert (after[normal.pk], after[high.pk], after[urgent.pk]) == (
        3,
        Priority.URGENT,
        Priority.URGENT,
    )
    raised = list(TicketEvent.objects.filter(kind=EventKind.PRIORITY_RAISED))
    lines = {e.ticket_id: {k: e.data[k] for k in ("from", "to")} for e in raised}
    assert lines == {normal.pk: {"from": 2, "to": 3}, high.pk: {"from": 3, "to": 4}}
    # The line is kept as its message key, read in each reader's language.
    assert {e.message["key"] for e in raised} == {"Priority raised by the SLA escalation ladder."}
    for ticket in (normal, high):
        ticket.refresh_from_db()
        assert ticket.version == versions[ticket.pk] + 1
    urgent.refresh_from_db()
    assert urgent.version == versions[urgent.pk]


def test_a_further_breach_moves_tickets_to_the_escalation_queue_once():
    first, second = TicketFactory(), TicketFactory()

    escalation.move_to_escalation_queue(firings(first, second))
    escalation.move_to_escalation_queue(firings(first, second))

    assert set(Ticket.objects.filter(in_escalation_queue=True).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert TicketEvent.objects.filter(kind=EventKind.ESCALATED).count() == 2
    line = TicketEvent.objects.filter(kind=EventKind.ESCALATED).first()
    assert line.at is not None and line.body


def changes(ticket: Ticket) -> list[tuple]:
    """The ticket's history after its creation row ("+", written by the factory's
    save), oldest first: type, priority, escalation-queue mark, version, reason."""
    return [
        (h.history_type, h.priority, h.in_escalation_queue, h.version, h.history_change_reason)
        for h in ticket.history.order_by("history_date", "history_id")
    ][1:]


def test_a_priority_raised_by_the_ladder_is_in_the_tickets_history():
    normal, urgent = TicketFactory(priority=2), TicketFactory(priority=Priority.URGENT)

    escalation.raise_priority(firings(normal, urgent))
    escalation.raise_priority(firings(normal))

    version = normal.version
    assert changes(normal) == [
        ("~", 3, False, version + 1, escalation.PRIORITY_RAISED),
        ("~", 4, False, version + 2, escalation.PRIORITY_RAISED),
    ]
    assert changes(urgent) == []
    latest = normal.history.latest()
    assert latest.history_user is None
    assert latest.instance.subject == Ticket.objects.get(pk=normal.pk).subject


def test_a_move_to_the_escalation_queue_is_in_the_tickets_history_once():
    ticket = TicketFactory(priority=2)

    escalation.move_to_escalation_queue(firings(ticket))
    escalation.move_to_escalation_queue(firings(ticket))

    assert changes(ticket) == [("~", 2, True, ticket.version + 1, escalation.QUEUED)]
