"""Macros in the browser: the list of one's own (and, for team leads and managers,
shared) macros with their use counts, the form to write one, and the picker
beside a ticket's reply and resolution boxes and a complaint's result feedback
(htmx), which counts each use.

Views parse input, call one selector or service, and render.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csc.lib.errors import DomainError, http_status
from staffing.access import permission
from staffing.models import Team, User
from worktickets import macros, selectors
from worktickets.forms import MacroForm
from worktickets.models import Macro, Ticket
from worktickets.reference import category_by_id

WORK = "worktickets.work_ticket"
VIEW = "worktickets.view_ticket"

# The text box each kind of macro goes into on the ticket page (its action form's id).
PICKER_TARGETS = {
    Macro.AppliesTo.REPLY: "#id_reply_body",
    Macro.AppliesTo.RESOLUTION: "#id_resolve_resolution",
    # The complaint page's result feedback, its measures taken (complaints' feedback form).
    Macro.AppliesTo.RESULT_FEEDBACK: "#id_feedback_measures",
}


def _amount(request: HttpRequest) -> str | None:
    """The amount a page passes for {amount} (a complaint's approved compensations,
    in yuan, added up): empty when none, None when one is not a number."""
    total = Decimal(0)
    texts = [text.strip() for text in request.GET.getlist("amount") if text.strip()]
    for text in texts:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
        if not amount.is_finite() or amount < 0:
            return None
        total += amount
    return str(total) if texts else ""


def _teams_to_share_with(user: User) -> QuerySet[Team] | None:
    """The teams the user may share a macro with; None when they may share with none."""
    if user.has_perm(macros.SHARE_WITH_EVERY_TEAM):
        return Team.objects.filter(is_active=True)
    led = macros.led_team_ids(user)
    return Team.objects.filter(pk__in=led) if led else None


@permission(WORK)
@require_GET
def macro_list(request: HttpRequest) -> HttpResponse:
    context = {"tab": "macros", "macros": list(macros.kept_macros(request.user))}
    return render(request, "worktickets/macros/list.html", context)


def _form_page(request: HttpRequest, form: MacroForm, macro: Macro | None, status=200):
    context = {"tab": "macros", "form": form, "macro": macro}
    return render(request, "worktickets/macros/form.html", context, status=status)


def _save(request: HttpRequest, form: MacroForm, macro: Macro | None) -> HttpResponse:
    if not form.is_valid():
        return _form_page(request, form, macro, status=400)
    data = dict(form.cleaned_data)
    data.setdefault("is_shared", False)
    data.setdefault("team", None)
    is_active = data.pop("is_active", True)
    try:
        if macro is None:
            macros.macro_create(owner=request.user, **data)
        else:
            macros.macro_update(macro, by=request.user, is_active=is_active, **data)
    except DomainError as error:
        form.add_domain_error(error)
        return _form_page(request, form, macro, status=http_status(error))
    messages.success(request, _("Macro “%(name)s” saved.") % {"name": data["name"]})
    return redirect("worktickets:macro_list")


@permission(WORK)
@require_http_methods(["GET", "POST"])
def macro_new(request: HttpRequest) -> HttpResponse:
    teams = _teams_to_share_with(request.user)
    form = MacroForm(request.POST if request.method == "POST" else None, teams=teams)
    del form.fields["is_active"]  # a new macro is active
    if request.method == "POST":
        return _save(request, form, None)
    return _form_page(request, form, None)


@permission(WORK)
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    macro = Macro.objects.filter(pk=pk).first()
    if macro is None or not macros.may_keep(request.user, macro):
        raise Http404
    teams = _teams_to_share_with(request.user)
    if request.method == "POST":
        return _save(request, MacroForm(request.POST, teams=teams), macro)
    category = category_by_id(macro.category_id)
    form = MacroForm(
        teams=teams,
        initial={
            "name": macro.name,
            "applies_to": macro.applies_to,
            "text": macro.text,
            "category": category.code if category is not None else "",
            "is_shared": macro.is_shared,
            "team": macro.team_id,
            "is_active": macro.is_active,
        },
    )
    form.fields["category"].keep_offering(category)
    return _form_page(request, form, macro)


@permission(VIEW, WORK)
@require_GET
def macro_picker(request: HttpRequest, pk: int) -> HttpResponse:
    """The macros for one of a ticket's text boxes, rendered for the ticket (htmx)."""
    applies_to, amount = request.GET.get("for", ""), _amount(request)
    if applies_to not in PICKER_TARGETS:
        return HttpResponse(_("Choose which text box the macros are for."), status=400)
    if amount is None:
        return HttpResponse(_("The amount must be a number of yuan."), status=400)
    try:
        ticket = selectors.ticket_detail(request.user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None
    values = macros.ticket_values(ticket, request.user, amount=amount)
    offered = [
        (macro, macros.render_macro(macro.text, values))
        for macro in macros.macros_for(request.user, ticket, applies_to)
    ]
    context = {
        "ticket": ticket,
        "offered": offered,
        "applies_to": applies_to,
        "insert_into": PICKER_TARGETS[applies_to],
    }
    return render(request, "worktickets/macros/_picker.html", context)


@permission(WORK)
@require_POST
def macro_use(request: HttpRequest, pk: int) -> HttpResponse:
    macro = macros.visible_macros(request.user).filter(pk=pk).first()
    if macro is None:
        raise Http404
    try:
        macros.macro_use(macro, by=request.user)
    except DomainError as error:
        return HttpResponse(error.message, status=http_status(error))
    return HttpResponse(status=204)
