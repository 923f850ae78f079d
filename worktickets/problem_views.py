"""The problem ledger (问题台账, DOMAIN.md W-6) in the browser: its list, a problem's
page and its actions, and the panel on the ticket page that raises a problem from
the ticket or counts the ticket against one already in the ledger (htmx).

Views parse input, call one selector or service, and render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc.lib.errors import DomainError, http_status
from csc.lib.paging import page_context
from staffing.access import permission
from worktickets import selectors, services
from worktickets.choices import PROBLEM_TRANSITIONS, ProblemEventKind, ProblemStatus
from worktickets.filters import ProblemFilter
from worktickets.forms import (
    ProblemAdvanceForm,
    ProblemEditForm,
    ProblemLinkForm,
    ProblemRaiseForm,
    ProblemTicketForm,
)
from worktickets.models import Problem, Ticket
from worktickets.reference import category_by_id, inquiry_categories

VIEW_PROBLEMS = "worktickets.view_problem"
REPORT_PROBLEMS = "worktickets.add_problem"  # raise a problem, count a ticket against one
VIEW_TICKETS = "worktickets.view_ticket"

PER_PAGE = 25
LIST_FILTERS = ("status", "category", "review")  # of ProblemFilter, offered on the list
LINK_CHOICES = 50  # open problems offered on a ticket's panel, latest first


def _refused(form: Form, error: Exception) -> int:
    """Put a service's refusal on the form; the status to answer with."""
    if isinstance(error, DomainError):
        form.add_domain_error(error)
        return http_status(error)
    form.add_validation_error(error)
    return 400


# ---------------------------------------------------------------- the ledger


@permission(VIEW_PROBLEMS)
@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    filterset = ProblemFilter(request.GET, queryset=selectors.problem_list())
    problems = filterset.qs if filterset.is_valid() else filterset.queryset
    fields = [filterset.form[name] for name in LIST_FILTERS]
    for field in fields:
        field.field.widget.attrs["data-autosubmit"] = ""
    context = {
        "tab": "problems",
        "filter_fields": fields,
        **page_context(request, problems, PER_PAGE),
    }
    return render(request, "worktickets/problems/list.html", context)


def _problem(pk: int) -> Problem:
    try:
        return selectors.problem_detail(pk)
    except Problem.DoesNotExist:
        raise Http404 from None


def _may_keep(user, problem: Problem) -> bool:
    return problem.owner_id == user.pk or user.has_perm(selectors.KEEP_PROBLEMS)


def _problem_page(
    request: HttpRequest, problem: Problem, *, failed: tuple[str, Form] | None = None, status=200
) -> HttpResponse:
    forms: dict[str, Form | None] = {"advance": None, "edit": None, "link": None}
    if _may_keep(request.user, problem):
        moves = [(s, ProblemStatus(s).label) for s in sorted(PROBLEM_TRANSITIONS[problem.status])]
        if moves:
            forms["advance"] = ProblemAdvanceForm(initial={"version": problem.version})
            forms["advance"].fields["to_status"].choices = moves
        category = category_by_id(problem.category_id)
        forms["edit"] = ProblemEditForm(
            initial={
                "version": problem.version,
                "title": problem.title,
                "description": problem.description,
                "root_cause": problem.root_cause,
                "category": category.code if category is not None else "",
                "owner": problem.owner_id,
                "review_date": problem.review_date,
            }
        )
        forms["edit"].fields["category"].keep_offering(category)
    if request.user.has_perm(REPORT_PROBLEMS) and not problem.is_done:
        forms["link"] = ProblemTicketForm()
    if failed is not None:
        forms[failed[0]] = failed[1]
    context = {
        "tab": "problems",
        "problem": problem,
        "category": category_by_id(problem.category_id),
        "tickets": selectors.problem_tickets(request.user, problem),
        "events": _timeline(problem),
        "forms": forms,
        "failed": failed[0] if failed else "",
    }
    return render(request, "worktickets/problems/detail.html", context, status=status)


STATUS_LABELS = dict(ProblemStatus.choices)


def _shown(field: str, value) -> str:
    if field == "category":
        category = inquiry_categories.get().by_code.get(value) if value else None
        return category.path if category is not None else value
    return value


def _timeline(problem: Problem) -> list:
    """The problem's events with the labels their lines show."""
    events = list(selectors.problem_events(problem))
    for event in events:
        event.from_label = STATUS_LABELS.get(event.from_status, event.from_status)
        event.to_label = STATUS_LABELS.get(event.to_status, event.to_status)
        event.changes = [
            (
                Problem._meta.get_field(field).verbose_name,
                _shown(field, change.get("from")),
                _shown(field, change.get("to")),
            )
            for field, change in event.data.items()
            if event.kind == ProblemEventKind.UPDATED
        ]
    return events


@permission(VIEW_PROBLEMS)
@require_GET
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _problem_page(request, _problem(pk))


def _kept_problem(user, pk: int) -> Problem:
    """The problem, for its owner or a ledger keeper (the service checks again)."""
    problem = _problem(pk)
    if not _may_keep(user, problem):
        raise PermissionDenied
    return problem


def _after(request: HttpRequest, problem: Problem, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("worktickets:problem_detail", pk=problem.pk)


@permission(VIEW_PROBLEMS)
@require_POST
def problem_advance(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _kept_problem(request.user, pk)
    form = ProblemAdvanceForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            problem = services.problem_advance(problem, by=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            status = _refused(form, error)
        else:
            label = problem.get_status_display()
            return _after(
                request,
                problem,
                _("Problem %(number)s is now %(status)s.")
                % {
                    "number": problem.number,
                    "status": label,
                },
            )
    return _problem_page(request, _problem(pk), failed=("advance", form), status=status)


@permission(VIEW_PROBLEMS)
@require_POST
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _kept_problem(request.user, pk)
    form = ProblemEditForm(request.POST)
    form.fields["category"].keep_offering(category_by_id(problem.category_id))
    status = 400
    if form.is_valid():
        try:
            problem = services.problem_update(problem, by=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            status = _refused(form, error)
        else:
            return _after(
                request, problem, _("Problem %(number)s saved.") % {"number": problem.number}
            )
    return _problem_page(request, _problem(pk), failed=("edit", form), status=status)


@permission(VIEW_PROBLEMS, REPORT_PROBLEMS, VIEW_TICKETS)
@require_POST
def problem_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a ticket, named by its number, against the problem."""
    problem = _problem(pk)
    form = ProblemTicketForm(request.POST)
    status = 400
    if form.is_valid():
        ticket = selectors.find_ticket_by_number(request.user, form.cleaned_data["number"])
        if ticket is None:
            form.add_error("number", _("No ticket with this number is visible to you."))
        else:
            try:
                services.problem_link_ticket(problem, ticket, by=request.user)
            except DomainError as error:
                status = _refused(form, error)
            else:
                return _after(
                    request, problem, _("Ticket %(ticket)s linked.") % {"ticket": ticket.number}
                )
    return _problem_page(request, _problem(pk), failed=("link", form), status=status)


# ---------------------------------------------------------------- on the ticket page


def _ticket(user, pk: int) -> Ticket:
    try:
        return selectors.ticket_page(user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    raise_form: ProblemRaiseForm | None = None,
    link_form: ProblemLinkForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"ticket": ticket, "problems": selectors.problems_of_ticket(ticket), "notice": notice}
    if request.user.has_perm(REPORT_PROBLEMS):
        link_form = link_form or ProblemLinkForm()
        link_form.fields["problem"].queryset = selectors.problems_open_to_link(ticket)[
            :LINK_CHOICES
        ]
        context.update(raise_form=raise_form or ProblemRaiseForm(), link_form=link_form)
    return render(request, "worktickets/problems/_ticket_panel.html", context, status=status)


@permission(VIEW_TICKETS, VIEW_PROBLEMS)
@require_GET
def ticket_problems(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket's problems and the forms to raise or link one (loaded by htmx)."""
    return _panel(request, _ticket(request.user, pk))


@permission(VIEW_TICKETS, REPORT_PROBLEMS)
@require_POST
def ticket_problem_raise(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request.user, pk)
    form = ProblemRaiseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            problem = services.problem_raise(
                **form.cleaned_data, raised_by=request.user, ticket=ticket
            )
        except DomainError as error:
            status = _refused(form, error)
        else:
            notice = _("Problem %(number)s raised from this ticket.") % {"number": problem.number}
            return _panel(request, ticket, notice=notice)
    return _panel(request, ticket, raise_form=form, status=status)


@permission(VIEW_TICKETS, REPORT_PROBLEMS)
@require_POST
def ticket_problem_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request.user, pk)
    form = ProblemLinkForm(request.POST)
    status = 400
    if form.is_valid():
        problem = form.cleaned_data["problem"]
        try:
            services.problem_link_ticket(problem, ticket, by=request.user)
        except DomainError as error:
            status = _refused(form, error)
        else:
            notice = _("This ticket now counts against problem %(number)s.") % {
                "number": problem.number
            }
            return _panel(request, ticket, notice=notice)
    return _panel(request, ticket, link_form=form, status=status)
