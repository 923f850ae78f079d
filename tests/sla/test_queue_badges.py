"""Queue badges come from the ticket's open clocks, probed per row (sla.selectors.annotate_sla)."""

import pytest

from sla import services
from sla.choices import ClockState, Metric
from sla.models import Clock
from sla.selectors import annotate_sla
from tests.sla.conftest import facts_for, sh
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db

T0 = sh(2026, 3, 2, 10, 0)


def badges(*tickets):
    rows = annotate_sla(Ticket.objects.filter(pk__in=[t.pk for t in tickets]))
    return {row.pk: (row.sla_at_risk, row.sla_breached) for row in rows}


def test_breached_at_risk_and_quiet_tickets_get_their_own_badges(make_ticket):
    breached, at_risk, quiet, no_clock = (make_ticket() for _ in range(4))
    for ticket in (breached, at_risk, quiet):
        services.clocks_start(ticket, facts_for(ticket), at=T0)
    Clock.objects.filter(ticket=breached, metric=Metric.CLOSURE).update(state=ClockState.BREACHED)
    Clock.objects.filter(ticket=at_risk, metric=Metric.FIRST_RESPONSE).update(at_risk=True)
    # A met clock no longer counts, whatever it went through.
    Clock.objects.filter(ticket=quiet, metric=Metric.FIRST_RESPONSE).update(
        state=ClockState.MET, at_risk=True
    )

    assert badges(breached, at_risk, quiet, no_clock) == {
        breached.pk: (False, True),
        at_risk.pk: (True, False),
        quiet.pk: (False, False),
        no_clock.pk: (False, False),
    }
