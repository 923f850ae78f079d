"""Every change to a history-tracked field is recorded (DESIGN.md §2.1): the
suite refuses `QuerySet.update()` of such a field from application code (and
so `bulk_update()`, which runs it).

`save()` writes the history row through simple-history's receiver, and
`simple_history.utils.bulk_update_with_history` writes it for a batch; a plain
`update()` writes none. Fields a model leaves out of its history
(`excluded_fields`, e.g. `Ticket.sla_due_at`) may be updated freely.
"""

import sys
from pathlib import Path

from django.db.models import Model, QuerySet

ROOT = str(Path(__file__).resolve().parents[1]) + "/"
# Rewrites of how a value is stored, made to the rows and their history copies
# alike, are no change to record: anonymisation (retention, erasure), whose
# personal data leaves the audit tables too, and the re-encryption of ID
# numbers under a new key.
ALLOWED = {
    ("csc/lib/anonymise.py", "anonymise_rows"),
    ("intake/services.py", "_rotate_batch"),
}


def tracked_fields(model: type[Model]) -> set[str]:
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    if name is None:
        return set()
    history_model = getattr(model, name).model
    return {
        attribute
        for field in history_model.tracked_fields
        for attribute in (field.name, field.attname)
    }


def unrecorded_update(queryset: QuerySet, fields) -> str | None:
    """Where application code updates tracked fields without a history row
    ("path:line: Model.update(fields)"), else None."""
    changed = sorted(tracked_fields(queryset.model) & set(fields))
    if not changed:
        return None
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if "/simple_history/" in filename:
            return None  # bulk_update_with_history: the history rows are written
        if filename.startswith(ROOT) and "/site-packages/" not in filename:
            path = filename.removeprefix(ROOT)
            if path.startswith("tests/") or (path, frame.f_code.co_name) in ALLOWED:
                return None
            return (
                f"{path}:{frame.f_lineno}: {queryset.model.__name__} update({', '.join(changed)})"
            )
        frame = frame.f_back
    return None
