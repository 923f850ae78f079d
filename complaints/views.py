"""Complaint pages: intake, the handling groups' workbench, the complaint page and its
actions, evidence, the leadership list, outage clusters, recurrence and the archive.

Views parse input, call one service or selector, and render. Personal numbers
go through the request's PersonalDataDisclosure (masked unless the person may
see them in full; full views are recorded).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from complaints import actions, deadlines, selectors, services
from complaints.choices import Action, Category, ClusterStatus, EventCode, MajorReason
from complaints.evidence import (
    evidence_add,
    evidence_max_bytes,
    evidence_too_large,
    evidence_verify,
)
from complaints.filters import ComplaintFilter
from complaints.forms import ClusterFeedbackForm, ComplaintForm, EvidenceForm, action_form
from complaints.models import Complaint, Evidence, OutageCluster
from csc.lib.errors import DomainError, StaleVersion, http_status
from csc.lib.files import protected_file_response
from csc.lib.masking import mask_phone
from csc.lib.paging import int_or_none, page_context
from csc.lib.uploads import upload_limited
from intake import searches as intake_searches
from intake.calls import call_number_for
from intake.models import Contact, Customer
from intake.personal_data import (
    FULL_PERSONAL_DATA_PERM,
    PersonalDataDisclosure,
    render_disclosed,
    reveal_control,
    reveal_response,
)
from intake.searches import Searcher, TooManySearches
from staffing.access import permission
from staffing.models import Team
from worktickets.choices import TicketStatus
from worktickets.selectors import user_team_ids

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
HANDLE = "complaints.handle_complaint"
VIEW_ALL = "complaints.view_all_complaints"
LEADERSHIP = "complaints.view_leadership_board"
EVIDENCE = "complaints.view_evidence"
CLUSTERS = "complaints.view_outagecluster"

PER_PAGE = 25
LOOKUP_LIMIT = 5


# ---------------------------------------------------------------- lists


def _list(request: HttpRequest, queryset, *, tab: str, title: str, empty: str, **extra):
    filterset = ComplaintFilter(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    context = {
        "tab": tab,
        "title": title,
        "empty": empty,
        "filter": filterset,
        **extra,
        **page_context(request, rows, PER_PAGE),
    }
    return render_disclosed(request, "complaints/workbench.html", context)


def _switchable_teams(user) -> list[Team]:
    own = set(user_team_ids(user))
    teams = Team.objects.filter(is_active=True)
    if not user.has_perm(VIEW_ALL):
        teams = teams.filter(pk__in=own)
    return sorted(teams, key=lambda team: (team.pk not in own, team.name))


@permission(VIEW)
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    """The open complaints of the person's handling groups, nearest deadline first.

    Someone who records complaints but does not handle them sees the ones they took.
    """
    if not (request.user.has_perm(HANDLE) or request.user.has_perm(VIEW_ALL)):
        return recorded(request)
    teams = _switchable_teams(request.user)
    team_id = int_or_none(request.GET.get("group"))
    if team_id not in {team.pk for team in teams}:
        team_id = None
    return _list(
        request,
        selectors.workbench(request.user, team_id),
        tab="group",
        title=_("Complaint workbench"),
        empty=_("No open complaint in your handling group."),
        teams=teams,
        all_groups_label=_("All groups") if request.user.has_perm(VIEW_ALL) else _("All my groups"),
        selected_team=team_id,
    )


@permission(VIEW)
@require_GET
def recorded(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        selectors.recorded_by(request.user),
        tab="recorded",
        title=_("Complaints I recorded"),
        empty=_("No open complaint you recorded."),
        intro=_(
            "First-question responsibility: the complaints you took stay yours to follow "
            "until they close, whoever handles them."
        ),
    )


@permission(VIEW)
@require_GET
def assigned(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        selectors.assigned_to(request.user),
        tab="mine",
        title=_("Complaints assigned to me"),
        empty=_("No open complaint is assigned to you."),
    )


@permission(VIEW, LEADERSHIP)
@require_GET
def leadership(request: HttpRequest) -> HttpResponse:
    """Major complaints and appeals: what the leadership group and the CS manager watch."""
    include_closed = request.GET.get("closed") == "1"
    return _list(
        request,
        selectors.leadership_list(include_closed=include_closed),
        tab="leadership",
        title=_("Major complaints and appeals"),
        empty=_("No major complaint or appeal is open."),
        include_closed=include_closed,
        open_clusters=list(selectors.clusters_list(status=ClusterStatus.OPEN)[:10]),
    )


# ---------------------------------------------------------------- intake


def _customers_for_phone(request: HttpRequest, phone: str) -> tuple[list[Customer], str]:
    if not phone:
        return [], ""
    try:
        found = intake_searches.customers_by_phone(Searcher.for_page(request), phone)
        return list(found[:LOOKUP_LIMIT]), ""
    except ValidationError as error:
        return [], " ".join(error.messages)
    except TooManySearches as refusal:
        return [], refusal.message


@permission(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, appealable=selectors.appealable(request.user))
        is_valid = form.is_valid()
        intake = services.ComplaintIntake(**form.service_kwargs())
        complaint = None
        try:
            if is_valid:
                complaint = services.complaint_record(intake, recorded_by=request.user).complaint
            else:
                # The service's refusals are shown with the form's own, all at once.
                services.complaint_check(intake)
        except DomainError as error:
            form.add_domain_error(error)
        if complaint is not None:
            messages.success(
                request,
                _("Complaint %(number)s recorded and routed to %(team)s.")
                % {"number": complaint.ticket.number, "team": complaint.ticket.team},
            )
            return redirect("complaints:detail", pk=complaint.pk)
        status = 400
        customer = Customer.objects.filter(pk=int_or_none(request.POST.get("customer"))).first()
        phone = ""
    else:
        # From a contact (a call, a chat, a visit): its customer, channel and summary.
        contact = (
            Contact.objects.select_related("customer")
            .filter(pk=int_or_none(request.GET.get("contact")))
            .first()
        )
        customer = contact.customer if contact else None
        if customer is None:
            customer = Customer.objects.filter(pk=int_or_none(request.GET.get("customer"))).first()
        phone = request.GET.get("phone", "").strip()
        initial = {"tier": request.GET.get("tier") or "complaint"}
        if contact is not None:
            initial.update(contact=contact, channel=contact.channel, content=contact.summary)
        if request.GET.get("parent"):
            initial["parent_number"] = request.GET["parent"]
        if customer is not None:
            # The registered phone is not put in the form: shown in full it would be a
            # disclosure.
            initial.update(customer=customer, customer_name=customer.name, region=customer.region)
            if contact is None:
                # The number the agent looked this caller up by is theirs to see.
                initial["contact_phone"] = call_number_for(request.session, customer.pk)
        form = ComplaintForm(initial=initial, appealable=selectors.appealable(request.user))
    found, lookup_error = _customers_for_phone(request, phone) if customer is None else ([], "")
    context = {
        "form": form,
        "tab": "new",
        "customer": customer,
        "phone": phone,
        "found": found,
        "lookup_error": lookup_error,
        "repair": _repair_context(
            form.data.get("category") or "",
            form.data.get("service_type") or "",
            form.data.get("region") or (customer.region if customer else ""),
        ),
    }
    return render_disclosed(request, "complaints/complaint_new.html", context, status=status)


@permission(VIEW, ADD)
@require_GET
def intake_lookup(request: HttpRequest) -> HttpResponse:
    """The customers found for a phone number, beside the intake form (htmx): the form
    and what is typed in it stay as they are."""
    phone = request.GET.get("phone", "").strip()
    found, lookup_error = _customers_for_phone(request, phone)
    context = {"phone": phone, "found": found, "lookup_error": lookup_error}
    return render_disclosed(request, "complaints/_intake_lookup.html", context)


# The customer part of the intake form, as typed, carried through a choice of customer.
INTAKE_CUSTOMER_FIELDS = ("customer_name", "contact_phone", "contact_email", "contact_address")


@permission(VIEW, ADD)
@require_GET
def intake_customer(request: HttpRequest) -> HttpResponse:
    """The customer part of the intake form with the customer chosen from the lookup, or
    with none (htmx): the name and contact details typed so far are kept, the name is
    the customer's when none was typed."""
    customer = Customer.objects.filter(pk=int_or_none(request.GET.get("chosen"))).first()
    initial = {name: request.GET.get(name, "") for name in INTAKE_CUSTOMER_FIELDS}
    if customer is not None:
        initial["customer"] = customer
        initial["customer_name"] = initial["customer_name"].strip() or customer.name
    form = ComplaintForm(initial=initial, appealable=selectors.appealable(request.user))
    context = {"form": form, "customer": customer}
    return render(request, "complaints/_intake_customer.html", context)


def _repair_context(category: str, service_type: str, region: str) -> dict:
    if category != Category.SERVICE_FAULT or not service_type:
        return {"shown": False}
    limit = deadlines.repair_limit(service_type=service_type, region=region, at=timezone.now())
    return {"shown": True, "limit": limit}


@permission(VIEW, ADD)
@require_GET
def repair_limit(request: HttpRequest) -> HttpResponse:
    """The repair limit for the chosen service and region, on the intake form (htmx)."""
    context = {
        "repair": _repair_context(
            request.GET.get("category", ""),
            request.GET.get("service_type", ""),
            request.GET.get("region", ""),
        )
    }
    return render(request, "complaints/_repair_limit.html", context)


# ---------------------------------------------------------------- the complaint page


@dataclass
class ActionPanel:
    action: str
    label: str
    form: Form
    is_open: bool = False


def _visible(user, pk: int) -> Complaint:
    try:
        return selectors.complaint_detail(user, pk)
    except Complaint.DoesNotExist:
        raise Http404 from None


def _panels(user, complaint: Complaint, failed: tuple[str, Form] | None) -> list[ActionPanel]:
    shown = actions.offered(user, complaint)
    if failed and failed[0] not in shown:
        shown.insert(0, failed[0])  # keep what they typed even if the stage moved on
    panels = []
    for action in shown:
        if failed and failed[0] == action:
            form, is_open = failed[1], True
        else:
            form = action_form(action, complaint, initial={"version": complaint.ticket.version})
            is_open = False
        form.auto_id = f"id_{action}_%s"
        panels.append(ActionPanel(action, str(Action(action).label), form, is_open))
    return panels


def _contact_details(complaint: Complaint) -> str:
    return " · ".join(v for v in (complaint.contact_email, complaint.contact_address) if v)


def _customer_data_shown(complaint: Complaint, pd: PersonalDataDisclosure) -> dict[str, str]:
    """The customer's phone, affected number, email and address as this page shows them:
    masked with a reveal control, or in full (recorded) where `pd` shows them whole."""
    customer_id = complaint.ticket.customer_id
    shown = {}
    for what, value, masked in (
        ("phone", complaint.contact_phone, mask_phone(complaint.contact_phone)),
        ("service", complaint.service_number, mask_phone(complaint.service_number)),
        ("contact", _contact_details(complaint), _("recorded")),
    ):
        if not value or customer_id is None:
            # No customer to name in the access log: never shown in full.
            shown[what] = masked if value else ""
        elif pd.full:
            pd.customer_phone(customer_id, value)  # noted for the access log
            shown[what] = value
        else:
            url = reverse("complaints:reveal", args=[complaint.pk, what])
            shown[what] = reveal_control(pd, masked, url)
    return shown


STATUS_LABELS = dict(TicketStatus.choices)
EVENT_LABELS = dict(EventCode.choices)


def _events(complaint: Complaint) -> list:
    """The timeline with the labels its lines show."""
    events = list(selectors.timeline(complaint))
    for line in events:
        code = (line.data or {}).get("complaint_event", "")
        line.label = EVENT_LABELS.get(code) or line.get_kind_display()
        line.from_label = STATUS_LABELS.get(line.from_status, line.from_status)
        line.to_label = STATUS_LABELS.get(line.to_status, line.to_status)
    return events


def _page_context(
    request: HttpRequest,
    complaint: Complaint,
    pd: PersonalDataDisclosure,
    *,
    failed: tuple[str, Form] | None = None,
    notice: str = "",
    evidence_form: EvidenceForm | None = None,
    chain_report=None,
) -> dict:
    user = request.user
    events = _events(complaint)
    clocks = selectors.clock_rows(complaint)
    by_metric = {c.metric: c for c in clocks if c.is_open}
    evidence_clock, feedback_clock = (
        by_metric.get(deadlines.EVIDENCE),
        by_metric.get(deadlines.FEEDBACK),
    )
    return {
        # DOMAIN.md K-3: evidence may take longer than the result may; that needs an extension.
        "evidence_outlasts_result": bool(
            evidence_clock and feedback_clock and evidence_clock.due_at > feedback_clock.due_at
        ),
        "complaint": complaint,
        "ticket": complaint.ticket,
        "stages": selectors.stage_tracker(complaint, events),
        "events": events,
        "clocks": clocks,
        "repair_clock": next((c for c in clocks if c.metric == deadlines.REPAIR), None),
        "evidence_clock": next((c for c in clocks if c.metric == deadlines.EVIDENCE), None),
        "reply_limit": deadlines.reply_limit(complaint),
        "evidence": selectors.evidence_of(complaint),
        "compensations": selectors.compensations_of(complaint),
        "feedback": selectors.feedback_of(complaint),
        "escalations": selectors.escalations_of(complaint),
        "extensions": selectors.extensions_of(complaint),
        "related": selectors.related_complaints(complaint, user),
        "major_labels": [
            MajorReason(r).label for r in complaint.major_reasons if r in MajorReason.values
        ],
        "panels": _panels(user, complaint, failed),
        "shown": _customer_data_shown(complaint, pd),
        "can_handle": user.has_perm(HANDLE) and complaint.ticket.status != TicketStatus.CLOSED,
        "can_open_evidence": user.has_perm(EVIDENCE),
        "evidence_form": evidence_form or EvidenceForm(complaint=complaint),
        "chain_report": chain_report,
        "notice": notice,
        "now": timezone.now(),
    }


def _complaint_response(
    request: HttpRequest, complaint: Complaint, *, status: int = 200, **extra
) -> HttpResponse:
    """The whole page, or for htmx the part an action changes."""
    pd = PersonalDataDisclosure.for_page(request)
    context = _page_context(request, complaint, pd, **extra)
    template = (
        "complaints/_complaint_main.html" if request.htmx else "complaints/complaint_detail.html"
    )
    return render_disclosed(request, template, context, pd=pd, status=status)


@permission(VIEW)
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_response(request, _visible(request.user, pk))


def _after(request: HttpRequest, complaint_id: int, done: str) -> HttpResponse:
    try:
        complaint = selectors.complaint_detail(request.user, complaint_id)
    except Complaint.DoesNotExist:
        gone = _("The complaint is no longer in your groups.")
        messages.success(request, f"{done} {gone}")
        url = reverse("complaints:workbench")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return _complaint_response(request, complaint, notice=done)
    messages.success(request, done)
    return redirect("complaints:detail", pk=complaint.pk)


@permission(VIEW)
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in actions.SERVICES:
        raise Http404
    if not actions.may_try(request.user, action):
        raise PermissionDenied
    complaint = _visible(request.user, pk)
    form = action_form(action, complaint, request.POST)
    status, stale = 400, False
    if form.is_valid():
        try:
            result = actions.perform(action, complaint, request.user, form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            status, stale = http_status(error), isinstance(error, StaleVersion)
        else:
            done = _("Done: %(action)s.") % {"action": Action(action).label}
            # An upgrade hands the case to a new complaint: go there.
            target = result.pk if isinstance(result, Complaint) else complaint.pk
            if target != complaint.pk:
                url = reverse("complaints:detail", args=[target])
                messages.success(request, done)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            return _after(request, complaint.pk, done)
    complaint = _visible(request.user, pk)
    if stale:
        form.data = form.data.copy()
        form.data["version"] = complaint.ticket.version
    return _complaint_response(request, complaint, failed=(action, form), status=status)


# ---------------------------------------------------------------- evidence


def _evidence_too_large(request: HttpRequest, pk: int) -> HttpResponse:
    """The page again, the file refused before it was read (413)."""
    complaint = _visible(request.user, pk)
    form = EvidenceForm({}, {}, complaint=complaint)
    form.is_valid()
    form.errors.clear()  # only the size is known: nothing else was read
    form.add_domain_error(evidence_too_large())
    return _complaint_response(request, complaint, evidence_form=form, status=413)


@permission(VIEW, HANDLE)
@upload_limited(evidence_max_bytes, refuse=_evidence_too_large)
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _visible(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES, complaint=complaint)
    status = 400
    if form.is_valid():
        try:
            entry = evidence_add(complaint, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            status = http_status(error)
        else:
            return _after(
                request,
                complaint.pk,
                _("Evidence #%(seq)s added (SHA-256 %(sha)s).")
                % {"seq": entry.seq, "sha": entry.sha256[:16]},
            )
    return _complaint_response(request, complaint, evidence_form=form, status=status)


@permission(VIEW, EVIDENCE)
@require_GET
def evidence_download(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    complaint = _visible(request.user, pk)
    entry = Evidence.objects.filter(complaint=complaint, seq=seq).first()
    if entry is None or not entry.file:  # no file: deleted at the end of its retention
        raise Http404
    return protected_file_response(entry.file.name, filename=entry.original_name)


@permission(VIEW)
@require_http_methods(["GET", "POST"])
def evidence_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify the complaint's evidence chain and name the first entry that does not match."""
    complaint = _visible(request.user, pk)
    report = evidence_verify(complaint)
    if request.htmx:
        return render(request, "complaints/_chain_report.html", {"chain_report": report})
    return _complaint_response(request, complaint, chain_report=report)


@permission(VIEW, FULL_PERSONAL_DATA_PERM)
@require_POST
def reveal(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """One of the customer's details in full, once the reason is recorded (htmx)."""
    complaint = _visible(request.user, pk)
    values = {
        "phone": (complaint.contact_phone, mask_phone(complaint.contact_phone)),
        "service": (complaint.service_number, mask_phone(complaint.service_number)),
        "contact": (_contact_details(complaint), _("recorded")),
    }
    value, masked = values.get(what, ("", ""))
    if not value or complaint.ticket.customer_id is None:
        raise Http404
    return reveal_response(
        request, value=value, masked=masked, customer_id=complaint.ticket.customer_id
    )


# ---------------------------------------------------------------- the archive


@permission(VIEW)
@require_GET
def complaint_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """一事一档: the complaint's whole file as one printable HTML document."""
    complaint = _visible(request.user, pk)
    # The file kept for the case: whole for those who may see numbers, and recorded.
    pd = PersonalDataDisclosure.for_single_record(request)
    context = _page_context(request, complaint, pd)
    context.update(
        chain_report=evidence_verify(complaint),
        exported_at=timezone.now(),
        exported_by=request.user,
        pd=pd,
    )
    html = render_to_string("complaints/archive.html", context, request=request)
    pd.record()
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    filename = f"complaint-{complaint.ticket.number}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- outage clusters


@permission(VIEW, CLUSTERS)
@require_GET
def cluster_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    context = {
        "tab": "clusters",
        "status": status,
        **page_context(request, selectors.clusters_list(status=status), PER_PAGE),
    }
    return render_disclosed(request, "complaints/cluster_list.html", context)


@permission(VIEW, CLUSTERS)
@require_http_methods(["GET", "POST"])
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = OutageCluster.objects.filter(pk=pk).first()
    if cluster is None:
        raise Http404
    status = 200
    result = None
    if request.method == "POST":
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        form = ClusterFeedbackForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                result = services.cluster_feedback(cluster, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_domain_error(error)
                status = http_status(error)
            else:
                messages.success(
                    request,
                    _("The result went to %(count)s complaint(s).") % {"count": len(result.given)},
                )
                if not result.skipped:
                    return redirect("complaints:cluster_detail", pk=cluster.pk)
                status = 200
                cluster.refresh_from_db()
    else:
        form = ClusterFeedbackForm()
    context = {
        "tab": "clusters",
        "cluster": cluster,
        "members": list(selectors.cluster_members(cluster)),
        "form": form,
        "result": result,
        "can_answer": request.user.has_perm(HANDLE) and cluster.status == ClusterStatus.OPEN,
    }
    return render_disclosed(request, "complaints/cluster_detail.html", context, status=status)


# ---------------------------------------------------------------- recurrence


@permission(VIEW, LEADERSHIP)
@require_GET
def recurrence_report(request: HttpRequest) -> HttpResponse:
    """Recurrence rate per category per month (DOMAIN.md C-36), for managers."""
    months = min(max(int_or_none(request.GET.get("months")) or 12, 1), 36)
    rows = selectors.recurrence_rates(months=months)
    return render_disclosed(
        request,
        "complaints/recurrence.html",
        {"tab": "recurrence", "rows": rows, "months": months},
    )
