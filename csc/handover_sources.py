"""What a handover lists by itself (staffing/handovers.py), read from the apps above
staffing: the team's open tickets, its at-risk and breached SLA clocks, and the
notices published since the shift began."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.selectors import latest_notices
from sla.models import Clock
from staffing import handovers
from staffing.models import Team, User
from worktickets.models import Ticket

LIMIT = 50


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def open_tickets(team: Team, since: datetime, until: datetime, lead: User) -> list[dict]:
    tickets = (
        Ticket.objects.active()
        .filter(team=team)
        .queue_order()
        .only("pk", "number", "subject", "sla_due_at")[:LIMIT]
    )
    return [
        {
            "label": f"{t.number} {t.subject}",
            "link": reverse("worktickets:ticket_detail", args=[t.pk]),
            "due_at": _iso(t.sla_due_at),
        }
        for t in tickets
    ]


def at_risk_clocks(team: Team, since: datetime, until: datetime, lead: User) -> list[dict]:
    clocks = (
        Clock.objects.needing_attention()
        .filter(ticket__team=team)
        .select_related("ticket")
        .order_by("due_at")[:LIMIT]
    )
    return [
        {
            "label": f"{c.ticket.number} {c.get_metric_display()} · {c.get_state_display()}",
            "link": reverse("worktickets:ticket_detail", args=[c.ticket_id]),
            "due_at": _iso(c.due_at),
        }
        for c in clocks
    ]


def new_notices(team: Team, since: datetime, until: datetime, lead: User) -> list[dict]:
    return [
        {
            "label": notice.title,
            "link": reverse("knowledge:detail", args=[notice.pk]),
            "due_at": "",
        }
        for notice in latest_notices(lead)
    ]


def connect() -> None:
    handovers.register_source("tickets", _("Open tickets"), open_tickets)
    handovers.register_source("clocks", _("At-risk and breached SLA clocks"), at_risk_clocks)
    handovers.register_source("notices", _("Latest notices"), new_notices)
