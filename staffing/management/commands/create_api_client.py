"""Create an integration's API client and print its key, once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from staffing.api_auth import ALL_SCOPES
from staffing.management.expiry import add_expiry_argument, describe_expiry, expiry_in_days
from staffing.services import api_client_create


class Command(BaseCommand):
    help = (
        "Create an API client with its service user and print its key once. "
        f"Scopes: {', '.join(ALL_SCOPES)}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The integration's name, e.g. cti or billing.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=[],
            metavar="RESOURCE:ACCESS",
            help="A scope such as customers:read; repeat for several.",
        )
        parser.add_argument(
            "--rate", default="", help="Rate limit, e.g. 600/min (default: site-wide)."
        )
        add_expiry_argument(parser)

    def handle(
        self,
        *args,
        name: str,
        scopes: list[str],
        rate: str,
        expires_in_days: int | None,
        **options,
    ) -> None:
        if not scopes:
            raise CommandError(
                _("Give at least one --scope. Known scopes: %(known)s.")
                % {"known": ", ".join(ALL_SCOPES)}
            )
        try:
            client, key = api_client_create(
                name, scopes, rate=rate, expires_at=expiry_in_days(expires_in_days)
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Created API client %(name)s (service user %(user)s) with scopes %(scopes)s.")
            % {
                "name": client.name,
                "user": client.service_user.username,
                "scopes": ", ".join(client.scopes),
            }
        )
        self.stdout.write(describe_expiry(client))
        self.stdout.write(
            _("Its key, shown only this once; send it as 'Authorization: Token <key>':")
        )
        self.stdout.write(key)
