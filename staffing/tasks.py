"""Celery entry points for staffing: load by id, call the service."""

from celery import shared_task

from staffing import outbox


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_message(message_id: int) -> bool:
    return outbox.outbox_deliver(message_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_messages(message_ids: list[int]) -> int:
    return sum(1 for message_id in message_ids if outbox.outbox_deliver(message_id))


@shared_task(acks_late=True, ignore_result=True)
def flush_outbox() -> int:
    return outbox.outbox_flush()


@shared_task(acks_late=True, ignore_result=True)
def check_attendance() -> int:
    from staffing.attendance import attendance_check_due

    return attendance_check_due()


@shared_task(acks_late=True, ignore_result=True)
def propose_roster(proposal_id: int) -> None:
    """Compute a requested roster proposal and write it as the draft (staffing.proposal)."""
    from staffing.proposal import roster_propose

    roster_propose(proposal_id)
