"""Celery entry points for worktickets: thin, they call the service."""

from celery import shared_task

from worktickets import assignment


@shared_task(acks_late=True, ignore_result=True)
def assign_waiting_tickets() -> int:
    """Tickets left in a team's queue go to agents who have come on shift."""
    return assignment.assign_waiting()
