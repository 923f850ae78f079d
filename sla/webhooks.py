"""The SLA events integrators can subscribe to: sla.at_risk and sla.breached.

The sweeper reports a batch's warnings and breaches at once (a constant number
of queries per batch); a breach found outside the sweeper (a ticket met,
paused or reopened after its due time) is reported by the service that finds
it. Each is keyed on the clock and the moment, so whichever path reports it,
it is told once.
"""

from typing import Any

from sla.choices import ClockEventKind
from sla.models import Clock
from staffing.models import WebhookEvent
from staffing.webhooks import Occurrence, webhook_emit_bulk

EVENTS = {
    ClockEventKind.WARNED: WebhookEvent.SLA_AT_RISK,
    ClockEventKind.BREACHED: WebhookEvent.SLA_BREACHED,
}


def clock_data(clock: Clock) -> dict[str, Any]:
    ticket = clock.ticket  # the sweeper loads it with the clock
    return {
        "id": clock.pk,
        "metric": clock.metric,
        "state": clock.state,
        "at_risk": clock.at_risk,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warn_at": clock.warn_at,
        "breached_at": clock.breached_at,
        "ticket": {
            "id": ticket.pk,
            "number": ticket.number,
            "kind": ticket.kind,
            "status": ticket.status,
            "team": ticket.team_id,
            "assignee": ticket.assignee_id,
        },
    }


def _occurrence(clock: Clock, kind: str, at, data: dict | None = None) -> Occurrence:
    event = EVENTS[kind]
    body = {"clock": clock_data(clock), "at": at}
    if kind == ClockEventKind.WARNED:
        body["fraction"] = (data or {}).get("fraction")
    return Occurrence(event, body, f"clock:{clock.pk}:{at.isoformat()}", at)


def clock_events_emit(clocks: list[Clock], events: list[dict]) -> None:
    """Tell the warnings and breaches among a sweep batch's clock events."""
    by_pk = {clock.pk: clock for clock in clocks}
    webhook_emit_bulk(
        [
            _occurrence(by_pk[e["clock_id"]], e["kind"], e["at"], e.get("data"))
            for e in events
            if e["kind"] in EVENTS
        ]
    )


def clock_event_emit(clock: Clock, kind: str, at) -> None:
    """Tell one warning or breach found by a service (not the sweeper)."""
    if kind in EVENTS:
        webhook_emit_bulk([_occurrence(clock, kind, at)])
