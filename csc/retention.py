"""The retention job (DOMAIN.md R-1, R-3): each record type past its policy's period is
anonymised or deleted, in batches, and the run is reported as a RetentionRun.

Each app says which of its rows are due (a selector) and how they are anonymised
(a service); plain deletions go through `delete_rows`. Rows are claimed with
`FOR UPDATE SKIP LOCKED`, a batch per transaction, and a handled row no longer
matches its selector, so a second run at the same time or a rerun does nothing twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from complaints.retention import (
    complaints_anonymise,
    complaints_holding_personal_data,
    evidence_files_kept,
    evidence_files_purge,
)
from csc.choices import RecordType, RunStatus
from csc.lib.anonymise import delete_rows
from csc.models import RetentionPolicy, RetentionRun
from intake.models import PersonalDataAccess
from intake.selectors import contacts_holding_personal_data_before, personal_data_accesses_before
from intake.services import contacts_anonymise
from staffing.models import IdempotentRequest, Notification, OutboxMessage
from staffing.selectors import (
    idempotent_requests_before,
    notifications_before,
    outbox_messages_done_before,
)
from worktickets.selectors import tickets_closed_before
from worktickets.services import tickets_anonymise

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Purge:
    due: Callable[[datetime], QuerySet]  # rows past the cutoff still to be handled
    apply: Callable[[list[int]], int]  # anonymise or delete a batch of them


PURGES: dict[str, Purge] = {
    RecordType.CONTACT: Purge(contacts_holding_personal_data_before, contacts_anonymise),
    RecordType.TICKET: Purge(tickets_closed_before, tickets_anonymise),
    RecordType.COMPLAINT_BILLING: Purge(
        partial(complaints_holding_personal_data, billing=True), complaints_anonymise
    ),
    RecordType.COMPLAINT_OTHER: Purge(
        partial(complaints_holding_personal_data, billing=False), complaints_anonymise
    ),
    RecordType.EVIDENCE_BILLING: Purge(
        partial(evidence_files_kept, billing=True), evidence_files_purge
    ),
    RecordType.EVIDENCE_OTHER: Purge(
        partial(evidence_files_kept, billing=False), evidence_files_purge
    ),
    RecordType.ACCESS_LOG: Purge(
        personal_data_accesses_before, partial(delete_rows, PersonalDataAccess)
    ),
    RecordType.IDEMPOTENCY: Purge(
        idempotent_requests_before, partial(delete_rows, IdempotentRequest)
    ),
    RecordType.WEBHOOK_DELIVERY: Purge(
        partial(outbox_messages_done_before, webhooks=True), partial(delete_rows, OutboxMessage)
    ),
    RecordType.OUTBOX: Purge(
        partial(outbox_messages_done_before, webhooks=False), partial(delete_rows, OutboxMessage)
    ),
    RecordType.NOTIFICATION: Purge(notifications_before, partial(delete_rows, Notification)),
}


def cutoff_for(policy: RetentionPolicy, now: datetime) -> datetime:
    return now - timedelta(days=policy.effective_days)


def retention_apply(
    *,
    dry_run: bool = False,
    trigger: str = "schedule",
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> RetentionRun:
    """Apply every policy (or, dry, count what it would touch); returns the run's report."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, dry_run=dry_run, trigger=trigger)
    results: dict[str, dict] = {}
    for policy in RetentionPolicy.objects.all():
        purge = PURGES.get(policy.record_type)
        if purge is None:
            continue
        cutoff = cutoff_for(policy, now)
        line = {
            "action": policy.action,
            "keep_days": policy.effective_days,
            "cutoff": cutoff.isoformat(),
        }
        try:
            line["count"] = (
                purge.due(cutoff).count() if dry_run else _in_batches(purge, cutoff, batch_size)
            )
        except Exception as error:  # one record type failing must not stop the others
            logger.exception("retention of %s failed", policy.record_type)
            line.update(count=line.get("count", 0), error=str(error)[:500])
        results[policy.record_type] = line
    run.results = results
    run.finished_at = timezone.now()
    failed = any("error" in line for line in results.values())
    run.status = RunStatus.FAILED if failed else RunStatus.FINISHED
    run.save(update_fields=["results", "finished_at", "status"])
    return run


def _in_batches(purge: Purge, cutoff: datetime, batch_size: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                purge.due(cutoff)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            handled = purge.apply(ids) if ids else 0
        done += handled
        # A short batch is the last; a batch that changed nothing would repeat forever.
        if len(ids) < batch_size or not handled:
            return done
