"""Reads of complaints for the workbench, the complaint page, the API and managers.

Lists select their rows and related objects in a fixed number of queries,
whatever the number of complaints.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from complaints import deadlines
from complaints.choices import (
    STAGES,
    ApprovalStage,
    Category,
    ClusterStatus,
    CompensationStatus,
    ExtensionStatus,
    Tier,
)
from complaints.models import (
    Compensation,
    CompensationDecision,
    Complaint,
    ComplaintEscalation,
    DeadlineExtension,
    Evidence,
    Feedback,
    OutageCluster,
)
from complaints.notices import EXTENSION_PERM, LEGAL_PERM, MANAGER_PERM
from sla.choices import OPEN_STATES
from sla.models import Clock
from sla.selectors import earliest_open_due
from staffing.models import User
from staffing.selectors import holders_of
from worktickets.choices import EventKind, TicketStatus
from worktickets.models import ACTIVE_CATEGORY_VALUES, TicketEvent
from worktickets.selectors import (
    HANDLE_COMPLAINTS,
    VIEW_ALL_COMPLAINTS,
    complaint_visibility,
    user_team_ids,
)

LIST_RELATED = (
    "ticket",
    "ticket__customer",
    "ticket__team",
    "ticket__assignee",
    "subcategory",
    "collaborating_team",
)
QUEUE_ORDER = (
    F("ticket__sla_due_at").asc(nulls_last=True),
    "-ticket__priority",
    "ticket__created_at",
    "pk",
)


def _visible_among(user: User, team_ids: list[int]) -> QuerySet[Complaint]:
    rule = complaint_visibility(user, team_ids, ticket="ticket__", complaint="")
    complaints = Complaint.objects.all()
    return complaints if rule is None else complaints.filter(rule)


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """The complaints the user may see: worktickets' complaint_visibility, the rule the
    ticket doors apply to complaint tickets too, read from the complaint's side."""
    return _visible_among(user, user_team_ids(user))


def appealable(user: User, *, any_complaint: bool = False) -> QuerySet[Complaint]:
    """The earlier complaints a person may name in an appeal: only those they may see, as
    the appeal copies its customer, category and service (integrations: any_complaint)."""
    complaints = Complaint.objects.all() if any_complaint else complaints_visible_to(user)
    return complaints.select_related("ticket")


def who_may_open(complaint: Complaint, people: Iterable[User]) -> list[User]:
    """Those of these people the complaint rule lets open it. A notice names the
    complaint and what it asks (a compensation, an extension), so it goes only to
    people whose page would open; the others could not act on it either."""
    return [
        person
        for person in people
        if person.has_perm(VIEW_ALL_COMPLAINTS)
        or complaints_visible_to(person).filter(pk=complaint.pk).exists()
    ]


def complaint_list(user: User) -> QuerySet[Complaint]:
    return complaints_visible_to(user).select_related(*LIST_RELATED)


def workbench(user: User, team_id: int | None = None) -> QuerySet[Complaint]:
    """Open complaints, nearest deadline first: one handling group's, or all of the
    person's groups', with those the group collaborates on; for those who oversee
    every group, all of them."""
    team_ids = user_team_ids(user)
    sees_all = user.has_perm(VIEW_ALL_COMPLAINTS)
    if sees_all or user.has_perm(HANDLE_COMPLAINTS):
        # The rule already lets them see every complaint of their groups, and nothing
        # beyond their groups is listed below: applying it again only adds an OR that
        # keeps PostgreSQL off the team index (a third of the page's time).
        complaints = Complaint.objects.all()
    else:
        # Of those the person may see: a group's complaints are not every member's to read.
        complaints = _visible_among(user, team_ids)
    complaints = complaints.filter(ticket__status_category__in=ACTIVE_CATEGORY_VALUES)
    if team_id is not None:
        if team_id not in team_ids and not sees_all:
            return Complaint.objects.none()
        complaints = complaints.filter(
            Q(ticket__team_id=team_id) | Q(collaborating_team_id=team_id)
        )
    elif not sees_all:
        complaints = complaints.filter(
            Q(ticket__team_id__in=team_ids) | Q(collaborating_team_id__in=team_ids)
        )
    return complaints.select_related(*LIST_RELATED).order_by(*QUEUE_ORDER)


def recorded_by(user: User) -> QuerySet[Complaint]:
    """Open complaints the person took first: theirs to follow until closed (P-6)."""
    return (
        Complaint.objects.filter(
            ticket__first_contact_agent=user, ticket__status_category__in=ACTIVE_CATEGORY_VALUES
        )
        .select_related(*LIST_RELATED)
        .order_by(*QUEUE_ORDER)
    )


def assigned_to(user: User) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(
            ticket__assignee=user, ticket__status_category__in=ACTIVE_CATEGORY_VALUES
        )
        .select_related(*LIST_RELATED)
        .order_by(*QUEUE_ORDER)
    )


def leadership_list(*, include_closed: bool = False) -> QuerySet[Complaint]:
    """Major complaints and appeals: what the leadership group and the CS manager watch."""
    complaints = Complaint.objects.filter(Q(is_major=True) | Q(tier=Tier.APPEAL))
    if not include_closed:
        complaints = complaints.filter(ticket__status_category__in=ACTIVE_CATEGORY_VALUES)
    return complaints.select_related(*LIST_RELATED).order_by(*QUEUE_ORDER)


def complaint_detail(user: User, pk: int) -> Complaint:
    return (
        complaints_visible_to(user)
        .select_related(
            *LIST_RELATED,
            "ticket__first_contact_agent",
            "ticket__contact",
            "ticket__created_by",
            "parent__ticket",
            "recurrence_of__ticket",
            "agent_concerned",
            "cluster",
        )
        .get(pk=pk)
    )


def evidence_of(complaint: Complaint) -> list[Evidence]:
    entries = list(
        Evidence.objects.filter(complaint=complaint)
        .select_related("uploaded_by", "supersedes")
        .order_by("seq")
    )
    superseded = {e.supersedes_id: e for e in entries if e.supersedes_id}
    for entry in entries:
        entry.superseded_by_entry = superseded.get(entry.pk)
    return entries


def compensations_of(complaint: Complaint) -> list[Compensation]:
    """The complaint's compensations; a pending one carries `next_decision`."""
    compensations = list(
        complaint.compensations.select_related("proposed_by")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=CompensationDecision.objects.select_related("by").order_by("at", "pk"),
            )
        )
        .order_by("proposed_at", "pk")
    )
    for compensation in compensations:
        compensation.next_decision = next_decision(complaint, compensation)
    return compensations


# Whose decision a compensation awaits in each status (DOMAIN.md C-16, C-32).
PENDING_STAGES: dict[str, tuple[str, str]] = {
    CompensationStatus.PROPOSED: (ApprovalStage.MARKET_LEGAL, LEGAL_PERM),
    CompensationStatus.AWAITING_MANAGER: (ApprovalStage.CS_MANAGER, MANAGER_PERM),
}


@dataclass(frozen=True)
class NextDecision:
    """Who must decide a compensation next, and by when: the result feedback waits for
    the decision, so its deadline is the decision's."""

    stage: str
    people: list[User]
    due_at: datetime.datetime | None

    @property
    def stage_label(self) -> str:
        return str(ApprovalStage(self.stage).label)


def compensation_deciders(complaint: Complaint, perm: str, proposer_id: int) -> list[User]:
    """Those holding the stage's permission who may open the complaint, less the
    proposer (nobody approves their own proposal)."""
    people = holders_of(perm).exclude(pk=proposer_id).order_by("last_name", "first_name", "pk")
    return who_may_open(complaint, people)


def next_decision(complaint: Complaint, compensation: Compensation) -> NextDecision | None:
    """The stage a pending compensation waits for, who may take it and by when."""
    if compensation.status not in PENDING_STAGES:
        return None
    stage, perm = PENDING_STAGES[compensation.status]
    clock = deadlines.open_clock(complaint, deadlines.FEEDBACK)
    return NextDecision(
        stage=stage,
        people=compensation_deciders(complaint, perm, compensation.proposed_by_id),
        due_at=clock.due_at if clock is not None else None,
    )


def compensations_awaiting(user: User) -> QuerySet[Compensation]:
    """The proposals waiting for a decision this person may take: a stage whose
    permission they hold, on a complaint they may open, never their own proposal.
    `due_at` is the result feedback's deadline, which waits for the decision."""
    statuses = [status for status, (_stage, perm) in PENDING_STAGES.items() if user.has_perm(perm)]
    if not statuses:
        return Compensation.objects.none()
    return (
        Compensation.objects.filter(status__in=statuses, complaint__in=complaints_visible_to(user))
        .exclude(proposed_by=user)
        .select_related("complaint__ticket", "proposed_by")
        .annotate(due_at=earliest_open_due(OuterRef("complaint_id"), (deadlines.FEEDBACK,)))
    )


def extensions_awaiting(user: User) -> QuerySet[DeadlineExtension]:
    """The deadline extensions requested of a CS manager, on complaints they may open;
    `due_at` is the deadline the request would move."""
    if not user.has_perm(EXTENSION_PERM):
        return DeadlineExtension.objects.none()
    return (
        DeadlineExtension.objects.filter(
            status=ExtensionStatus.REQUESTED, complaint__in=complaints_visible_to(user)
        )
        .select_related("complaint__ticket", "requested_by")
        .annotate(
            due_at=Subquery(
                Clock.objects.filter(
                    ticket=OuterRef("complaint_id"),
                    metric=OuterRef("metric"),
                    state__in=OPEN_STATES,
                ).values("due_at")[:1]
            )
        )
    )


def feedback_of(complaint: Complaint) -> list[Feedback]:
    return list(
        complaint.feedback.select_related("sent_by", "message", "cluster").order_by("sent_at", "pk")
    )


def escalations_of(complaint: Complaint) -> list[ComplaintEscalation]:
    return list(
        complaint.escalations.select_related("by", "upgraded_to__ticket").order_by("at", "pk")
    )


def extensions_of(complaint: Complaint) -> list[DeadlineExtension]:
    return list(
        complaint.extensions.select_related("requested_by", "decided_by").order_by(
            "requested_at", "pk"
        )
    )


def related_complaints(complaint: Complaint, user: User) -> list[Complaint]:
    """Its upgraded complaint, appeals and recurrences (the parent is on the complaint),
    those of them the user may open."""
    return list(
        complaints_visible_to(user)
        .filter(Q(parent=complaint) | Q(recurrence_of=complaint))
        .select_related("ticket")
        .order_by("pk")
    )


def timeline(complaint: Complaint) -> QuerySet[TicketEvent]:
    return complaint.ticket.events.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class StageStep:
    status: str
    label: str
    at: datetime.datetime | None
    is_current: bool
    is_done: bool


def stage_tracker(complaint: Complaint, events: list[TicketEvent]) -> list[StageStep]:
    """Each stage with the last time it was entered; stages past the current one are done."""
    entered: dict[str, datetime.datetime] = {TicketStatus.NEW: complaint.ticket.created_at}
    for line in events:
        if line.kind == EventKind.STATUS_CHANGED and line.to_status:
            entered[line.to_status] = line.at
    current = complaint.ticket.status
    position = STAGES.index(current) if current in STAGES else 0
    labels = dict(TicketStatus.choices)
    return [
        StageStep(
            status=stage,
            label=str(labels[stage]),
            at=entered.get(stage) if index <= position else None,
            is_current=stage == current,
            is_done=index < position,
        )
        for index, stage in enumerate(STAGES)
    ]


def clock_rows(complaint: Complaint) -> list:
    return list(deadlines.clocks(complaint))


def clusters_list(*, status: str = "") -> QuerySet[OutageCluster]:
    clusters = OutageCluster.objects.annotate(size=Count("complaints"))
    if status in ClusterStatus.values:
        clusters = clusters.filter(status=status)
    return clusters.order_by("-opened_at", "-pk")


def cluster_members(cluster: OutageCluster) -> QuerySet[Complaint]:
    return cluster.complaints.select_related(*LIST_RELATED).order_by("ticket__created_at", "pk")


@dataclass(frozen=True)
class RecurrenceRow:
    month: datetime.date
    category: str
    complaints: int
    recurrences: int

    @property
    def rate(self) -> float:
        return self.recurrences / self.complaints if self.complaints else 0.0

    @property
    def rate_percent(self) -> float:
        return round(self.rate * 100, 1)

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)


def recurrence_rates(
    *, months: int = 12, now: datetime.datetime | None = None
) -> list[RecurrenceRow]:
    """Per month and category: complaints received, how many were recurrences, the rate
    (DOMAIN.md C-36). One aggregate query."""
    now = timezone.localtime(now or timezone.now())
    first = now.date().replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    rows = (
        Complaint.objects.filter(tier=Tier.COMPLAINT, ticket__created_at__gte=start)
        .annotate(month=TruncMonth("ticket__created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "category")
        .annotate(
            complaints=Count("pk"),
            recurred=Count("pk", filter=Q(recurrence_of__isnull=False)),
        )
        .order_by("-month", "category")
    )
    return [
        RecurrenceRow(
            month=timezone.localtime(row["month"]).date()
            if isinstance(row["month"], datetime.datetime)
            else row["month"],
            category=row["category"],
            complaints=row["complaints"],
            recurrences=row["recurred"],
        )
        for row in rows
    ]
