"""Give an API client a new key; the old key stops working at once."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from staffing.management.expiry import add_expiry_argument, describe_expiry, expiry_in_days
from staffing.models import ApiClient
from staffing.services import api_client_rotate_key


class Command(BaseCommand):
    help = "Replace an API client's key and print the new key once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The API client's name.")
        add_expiry_argument(parser)

    def handle(self, *args, name: str, expires_in_days: int | None, **options) -> None:
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(_("No API client is named %(name)s.") % {"name": name})
        key = api_client_rotate_key(client, expires_at=expiry_in_days(expires_in_days))
        self.stdout.write(describe_expiry(client))
        self.stdout.write(
            _("New key for %(name)s, shown only this once; the old key no longer works:")
            % {"name": client.name}
        )
        self.stdout.write(key)
