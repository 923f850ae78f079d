"""Every change to customers, their services and contacts (DOMAIN.md §2, DESIGN.md §2).

Each function is one business action in one transaction; the models keep
history (simple-history) and each change names who made it. Bad input raises
Django's ValidationError with a message per field.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from csc.lib import crypto
from csc.lib.anonymise import ERASED, anonymise_rows, marked
from csc.lib.phones import InvalidPhoneNumber, is_mobile, normalise_phone
from csc.lib.resident_id import InvalidResidentId, normalise_resident_id
from intake import extensions
from intake.choices import CustomerType, PaymentType, Region, ServiceStatus, ServiceType, VipTier
from intake.models import (
    PHONE_ERROR,
    RESIDENT_ID_ERRORS,
    Contact,
    Customer,
    CustomerService,
)
from intake.selectors import customers_with_number

# What customer_update may change, in the order forms show them; everything else
# about a customer is derived or automatic.
CUSTOMER_EDITABLE_FIELDS = (
    "name",
    "phone",
    "id_number",
    "customer_type",
    "payment_type",
    "vip_tier",
    "region",
    "city",
    "account_manager",
)


def _normalised_phone(value: str, errors: dict[str, list], field: str = "phone") -> str:
    try:
        return normalise_phone(value)
    except InvalidPhoneNumber:
        errors.setdefault(field, []).append(ValidationError(PHONE_ERROR, code="invalid_phone"))
        return value


def _normalised_resident_id(value: str, errors: dict[str, list]) -> str:
    if not value:
        return ""
    try:
        return normalise_resident_id(value)
    except InvalidResidentId as exc:
        errors.setdefault("id_number", []).append(
            ValidationError(RESIDENT_ID_ERRORS[str(exc)], code="invalid_resident_id")
        )
        return value


def _refuse_duplicate_resident_id(customer: Customer, errors: dict[str, list]) -> None:
    # One person, one customer record: their lines are added as services.
    if not customer.id_number or "id_number" in errors:
        return
    taken = Customer.objects.with_id_number(customer.id_number).exclude(pk=customer.pk)
    if taken.exists():
        errors.setdefault("id_number", []).append(
            ValidationError(
                _("A customer with this resident ID number is already registered."),
                code="duplicate_resident_id",
            )
        )


def _validate(instance, errors: dict[str, list], exclude: set[str] | None = None) -> None:
    """Raise every problem at once: ours (normalisation) and the model's own."""
    try:
        instance.full_clean(exclude=sorted({*(exclude or set()), *errors}))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_register(
    *,
    name: str,
    phone: str,
    id_number: str = "",
    customer_type: str = CustomerType.INDIVIDUAL,
    payment_type: str = PaymentType.PREPAID,
    vip_tier: str = VipTier.NONE,
    region: str = Region.URBAN,
    city: str = "",
    account_manager=None,
    registered_by,
) -> Customer:
    errors: dict[str, list] = {}
    customer = Customer(
        name=(name or "").strip(),
        phone=_normalised_phone(phone or "", errors),
        customer_type=customer_type,
        payment_type=payment_type,
        vip_tier=vip_tier,
        region=region,
        city=(city or "").strip(),
        account_manager=account_manager,
    )
    customer.id_number = _normalised_resident_id((id_number or "").strip(), errors)
    _validate(customer, errors)
    # Asked only once all else is valid: a refused form must not also say, free of
    # charge, whether an ID number is registered (guessing would rebuild masked ones).
    _refuse_duplicate_resident_id(customer, errors)
    if errors:
        raise ValidationError(errors)
    customer._history_user = registered_by
    customer._change_reason = "registered"
    customer.save()
    return customer


@transaction.atomic
def customer_update(customer: Customer, *, changed_by, **fields: Any) -> Customer:
    """Change the given fields; a change that alters nothing leaves no history."""
    unknown = set(fields).difference(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"customer_update cannot change {', '.join(sorted(unknown))}")
    # Lock the row so two agents editing different fields do not undo each other.
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    errors: dict[str, list] = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    if "city" in fields:
        fields["city"] = (fields["city"] or "").strip()
    if "phone" in fields:
        fields["phone"] = _normalised_phone(fields["phone"] or "", errors)
    if "id_number" in fields:
        fields["id_number"] = _normalised_resident_id((fields["id_number"] or "").strip(), errors)
    changed = {name: value for name, value in fields.items() if getattr(current, name) != value}
    for name, value in changed.items():
        setattr(current, name, value)
    _validate(current, errors)
    _refuse_duplicate_resident_id(current, errors)  # last, as in customer_register
    if errors:
        raise ValidationError(errors)
    if changed:
        current._history_user = changed_by
        current._change_reason = "updated: " + ", ".join(sorted(changed))
        current.save()
    # The caller's instance reflects what is stored now.
    customer.refresh_from_db()
    return customer


def _normalised_service_number(service_type: str, number: str, errors: dict[str, list]) -> str:
    number = (number or "").strip()
    if service_type == ServiceType.BROADBAND:
        if not number:
            errors.setdefault("number", []).append(
                ValidationError(_("Enter the broadband account."), code="required")
            )
        return number
    normalised = _normalised_phone(number, errors, field="number")
    if "number" in errors:
        return number
    if service_type == ServiceType.MOBILE and not is_mobile(normalised):
        errors["number"] = [
            ValidationError(
                _("A mobile service needs an 11-digit mobile number."), code="not_mobile"
            )
        ]
    elif service_type == ServiceType.FIXED and is_mobile(normalised):
        errors["number"] = [
            ValidationError(
                _("A fixed-line service needs a fixed-line number with its area code."),
                code="not_fixed_line",
            )
        ]
    return normalised


@transaction.atomic
def customer_service_add(
    *,
    customer: Customer,
    service_type: str,
    number: str,
    plan: str = "",
    status: str = ServiceStatus.ACTIVE,
    activated_on: datetime.date | None = None,
    added_by,
) -> CustomerService:
    errors: dict[str, list] = {}
    service = CustomerService(
        customer=customer,
        service_type=service_type,
        number=_normalised_service_number(service_type, number, errors),
        plan=(plan or "").strip(),
        status=status,
        activated_on=activated_on,
    )
    # Uniqueness is ours below (with a clearer message); the constraint still guards races.
    try:
        service.full_clean(exclude=sorted(errors), validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    # Asked only once all else is valid, as for ID numbers in customer_register.
    if not errors:
        taken = CustomerService.objects.filter(service_type=service_type, number=service.number)
        if taken.exists():
            errors["number"] = [
                ValidationError(
                    _("This number is already registered to a customer."), code="duplicate_number"
                )
            ]
    if errors:
        raise ValidationError(errors)
    service._history_user = added_by
    service._change_reason = "added"
    service.save()
    return service


def _contact_time_errors(queued_at, answered_at, ended_at) -> dict[str, list]:
    errors: dict[str, list] = {}
    if queued_at is None:
        errors["queued_at"] = [ValidationError(_("Give the time the contact came in."))]
        return errors
    if answered_at is not None and answered_at < queued_at:
        errors["answered_at"] = [
            ValidationError(_("A contact cannot be answered before it came in."))
        ]
    if ended_at is not None:
        if ended_at < queued_at:
            errors["ended_at"] = [ValidationError(_("A contact cannot end before it came in."))]
        elif answered_at is not None and ended_at < answered_at:
            errors["ended_at"] = [
                ValidationError(_("A contact cannot end before it was answered."))
            ]
    return errors


@transaction.atomic
def contact_record(
    *,
    channel: str,
    customer: Customer | None = None,
    caller_number: str = "",
    queued_at: datetime.datetime,
    answered_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
    agent=None,
    summary: str = "",
    disposition: str = "",
    external_id: str = "",
    recording_url: str = "",
    recording_seconds: int | None = None,
    transcript: str = "",
    recorded_by=None,
) -> Contact:
    """Record one call, chat, visit or message.

    An unknown customer is found by the caller's number when it belongs to
    exactly one customer. A channel that pushes the same contact again (same
    channel and external ID) gets the contact it recorded the first time.
    """
    external_id = (external_id or "").strip()
    if external_id:
        existing = Contact.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return existing
    errors = _contact_time_errors(queued_at, answered_at, ended_at)
    caller_number = (caller_number or "").strip()
    if caller_number:
        caller_number = _normalised_phone(caller_number, errors, field="caller_number")
    if customer is None and caller_number and "caller_number" not in errors:
        matches = list(customers_with_number(caller_number)[:2])
        # A number shared by two customers says nothing about which one is calling.
        if len(matches) == 1:
            customer = matches[0]
    contact = Contact(
        channel=channel,
        customer=customer,
        caller_number=caller_number,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        agent=agent,
        summary=(summary or "").strip(),
        disposition=disposition or "",
        external_id=external_id,
        recording_url=(recording_url or "").strip(),
        recording_seconds=recording_seconds,
        transcript=(transcript or "").strip(),
    )
    try:
        contact.full_clean(exclude=sorted(errors), validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    contact._history_user = recorded_by or agent
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Two pushes of the same contact raced; the other one stored it first.
        if not external_id:
            raise
        return Contact.objects.get(channel=channel, external_id=external_id)
    extensions.contact_recorded(contact)
    return contact


@transaction.atomic
def contact_recording_attach(
    contact: Contact,
    *,
    recording_url: str | None = None,
    recording_seconds: int | None = None,
    transcript: str | None = None,
    by=None,
) -> Contact:
    """The CTI or chat posts the recording's URL, its length and a transcript after the
    contact (issue 17 item 1); fields left out keep their value."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if recording_url is not None:
        contact.recording_url = recording_url.strip()
    if recording_seconds is not None:
        contact.recording_seconds = recording_seconds
    if transcript is not None:
        contact.transcript = transcript.strip()
    try:
        contact.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(
            {f: m for f, m in exc.message_dict.items() if f in RECORDING_FIELDS} or exc.message_dict
        ) from None
    contact._history_user = by
    contact.save()
    return contact


RECORDING_FIELDS = ("recording_url", "recording_seconds", "transcript")


def _rotate_batch(model, pk_name: str, after: int, batch_size: int) -> tuple[int | None, int]:
    """Re-encrypt and re-index one batch of rows past `after`; (last key seen, rows rewritten)."""
    with transaction.atomic():
        # Locked, so a concurrent edit of the same customer cannot be overwritten.
        rows = list(
            model.objects.select_for_update()
            .filter(**{f"{pk_name}__gt": after})
            .exclude(id_number_encrypted="")
            .order_by(pk_name)
            .only(pk_name, "id_number_encrypted", "id_number_index")[:batch_size]
        )
        if not rows:
            return None, 0
        rewritten = []
        for row in rows:
            plain = crypto.decrypt(row.id_number_encrypted)
            index = crypto.blind_index(plain)
            if crypto.encrypted_with_newest_key(row.id_number_encrypted) and (
                row.id_number_index == index
            ):
                continue
            row.id_number_encrypted = crypto.encrypt(plain)
            row.id_number_index = index
            rewritten.append(row)
        model.objects.bulk_update(rewritten, ["id_number_encrypted", "id_number_index"])
    return getattr(rows[-1], pk_name), len(rewritten)


def customer_id_numbers_rotate(*, batch_size: int = 1000) -> dict[str, int]:
    """Re-encrypt with the newest key every resident ID number an older key wrote, and
    recompute blind indexes under the current index key, in customers and their history.

    Run after putting a new key first in PERSONAL_DATA_KEYS (or changing
    PERSONAL_DATA_INDEX_KEY); an old key may be dropped once this has run. One
    transaction per batch, so a large table is never locked whole. The values do not
    change, so no history is written.
    """
    rewritten = {}
    after: int | None
    for label, model, pk_name in (
        ("customers", Customer, "id"),
        ("history rows", Customer.history.model, "history_id"),
    ):
        rewritten[label], after = 0, 0
        while after is not None:
            after, count = _rotate_batch(model, pk_name, after, batch_size)
            rewritten[label] += count
    return rewritten


# --- retention and erasure (DOMAIN.md R-3; PIPL Art. 19, 47) ------------------------


@transaction.atomic
def contacts_anonymise(ids: Iterable[int], *, keep_customer: bool = False) -> int:
    """Blank these contacts' caller number and channel ID, mark their summary and,
    unless kept, unlink the customer; times, channel and disposition stay for statistics."""
    values: dict[str, Any] = {
        "caller_number": "",
        "external_id": "",
        "summary": marked("summary"),
        # A recording and its transcript carry the caller's voice and words.
        "recording_url": "",
        "transcript": marked("transcript"),
    }
    if not keep_customer:
        values["customer"] = None
    return anonymise_rows(Contact, ids, values)


@transaction.atomic
def customer_anonymise(customer: Customer) -> Customer:
    """Replace a cancelled customer's identity by a pseudonym (PIPL Art. 47).

    The row stays, so the records the law keeps (complaints within R-1's period)
    still point at one customer; the name becomes a pseudonym, the numbers are
    blanked through the model (so a protected ID field stays consistent), and
    the history copies are overwritten too.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    pseudonym = customer_pseudonym(customer.pk)
    customer.name = pseudonym
    customer.phone = ""
    customer.id_number = ""
    customer.city = ""
    customer.account_manager = None
    customer.save()
    # Earlier versions in the history hold the old identity: overwrite them too.
    Customer.history.filter(id=customer.pk).update(
        name=pseudonym,
        phone="",
        id_number_encrypted="",
        id_number_index="",
        id_number_masked="",
        city="",
        account_manager=None,
    )
    services = list(customer.services.all())
    for service in services:
        service.number = f"{ERASED} #{service.pk}"
        service.status = ServiceStatus.CLOSED
    # The erasure is a change of each service too: its history records it.
    bulk_update_with_history(
        services, CustomerService, ["number", "status"], default_change_reason="erased"
    )
    for service in services:
        CustomerService.history.filter(id=service.pk).update(number=service.number)
    return customer


def customer_pseudonym(customer_id: int) -> str:
    return f"{ERASED} #{customer_id}"
