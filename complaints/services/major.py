"""Major complaints (DOMAIN.md P-3, K-19, C-10): the configurable criteria, and the
leadership group told once.
"""

from django.utils import timezone
from django.utils.translation import gettext_noop

from complaints import reference
from complaints.choices import EventCode, MajorReason, Severity
from complaints.models import Complaint, ComplaintSettings
from complaints.notices import complaint_link, event_line, tell
from csc.lib.phrases import LIST_SEPARATOR, Phrase, joined
from staffing.models import User
from staffing.outbox import Text
from worktickets.choices import EventKind
from worktickets.models import TicketEvent
from worktickets.services import record_events


def _tell_leadership(complaint: Complaint, what: str, title: str, *, body: Text) -> None:
    """Notify the leadership group once of this complaint's `what` (appeal, major);
    `title` takes the ticket's number and subject."""
    ticket = complaint.ticket
    tell(
        reference.leadership_group.get(),
        kind=f"complaint.{what}",
        title=Phrase(title, number=ticket.number, subject=ticket.subject),
        body=body,
        link=complaint_link(complaint.pk),
        key=f"complaint-{what}:{complaint.pk}",
    )


def major_reasons(complaint: Complaint, config: ComplaintSettings) -> list[str]:
    """DOMAIN.md P-3, K-19: the configurable criteria of a major complaint."""
    reasons = []
    if complaint.severity in (Severity.MAJOR, Severity.CRITICAL):
        reasons.append(MajorReason.SEVERITY)
    if config.major_on_media and complaint.media_involved:
        reasons.append(MajorReason.MEDIA)
    if config.major_on_regulator and complaint.regulator_involved:
        reasons.append(MajorReason.REGULATOR)
    if config.major_on_cluster and complaint.cluster_id is not None:
        reasons.append(MajorReason.MASS_FAULT)
    repeat = config.major_repeat_count
    if repeat and complaint.recurrence_count >= repeat:
        reasons.append(MajorReason.REPEAT)
    return [str(r) for r in reasons]


def _refresh_major(
    complaint: Complaint, by: User | None, config: ComplaintSettings, *, notify: bool = True
) -> list[TicketEvent]:
    """Mark a major complaint and report it to the leadership group at once (C-10).

    Returns the timeline lines written."""
    reasons = major_reasons(complaint, config)
    is_major = bool(reasons)
    if reasons == complaint.major_reasons and is_major == complaint.is_major:
        return []
    written = []
    complaint.is_major, complaint.major_reasons = is_major, reasons
    fields = ["is_major", "major_reasons"]
    if is_major and complaint.leadership_notified_at is None:
        complaint.leadership_notified_at = timezone.now()
        fields.append("leadership_notified_at")
        written.append(_report_major(complaint, by, notify=notify))
    complaint.save(update_fields=fields)
    return written


def _report_major(complaint: Complaint, by: User | None, *, notify: bool = True) -> TicketEvent:
    """Tell the leadership group of a complaint just found major; its timeline line."""
    if notify:
        _tell_leadership_of_major(complaint)
    return record_events([_major_line(complaint, by)])[0]


def _tell_leadership_of_major(complaint: Complaint) -> None:
    _tell_leadership(
        complaint,
        "major",
        gettext_noop("Major complaint %(number)s: %(subject)s"),
        body=_major_labels(complaint),
    )


def _major_line(complaint: Complaint, by: User | None) -> TicketEvent:
    """The timeline line of a complaint found major (not yet written)."""
    return event_line(
        complaint.ticket,
        EventCode.MAJOR,
        by,
        kind=EventKind.NOTIFIED,
        body=_major_labels(complaint),
        reasons=complaint.major_reasons,
    )


def _major_labels(complaint: Complaint) -> Phrase | str:
    """The reasons, listed in each reader's language."""
    labels = [MajorReason(r).label for r in complaint.major_reasons if r in MajorReason.values]
    return joined(*labels, separator=LIST_SEPARATOR)
