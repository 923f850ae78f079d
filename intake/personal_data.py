"""Showing personal data: masked by default, in full only with permission, and audited.

DOMAIN.md R-2: phone numbers are shown as 138****1234 and resident ID numbers
as 110105********1234 unless the user holds `intake.view_full_personal_data`;
every full view is recorded (who, when, which customer, through which page or
API endpoint).

A page or API response makes one `PersonalDataDisclosure` for the request,
passes every phone, ID, service or caller number it shows through it, and
calls `record()` once the response is built: one bulk insert covering every
customer (or anonymous contact) that was shown in full.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from csc.lib.crypto import decrypt
from csc.lib.masking import mask_id_number, mask_phone
from intake.choices import AccessVia
from intake.models import Contact, Customer, CustomerService, PersonalDataAccess

FULL_PERSONAL_DATA_PERM = "intake.view_full_personal_data"
PATH_LENGTH = PersonalDataAccess._meta.get_field("path").max_length


def sees_full_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_PERSONAL_DATA_PERM))


class PersonalDataDisclosure:
    """Decides how one user sees personal data in one response, and remembers whose
    data was shown in full so it can be recorded."""

    def __init__(self, user, *, via: str, path: str):
        self.user = user
        self.via = via
        # The path only, never the query string: it may carry the number searched for.
        self.path = path[:PATH_LENGTH]
        self.full = sees_full_personal_data(user)
        self._customer_ids: set[int] = set()
        self._contact_ids: set[int] = set()

    @classmethod
    def for_page(cls, request: HttpRequest) -> "PersonalDataDisclosure":
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

    def customer_id_number(self, customer_id: int, id_number: str) -> str:
        return self._reveal(id_number, mask_id_number, customer_id=customer_id, contact_id=None)

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
