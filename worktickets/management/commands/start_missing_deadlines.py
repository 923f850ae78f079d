"""Start the delivery deadlines of open business orders accepted while their business
type had no limit (run once after the delivery limits are loaded, or after an
administrator adds a limit for a type that had none)."""

from django.core.management.base import BaseCommand

from worktickets.services import business_deadlines_start_missing


class Command(BaseCommand):
    help = "Start the delivery deadline of open business orders that have none."

    def handle(self, *args, **options) -> None:
        started = business_deadlines_start_missing()
        self.stdout.write(f"started the delivery deadline of {started} business order(s)")
