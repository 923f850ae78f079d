"""Celery entry points of the project shell: they call a service and hold no rules."""

from celery import shared_task

from csc.retention import retention_apply


@shared_task(acks_late=True, ignore_result=True)
def apply_retention() -> int:
    """Nightly: anonymise or delete what is past its retention period; returns the run's id."""
    return retention_apply(trigger="schedule").pk


@shared_task(acks_late=True, ignore_result=True)
def build_report(report_id: int) -> None:
    """Build a requested report's sections and store them (csc.reports)."""
    from csc.reports import report_build

    report_build(report_id)


@shared_task(acks_late=True, ignore_result=True)
def request_scheduled_reports() -> int:
    """Daily: request the reports whose period ended (daily; weekly on Mondays; monthly,
    quarterly and annual on the 1st)."""
    from csc.reports import scheduled_reports

    return len(scheduled_reports())


@shared_task(acks_late=True, ignore_result=True)
def remind_monthly_reports() -> int:
    """Daily: remind the team leads whose monthly analysis is due before the 22nd."""
    from csc.reports import report_reminders_send

    return report_reminders_send()
