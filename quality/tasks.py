"""Celery entry points for quality assurance: they call a service and hold no rules."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from quality.services import (
    evaluations_close_due,
    month_start,
    sampling_build,
    transcripts_check,
)


@shared_task(acks_late=True, ignore_result=True)
def build_monthly_samples() -> int:
    """On the 1st: complete the month just ended with its full month of contacts."""
    previous = month_start(month_start(timezone.localdate()) - timedelta(days=1))
    return sampling_build(previous).created


@shared_task(acks_late=True, ignore_result=True)
def top_up_samples() -> int:
    """Weekly: top up the running month's samples from the contacts so far."""
    return sampling_build(timezone.localdate()).created


@shared_task(acks_late=True, ignore_result=True)
def close_due_evaluations() -> int:
    return evaluations_close_due()


@shared_task(acks_late=True, ignore_result=True)
def check_transcripts() -> int:
    """Every few minutes: run the automatic checks on new or changed transcripts."""
    return transcripts_check()
