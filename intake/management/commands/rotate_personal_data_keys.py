"""Re-encrypt stored resident ID numbers with the newest key (key rotation)."""

from django.core.management.base import BaseCommand

from intake.services import customer_id_numbers_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt resident ID numbers with the first of PERSONAL_DATA_KEYS and re-index "
        "them with PERSONAL_DATA_INDEX_KEY (customers and their history). Older keys may "
        "be removed once it has run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options) -> None:
        rewritten = customer_id_numbers_rotate(batch_size=batch_size)
        for label, count in rewritten.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
