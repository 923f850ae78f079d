"""Browser pages for customers and contacts: thin, permission-checked, masked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csc.lib.masking import mask_phone
from csc.lib.paging import page_context
from intake import extensions, history, searches, selectors, services
from intake.calls import call_number_for
from intake.choices import Disposition
from intake.filters import ContactFilter, PersonalDataAccessFilter
from intake.forms import ContactForm, CustomerForm, CustomerServiceForm
from intake.models import Contact, Customer, CustomerService
from intake.personal_data import (
    FULL_PERSONAL_DATA_PERM,
    PersonalDataDisclosure,
    render_disclosed,
    reveal_response,
)
from staffing.access import any_permission, permission

CUSTOMERS_PER_PAGE = 20
CONTACTS_PER_PAGE = 50
ACCESSES_PER_PAGE = 50


@permission("intake.view_customer")
def customer_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    template = "intake/_customer_results.html" if request.htmx else "intake/customer_search.html"
    try:
        search = searches.customers_search(searches.Searcher.for_page(request), query)
    except searches.TooManySearches as refusal:
        context = {"query": query, "search": None, "refusal": refusal.message}
        return render(request, template, context, status=429)
    if search.is_exact and not request.htmx:
        # The caller's number usually finds exactly one customer: go straight there.
        found = list(search.customers[:2])
        if len(found) == 1:
            return redirect("intake:customer_detail", pk=found[0].pk)
    context = {
        "query": query,
        "search": search,
        **page_context(request, search.customers, CUSTOMERS_PER_PAGE),
    }
    return render_disclosed(request, template, context, PersonalDataDisclosure.for_page(request))


@permission("intake.view_customer")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(selectors.customer_with_details(), pk=pk)
    prefetch_related_objects(customer.recent_contacts, selectors.contact_tickets())
    return render_disclosed(
        request,
        "intake/customer_detail.html",
        {
            "customer": customer,
            "customer_panels": extensions.customer_panels(customer, request.user),
            # Shown masked, like every number on the page; the forms get it whole.
            "call_in_hand": mask_phone(call_number_for(request.session, customer.pk)),
        },
        PersonalDataDisclosure.for_page(request),
    )


@permission("intake.view_customer")
def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    pd = PersonalDataDisclosure.for_page(request)
    entries = history.customer_timeline(customer, pd)
    return render_disclosed(
        request, "intake/customer_history.html", {"customer": customer, "entries": entries}, pd
    )


def _live_checked(form: CustomerForm) -> CustomerForm:
    for name in CustomerForm.LIVE_CHECKED:
        form.fields[name].widget.attrs.update(
            {
                "hx-post": reverse("intake:customer_field_check", args=[name]),
                "hx-trigger": "change, keyup changed delay:700ms",
                "hx-target": f"#errors-{name}",
                "hx-swap": "innerHTML",
            }
        )
    return form


@permission("intake.add_customer")
@require_http_methods(["GET", "POST"])
def customer_register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                customer = services.customer_register(
                    **form.cleaned_data, registered_by=request.user
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, _("Customer %(name)s registered.") % {"name": customer.name}
                )
                return redirect("intake:customer_detail", pk=customer.pk)
    else:
        form = CustomerForm(initial={"phone": request.GET.get("phone", "")[:40]})
    return render(
        request, "intake/customer_form.html", {"form": _live_checked(form), "customer": None}
    )


@permission("intake.change_customer")
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("account_manager"), pk=pk)
    pd = PersonalDataDisclosure.for_page(request)
    if request.method == "POST":
        form = CustomerForm(request.POST, customer=customer, full_personal_data=pd.full)
        if form.is_valid():
            try:
                services.customer_update(customer, changed_by=request.user, **form.service_fields())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
                return redirect("intake:customer_detail", pk=customer.pk)
    else:
        # Pages show numbers masked to everyone: the form keeps the stored ones
        # unless new ones are typed (a number is revealed on the customer's page).
        initial = CustomerForm.initial_for(customer, full_personal_data=pd.full)
        form = CustomerForm(initial=initial, customer=customer, full_personal_data=pd.full)
    return render_disclosed(
        request,
        "intake/customer_form.html",
        {"form": _live_checked(form), "customer": customer},
        pd,
    )


@any_permission("intake.add_customer", "intake.change_customer")
@require_POST
def customer_field_check(request: HttpRequest, field: str) -> HttpResponse:
    """The errors of one field of the customer form, checked as it is typed (htmx)."""
    if field not in CustomerForm.LIVE_CHECKED:
        raise Http404
    form = CustomerForm(request.POST)
    errors = form.errors.get(field) if request.POST.get(field, "").strip() else None
    return render(request, "intake/_field_errors.html", {"errors": errors})


@permission("intake.add_customerservice")
@require_http_methods(["GET", "POST"])
def customer_service_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_service_add(
                customer=customer, **form.cleaned_data, added_by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Service added."))
            return redirect("intake:customer_detail", pk=customer.pk)
    return render(request, "intake/service_form.html", {"form": form, "customer": customer})


@permission("intake.view_contact")
def contact_list(request: HttpRequest) -> HttpResponse:
    filterset = ContactFilter(request.GET or None, request=request)
    contacts = filterset.qs if filterset.is_bound else selectors.contact_list()
    customer_id = filterset.form.cleaned_data.get("customer") if filterset.is_bound else None
    context = {
        "filterset": filterset,
        "filtered_customer": Customer.objects.filter(pk=customer_id).first()
        if customer_id
        else None,
        **page_context(request, contacts, CONTACTS_PER_PAGE),
    }
    return render_disclosed(
        request, "intake/contact_list.html", context, PersonalDataDisclosure.for_page(request)
    )


@permission("intake.add_contact")
@require_http_methods(["GET", "POST"])
def contact_record(request: HttpRequest) -> HttpResponse:
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    customer = None
    if customer_id:
        if not str(customer_id).isdigit():
            raise Http404
        customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact = services.contact_record(
                    **form.cleaned_data,
                    customer=customer,
                    agent=request.user,
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if _opens_a_ticket(request, contact):
                    messages.success(
                        request,
                        _("Contact recorded. Open its ticket: the form starts from the contact."),
                    )
                    return redirect(f"{reverse('worktickets:ticket_new')}?contact={contact.pk}")
                messages.success(request, _("Contact recorded."))
                if contact.customer_id:
                    return redirect("intake:customer_detail", pk=contact.customer_id)
                return redirect("intake:contact_list")
    else:
        initial = ContactForm.initial_now()
        if customer is not None:
            initial["caller_number"] = call_number_for(request.session, customer.pk)
        form = ContactForm(initial=initial)
    return render(request, "intake/contact_form.html", {"form": form, "customer": customer})


def _opens_a_ticket(request: HttpRequest, contact: Contact) -> bool:
    """A contact recorded as "ticket opened" goes on to the new-ticket form, prefilled."""
    return contact.disposition == Disposition.TICKET_OPENED and request.user.has_perm(
        "worktickets.add_ticket"
    )


# What each reveal control shows: the permission to read the record, the record,
# and from it (full value, masked value, customer id, anonymous contact id).
REVEALABLE = {
    "phone": (
        "intake.view_customer",
        Customer,
        lambda c: (c.phone, c.masked_phone, c.pk, None),
    ),
    "id_number": (
        "intake.view_customer",
        Customer,
        lambda c: (c.id_number, c.masked_id_number, c.pk, None),
    ),
    "service": (
        "intake.view_customer",
        CustomerService,
        lambda s: (s.number, s.masked_number, s.customer_id, None),
    ),
    "caller": (
        "intake.view_contact",
        Contact,
        lambda c: (c.caller_number, c.masked_caller_number, c.customer_id, c.pk),
    ),
}


@permission(FULL_PERSONAL_DATA_PERM)
@require_POST
def reveal(request: HttpRequest, what: str, pk: int) -> HttpResponse:
    """One full number, shown once the reason is given and recorded (htmx)."""
    if what not in REVEALABLE:
        raise Http404
    perm, model, shown = REVEALABLE[what]
    if not request.user.has_perm(perm):
        raise PermissionDenied
    value, masked, customer_id, contact_id = shown(get_object_or_404(model, pk=pk))
    if not value:
        raise Http404
    return reveal_response(
        request, value=value, masked=masked, customer_id=customer_id, contact_id=contact_id
    )


@permission("intake.view_personaldataaccess")
def access_log(request: HttpRequest) -> HttpResponse:
    filterset = PersonalDataAccessFilter(request.GET or None, request=request)
    accesses = filterset.qs if filterset.is_bound else selectors.personal_data_access_list()
    context = {"filterset": filterset, **page_context(request, accesses, ACCESSES_PER_PAGE)}
    return render(request, "intake/access_log.html", context)
