"""A customer's change history, readable: who changed what, from what to what.

Read from simple-history's rows for the customer and their services; personal
numbers in old and new values pass through the page's disclosure like any
other shown number.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake.models import Customer, CustomerService
from intake.personal_data import PersonalDataDisclosure

HISTORY_TYPES = {
    "+": pgettext_lazy("history entry", "Created"),
    "~": pgettext_lazy("history entry", "Changed"),
    "-": pgettext_lazy("history entry", "Deleted"),
}
# Automatic timestamps say nothing a reader needs.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "customer"}
# The resident ID number is stored encrypted: a change shows in its blind index, and
# its values are shown through the disclosure (decrypted only for a full view).
ID_NUMBER_INDEX = "id_number_index"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    subject: str
    kind: str
    changes: list[FieldChange] = field(default_factory=list)


def _tracked_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if (f.editable or f.name == ID_NUMBER_INDEX) and f.name not in SKIPPED_FIELDS
    ]


def _display(model_field: models.Field, value, *, customer_id: int, pd, users: dict) -> str:
    if value in (None, ""):
        return ""
    name = model_field.name
    if name in ("phone", "number"):
        return pd.customer_phone(customer_id, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        user = users.get(value)
        return user.display_name if user else str(value)
    return str(value)


def _entries(records: list, model, subject, *, customer_id: int, pd, users: dict) -> list:
    fields = _tracked_fields(model)
    entries = []
    previous_by_object: dict[int, object] = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = []
        for model_field in fields:
            attname = model_field.attname
            new = getattr(record, attname)
            old = getattr(previous, attname) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, ""):
                continue
            if attname == ID_NUMBER_INDEX:
                change = FieldChange(
                    label=str(_("resident ID number")),
                    old=pd.stored_id_number(customer_id, previous) if previous is not None else "",
                    new=pd.stored_id_number(customer_id, record),
                )
            else:
                change = FieldChange(
                    label=str(model_field.verbose_name),
                    old=_display(model_field, old, customer_id=customer_id, pd=pd, users=users),
                    new=_display(model_field, new, customer_id=customer_id, pd=pd, users=users),
                )
            changes.append(change)
        previous_by_object[record.id] = record
        if changes or record.history_type != "~":
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    subject=subject(record),
                    kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                    changes=changes,
                )
            )
    return entries


def customer_timeline(customer: Customer, pd: PersonalDataDisclosure) -> list[HistoryEntry]:
    """Every change to the customer and their services, newest first (three queries)."""
    ordering = ("history_date", "history_id")
    customer_records = list(customer.history.select_related("history_user").order_by(*ordering))
    service_records = list(
        CustomerService.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by(*ordering)
    )
    manager_ids = {r.account_manager_id for r in customer_records if r.account_manager_id}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=manager_ids)}
    service_type_labels = dict(CustomerService._meta.get_field("service_type").flatchoices)

    def customer_subject(record) -> str:
        return str(_("Customer"))

    def service_subject(record) -> str:
        label = service_type_labels.get(record.service_type, record.service_type)
        return f"{label} {pd.customer_phone(customer.pk, record.number)}"

    common = {"customer_id": customer.pk, "pd": pd, "users": users}
    entries = _entries(customer_records, Customer, customer_subject, **common)
    entries += _entries(service_records, CustomerService, service_subject, **common)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
