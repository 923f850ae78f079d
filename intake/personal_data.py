"""Showing personal data: masked by default, in full only with permission, and audited.

DOMAIN.md R-2: phone numbers are shown as 138****1234 and resident ID numbers
as 110105********1234 unless the user holds `intake.view_full_personal_data`;
every full view is recorded (who, when, which customer, through which page or
API endpoint).

Pages show every number masked, to everyone. A holder of the permission
reveals one number at a time: the control next to it asks for a reason, and
the reveal writes one access row with that reason (`personal_data_reveal`).
Lists and queues therefore record nothing unless someone reveals a number.

The API, an administrator's change form and a complaint's archive export show
the numbers in full to holders: they make one `PersonalDataDisclosure` for
the request, pass every number they show through it, and call `record()` once
the response is built: one bulk insert covering every customer (or anonymous
contact) that was shown in full.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from csc.lib.crypto import decrypt
from csc.lib.errors import NotAllowed
from csc.lib.log_scrub import scrub
from csc.lib.masking import mask_phone
from intake.choices import AccessAction, AccessVia
from intake.models import Contact, Customer, CustomerService, PersonalDataAccess

FULL_PERSONAL_DATA_PERM = "intake.view_full_personal_data"
PATH_LENGTH = PersonalDataAccess._meta.get_field("path").max_length
REASON_LENGTH = PersonalDataAccess._meta.get_field("reason").max_length


def recorded_path(path: str) -> str:
    """The path as the access log keeps it: never a query string (it may carry the
    number searched for), and any number in the path itself masked."""
    return scrub(path.split("?", 1)[0])[:PATH_LENGTH]


def sees_full_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_PERSONAL_DATA_PERM))


class PersonalDataDisclosure:
    """Decides how one user sees personal data in one response, and remembers whose
    data was shown in full so it can be recorded."""

    def __init__(self, user, *, via: str, path: str, full: bool = True):
        self.user = user
        self.via = via
        self.path = recorded_path(path)
        # Whether this user may see numbers in full at all (then pages offer a reveal).
        self.may_reveal = sees_full_personal_data(user)
        self.full = full and self.may_reveal
        self._customer_ids: set[int] = set()
        self._contact_ids: set[int] = set()

    @classmethod
    def for_page(cls, request: HttpRequest) -> "PersonalDataDisclosure":
        """Masked for everyone; holders get a reveal control next to each number."""
        return cls(request.user, via=AccessVia.PAGE, path=request.path, full=False)

    @classmethod
    def for_single_record(cls, request: HttpRequest) -> "PersonalDataDisclosure":
        """One record opened whole on purpose (the admin's change form, a complaint's
        archive export): in full for holders, each such view recorded."""
        return cls(request.user, via=AccessVia.PAGE, path=request.path)

    @classmethod
    def for_api(cls, request) -> "PersonalDataDisclosure":
        return cls(request.user, via=AccessVia.API, path=request.path)

    def _reveal(self, value: str, mask, *, customer_id: int | None, contact_id: int | None) -> str:
        if not value:
            return ""
        if not self.full:
            return mask(value)
        if customer_id is not None:
            self._customer_ids.add(customer_id)
        elif contact_id is not None:
            self._contact_ids.add(contact_id)
        return value

    def customer_phone(self, customer_id: int, phone: str) -> str:
        return self._reveal(phone, mask_phone, customer_id=customer_id, contact_id=None)

    def phone(self, customer: Customer) -> str:
        return self.customer_phone(customer.pk, customer.phone)

    def id_number(self, customer: Customer) -> str:
        return self.stored_id_number(customer.pk, customer)

    def stored_id_number(self, customer_id: int, row) -> str:
        """The ID number of a customer or of one of its history rows: its stored masked
        form, or decrypted (and recorded) for a user who may see it in full."""
        if not row.id_number_masked:
            return ""
        if not self.full:
            return row.id_number_masked
        self._customer_ids.add(customer_id)
        return decrypt(row.id_number_encrypted)

    def service_number(self, service: CustomerService) -> str:
        return self.customer_phone(service.customer_id, service.number)

    def caller_number(self, contact: Contact) -> str:
        return self._reveal(
            contact.caller_number,
            mask_phone,
            customer_id=contact.customer_id,
            contact_id=contact.pk,
        )

    @property
    def shown_in_full(self) -> bool:
        return bool(self._customer_ids or self._contact_ids)

    def record(self) -> int:
        """Write one access row per customer or anonymous contact shown in full."""
        if not self.shown_in_full:
            return 0
        rows = [
            PersonalDataAccess(user=self.user, customer_id=pk, via=self.via, path=self.path)
            for pk in sorted(self._customer_ids)
        ] + [
            PersonalDataAccess(user=self.user, contact_id=pk, via=self.via, path=self.path)
            for pk in sorted(self._contact_ids)
        ]
        PersonalDataAccess.objects.bulk_create(rows)
        self._customer_ids.clear()
        self._contact_ids.clear()
        return len(rows)


def render_disclosed(
    request: HttpRequest,
    template: str,
    context: dict,
    pd: "PersonalDataDisclosure | None" = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render with the request's disclosure `pd`, then record what it showed in full."""
    pd = pd or PersonalDataDisclosure.for_page(request)
    response = render(request, template, {**context, "pd": pd}, status=status)
    pd.record()
    return response


# --- reveal on demand ------------------------------------------------------------------


@transaction.atomic
def personal_data_reveal(
    user,
    *,
    reason: str,
    path: str,
    customer_id: int | None = None,
    contact_id: int | None = None,
) -> PersonalDataAccess:
    """Record that `user` revealed one full number of a customer (or an anonymous
    contact) on a page, and why: one access row (DOMAIN.md R-2)."""
    if not sees_full_personal_data(user):
        raise NotAllowed(_("You may not see full phone or ID numbers."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reveal_reason": _("Say why you need the full number.")})
    return PersonalDataAccess.objects.create(
        user=user,
        customer_id=customer_id,
        contact_id=None if customer_id is not None else contact_id,
        via=AccessVia.PAGE,
        path=recorded_path(path),
        action=AccessAction.REVEAL,
        reason=reason[:REASON_LENGTH],
    )


def reveal_control(pd: PersonalDataDisclosure, masked: str, url: str, *, error: str = "") -> str:
    """A masked number as a page shows it: with the control that reveals it in full
    (asking for a reason) when this user may, else as it is."""
    if not masked or pd.full or not pd.may_reveal:
        return masked
    # The reason's input belongs to no form (form= names none): a control inside
    # a page's form (the new-ticket form) neither sends nor is sent with that form.
    return format_html(
        '<span class="pd-reveal"><span class="pd-masked">{masked}</span> '
        '<details class="pd-reveal-control"{opened}><summary>{summary}</summary>'
        '<label>{label}<span class="required-marker" aria-hidden="true">*</span>'
        '<span class="visually-hidden">{required}</span> '
        '<input type="text" name="reveal_reason" form="pd-reveal-none" '
        'maxlength="{length}" required autocomplete="off"></label> '
        '<button type="button" class="secondary" hx-post="{url}" hx-params="reveal_reason" '
        'hx-include="closest .pd-reveal-control" hx-target="closest .pd-reveal" '
        'hx-swap="outerHTML">{button}</button>{error}</details></span>',
        masked=masked,
        opened=" open" if error else "",
        summary=_("Reveal"),
        label=_("Reason"),
        required=_("(required)"),
        length=REASON_LENGTH,
        url=url,
        button=_("Show the full number"),
        error=format_html('<span class="field-error" role="alert">{}</span>', error)
        if error
        else "",
    )


def reveal_response(
    request: HttpRequest,
    *,
    value: str,
    masked: str,
    customer_id: int | None = None,
    contact_id: int | None = None,
) -> HttpResponse:
    """Answer a reveal control (htmx): the full value once the reason is recorded,
    or the control again with the reason's error (400)."""
    try:
        personal_data_reveal(
            request.user,
            reason=request.POST.get("reveal_reason", ""),
            path=request.path,
            customer_id=customer_id,
            contact_id=contact_id,
        )
    except ValidationError as error:
        pd = PersonalDataDisclosure.for_page(request)
        message = " ".join(error.messages)
        return HttpResponse(reveal_control(pd, masked, request.path, error=message), status=400)
    return HttpResponse(
        format_html('<span class="pd-reveal pd-revealed">{value}</span>', value=value)
    )
