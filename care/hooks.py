"""How care reacts to worktickets' events (registered in CareConfig.ready())."""

from care import services
from worktickets.choices import TicketStatus


def ticket_status_changed(ticket_id: int, to_status: str) -> None:
    """Runs after the status change commits: a closed ticket or complaint is offered a
    survey by its policy (DOMAIN.md P-13)."""
    if to_status == TicketStatus.CLOSED:
        services.survey_offer(ticket_id)
