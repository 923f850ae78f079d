"""How care reacts to worktickets' events (registered in CareConfig.ready())."""

from care import services
from intake.models import Contact
from worktickets.choices import TicketStatus


def ticket_status_changed(ticket_id: int, to_status: str) -> None:
    """Runs after the status change commits: a closed ticket or complaint is offered a
    survey by its policy (DOMAIN.md P-13)."""
    if to_status == TicketStatus.CLOSED:
        services.survey_offer(ticket_id)
    elif to_status == TicketStatus.DELIVERED:
        services.callback_sample_delivery(ticket_id)


def contact_recorded(contact_id: int) -> None:
    contact = Contact.objects.select_related("agent").filter(pk=contact_id).first()
    if contact is not None:
        services.callback_for_contact(contact)
