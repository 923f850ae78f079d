"""Evidence, one case one file (一事一档, DOMAIN.md C-28): append-only and hash-chained.

Each upload stores the file's SHA-256 and a chain hash over the entry's
fields and the previous entry's chain hash; the complaint keeps the chain's
head. Entries are never changed or deleted: a corrected file supersedes the
old entry with a new one. `evidence_verify` walks the chain and names the
first entry whose row, link or file does not match.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.choices import EventCode, EvidenceKind
from complaints.filetypes import Family, Verdict, check_file, extensions_of, read_head
from complaints.models import GENESIS_HASH, Complaint, ComplaintSettings, Evidence
from complaints.notices import LEADERSHIP_PERM, complaint_link, event, tell
from csc.lib.errors import DomainError, IllegalTransition
from csc.lib.phrases import Phrase
from staffing.models import User
from staffing.selectors import holders_of
from worktickets.choices import TicketStatus

CHUNK = 1024 * 1024

# What each kind of evidence may be (DOMAIN.md C-28, IS-10): a call recording is audio,
# a screenshot an image; the name's extension must say so and the content must agree.
ACCEPTED_FAMILIES: dict[str, frozenset[Family]] = {
    EvidenceKind.CALL_RECORDING: frozenset({Family.AUDIO}),
    EvidenceKind.CHAT_LOG: frozenset({Family.TEXT, Family.PDF, Family.IMAGE}),
    EvidenceKind.SCREENSHOT: frozenset({Family.IMAGE}),
    EvidenceKind.SERVICE_VOUCHER: frozenset({Family.IMAGE, Family.PDF}),
    EvidenceKind.AUDIO_VIDEO: frozenset({Family.AUDIO, Family.VIDEO}),
    EvidenceKind.DOCUMENT: frozenset({Family.PDF, Family.TEXT, Family.IMAGE}),
}


def _refuse(message: str, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, details={field_name: [message]})


def evidence_max_bytes() -> int:
    """The configured limit on one evidence file (uploads stop streaming past it)."""
    return ComplaintSettings.current().evidence_max_megabytes * 1024 * 1024


def evidence_too_large() -> DomainError:
    return _refuse(
        _("The file is larger than %(mb)s MB.")
        % {"mb": ComplaintSettings.current().evidence_max_megabytes},
        "file",
        "too_large",
    )


def accepted_extensions(kind: str) -> list[str]:
    return extensions_of(ACCEPTED_FAMILIES.get(kind, frozenset()))


def evidence_file_type(kind: str, file: UploadedFile) -> str:
    """The MIME type of an evidence file, checked against what its kind accepts;
    refused when the name's type is not accepted or the content is not that type."""
    name = file.name or ""
    check = check_file(name, read_head(file), ACCEPTED_FAMILIES[kind])
    if check.verdict == Verdict.TYPE_NOT_ALLOWED:
        raise _refuse(
            _("%(name)s is not accepted as “%(kind)s”. Accepted file types: %(extensions)s.")
            % {
                "kind": EvidenceKind(kind).label,
                "name": name,
                "extensions": ", ".join(f".{ext}" for ext in accepted_extensions(kind)),
            },
            "file",
            "file_type",
        )
    if check.verdict == Verdict.CONTENT_MISMATCH:
        raise _refuse(
            _("The content of %(name)s is not a %(type)s file, whatever its name says.")
            % {"name": name, "type": check.file_type.label},
            "file",
            "file_content",
        )
    return check.file_type.mime


def file_sha256(fileobj) -> str:
    digest = hashlib.sha256()
    if hasattr(fileobj, "chunks"):
        for chunk in fileobj.chunks(CHUNK):
            digest.update(chunk)
    else:
        for chunk in iter(lambda: fileobj.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def evidence_add(
    complaint: Complaint,
    *,
    by: User,
    file: UploadedFile,
    kind: str,
    title: str = "",
    note: str = "",
    supersedes: Evidence | None = None,
) -> Evidence:
    """Append one piece of evidence to the complaint's file and chain."""
    if kind not in EvidenceKind.values:
        raise _refuse(_("Choose what kind of evidence this is."), "kind")
    if file is None or not getattr(file, "name", ""):
        raise _refuse(_("Choose the file to upload."), "file", "required")
    if file.size > evidence_max_bytes():
        raise evidence_too_large()
    if file.size == 0:
        raise _refuse(_("The file is empty."), "file", "empty")
    content_type = evidence_file_type(kind, file)
    # The complaint row's lock orders concurrent uploads, so the chain never forks.
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .get(pk=complaint.pk)
    )
    if complaint.ticket.status == TicketStatus.CLOSED:
        raise IllegalTransition(
            _("The complaint is closed and archived; reopen it to add evidence.")
        )
    if supersedes is not None:
        if supersedes.complaint_id != complaint.pk:
            raise _refuse(_("That entry belongs to another complaint."), "supersedes")
        if Evidence.objects.filter(supersedes=supersedes).exists():
            raise _refuse(_("That entry has already been superseded."), "supersedes")
    last = complaint.evidence.order_by("-seq").values_list("seq", flat=True).first() or 0
    name = getattr(file, "name", "") or "evidence"
    entry = Evidence(
        complaint=complaint,
        seq=last + 1,
        kind=kind,
        title=(title or "").strip()[:200] or name[:200],
        original_name=name[:255],
        size=file.size,
        content_type=content_type,
        sha256=file_sha256(file),
        prev_hash=complaint.evidence_head,
        supersedes=supersedes,
        note=(note or "").strip(),
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    entry.chain_hash = entry.compute_chain_hash(complaint.ticket.number)
    file.seek(0)
    entry.file.save(name, file, save=False)
    entry.save()
    Complaint.objects.filter(pk=complaint.pk).update(evidence_head=entry.chain_hash)
    event(
        complaint.ticket,
        EventCode.EVIDENCE,
        by,
        body=f"#{entry.seq} {entry.title}",
        evidence=entry.pk,
        seq=entry.seq,
        sha256=entry.sha256,
        chain_hash=entry.chain_hash,
        supersedes=supersedes.seq if supersedes else None,
    )
    return entry


@dataclass(frozen=True)
class ChainReport:
    complaint_number: str
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""
    # record_changed, link_broken, file_changed, file_missing or entry_missing
    problem_code: str = ""
    # Entries whose file was deleted at the end of the retention period.
    purged: int = 0

    @property
    def message(self) -> str:
        if self.ok and self.purged:
            return _(
                "The evidence chain of %(number)s is intact (%(count)s entries; the files of "
                "%(purged)s were deleted at the end of the retention period)."
            ) % {"number": self.complaint_number, "count": self.entries, "purged": self.purged}
        if self.ok:
            return _("The evidence chain of %(number)s is intact (%(count)s entries).") % {
                "number": self.complaint_number,
                "count": self.entries,
            }
        return _("Entry #%(seq)s of %(number)s does not match: %(problem)s") % {
            "seq": self.first_bad_seq,
            "number": self.complaint_number,
            "problem": self.problem,
        }


def _file_problem(entry: Evidence) -> tuple[str, str]:
    if not entry.file:
        # Deleted at the end of the retention period: the row and hashes still vouch for it.
        return "", ""
    try:
        with entry.file.open("rb") as handle:
            actual = file_sha256(handle)
    except (FileNotFoundError, OSError, ValueError):
        return "file_missing", _("the file is missing")
    if actual != entry.sha256:
        return "file_changed", _("the file has changed since it was uploaded")
    return "", ""


def evidence_verify(complaint: Complaint) -> ChainReport:
    """Walk the chain in order; report the first entry whose row, link or file breaks it."""
    number = complaint.ticket.number
    head = Complaint.objects.values_list("evidence_head", flat=True).get(pk=complaint.pk)
    entries = list(Evidence.objects.filter(complaint=complaint).order_by("seq"))
    previous = GENESIS_HASH
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            code, problem = (
                "entry_missing",
                _("entry #%(seq)s before it is missing") % {"seq": expected_seq},
            )
        elif entry.prev_hash != previous:
            code, problem = "link_broken", _("its link to the previous entry is broken")
        elif entry.compute_chain_hash(number) != entry.chain_hash:
            code, problem = "record_changed", _("its record has been changed")
        else:
            code, problem = _file_problem(entry)
        if code:
            return ChainReport(number, len(entries), False, entry.seq, entry.pk, str(problem), code)
        previous = entry.chain_hash
    if previous != head:
        return ChainReport(
            number,
            len(entries),
            False,
            len(entries) + 1,
            None,
            str(_("the chain ends before its recorded head; later entries are missing")),
            "entry_missing",
        )
    purged = sum(1 for entry in entries if not entry.file)
    return ChainReport(number, len(entries), True, purged=purged)


def evidence_audit() -> list[ChainReport]:
    """Verify every complaint's chain; tell the leadership group about each broken one
    once (a nightly task, so tampering is found without anyone asking)."""
    broken = []
    with_evidence = (
        Complaint.objects.filter(evidence__isnull=False)
        .distinct()
        .select_related("ticket")
        .order_by("pk")
    )
    recipients = None
    for complaint in with_evidence.iterator(chunk_size=200):
        report = evidence_verify(complaint)
        if report.ok:
            continue
        broken.append(report)
        if recipients is None:
            recipients = list(holders_of(LEADERSHIP_PERM))
        tell(
            recipients,
            kind="complaint.evidence_broken",
            title=Phrase(
                gettext_noop("Entry #%(seq)s of %(number)s does not match: %(problem)s"),
                seq=report.first_bad_seq,
                number=report.complaint_number,
                problem=report.problem,
            ),
            link=complaint_link(complaint.pk),
            key=f"evidence-broken:{complaint.pk}:{report.first_bad_seq}:{report.problem_code}",
        )
    return broken
