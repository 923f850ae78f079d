"""Outage clusters: members told when complaints of one fault are grouped, and one
result given to every complaint of an outage.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import clusters, reference
from complaints.choices import TRANSITIONS, Action, ClusterStatus, EventCode, FeedbackChannel
from complaints.models import Complaint, ComplaintSettings, Feedback, OutageCluster
from complaints.notices import cluster_link, event, tell
from complaints.services.feedback import _recipient, complaint_feedback
from complaints.services.guards import _refuse, _text
from complaints.services.major import _refresh_major
from complaints.services.stages import complaint_accept
from csc.lib.errors import DomainError, IllegalTransition
from csc.lib.phrases import Phrase
from staffing.models import User
from worktickets.choices import TicketStatus
from worktickets.models import TicketEvent


def _after_cluster_change(
    change: clusters.ClusterChange, by: User | None, config: ComplaintSettings
) -> list[TicketEvent]:
    """Tell the members and the leadership group; returns the timeline lines written."""
    cluster = change.cluster
    label = cluster.label_phrase
    written = []
    for member in change.joined:
        written.append(
            event(
                member.ticket,
                EventCode.CLUSTER,
                by,
                body=Phrase(gettext_noop("Part of the outage %(cluster)s."), cluster=label),
                cluster=cluster.pk,
            )
        )
        # The cluster's notice tells the leadership group; members are not told one by one.
        written += _refresh_major(member, by, config, notify=False)
    if change.opened:
        tell(
            reference.leadership_group.get(),
            kind="complaint.cluster",
            title=Phrase(
                gettext_noop("Outage: %(count)s service-fault complaints, %(cluster)s"),
                count=len(change.joined),
                cluster=label,
            ),
            link=cluster_link(cluster.pk),
            key=f"complaint-cluster:{cluster.pk}",
        )
    return written


@dataclass
class ClusterFeedbackResult:
    given: list[Feedback] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


@transaction.atomic
def cluster_feedback(
    cluster: OutageCluster,
    *,
    by: User,
    cause: str,
    measures: str,
    channel: str,
    rectification: str = "",
    follow_up: str = "",
) -> ClusterFeedbackResult:
    """One result for every complaint of an outage; the cluster is resolved."""
    cause = _text(cause, "cause", _("Give the cause."))
    measures = _text(measures, "measures", _("Describe the measures taken."))
    if channel not in FeedbackChannel.values:
        raise _refuse(_("Choose SMS, email or letter."), "channel")
    cluster = OutageCluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.status != ClusterStatus.OPEN:
        raise IllegalTransition(_("This outage has already been answered."))
    result = ClusterFeedbackResult()
    members = cluster.complaints.select_related("ticket").order_by("ticket__created_at", "pk")
    for member in members:
        number = member.ticket.number
        if member.ticket.status not in TRANSITIONS[Action.FEEDBACK][0] | {TicketStatus.NEW}:
            result.skipped.append((number, str(member.ticket.get_status_display())))
            continue
        member_channel = channel
        if channel != FeedbackChannel.SMS and not _has_recipient(member, channel):
            member_channel = FeedbackChannel.SMS  # the customer's phone is always there
        if not _has_recipient(member, member_channel):
            result.skipped.append((number, str(_("no contact for this channel"))))
            continue
        try:
            with transaction.atomic():
                if member.ticket.status == TicketStatus.NEW:
                    member = complaint_accept(member, by=by, version=None)
                feedback = complaint_feedback(
                    member,
                    by=by,
                    version=None,
                    cause=cause,
                    measures=measures,
                    channel=member_channel,
                    rectification=rectification,
                    follow_up=follow_up,
                    cluster=cluster,
                )
        except DomainError as refusal:
            # One complaint that cannot take the answer yet (a compensation awaiting its
            # decision) does not hold back the others; it is answered on its own later.
            result.skipped.append((number, refusal.message))
            continue
        result.given.append(feedback)
    cluster.status = ClusterStatus.RESOLVED
    cluster.resolved_at = timezone.now()
    cluster.cause = cause
    cluster.save(update_fields=["status", "resolved_at", "cause"])
    return result


def _has_recipient(complaint: Complaint, channel: str) -> bool:
    try:
        _recipient(complaint, channel)
    except DomainError:
        return False
    return True
