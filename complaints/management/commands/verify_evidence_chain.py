"""Verify a complaint's evidence hash chain and name the first entry that does not match.

    manage.py verify_evidence_chain T20261001-000123

Exits with status 1 when the chain is broken (for scripts and audits).
"""

from django.core.management.base import BaseCommand, CommandError

from complaints.evidence import evidence_verify
from complaints.models import Complaint


class Command(BaseCommand):
    help = "Verify a complaint's evidence chain (file hashes and chain hashes)."

    def add_arguments(self, parser):
        parser.add_argument("number", help="The complaint's number, e.g. T20261001-000123.")

    def handle(self, *args, number: str, **options):
        complaint = (
            Complaint.objects.select_related("ticket")
            .filter(ticket__number=number.strip().upper())
            .first()
        )
        if complaint is None:
            raise CommandError(f"No complaint is numbered {number}.")
        report = evidence_verify(complaint)
        if not report.ok:
            raise CommandError(str(report.message), returncode=1)
        self.stdout.write(self.style.SUCCESS(str(report.message)))
