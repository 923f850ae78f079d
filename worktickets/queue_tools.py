"""The queues' power tools: keyword search, sortable columns, filters drawn as plain
HTML, saved views, in-place refresh with a "new ticket" cue, and bulk reassign or
close with one result per ticket.

Bulk actions take each ticket through the same service as its own page, one at a
time and each in its own transaction: a ticket refused (changed meanwhile, not
allowed, not in a state to close) is reported on its row and the others go on.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc.lib.errors import DomainError, http_status
from csc.lib.paging import int_or_none
from sla.selectors import reassign_candidates
from staffing.access import permission
from staffing.models import User
from worktickets import selectors, services
from worktickets.choices import Action
from worktickets.models import SavedQueueView, Ticket

VIEW = "worktickets.view_ticket"
WORK = "worktickets.work_ticket"
LEAD = "worktickets.approve_business"
VIEW_ALL = "worktickets.view_all_tickets"

BULK_LIMIT = 50  # tickets in one bulk action
POLL_SECONDS = 30
# Query parameters that are part of a saved view (not the page or the refresh state).
VIEW_PARAMS = ("q", "sort", "team", "kind", "category", "priority", "deadline", "holder")

SORT_COLUMNS = ("number", "status", "priority", "created", "due")


@dataclass(frozen=True)
class FilterField:
    """A filter drawn as a plain <select> (the team queue's rendering budget has no
    room for form widgets)."""

    name: str
    label: str
    select: SafeString
    errors: list[str]


def filter_fields(filterset, names: tuple[str, ...]) -> list[FilterField]:
    form = filterset.form
    errors = form.errors if form.is_bound else {}
    fields = []
    for name in names:
        field = form.fields[name]
        current = str(form.data.get(name, "") or "")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if str(value) == current else "", label)
                for value, label in field.choices
            ),
        )
        select = format_html(
            '<select name="{}" id="id_{}" data-autosubmit>{}</select>', name, name, options
        )
        fields.append(FilterField(name, str(field.label), select, list(errors.get(name, []))))
    return fields


def sort_links(request: HttpRequest, current: str) -> dict[str, dict]:
    """Each sortable column's link (ascending first, then descending) and state."""
    params = {key: value for key, value in request.GET.items() if key in VIEW_PARAMS}
    links = {}
    for column in SORT_COLUMNS:
        state = "asc" if current == column else "desc" if current == f"-{column}" else ""
        target = f"-{column}" if state == "asc" else column
        links[column] = {
            "url": "?" + urlencode({**params, "sort": target}),
            "state": state,
        }
    return links


def view_query(request: HttpRequest) -> str:
    """The query string a saved view keeps: search, filters, order and team."""
    return urlencode([(key, value) for key, value in request.GET.items() if key in VIEW_PARAMS])


def queue_tools(request: HttpRequest, tickets, *, tab: str) -> tuple:
    """Apply the keyword search and the order; the context the page's tools need."""
    query = request.GET.get("q", "").strip()[: selectors.QUERY_LENGTH]
    sort = request.GET.get("sort", "")
    if query:
        tickets = selectors.queue_search(tickets, query)
    tickets = selectors.queue_sorted(tickets, sort)
    since = int_or_none(request.GET.get("since"))
    context = {
        "query": query,
        "sort": sort,
        "sort_links": sort_links(request, sort),
        "saved_views": selectors.saved_queue_views(request.user, tab)
        if tab in SavedQueueView.Queue.values
        else [],
        "saved_view_queue": tab if tab in SavedQueueView.Queue.values else "",
        "view_query": view_query(request),
        "poll_seconds": POLL_SECONDS,
        "since": since,
    }
    return tickets, context


def newest_ticket() -> int:
    """The newest ticket's id when the page is drawn: tickets after it are new."""
    return Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def new_since(tickets, since: int | None) -> int:
    """How many tickets joined the queue after the newest one the page first showed."""
    if since is None:
        return 0
    return tickets.filter(pk__gt=since).count()


# ---------------------------------------------------------------- bulk actions

BULK_ACTIONS = {"reassign": Action.TRANSFER, "close": Action.CLOSE}


@dataclass
class RowResult:
    pk: int
    number: str
    ok: bool
    message: str


def bulk_candidates(user: User, team_id: int | None) -> list:
    """The agents a lead may give tickets to from this queue (the team shown, else
    their own teams), with status and open load."""
    team_ids = selectors.user_team_ids(user)
    if team_id is not None and (team_id in team_ids or user.has_perm(VIEW_ALL)):
        team_ids = [team_id]
    by_team = reassign_candidates(team_ids)
    return [agent for team in team_ids for agent in by_team.get(team, [])]


@permission(WORK)
@require_GET
def queue_bulk_form(request: HttpRequest) -> HttpResponse:
    """The queue's bulk bar, loaded when opened: the agents with their status and load
    are read then, not on every queue page."""
    lead = request.user.has_perm(LEAD)
    team_id = int_or_none(request.GET.get("team"))
    agents = bulk_candidates(request.user, team_id) if lead else []
    context = {"bulk": {"reassign": lead, "agents": agents}}
    return render(request, "worktickets/_bulk_form.html", context)


def _rows(request: HttpRequest) -> list[tuple[int, int | None]]:
    """The chosen tickets as (pk, version seen), each once, at most BULK_LIMIT."""
    rows: dict[int, int | None] = {}
    for value in request.POST.getlist("tickets"):
        pk_text, _sep, version_text = value.partition(":")
        pk = int_or_none(pk_text)
        if pk is not None and pk not in rows:
            rows[pk] = int_or_none(version_text)
    return list(rows.items())


def _one(user: User, action: str, pk: int, version: int | None, data: dict) -> RowResult:
    # Imported here: the desk's own rules for what a person may do on a ticket.
    from worktickets.views import desk_actions

    try:
        ticket = selectors.ticket_detail(user, pk)
    except Ticket.DoesNotExist:
        return RowResult(pk, f"#{pk}", False, _("Not found, or not yours to open."))
    offered = desk_actions(user, ticket)
    if (action == "reassign" and "reassign" not in offered) or (
        action == "close" and Action.CLOSE not in offered
    ):
        if action == "close":
            message = _("Only a resolved or rejected ticket can be closed; this one is %(status)s.")
            message %= {"status": ticket.get_status_display()}
        else:
            message = _("You may not reassign this ticket.")
        return RowResult(pk, ticket.number, False, message)
    try:
        if action == "reassign":
            ticket = services.ticket_reassign(
                ticket, by=user, version=version, assignee=data["assignee"]
            )
            message = _("Now with %(name)s.") % {"name": data["assignee"].display_name}
        else:
            ticket = services.ticket_close(ticket, by=user, version=version, note=data["note"])
            message = _("Closed.")
    except DomainError as error:
        return RowResult(pk, ticket.number, False, error.message)
    return RowResult(pk, ticket.number, True, message)


@permission(WORK)
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Reassign or close the chosen tickets, each through its own service call; the
    answer lists every ticket with what happened to it."""
    action = request.POST.get("action", "")
    rows = _rows(request)
    errors = []
    data: dict = {"note": request.POST.get("note", "").strip()}
    if action not in BULK_ACTIONS:
        errors.append(_("Choose reassign or close."))
    if not rows:
        errors.append(_("Tick the tickets to act on."))
    elif len(rows) > BULK_LIMIT:
        errors.append(_("At most %(count)s tickets at once.") % {"count": BULK_LIMIT})
    if action == "reassign":
        if not request.user.has_perm(LEAD):
            return render(
                request,
                "worktickets/_bulk_results.html",
                {"errors": [_("Only a team lead reassigns tickets.")]},
                status=403,
            )
        assignee_id = int_or_none(request.POST.get("assignee"))
        assignee = (
            User.objects.filter(pk=assignee_id, is_active=True, agent__isnull=False).first()
            if assignee_id is not None
            else None
        )
        if assignee is None:
            errors.append(_("Choose the agent to give them to."))
        data["assignee"] = assignee
    if errors:
        return render(request, "worktickets/_bulk_results.html", {"errors": errors}, status=400)
    results = [_one(request.user, action, pk, version, data) for pk, version in rows]
    done = sum(result.ok for result in results)
    response = render(
        request,
        "worktickets/_bulk_results.html",
        {"results": results, "done": done, "refused": len(results) - done},
    )
    if done:
        response["HX-Trigger"] = "queue-changed"
    return response


# ---------------------------------------------------------------- saved views


@permission(VIEW)
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    queue = request.POST.get("queue", "")
    query = request.POST.get("query", "")
    back = _queue_url(queue, query)
    try:
        services.saved_queue_view_save(
            request.user, queue=queue, name=request.POST.get("name", ""), query=query
        )
    except DomainError as error:
        messages.error(request, error.message)
        if request.htmx:
            return HttpResponse(error.message, status=http_status(error))
    return redirect(back)


@permission(VIEW)
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    queue = (
        SavedQueueView.objects.filter(owner=request.user, pk=pk)
        .values_list("queue", flat=True)
        .first()
    )
    services.saved_queue_view_delete(request.user, pk)
    return redirect(_queue_url(queue or "", ""))


def _queue_url(queue: str, query: str) -> str:
    name = "worktickets:team_queue" if queue == "team" else "worktickets:my_queue"
    return reverse(name) + (f"?{query}" if query else "")
