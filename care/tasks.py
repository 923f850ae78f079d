"""Celery entry points for care (scheduled in django-celery-beat, care/migrations/0002)."""

from celery import shared_task

from care import services


@shared_task(acks_late=True, ignore_result=True)
def dispatch_surveys() -> int:
    """Every minute: send the surveys whose delay has passed, expire unused links, and
    send the care campaigns now due."""
    sent = services.surveys_dispatch()
    services.surveys_expire()
    services.campaigns_send_due()
    return sent
