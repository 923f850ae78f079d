"""What every complaint action shares: refuse bad input with a field's message, lock
the complaint through its ticket, check the stage table (choices.TRANSITIONS) and
move the stage.
"""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from complaints.choices import TRANSITIONS, Action, Category
from complaints.models import Complaint
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from csc.lib.phrases import Phrase
from staffing.models import User
from worktickets.services import change_status, lock_ticket


def _refuse(message: str, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, details={field_name: [message]})


def _text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(message, field_name, "required")
    return value


def _require(by: User | None, perm: str, message: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise NotAllowed(message)


def _lock(complaint: Complaint | int, version: int | None) -> Complaint:
    """The complaint with its ticket row locked (the ticket's lock guards both)."""
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    ticket = lock_ticket(pk, version)
    locked = Complaint.objects.select_related("subcategory").get(pk=pk)
    locked.ticket = ticket
    return locked


def _check(complaint: Complaint, action: str) -> str | None:
    allowed_from, target = TRANSITIONS[action]
    ticket = complaint.ticket
    if ticket.status not in allowed_from:
        raise IllegalTransition(
            _("Cannot %(action)s complaint %(number)s while it is %(stage)s.")
            % {
                "action": str(Action(action).label).lower(),
                "number": ticket.number,
                "stage": ticket.get_status_display(),
            },
            details={"status": ticket.status, "allowed": allowed_actions(complaint)},
        )
    return target


def _check_move(complaint: Complaint, action: str) -> str:
    """_check for an action that moves the stage: the stage it leads to."""
    target = _check(complaint, action)
    if target is None:
        raise LookupError(f"choices.TRANSITIONS gives {action} no target stage")
    return target


def allowed_actions(complaint: Complaint) -> list[str]:
    """The actions the complaint's stage allows now (for buttons and 409 bodies)."""
    status = complaint.ticket.status
    actions = [a for a, (allowed_from, _t) in TRANSITIONS.items() if status in allowed_from]
    if complaint.category != Category.SERVICE_FAULT or complaint.repaired_at is not None:
        actions = [a for a in actions if a != Action.RECORD_REPAIR]
    if complaint.evidence_completed_at is not None:
        actions = [a for a in actions if a != Action.EVIDENCE_COMPLETE]
    return actions


def _move(
    complaint: Complaint, to_status: str, by: User | None, *, body: str | Phrase = ""
) -> None:
    """Change the stage and record it; change_status tells the SLA engine, which pauses,
    meets, stops or restarts the clocks by the stage's status category."""
    change_status(complaint.ticket, to_status, by, body=body)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
