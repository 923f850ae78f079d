"""Who hears about a complaint, and the complaint's lines on the ticket timeline."""

from django.urls import reverse

from staffing.models import Team, User
from staffing.outbox import Text, notify_many
from staffing.selectors import holders_of
from worktickets.choices import EventKind
from worktickets.models import Ticket, TicketEvent
from worktickets.services import record_events

LEADERSHIP_PERM = "complaints.view_leadership_board"
EXTENSION_PERM = "complaints.approve_extension"
LEGAL_PERM = "complaints.approve_compensation_legal"
MANAGER_PERM = "complaints.approve_compensation_manager"
HANDLE_PERM = "complaints.handle_complaint"


def complaint_link(complaint_id: int) -> str:
    return reverse("complaints:detail", args=[complaint_id])


def cluster_link(cluster_id: int) -> str:
    return reverse("complaints:cluster_detail", args=[cluster_id])


def handlers_of(team: Team | None) -> list[User]:
    """The members of a handling group who work its complaints (told when the group
    receives one it coordinates: it may have no lead to tell)."""
    if team is None:
        return []
    return list(holders_of(HANDLE_PERM).filter(agent__team=team))


def tell(recipients, *, kind: str, title: Text, body: Text = "", link: str = "", key: str) -> None:
    """Notify each person once per key (a repeat of the same step notifies nobody twice).
    Titles and bodies given as phrases are read in each recipient's language."""
    notify_many(list(recipients), kind=kind, title=title, body=body, link=link, dedupe_key=key)


def event(ticket: Ticket, code: str, by: User | None, **fields) -> TicketEvent:
    """A complaint line on the ticket's timeline, written now (fields as `event_line`)."""
    return record_events([event_line(ticket, code, by, **fields)])[0]


def event_line(
    ticket: Ticket,
    code: str,
    by: User | None,
    *,
    body: Text = "",
    kind: str = EventKind.NOTE,
    customer_facing: bool = False,
    **data,
) -> TicketEvent:
    """A complaint line on the ticket's timeline; `code` is an EventCode. Not yet
    written: several go in one INSERT (record_events), or one through `event`."""
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=by,
        body=body,
        is_customer_facing=customer_facing,
        data={"complaint_event": code, **data},
    )
