"""Service-fault repairs: the repair time promised at intake and the repair recorded
later (DOMAIN.md K-35, S-19).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import deadlines
from complaints.choices import Action, Category, EventCode, ServiceType
from complaints.models import Complaint
from complaints.notices import event
from complaints.services.guards import _check, _lock, _refuse, _when
from csc.lib.errors import IllegalTransition
from staffing.models import User
from worktickets.services import save_ticket


def _check_repair(
    category: str,
    service_type: str,
    region: str,
    promised_repair_at: datetime | None,
    received_at: datetime,
    **facts,
) -> deadlines.RepairLimit | None:
    """Service faults: the customer is told a repair time within the limit (K-35, S-19).

    Returns the limit; nothing for other categories.
    """
    if category != Category.SERVICE_FAULT:
        return None
    if not service_type:
        raise _refuse(
            _("Choose the affected service of a service fault."), "service_type", "required"
        )
    limit = deadlines.repair_limit(
        service_type=service_type, region=region, at=received_at, **facts
    )
    if limit is None:
        raise _refuse(
            _(
                "No repair time limit is configured for %(service)s; ask an administrator to "
                "set one before recording its faults."
            )
            % {"service": ServiceType(service_type).label},
            "service_type",
            "repair_limit_missing",
        )
    if promised_repair_at is None:
        raise _refuse(
            _("Tell the customer when the fault will be repaired (no later than %(latest)s).")
            % {"latest": _when(limit.due_at)},
            "promised_repair_at",
            "required",
        )
    if promised_repair_at <= received_at:
        raise _refuse(_("The promised repair time must be in the future."), "promised_repair_at")
    if promised_repair_at > limit.due_at:
        raise _refuse(
            _(
                "The repair limit for this service and region is %(limit)s: promise no later "
                "than %(latest)s."
            )
            % {"limit": limit.text, "latest": _when(limit.due_at)},
            "promised_repair_at",
        )
    return limit


@transaction.atomic
def complaint_record_repair(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    note: str = "",
    repaired_at: datetime | None = None,
) -> Complaint:
    """The fault is repaired (service faults): the repair deadline is met."""
    complaint = _lock(complaint, version)
    _check(complaint, Action.RECORD_REPAIR)
    if complaint.category != Category.SERVICE_FAULT:
        raise IllegalTransition(_("Only service faults have a repair."))
    if complaint.repaired_at is not None:
        raise IllegalTransition(_("The repair is already recorded."))
    now = timezone.now()
    repaired_at = repaired_at or now
    if repaired_at > now or repaired_at < complaint.ticket.created_at:
        raise _refuse(_("The repair time lies between the complaint and now."), "repaired_at")
    complaint.repaired_at = repaired_at
    complaint.save(update_fields=["repaired_at"])
    deadlines.meet(complaint, deadlines.REPAIR, at=repaired_at)
    late = complaint.promised_repair_at is not None and repaired_at > complaint.promised_repair_at
    event(
        complaint.ticket,
        EventCode.REPAIR,
        by,
        body=note,
        repaired_at=repaired_at.isoformat(),
        later_than_promised=late,
    )
    save_ticket(complaint.ticket, [])
    return complaint
