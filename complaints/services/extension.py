"""Deadline extensions (DOMAIN.md P-2, K-3): requested by a handler, decided by a CS
manager, never past the 15-day reply limit (R-1).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import deadlines
from complaints.choices import Action, Decision, EventCode, ExtensionMetric, ExtensionStatus
from complaints.models import Complaint, DeadlineExtension
from complaints.notices import EXTENSION_PERM, complaint_link, event, tell
from complaints.selectors import who_may_open
from complaints.services.guards import _check, _lock, _refuse, _require, _text, _when
from csc.lib.errors import IllegalTransition
from csc.lib.phrases import Phrase, joined
from sla.models import Clock
from staffing.models import User
from staffing.selectors import holders_of
from worktickets.services import save_ticket

MAX_EXTENSION_WORKING_DAYS = 30


def _extension_metric(metric: str) -> str:
    if metric not in ExtensionMetric.values:
        raise _refuse(_("Choose the deadline to extend."), "metric")
    return metric


def _extension_days(working_days) -> int:
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise _refuse(
            _("An extension is between 1 and %(max)s working days.")
            % {"max": MAX_EXTENSION_WORKING_DAYS},
            "working_days",
        )
    return working_days


def _running_clock(complaint: Complaint, metric: str) -> Clock:
    clock = deadlines.open_clock(complaint, metric)
    if clock is None:
        raise _refuse(_("That deadline is not running."), "metric", "no_clock")
    return clock


def _check_reply_limit(complaint: Complaint, clock: Clock) -> datetime | None:
    """Refuse an extension of a deadline already at the 15-day reply limit (R-1, P-2);
    returns the limit the extension may reach."""
    limit = deadlines.extension_limit(complaint, clock.metric)
    if limit is not None and clock.due_at >= limit:
        raise _refuse(
            _(
                "The result must reach the customer by %(limit)s, 15 calendar days after "
                "receipt (MIIT Order 35); no extension can move it. Answer the customer, "
                "or hand the complaint to the appeal path."
            )
            % {"limit": _when(limit)},
            "working_days",
            "reply_limit",
        )
    return limit


@transaction.atomic
def complaint_request_extension(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    metric: str,
    working_days: int,
    reason: str,
) -> DeadlineExtension:
    """Ask a CS manager to move a deadline (DOMAIN.md P-2, K-3: evidence outlasting the result)."""
    metric = _extension_metric(metric)
    working_days = _extension_days(working_days)
    reason = _text(reason, "reason", _("Say why the deadline must move."))
    complaint = _lock(complaint, version)
    _check(complaint, Action.REQUEST_EXTENSION)
    _check_reply_limit(complaint, _running_clock(complaint, metric))
    if complaint.extensions.filter(metric=metric, status=ExtensionStatus.REQUESTED).exists():
        raise IllegalTransition(_("An extension of this deadline already awaits a decision."))
    extension = DeadlineExtension.objects.create(
        complaint=complaint,
        metric=metric,
        working_days=working_days,
        reason=reason,
        requested_by=by,
    )
    ticket = complaint.ticket
    label = ExtensionMetric(metric).label
    event(
        ticket,
        EventCode.EXTENSION,
        by,
        body=Phrase(
            gettext_noop("Requested %(days)s more working day(s) for %(metric)s: %(reason)s"),
            days=working_days,
            metric=label,
            reason=reason,
        ),
        extension=extension.pk,
        status=ExtensionStatus.REQUESTED,
    )
    save_ticket(ticket, [])
    tell(
        who_may_open(complaint, holders_of(EXTENSION_PERM)),
        kind="complaint.extension_requested",
        title=Phrase(
            gettext_noop("Extension requested for %(number)s: %(metric)s +%(days)s"),
            number=ticket.number,
            metric=label,
            days=working_days,
        ),
        body=reason,
        link=complaint_link(complaint.pk),
        key=f"complaint-extension:{extension.pk}",
    )
    return extension


@transaction.atomic
def complaint_extend(
    complaint: Complaint,
    *,
    by: User,
    version: int | None,
    decision: str = Decision.APPROVE,
    extension: DeadlineExtension | None = None,
    metric: str = "",
    working_days: int | None = None,
    reason: str = "",
    note: str = "",
) -> DeadlineExtension:
    """A CS manager approves (moving the clock) or refuses an extension, always recorded.

    Without a pending request the manager extends directly, giving the reason.
    """
    _require(by, EXTENSION_PERM, _("Only a CS manager can approve a deadline extension."))
    if decision not in Decision.values:
        raise _refuse(_("Approve or refuse."), "decision")
    complaint = _lock(complaint, version)
    _check(complaint, Action.EXTEND)
    now = timezone.now()
    if extension is None:
        if decision == Decision.REJECT:
            raise _refuse(_("Choose the request to refuse."), "extension", "required")
        extension = DeadlineExtension(
            complaint=complaint,
            metric=_extension_metric(metric),
            working_days=_extension_days(working_days),
            reason=_text(reason, "reason", _("Say why the deadline must move.")),
            requested_by=by,
            requested_at=now,
        )
    else:
        extension = _pending_extension(complaint, extension)
    extension.decided_by = by
    extension.decided_at = now
    extension.decision_note = (note or "").strip()
    if decision == Decision.APPROVE:
        body = _approve_extension(complaint, extension, by)
    else:
        body = _refuse_extension(extension)
    extension.save()
    _record_extension_decision(complaint, extension, by, body)
    return extension


def _pending_extension(complaint: Complaint, extension: DeadlineExtension) -> DeadlineExtension:
    """The request, locked: this complaint's, and not decided yet."""
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.complaint_id != complaint.pk:
        raise _refuse(_("That request is another complaint's."), "extension")
    if extension.status != ExtensionStatus.REQUESTED:
        raise IllegalTransition(_("That request has already been decided."))
    return extension


def _approve_extension(
    complaint: Complaint, extension: DeadlineExtension, by: User
) -> Phrase | str:
    """Move the clock, never past the reply limit; returns the timeline line's text."""
    clock = _running_clock(complaint, extension.metric)
    limit = _check_reply_limit(complaint, clock)
    extension.due_before = clock.due_at
    clock = deadlines.extend(
        clock,
        working_days=extension.working_days,
        reason=extension.reason,
        approved_by=by,
        not_after=limit,
    )
    extension.due_after = clock.due_at
    extension.status = ExtensionStatus.APPROVED
    body = Phrase(
        gettext_noop("%(metric)s extended by %(days)s working day(s), now due %(due)s: %(reason)s"),
        metric=ExtensionMetric(extension.metric).label,
        days=extension.working_days,
        due=_when(clock.due_at),
        reason=extension.reason,
    )
    if limit is not None and clock.due_at == limit:
        held = gettext_noop(
            "(held at the 15-day reply limit of MIIT Order 35: answer the customer by then "
            "or hand the complaint to the appeal path)"
        )
        return joined(body, Phrase(held), separator=" ")
    return body


def _refuse_extension(extension: DeadlineExtension) -> Phrase:
    """The clock stays; returns the timeline line's text."""
    extension.status = ExtensionStatus.REFUSED
    return Phrase(
        gettext_noop("Extension of %(metric)s refused: %(note)s"),
        metric=ExtensionMetric(extension.metric).label,
        note=extension.decision_note,
    )


def _record_extension_decision(
    complaint: Complaint, extension: DeadlineExtension, by: User, body: Phrase | str
) -> None:
    """The decision's timeline line; the requester is told unless they decided it."""
    ticket = complaint.ticket
    event(
        ticket,
        EventCode.EXTENSION,
        by,
        body=body,
        extension=extension.pk,
        status=extension.status,
        due_before=extension.due_before.isoformat() if extension.due_before else "",
        due_after=extension.due_after.isoformat() if extension.due_after else "",
    )
    save_ticket(ticket, [])
    if extension.requested_by_id != by.pk:
        tell(
            [extension.requested_by],
            kind="complaint.extension_decided",
            title=Phrase(
                gettext_noop("Extension for %(number)s: %(status)s"),
                number=ticket.number,
                status=ExtensionStatus(extension.status).label,
            ),
            body=body,
            link=complaint_link(complaint.pk),
            key=f"complaint-extension-decided:{extension.pk}",
        )
