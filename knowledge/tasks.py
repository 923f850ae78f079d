"""Celery entry points for the knowledge base: they call a service and hold no rules."""

from celery import shared_task

from knowledge.services import review_reminders_send


@shared_task(acks_late=True, ignore_result=True)
def remind_reviews() -> int:
    """Hourly: remind owners of reviews coming due or overdue; returns how many were told."""
    return review_reminders_send()
