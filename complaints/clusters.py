"""Outage clusters: many service-fault complaints for one service type and area
within a short window are one incident (a mass fault, DOMAIN.md C-15, P-3).

A new service-fault complaint joins the area's open cluster; without one, a
cluster opens when the area's unclustered complaints within the window reach
the threshold (ComplaintSettings), taking all of them. One open cluster per
service type and area is a database constraint, so two complaints arriving
together cannot open two.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from complaints.choices import Category, ClusterStatus
from complaints.models import Complaint, ComplaintSettings, OutageCluster

# The change reason of the history rows (stored, not shown translated).
JOINED = "joined an outage cluster"


@dataclass
class ClusterChange:
    cluster: OutageCluster
    opened: bool
    joined: list[Complaint] = field(default_factory=list)


def area_key(area: str) -> str:
    return " ".join((area or "").split())


def cluster_check(complaint: Complaint, config: ComplaintSettings) -> ClusterChange | None:
    """Attach the complaint (and, on opening, its neighbours) to a cluster, if due."""
    area = area_key(complaint.area)
    if complaint.category != Category.SERVICE_FAULT or not complaint.service_type or not area:
        return None
    open_cluster = (
        OutageCluster.objects.select_for_update()
        .filter(service_type=complaint.service_type, area=area, status=ClusterStatus.OPEN)
        .first()
    )
    if open_cluster is not None:
        return _attach(open_cluster, complaint, opened=False)
    now = timezone.now()
    others = [
        pk
        for pk in _unclustered(complaint.service_type, area)
        .filter(ticket__created_at__gte=now - timedelta(minutes=config.cluster_window_minutes))
        .values_list("pk", flat=True)
        if pk != complaint.pk
    ]
    if len(others) + 1 < max(config.cluster_threshold, 1):
        return None
    try:
        with transaction.atomic():
            cluster = OutageCluster.objects.create(
                service_type=complaint.service_type,
                area=area,
                opened_at=now,
                threshold=config.cluster_threshold,
                window_minutes=config.cluster_window_minutes,
            )
    except IntegrityError:
        # Another complaint opened the area's cluster a moment ago: join it.
        cluster = OutageCluster.objects.select_for_update().get(
            service_type=complaint.service_type, area=area, status=ClusterStatus.OPEN
        )
        return _attach(cluster, complaint, opened=False)
    return _attach(cluster, complaint, others=others, opened=True)


def _unclustered(service_type: str, area: str) -> QuerySet[Complaint]:
    return Complaint.objects.filter(
        category=Category.SERVICE_FAULT, service_type=service_type, area=area, cluster__isnull=True
    ).order_by("ticket__created_at", "pk")


def _attach(
    cluster: OutageCluster, complaint: Complaint, *, opened: bool, others: list[int] | None = None
) -> ClusterChange:
    """Link the complaint being recorded (the caller's object, so it sees its
    cluster) and, on opening, the others; each link is written to the history.

    The others are read again, whole and locked, once the cluster is theirs: each
    history row copies the row as it is, whoever changed it a moment ago."""
    joined = [complaint]
    if others:
        neighbours = _unclustered(complaint.service_type, cluster.area).filter(pk__in=others)
        joined[:0] = neighbours.select_related("ticket").select_for_update(of=("self",))
    for member in joined:
        member.cluster = cluster
    bulk_update_with_history(joined, Complaint, ["cluster"], default_change_reason=JOINED)
    return ClusterChange(cluster=cluster, opened=opened, joined=joined)
