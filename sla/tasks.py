"""Celery entry points for the SLA engine (scheduled in django-celery-beat)."""

import logging

from celery import shared_task

from sla import services, sweeper

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Every 30 s: warn, breach and escalate due clocks (exactly once per ladder step)."""
    result = sweeper.sweep()
    if result.clocks:
        log.info("SLA sweep: %s", result)
    return vars(result)


@shared_task(acks_late=True, ignore_result=True)
def run_recompute_jobs() -> int:
    """Recompute due times after calendar or policy changes, in batches."""
    return services.recompute_jobs_run()
