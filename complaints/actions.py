"""The complaint actions as both doors (browser and API) offer them: which service each
calls and which permission a signed-in person needs to try it.

Approving compensation and extending deadlines are open to anyone who sees the
complaint at the door; the service decides who may (market & legal, the CS
manager), so the rule lives in one place.
"""

from complaints import services
from complaints.choices import Action
from complaints.models import Complaint

VIEW = "complaints.view_complaint"
HANDLE = "complaints.handle_complaint"

SERVICES = {
    Action.ACCEPT: services.complaint_accept,
    Action.INVESTIGATE: services.complaint_investigate,
    Action.HANDLE: services.complaint_handle,
    Action.ESCALATE: services.complaint_escalate,
    Action.PROPOSE_COMPENSATION: services.compensation_propose,
    Action.APPROVE_COMPENSATION: services.compensation_decide,
    Action.FEEDBACK: services.complaint_feedback,
    Action.CONFIRM: services.complaint_confirm,
    Action.DISSATISFIED: services.complaint_dissatisfied,
    Action.REOPEN: services.complaint_reopen,
    Action.CLOSE: services.complaint_close,
    Action.REQUEST_EXTENSION: services.complaint_request_extension,
    Action.EXTEND: services.complaint_extend,
    Action.EVIDENCE_COMPLETE: services.complaint_evidence_complete,
    Action.RECORD_REPAIR: services.complaint_record_repair,
}
DECIDED_BY_SERVICE = frozenset({Action.APPROVE_COMPENSATION, Action.EXTEND})
DOOR_PERMS = {action: VIEW if action in DECIDED_BY_SERVICE else HANDLE for action in SERVICES}


def may_try(user, action: str) -> bool:
    return user.has_perm(DOOR_PERMS[action])


def offered(user, complaint: Complaint) -> list[str]:
    """The actions to show this person: what the stage allows and they may try."""
    allowed = services.allowed_actions(complaint)
    shown = []
    for action in allowed:
        if not may_try(user, action):
            continue
        if action == Action.APPROVE_COMPENSATION and not services.pending_compensation_for(
            user, complaint
        ):
            continue
        if action == Action.EXTEND and not user.has_perm("complaints.approve_extension"):
            continue
        shown.append(action)
    return shown


def perform(action: str, complaint: Complaint, user, data: dict):
    """Call the action's service; returns what the service returns."""
    return SERVICES[action](complaint, by=user, **data)
