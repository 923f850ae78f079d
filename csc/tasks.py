"""Celery entry points of the project shell: they call a service and hold no rules."""

from celery import shared_task

from csc.retention import retention_apply


@shared_task(acks_late=True, ignore_result=True)
def apply_retention() -> int:
    """Nightly: anonymise or delete what is past its retention period; returns the run's id."""
    return retention_apply(trigger="schedule").pk
