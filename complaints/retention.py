"""Complaint records past their retention period, and a cancelled customer's complaints
(DOMAIN.md R-1, R-3; PIPL Art. 47).

R-1: an appeal about a complaint is refused after about 5 months for billing
disputes and 2 years for others, so a complaint and its evidence are kept that
long after it is closed. Then the complaint keeps its category, tier, dates
and SLA outcome for statistics and loses its personal data; its evidence files
are deleted while the entries, with their SHA-256 and chain hashes, stay, so
the chain of every complaint still verifies (evidence.evidence_verify).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_noop

from complaints.choices import Category, EventCode
from complaints.models import Complaint, Evidence, Feedback
from complaints.notices import event_line
from csc.lib.anonymise import MARKER, anonymise_rows, marked
from csc.lib.masking import mask_phone
from csc.lib.phrases import Phrase
from worktickets.models import Ticket
from worktickets.services import record_events, tickets_anonymise

FEEDBACK_TEXTS = (
    "cause",
    "measures",
    "compensation_text",
    "rectification",
    "follow_up",
    "response_note",
)


def complaints_closed_before(cutoff: datetime, *, billing: bool) -> QuerySet[Complaint]:
    """Complaints closed before the cutoff, of billing or of the other categories, none of
    whose upgraded complaints or appeals is open or closed after the cutoff."""
    later_child = Complaint.objects.filter(parent=OuterRef("pk")).filter(
        Q(ticket__closed_at__isnull=True) | Q(ticket__closed_at__gte=cutoff)
    )
    by_category = Q(category=Category.BILLING)
    return (
        Complaint.objects.filter(ticket__status_category="closed", ticket__closed_at__lt=cutoff)
        .filter(by_category if billing else ~by_category)
        .filter(~Exists(later_child))
    )


def complaints_holding_personal_data(cutoff: datetime, *, billing: bool) -> QuerySet[Complaint]:
    return complaints_closed_before(cutoff, billing=billing).exclude(customer_name=MARKER)


def evidence_files_kept(cutoff: datetime, *, billing: bool) -> QuerySet[Evidence]:
    """Stored evidence files of complaints past their period."""
    return Evidence.objects.filter(
        complaint__in=complaints_closed_before(cutoff, billing=billing)
    ).exclude(file="")


@transaction.atomic
def complaints_anonymise(ids: Iterable[int]) -> int:
    """Overwrite the personal data of these complaints, their tickets and their result
    feedback (and the history copies); the records and their statistics stay."""
    ids = list(ids)
    count = anonymise_rows(
        Complaint,
        ids,
        {
            "customer_name": MARKER,
            "contact_phone": "",
            "contact_email": "",
            "contact_address": "",
            "service_number": "",
        },
    )
    tickets_anonymise(ids)
    Feedback.objects.filter(complaint_id__in=ids).update(
        recipient="", **{name: marked(name) for name in FEEDBACK_TEXTS}
    )
    return count


@transaction.atomic
def complaints_pseudonymise(ids: Iterable[int], *, pseudonym: str) -> int:
    """A cancelled customer's complaints still within their period (PIPL Art. 47, R-1):
    the content stays as the law requires; the name becomes the pseudonym, the contact
    details go and the affected number is kept masked, so the case can still be matched."""
    ids = list(ids)
    anonymise_rows(Ticket, ids, {"caller_number": ""})
    count = 0
    for pk, number in Complaint.objects.filter(pk__in=ids).values_list("pk", "service_number"):
        count += anonymise_rows(
            Complaint,
            [pk],
            {
                "customer_name": pseudonym,
                "contact_phone": "",
                "contact_email": "",
                "contact_address": "",
                "service_number": mask_phone(number),
            },
        )
    return count


@transaction.atomic
def evidence_files_purge(ids: Iterable[int]) -> int:
    """Delete these entries' stored files; each entry stays in its chain, marked purged,
    and each complaint's timeline says how many files went and why."""
    entries = list(Evidence.objects.filter(pk__in=list(ids)).exclude(file="").order_by("pk"))
    if not entries:
        return 0
    # The rows first: if deleting a file fails, the transaction rolls them back.
    Evidence.objects.filter(pk__in=[e.pk for e in entries]).purge_files()
    per_complaint: dict[int, int] = {}
    for entry in entries:
        per_complaint[entry.complaint_id] = per_complaint.get(entry.complaint_id, 0) + 1
    lines = []
    for complaint_id, files in per_complaint.items():
        line = event_line(
            Ticket(pk=complaint_id),
            EventCode.EVIDENCE_PURGED,
            None,
            body=Phrase(
                gettext_noop(
                    "%(count)s evidence file(s) deleted at the end of the retention period."
                ),
                count=files,
            ),
            files=files,
        )
        lines.append(line)
    record_events(lines)
    names = [entry.file.name for entry in entries]
    storage = entries[0].file.storage
    transaction.on_commit(lambda: _delete_files(storage, names))
    return len(entries)


def _delete_files(storage, names: list[str]) -> None:
    # After the commit: a rolled-back purge must not lose a file its row still names.
    for name in names:
        storage.delete(name)
