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
from django.utils import timezone

from complaints.choices import Category, ClusterStatus
from complaints.models import Complaint, ComplaintSettings, OutageCluster


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
        return _attach(open_cluster, [complaint], opened=False)
    now = timezone.now()
    neighbours = list(
        Complaint.objects.select_related("ticket")
        .filter(
            category=Category.SERVICE_FAULT,
            service_type=complaint.service_type,
            area=area,
            cluster__isnull=True,
            ticket__created_at__gte=now - timedelta(minutes=config.cluster_window_minutes),
        )
        .order_by("ticket__created_at", "pk")
    )
    # The complaint being recorded stays the caller's object, so it sees its cluster.
    neighbours = [c for c in neighbours if c.pk != complaint.pk] + [complaint]
    if len(neighbours) < max(config.cluster_threshold, 1):
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
        return _attach(cluster, [complaint], opened=False)
    return _attach(cluster, neighbours, opened=True)


def _attach(cluster: OutageCluster, complaints: list[Complaint], *, opened: bool) -> ClusterChange:
    Complaint.objects.filter(pk__in=[c.pk for c in complaints]).update(cluster=cluster)
    for complaint in complaints:
        complaint.cluster = cluster
    return ClusterChange(cluster=cluster, opened=opened, joined=complaints)
