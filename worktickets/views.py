"""The agent desk: queues, search, the ticket page and its actions, the new-ticket flow.

Views parse input, call one selector or service, and render. Every personal
number shown goes through the request's PersonalDataDisclosure (masked unless
the user may see it in full; full views are recorded after rendering).
"""

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms import Form, ModelChoiceField, Select
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from csc.lib.durations import format_minutes
from csc.lib.errors import DomainError, NotAllowed, StaleVersion, http_status
from csc.lib.masking import mask_phone
from csc.lib.paging import int_or_none, page_context
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from csc.lib.reference import ReferenceCache
from intake import extensions
from intake import searches as intake_searches
from intake import selectors as intake_selectors
from intake import services as intake_services
from intake.calls import call_number_for
from intake.choices import Channel, PaymentSegment
from intake.forms import CustomerForm
from intake.models import Contact, Customer
from intake.personal_data import (
    FULL_PERSONAL_DATA_PERM,
    PersonalDataDisclosure,
    render_disclosed,
    reveal_control,
    reveal_response,
)
from intake.searches import Searcher, TooManySearches
from sla.selectors import attention_row, clocks_for_ticket, reassign_candidates
from staffing.access import permission
from staffing.models import Agent, Team, User
from staffing.reference import teams_by_id
from worktickets import eligibility, offers, queue_tools, selectors, services
from worktickets.choices import Action, EventKind, Priority, TicketKind, TicketStatus
from worktickets.deadlines import delivery_limit_of, no_deadline_reason, no_limit_reason
from worktickets.filters import QueueFilter
from worktickets.forms import (
    ACTION_FORMS,
    EDIT,
    REASSIGN,
    ReassignForm,
    TicketForm,
    format_order_details,
)
from worktickets.models import BusinessType, Ticket
from worktickets.reference import category_by_id, inquiry_categories

VIEW = "worktickets.view_ticket"
WORK = "worktickets.work_ticket"
ADD = "worktickets.add_ticket"
LEAD = "worktickets.approve_business"  # the team lead's marker
VIEW_ALL = "worktickets.view_all_tickets"

PER_PAGE = 25
LOOKUP_LIMIT = 5  # customers shown for one phone number
TICKET_NUMBER = re.compile(r"^T\d{8}-\d{6}$", re.IGNORECASE)
CALLER_CHANGED = "caller-changed"  # htmx event: the business types depend on the caller

ACTION_SERVICES = {
    Action.ACCEPT: services.ticket_accept,
    Action.REPLY: services.ticket_reply,
    Action.TRANSFER: services.ticket_transfer,
    Action.HOLD: services.ticket_hold,
    Action.RESUME: services.ticket_resume,
    Action.RESOLVE: services.ticket_resolve,
    Action.CLOSE: services.ticket_close,
    Action.REOPEN: services.ticket_reopen,
    Action.REVIEW: services.business_review,
    Action.APPROVE: services.business_approve,
    Action.REJECT: services.business_reject,
    Action.DELIVER: services.business_deliver,
    Action.CHANGE_ORDER: services.business_change_order,
    Action.CANCEL: services.business_cancel,
    EDIT: services.ticket_update,
    REASSIGN: services.ticket_reassign,
}
DANGER_ACTIONS = frozenset({Action.REJECT, Action.CANCEL})


# ---------------------------------------------------------------- queues

QUEUE_FILTERS = (
    "kind",
    "category",
    "priority",
    "deadline",
)  # of QueueFilter, offered on the queues
TEAM_QUEUE_FILTERS = (*QUEUE_FILTERS, "holder")


def _queue(
    request: HttpRequest,
    tickets,
    *,
    tab: str,
    title: str,
    empty: str,
    shown_filters: tuple[str, ...] = QUEUE_FILTERS,
    **extra,
):
    # The API's FilterSet and the desk's own filters; a value it refuses is shown
    # beside its field, the rest apply.
    filterset = QueueFilter(request.GET, queryset=tickets)
    if filterset.is_valid():
        tickets = filterset.qs
    tickets, tools = queue_tools.queue_tools(request, tickets, tab=tab)
    context = {
        "tab": tab,
        "title": title,
        "empty": empty,
        "filter_fields": queue_tools.filter_fields(filterset, shown_filters),
        **tools,
        **extra,
        **page_context(request, tickets, PER_PAGE),
    }
    if tab in BULK_TABS and request.user.has_perm(WORK):
        context["bulk"] = {"reassign": request.user.has_perm(LEAD)}
    if request.htmx and request.headers.get("HX-Target") == "queue-rows":
        # The page's periodic refresh: the rows only, with how many are new.
        context["new_count"] = queue_tools.new_since(tickets, tools["since"])
        return render_disclosed(request, "worktickets/_queue_rows.html", context)
    context["since"] = queue_tools.newest_ticket()
    return render_disclosed(request, "worktickets/queue.html", context)


BULK_TABS = frozenset({"mine", "team"})


@permission(VIEW)
def my_queue(request: HttpRequest) -> HttpResponse:
    return _queue(
        request,
        selectors.my_queue(request.user),
        tab="mine",
        title=_("My queue"),
        empty=_("No open ticket is assigned to you."),
    )


@permission(VIEW)
@require_GET
def customer_work(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer page's tickets and complaints, open first (loaded by htmx: the
    customer page belongs to intake, below this app)."""
    tickets = selectors.customer_work(request.user, customer_id)
    return render(request, "worktickets/_customer_work.html", {"tickets": tickets})


@permission(VIEW)
@require_GET
def next_ticket(request: HttpRequest) -> HttpResponse:
    """The first ticket of the person's queue after the one they are on (`?after=`):
    the desk's "next ticket" key."""
    queue = selectors.my_queue(request.user)
    after = request.GET.get("after", "")
    if after.isdigit():
        queue = queue.exclude(pk=int(after))
    pk = queue.values_list("pk", flat=True).first()
    if pk is None:
        messages.info(request, _("No other open ticket is assigned to you."))
        return redirect("worktickets:my_queue")
    return redirect("worktickets:ticket_detail", pk=pk)


def _switchable_teams(user) -> list[Team]:
    """The user's own teams first; supervisors may also look at every other team."""
    own = set(selectors.user_team_ids(user))
    every_team = user.has_perm(VIEW_ALL)
    teams = [
        team
        for team in teams_by_id.get().values()
        if team.is_active and (every_team or team.pk in own)
    ]
    return sorted(teams, key=lambda team: (team.pk not in own, team.name))


@permission(VIEW)
def team_queue(request: HttpRequest) -> HttpResponse:
    teams = _switchable_teams(request.user)
    team_id = int_or_none(request.GET.get("team"))
    if team_id not in {team.pk for team in teams}:
        team_id = None
    return _queue(
        request,
        selectors.team_queue(request.user, team_id),
        tab="team",
        title=_("My team's queue"),
        empty=_("The queue is empty."),
        shown_filters=TEAM_QUEUE_FILTERS,
        teams=teams,
        selected_team=team_id,
    )


@permission(VIEW)
def follow_ups(request: HttpRequest) -> HttpResponse:
    return _queue(
        request,
        selectors.my_follow_ups(request.user),
        tab="follow_ups",
        title=_("My follow-ups"),
        empty=_("No ticket you first took is held by someone else."),
        intro=_(
            "First-question responsibility: tickets you first took stay yours to follow "
            "until they close, whoever holds them now."
        ),
    )


@permission(VIEW_ALL)
def escalation_queue(request: HttpRequest) -> HttpResponse:
    return _queue(
        request,
        selectors.escalation_queue(request.user),
        tab="escalation",
        title=_("Escalation queue"),
        empty=_("No ticket is in the escalation queue."),
        intro=_(
            "Tickets whose deadline passed and kept running past the escalation ladder's "
            "further-breach step. Reassign them or work them to closure."
        ),
    )


@permission(VIEW)
def search(request: HttpRequest) -> HttpResponse:
    """A ticket number jumps to the ticket; a phone number lists that caller's tickets."""
    query = request.GET.get("q", "").strip()
    context: dict = {"tab": "search", "query": query, "customers": [], "error": ""}
    compact = re.sub(r"\s+", "", query)
    if not query:
        context["error"] = _("Type a ticket number or the caller's phone number.")
    elif TICKET_NUMBER.match(compact):
        ticket = selectors.find_ticket_by_number(request.user, compact)
        if ticket is not None:
            url = reverse("worktickets:ticket_detail", args=[ticket.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        context["error"] = _("No ticket numbered %(number)s is visible to you.") % {
            "number": compact.upper()
        }
    else:
        try:
            found = intake_searches.customers_by_phone(Searcher.for_page(request), query)
            customers = list(found[:LOOKUP_LIMIT])
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        except TooManySearches as refusal:
            context["error"] = refusal.message
            return render_disclosed(request, "worktickets/search.html", context, status=429)
        else:
            context["customers"] = customers
            tickets = selectors.ticket_list(request.user).filter(customer__in=customers)
            context.update(page_context(request, tickets.order_by("-created_at", "-pk"), PER_PAGE))
            if not customers:
                context["error"] = _("No customer has this phone number.")
    return render_disclosed(request, "worktickets/search.html", context)


# ---------------------------------------------------------------- the ticket page


@dataclass
class ActionPanel:
    action: str
    label: str
    form: Form
    is_open: bool = False
    is_danger: bool = False

    @property
    def shortcut(self) -> str:
        return ACTION_SHORTCUTS.get(self.action, "")


# Keys that open an action's panel on the ticket page (static/js/csc.js; `?` lists them).
ACTION_SHORTCUTS = {Action.REPLY: "r", Action.RESOLVE: "e", Action.TRANSFER: "t", Action.NOTE: "o"}


def _visible_ticket(user, pk: int) -> Ticket:
    try:
        return selectors.ticket_detail(user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _page_ticket(user, pk: int) -> Ticket:
    try:
        return selectors.ticket_page(user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _action_label(action: str) -> str:
    if action == EDIT:
        return _("Edit details")
    if action == REASSIGN:
        return _("Reassign")
    return str(Action(action).label)


def _offered_to(user, ticket: Ticket) -> bool:
    """Whether there is something for this user to accept: a ticket transferred to them,
    or one waiting in a team they work in (a colleague's ticket is the lead's to reassign)."""
    if ticket.assignee_id is not None:
        # Transferred to them, or a new ticket they opened and kept.
        return ticket.assignee_id == user.pk and (
            ticket.transfer_pending or ticket.status == TicketStatus.NEW
        )
    in_user_teams = getattr(ticket, "in_user_teams", None)  # read with the page's ticket
    if in_user_teams is None:
        in_user_teams = ticket.team_id in selectors.user_team_ids(user)
    return in_user_teams


def desk_actions(user, ticket: Ticket) -> list[str]:
    """The actions to offer this user: what the ticket's state allows, less what they may not do."""
    if not user.has_perm(WORK):
        return []
    allowed = services.allowed_actions(ticket)
    is_lead = user.has_perm(LEAD)
    awaiting_lead = (
        ticket.status == TicketStatus.REVIEWED
        and ticket.business_type is not None
        and ticket.business_type.requires_approval
    )
    shown = []
    for action in allowed:
        if action not in ACTION_FORMS:
            continue  # worked on another app's pages
        if action == Action.ACCEPT and not _offered_to(user, ticket):
            continue
        if action == Action.APPROVE and not is_lead:
            continue
        if action == Action.REJECT and awaiting_lead and not is_lead:
            continue
        shown.append(action)
    if ticket.is_active:
        shown.append(EDIT)
    if is_lead and Action.TRANSFER in allowed:
        shown.append(REASSIGN)
    return shown


def _fit_to_ticket(action: str, form: Form, ticket: Ticket) -> Form:
    """The edit form offers a category to inquiries only, their own retired one included."""
    if action == EDIT:
        if ticket.kind != TicketKind.INQUIRY:
            del form.fields["category"]
        else:
            form.fields["category"].keep_offering(category_by_id(ticket.category_id))
    return form


def _initial(action: str, ticket: Ticket) -> dict:
    initial: dict = {"version": ticket.version}
    if action == EDIT:
        category = category_by_id(ticket.category_id)
        initial.update(
            subject=ticket.subject,
            description=ticket.description,
            priority=ticket.priority,
            category=category.code if category is not None else "",
        )
    elif action == Action.CHANGE_ORDER:
        initial["order_details"] = format_order_details(ticket.order_details)
    elif action == Action.REVIEW:
        initial["identity_verified"] = ticket.identity_verified
    return initial


# The action forms' model choice fields: the transfer's team and agent, the reassignment's agent.
LISTED_FIELDS = frozenset(
    (form_class, name)
    for form_class in ACTION_FORMS.values()
    for name, field in form_class.base_fields.items()
    if isinstance(field, ModelChoiceField)
)


def _load_listed_options() -> dict[tuple[type[Form], str], list[tuple[int, str]]]:
    """The options of LISTED_FIELDS as (pk, label)."""
    listed = {}
    for form_class, name in LISTED_FIELDS:
        field = form_class.base_fields[name]
        # .all(): a copy, so the form class's own queryset never keeps rows.
        rows = field.queryset.all()
        listed[form_class, name] = [(row.pk, field.label_from_instance(row)) for row in rows]
    return listed


# The transfer and reassign forms list every active agent (hundreds) and every team.
# They change a few times a week, so each process keeps the options (csc.lib.reference:
# a saved team, agent or user renews them within a second, but an agent's status or a
# sign-in does not). What is posted is still checked against the database by the form.
listed_options = ReferenceCache(
    "desk-options",
    _load_listed_options,
    sources=[Team, Agent, User],
    unread_fields=["status", "last_login"],
)


class ListedSelect(Select):
    """A select of options listed once per process, written out directly: Django
    renders one template per option, which took most of the ticket page's time with
    hundreds of agents."""

    def __init__(self, options: list[tuple], attrs=None):
        super().__init__(attrs)
        self.options = options  # (value, label), the empty choice first if any

    def use_required_attribute(self, initial) -> bool:
        # As Select: only when the first option is the empty one.
        return not self.is_hidden and bool(self.options) and self.options[0][0] in ("", None)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = "\n".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.options
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>\n{}\n</select>', name, attrs, mark_safe(options))


def _with_listed_options(forms: list[Form]) -> None:
    """Give the forms' model choice fields their options from listed_options; what is
    posted is still parsed and checked by the fields against the database."""
    fields = [
        (form, name)
        for form in forms
        for name in form.fields
        if (type(form), name) in LISTED_FIELDS
    ]
    if not fields:
        return
    listed = listed_options.get()
    for form, name in fields:
        field = form.fields[name]
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        field.widget = ListedSelect([*empty, *listed[type(form), name]], attrs=field.widget.attrs)
        field.widget.is_required = field.required


def _action_panels(user, ticket: Ticket, failed: tuple[str, Form] | None) -> list[ActionPanel]:
    actions = desk_actions(user, ticket)
    if failed and failed[0] not in actions:
        actions.insert(0, failed[0])  # keep what they typed even if the state moved on
    panels = []
    for action in actions:
        if failed and failed[0] == action:
            form, is_open = failed[1], True
        else:
            form, is_open = ACTION_FORMS[action](initial=_initial(action, ticket)), False
            _fit_to_ticket(action, form, ticket)
        form.auto_id = f"id_{action}_%s"
        panels.append(
            ActionPanel(action, _action_label(action), form, is_open, action in DANGER_ACTIONS)
        )
    _with_listed_options([panel.form for panel in panels])
    return panels


STATUS_LABELS = dict(TicketStatus.choices)


def _shown_value(field: str, value):
    if field == "priority" and value in Priority.values:
        return Priority(value).label
    if field == "category":
        category = inquiry_categories.get().by_code.get(value) if value else None
        return category.path if category is not None else value
    return value


def _field_label(field: str) -> str:
    try:
        return str(Ticket._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


TIMELINE_LATEST = 50  # events shown unless the whole timeline is asked for
WHOLE_TIMELINE = "all"  # ?timeline=all


def timeline(ticket: Ticket, *, latest: int | None = None) -> tuple[list, bool]:
    """The ticket's events (only the `latest` ones when given), each with the labels its
    template line needs, and whether earlier events were left out."""
    if latest is None:
        events, earlier = list(selectors.ticket_timeline(ticket)), False
    else:
        events, earlier = selectors.ticket_timeline_latest(ticket, latest)
    for event in events:
        event.from_label = STATUS_LABELS.get(event.from_status, event.from_status)
        event.to_label = STATUS_LABELS.get(event.to_status, event.to_status)
        event.changes = []
        if event.kind == EventKind.FIELDS_CHANGED:
            event.changes = [
                (
                    _field_label(field),
                    _shown_value(field, change.get("from")),
                    _shown_value(field, change.get("to")),
                )
                for field, change in event.data.items()
            ]
        elif event.kind == EventKind.ORDER_CHANGED:
            before, after = event.data.get("from") or {}, event.data.get("to") or {}
            event.changes = [
                (key, before.get(key, ""), after.get(key, ""))
                for key in dict.fromkeys([*before, *after])
                if before.get(key) != after.get(key)
            ]
    return events, earlier


def _whole_timeline(request: HttpRequest) -> bool:
    """Asked for on the page, or on the page an htmx action was posted from."""
    if request.method == "GET":
        return request.GET.get("timeline") == WHOLE_TIMELINE
    page = (request.htmx.current_url if request.htmx else None) or ""
    return parse_qs(urlsplit(page).query).get("timeline") == [WHOLE_TIMELINE]


def _caller_whose(ticket: Ticket) -> dict | None:
    """Whom the access log names when the ticket's caller number is shown in full."""
    if ticket.contact is not None and ticket.contact.caller_number == ticket.caller_number:
        return {"customer_id": ticket.contact.customer_id, "contact_id": ticket.contact_id}
    if ticket.customer_id is not None:
        return {"customer_id": ticket.customer_id}
    return None  # nobody to name: never shown in full


def _caller_number_shown(ticket: Ticket, pd: PersonalDataDisclosure) -> str:
    if not ticket.caller_number:
        return ""
    if _caller_whose(ticket) is None:
        return mask_phone(ticket.caller_number)
    url = reverse("worktickets:reveal_caller", args=[ticket.pk])
    return reveal_control(pd, mask_phone(ticket.caller_number), url)


@permission(VIEW, FULL_PERSONAL_DATA_PERM)
@require_POST
def reveal_caller(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket's caller number in full, once the reason is recorded (htmx)."""
    ticket = _page_ticket(request.user, pk)
    whose = _caller_whose(ticket) if ticket.caller_number else None
    if whose is None:
        raise Http404
    masked = mask_phone(ticket.caller_number)
    return reveal_response(request, value=ticket.caller_number, masked=masked, **whose)


def _main_context(
    request: HttpRequest,
    ticket: Ticket,
    pd: PersonalDataDisclosure,
    *,
    failed: tuple[str, Form] | None = None,
    notice: str = "",
) -> dict:
    events, earlier_events = timeline(
        ticket, latest=None if _whole_timeline(request) else TIMELINE_LATEST
    )
    clocks = list(clocks_for_ticket(ticket))
    limit = delivery_limit_of(ticket)
    return {
        "ticket": ticket,
        "panels": _action_panels(request.user, ticket, failed),
        "events": events,
        "earlier_events": earlier_events,
        "whole_timeline": WHOLE_TIMELINE,
        "clocks": clocks,
        "order_lines": list((ticket.order_details or {}).items()),
        "delivery_limit": limit,
        "delivery_limit_text": format_minutes(limit.minutes) if limit else "",
        "no_delivery_limit": no_limit_reason(ticket)
        if ticket.business_type_id and not limit
        else "",
        "no_deadline_reason": no_deadline_reason(ticket, clocks),
        "caller_number": _caller_number_shown(ticket, pd),
        "category": category_by_id(ticket.category_id),
        "notice": notice,
    }


def _customer_context(user, customer_id: int | None) -> dict:
    if customer_id is None:
        return {"customer": None}
    customer, recent = selectors.customer_panel(user, customer_id)
    return {
        "customer": customer,
        "segment_label": PaymentSegment(customer.payment_segment).label,
        "recent_tickets": recent,
        "customer_panels": extensions.customer_panels(customer, user, full=False),
    }


def _ticket_response(
    request: HttpRequest,
    ticket: Ticket,
    *,
    failed: tuple[str, Form] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """The whole page, or for htmx only the part an action changes (header, actions, timeline)."""
    pd = PersonalDataDisclosure.for_page(request)
    context = _main_context(request, ticket, pd, failed=failed, notice=notice)
    if request.htmx:
        return render_disclosed(
            request, "worktickets/_ticket_main.html", context, pd=pd, status=status
        )
    context.update(_customer_context(request.user, ticket.customer_id))
    return render_disclosed(
        request, "worktickets/ticket_detail.html", context, pd=pd, status=status
    )


@permission(VIEW)
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _page_ticket(request.user, pk)
    if ticket.kind == TicketKind.COMPLAINT:
        # Complaints are worked on their own page (stages, evidence, compensation).
        return redirect("complaints:detail", pk=ticket.pk)
    return _ticket_response(request, ticket)


def _perform(action: str, ticket: Ticket, user, data: dict) -> None:
    services.check_may_change(ticket, user)
    if action == Action.NOTE:
        # A note changes nothing else on the ticket, so the service takes no version.
        services.ticket_add_note(ticket, by=user, body=data["body"])
        return
    if action == REASSIGN and not user.has_perm(LEAD):
        raise NotAllowed(_("Only a team lead can reassign tickets."))
    ACTION_SERVICES[action](ticket, by=user, **data)


@permission(VIEW, WORK)
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    ticket = _visible_ticket(request.user, pk)
    form = ACTION_FORMS[action](request.POST, auto_id=f"id_{action}_%s")
    _fit_to_ticket(action, form, ticket)
    status, stale = 400, False
    if form.is_valid():
        try:
            _perform(action, ticket, request.user, form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            status, stale = http_status(error), isinstance(error, StaleVersion)
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            return _after_action(request, pk, action)
    ticket = _page_ticket(request.user, pk)
    if stale:
        # The fragment now shows what changed and the message says so; their text
        # stays, and a second submit is a decision taken knowing the current state.
        form.data = form.data.copy()
        form.data["version"] = ticket.version
    return _ticket_response(request, ticket, failed=(action, form), status=status)


def _after_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    done = _("Done: %(action)s.") % {"action": _action_label(action)}
    try:
        ticket = selectors.ticket_page(request.user, pk)
    except Ticket.DoesNotExist:
        # Handed to a team this user does not see.
        gone = _("The ticket is no longer in your teams.")
        messages.success(request, f"{done} {gone}")
        url = reverse("worktickets:my_queue")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return _ticket_response(request, ticket, notice=done)
    messages.success(request, done)
    return redirect("worktickets:ticket_detail", pk=pk)


@permission(VIEW, WORK, LEAD)
@require_POST
def ticket_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A team lead gives the ticket to an agent from the SLA at-risk list: htmx swaps the
    ticket's row for its new state (new holder, version and choices); without htmx the
    lead goes back to the list with a message."""
    ticket = _visible_ticket(request.user, pk)
    form = ReassignForm(request.POST)
    status, notice = 400, ""
    if form.is_valid():
        try:
            ticket = services.ticket_reassign(ticket, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            status = http_status(error)
        else:
            status = 200
            notice = _("%(number)s is now with %(name)s.") % {
                "number": ticket.number,
                "name": ticket.assignee.display_name,
            }
    errors = [str(error) for field in form.errors.values() for error in field]
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        else:
            messages.success(request, notice)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("sla:at_risk")
        return redirect(back)
    chosen = form.cleaned_data.get("assignee") if errors else None
    context = {
        "notice": notice,
        "errors": errors,
        "chosen": chosen.pk if chosen is not None else None,
        "next": request.POST.get("next", ""),
    }
    clock = attention_row(request.user, ticket.pk)
    if clock is None:
        # Off the lead's list now (e.g. handed to another team): the row says so.
        return render(
            request, "worktickets/_reassigned.html", {"ticket": ticket, **context}, status=status
        )
    agents = reassign_candidates([clock.ticket.team_id])[clock.ticket.team_id]
    return render(
        request,
        "sla/_attention_row.html",
        {"clock": clock, "agents": agents, **context},
        status=status,
    )


# ---------------------------------------------------------------- a new ticket


def _with_recent_tickets(user, customers):
    return customers.prefetch_related(selectors.recent_tickets(user, LOOKUP_LIMIT))


def _caller_panel(
    user,
    *,
    phone: str = "",
    customer: Customer | None = None,
    contact: Contact | None = None,
    register_form: CustomerForm | None = None,
    searcher: Searcher | None = None,
) -> dict:
    """What the caller panel shows: the chosen customer, the customers found for a
    phone number, or an unknown caller with the form to register them.

    A typed `phone` is a search (limited and recorded for `searcher`); a contact's
    own number is looked up for the call without counting as one."""
    panel: dict = {"contact": contact, "phone": phone, "customers": [], "error": ""}
    # A contact's own number is looked up without ever being put in an input.
    lookup = phone or (contact.caller_number if contact is not None else "")
    if customer is not None:
        customers = [_with_recent_tickets(user, Customer.objects.filter(pk=customer.pk)).get()]
        panel.update(customers=customers, chosen=customer.pk)
    elif register_form is not None:
        panel.update(unknown=True, register_form=register_form)
    elif lookup:
        try:
            found = (
                intake_searches.customers_by_phone(searcher, phone)
                if phone
                else intake_selectors.customer_find_by_phone(lookup)
            )
            customers = list(_with_recent_tickets(user, found)[:LOOKUP_LIMIT])
        except ValidationError as error:
            panel["error"] = " ".join(error.messages)
            return panel
        except TooManySearches as refusal:
            panel["error"] = refusal.message
            return panel
        if customers:
            panel["customers"] = customers
            if len(customers) == 1:
                panel["chosen"] = customers[0].pk
        else:
            may_register = user.has_perm("intake.add_customer")
            panel.update(
                unknown=True, register_form=_register_form(phone=phone) if may_register else None
            )
    for listed in panel["customers"]:
        listed.segment_label = PaymentSegment(listed.payment_segment).label
        selectors.withhold_hidden(listed.recent_tickets)
    offers.offers_for(panel["customers"])
    return panel


def _register_form(data=None, *, phone: str = "") -> CustomerForm:
    return CustomerForm(data, prefix="caller", initial={"phone": phone})


def _business_types(customer: Customer | None, channel: str, selected) -> dict:
    """Only the types this customer may have through this channel; a chosen type that is
    not among them stays chosen so the refusal can say why."""
    if customer is None or channel not in Channel.values:
        return {"business_types": [], "selected_type": selected, "types_need_customer": True}
    types = eligibility.eligible_types(customer, channel)
    if selected is not None and selected not in types:
        types = [selected, *types]
    return {"business_types": types, "selected_type": selected}


def _contact_from(value) -> Contact | None:
    contact_id = int_or_none(value)
    if contact_id is None:
        return None
    return Contact.objects.select_related("customer").filter(pk=contact_id).first()


def _customer_from(value) -> Customer | None:
    customer_id = int_or_none(value)
    return Customer.objects.filter(pk=customer_id).first() if customer_id else None


def _business_type_from(value) -> BusinessType | None:
    business_type_id = int_or_none(value)
    if business_type_id is None:
        return None
    return BusinessType.objects.filter(pk=business_type_id, is_active=True).first()


def _caller_number(phone: str, contact: Contact | None) -> str:
    try:
        return normalise_phone(phone) if phone else (contact.caller_number if contact else "")
    except InvalidPhoneNumber:
        return ""


# What the new-ticket form hands to ticket_create as it is.
TICKET_FIELDS = (
    "kind",
    "channel",
    "subject",
    "description",
    "customer",
    "contact",
    "team",
    "business_type",
    "order_details",
    "priority",
    "category",
    "to_team_queue",
)


@permission(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _new_ticket_page(request, _blank_ticket_form(request))
    form = TicketForm(request.POST)
    if not form.is_valid():
        # Whether the business type may be ordered is said now too, not one submit later.
        refusal = _eligibility_refusal(form)
        return _new_ticket_page(request, form, refusal=refusal, status=400)
    data = form.cleaned_data
    try:
        ticket = services.ticket_create(
            **{name: data[name] for name in TICKET_FIELDS},
            caller_number=_caller_number(data["phone"], data["contact"]),
            created_by=request.user,
        ).ticket
    except DomainError as error:
        form.add_domain_error(error)
        return _new_ticket_page(request, form, refusal=error, status=400)
    messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
    return redirect("worktickets:ticket_detail", pk=ticket.pk)


def _eligibility_refusal(form: TicketForm) -> DomainError | None:
    """The eligibility refusal of a business order whose form has errors elsewhere, put
    beside the business type (ticket_create checks the same when the form is valid)."""
    data = form.cleaned_data
    contact = data.get("contact")
    customer = data.get("customer") or (contact.customer if contact is not None else None)
    business_type, channel = data.get("business_type"), data.get("channel")
    if data.get("kind") != TicketKind.BUSINESS or not (customer and business_type and channel):
        return None
    try:
        eligibility.check(business_type, customer, channel)
    except DomainError as error:
        form.add_domain_error(error)
        return error
    return None


def _blank_ticket_form(request: HttpRequest) -> TicketForm:
    """Started from a contact record (?contact=) or a known customer (?customer=); for
    a customer the agent's phone lookup found, with the number of the call in hand."""
    params = request.GET
    contact = _contact_from(params.get("contact"))
    customer = contact.customer if contact else _customer_from(params.get("customer"))
    initial = {"customer": customer, "contact": contact}
    if contact is None and customer is not None:
        initial["phone"] = call_number_for(request.session, customer.pk)
    business_type = _business_type_from(params.get("business_type"))
    if customer is not None and business_type is not None:
        # "Start this business" from a privilege the caller holds: the order is chosen.
        initial.update(
            kind=TicketKind.BUSINESS, business_type=business_type.pk, subject=business_type.name
        )
    if contact is not None:
        # The summary's first line is the subject the agent would type.
        first_line = next(iter(contact.summary.strip().splitlines()), "")
        initial.update(
            channel=contact.channel,
            description=contact.summary,
            subject=first_line[: TicketForm.base_fields["subject"].max_length],
        )
    return TicketForm(initial=initial)


def _new_ticket_page(
    request: HttpRequest, form: TicketForm, *, refusal: DomainError | None = None, status=200
) -> HttpResponse:
    """The form as typed (or prefilled), with the caller panel and the business types
    that go with the chosen customer and channel."""
    contact = _contact_from(form["contact"].value())
    customer = _customer_from(form["customer"].value())
    channel = form["channel"].value() or ""
    business_type_id = int_or_none(form["business_type"].value())
    selected_type = BusinessType.objects.filter(pk=business_type_id).first()
    eligible_channels = (refusal.details.get("eligible_channels") if refusal else None) or []
    pd = PersonalDataDisclosure.for_page(request)
    phone = form["phone"].value() or ""
    context = {
        "form": form,
        "tab": "new",
        "caller": _caller_panel(
            request.user,
            phone=phone,
            customer=customer,
            contact=contact,
            searcher=Searcher.for_page(request),
        ),
        "eligible_channel_labels": [
            Channel(code).label for code in eligible_channels if code in Channel.values
        ],
        **_business_types(customer, channel, selected_type),
    }
    return render_disclosed(request, "worktickets/ticket_new.html", context, pd=pd, status=status)


@permission(VIEW, ADD)
@require_GET
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """The caller panel for a phone number typed on the new-ticket page (htmx)."""
    phone = request.GET.get("phone", "").strip()
    contact = _contact_from(request.GET.get("contact"))
    searcher = Searcher.for_page(request)
    caller = _caller_panel(request.user, phone=phone, contact=contact, searcher=searcher)
    context = {"caller": caller}
    response = render_disclosed(request, "worktickets/_caller_panel.html", context)
    return trigger_client_event(response, CALLER_CHANGED, after="swap")


@permission(VIEW, ADD, "intake.add_customer")
@require_POST
def caller_register(request: HttpRequest) -> HttpResponse:
    """Register an unknown caller from the new-ticket page, then carry on with the ticket."""
    contact = _contact_from(request.POST.get("contact"))
    data = request.POST.copy()
    if contact is not None and not data.get("caller-phone", "").strip():
        data["caller-phone"] = contact.caller_number  # the number the contact came from
    form = _register_form(data)
    customer = None
    if form.is_valid():
        try:
            customer = intake_services.customer_register(
                **form.cleaned_data, registered_by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
    if customer is None:
        caller = _caller_panel(request.user, contact=contact, register_form=form)
        return render_disclosed(
            request, "worktickets/_caller_panel.html", {"caller": caller}, status=400
        )
    caller = _caller_panel(request.user, customer=customer, contact=contact)
    caller["registered"] = True
    response = render_disclosed(request, "worktickets/_caller_panel.html", {"caller": caller})
    return trigger_client_event(response, CALLER_CHANGED, after="swap")


@permission(VIEW, ADD)
@require_GET
def business_type_options(request: HttpRequest) -> HttpResponse:
    """The business type field for the chosen customer and channel (htmx)."""
    customer = _customer_from(request.GET.get("customer"))
    selected = BusinessType.objects.filter(pk=int_or_none(request.GET.get("business_type"))).first()
    context = _business_types(customer, request.GET.get("channel", ""), selected)
    return render(request, "worktickets/_business_type_field.html", context)
