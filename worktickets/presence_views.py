"""The collision warning on the ticket and complaint pages (worktickets.presence), via htmx."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from staffing.access import permission
from worktickets import presence, selectors

VIEW_TICKETS = "worktickets.view_ticket"


@permission(VIEW_TICKETS)
@require_POST
def ticket_presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark this person present on the ticket; answer with who else is."""
    if not selectors.tickets_visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    others = presence.presence_mark(pk, request.user, request.POST.get("state", ""))
    return render(request, "worktickets/_presence.html", {"others": others})
