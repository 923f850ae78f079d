"""Every change to a complaint: one function per business action.

A complaint lives on its Ticket (kind complaint), so each action takes the
ticket's row lock and refuses a stale version exactly as ticket actions do
(worktickets.services.lock_ticket), checks the stage table in
choices.TRANSITIONS, saves, bumps the version and writes its timeline lines
in the same transaction. Deadlines are the SLA engine's (complaints.deadlines).

One module per concept; callers use `from complaints import services` and the
names below.
"""

from complaints.services.compensation import (
    compensation_decide,
    compensation_propose,
    pending_compensation_for,
)
from complaints.services.escalation import complaint_escalate, complaint_escalate_overdue
from complaints.services.evidence import complaint_evidence_complete
from complaints.services.extension import complaint_extend, complaint_request_extension
from complaints.services.feedback import (
    complaint_confirm,
    complaint_dissatisfied,
    complaint_feedback,
)
from complaints.services.guards import allowed_actions
from complaints.services.major import major_reasons
from complaints.services.outages import ClusterFeedbackResult, cluster_feedback
from complaints.services.record import (
    ComplaintIntake,
    RecordedComplaint,
    complaint_check,
    complaint_record,
)
from complaints.services.repair import complaint_record_repair
from complaints.services.stages import (
    complaint_accept,
    complaint_close,
    complaint_handle,
    complaint_investigate,
    complaint_reopen,
)

__all__ = [
    "ClusterFeedbackResult",
    "ComplaintIntake",
    "RecordedComplaint",
    "allowed_actions",
    "cluster_feedback",
    "compensation_decide",
    "compensation_propose",
    "complaint_accept",
    "complaint_check",
    "complaint_close",
    "complaint_confirm",
    "complaint_dissatisfied",
    "complaint_escalate",
    "complaint_escalate_overdue",
    "complaint_evidence_complete",
    "complaint_extend",
    "complaint_feedback",
    "complaint_handle",
    "complaint_investigate",
    "complaint_record",
    "complaint_record_repair",
    "complaint_reopen",
    "complaint_request_extension",
    "major_reasons",
    "pending_compensation_for",
]
