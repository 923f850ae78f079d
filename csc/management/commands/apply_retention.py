"""Apply the retention policies now, or with --dry-run count what they would touch."""

from django.core.management.base import BaseCommand, CommandError

from csc.choices import RecordType
from csc.retention import BATCH_SIZE, retention_apply


class Command(BaseCommand):
    help = "Anonymise or delete records past their retention period (DOMAIN.md R-3)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, dry_run: bool = False, batch_size: int = BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        run = retention_apply(dry_run=dry_run, trigger="command", batch_size=batch_size)
        verb = "would be" if dry_run else "were"
        for record_type, line in run.results.items():
            label = RecordType(record_type).label if record_type in RecordType.values else ""
            text = (
                f"{record_type:18} {line['count']:>8} {verb} {line['action']}d "
                f"(kept {line['keep_days']} days, before {line['cutoff'][:10]}) {label}"
            )
            if "error" in line:
                text += f" ERROR: {line['error']}"
            self.stdout.write(text)
        self.stdout.write(f"Run {run.pk}: {run.status}.")
        if run.status == "failed":
            raise CommandError("Some record types failed; see the run in the admin.")
