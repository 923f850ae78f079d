"""The end of evidence collection (DOMAIN.md C-26, K-3); the entries themselves are
complaints.evidence's.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import deadlines
from complaints.choices import Action, EventCode
from complaints.models import Complaint
from complaints.notices import event
from complaints.services.guards import _check, _lock
from csc.lib.errors import IllegalTransition
from staffing.models import User
from worktickets.services import save_ticket


@transaction.atomic
def complaint_evidence_complete(
    complaint: Complaint, *, by: User, version: int | None, note: str = ""
) -> Complaint:
    """Evidence collection is done: its 7-day clock is met (DOMAIN.md C-26, K-3)."""
    complaint = _lock(complaint, version)
    _check(complaint, Action.EVIDENCE_COMPLETE)
    if complaint.evidence_completed_at is not None:
        raise IllegalTransition(_("Evidence collection is already complete."))
    now = timezone.now()
    complaint.evidence_completed_at = now
    complaint.save(update_fields=["evidence_completed_at"])
    deadlines.meet(complaint, deadlines.EVIDENCE, at=now)
    count = complaint.evidence.count()
    event(complaint.ticket, EventCode.EVIDENCE_COMPLETE, by, body=note, entries=count)
    save_ticket(complaint.ticket, [])
    return complaint
