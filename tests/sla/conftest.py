"""Shared SLA fixtures: the default calendars and policies come from the data migration."""

import datetime

import pytest

from sla import escalation
from sla.calendars import SHANGHAI
from sla.matching import TicketFacts
from sla.models import BusinessCalendar
from tests.factories import CustomerFactory, TicketFactory, UserFactory
from worktickets.reference import delivery_limit_for


def sh(*args) -> datetime.datetime:
    """A moment in Asia/Shanghai: sh(2026, 2, 13, 16, 0)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def facts_for(ticket, **extra) -> TicketFacts:
    customer = ticket.customer
    values = {
        "kind": ticket.kind,
        "channel": ticket.channel,
        "priority": ticket.priority,
        "vip_tier": customer.grade_tier if customer else "none",
    }
    if ticket.business_type_id:
        values["business_type_code"] = ticket.business_type.code
        limit = delivery_limit_for(
            ticket.business_type_id,
            extra.get("channel", ticket.channel),
            extra.get("service_type", ""),
        )
        values["delivery_limit_minutes"] = limit.minutes if limit else None
    values.update(extra)
    return TicketFacts(**values)


@pytest.fixture
def admin_client(client, db):
    """A client signed in as an administrator (the Django admin's superuser)."""
    admin = UserFactory(username="root", roles=["administrator"])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.fixture
def always(db):
    return BusinessCalendar.objects.get(name="24×7")


@pytest.fixture
def workdays(db):
    return BusinessCalendar.objects.get(name="Working days 09:00–18:00")


@pytest.fixture
def make_ticket(db, hotline_team, agent_user):
    """A ticket row of the hotline team, assigned to agent1, for a customer of the given tier."""

    def make(*, kind="inquiry", vip_tier="none", status=None, region="urban", **fields):
        status = status or {"inquiry": "new", "business": "accepted", "complaint": "new"}[kind]
        fields.setdefault("customer", CustomerFactory(vip_tier=vip_tier, region=region))
        fields.setdefault("team", hotline_team)
        fields.setdefault("assignee", agent_user)
        fields.setdefault("first_contact_agent", agent_user)
        return TicketFactory(kind=kind, status=status, **fields)

    return make


@pytest.fixture
def test_actions():
    """Registers stand-ins for the actions worktickets provides; records the calls."""
    calls = []

    def raise_priority(clock, level):
        calls.append(("raise_priority", clock.pk, level.pk))
        ticket = clock.ticket
        type(ticket).objects.filter(pk=ticket.pk).update(priority=min(ticket.priority + 1, 4))

    def move_to_escalation_queue(clock, level):
        calls.append(("move_to_escalation_queue", clock.pk, level.pk))
        type(clock.ticket).objects.filter(pk=clock.ticket_id).update(in_escalation_queue=True)

    previous = {n: escalation.get_action(n) for n in ("raise_priority", "move_to_escalation_queue")}
    escalation.register_action("raise_priority", raise_priority, "Raise priority (test)")
    escalation.register_action(
        "move_to_escalation_queue", move_to_escalation_queue, "Escalation queue (test)"
    )
    yield calls
    for name, action in previous.items():
        if action is None:
            escalation.unregister_action(name)
        else:
            escalation.register_action(name, action.func, action.label, many=action.many)
