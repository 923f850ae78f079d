"""The key expiry option shared by `create_api_client` and `rotate_api_client_key`."""

import argparse
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.models import ApiClient


def _positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(_("Give a whole number of days, 1 or more."))
    return days


def add_expiry_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expires-in-days",
        type=_positive_days,
        default=None,
        metavar="N",
        help="The key stops working N days from now (default: it does not expire).",
    )


def expiry_in_days(days: int | None) -> datetime.datetime | None:
    return None if days is None else timezone.now() + datetime.timedelta(days=days)


def describe_expiry(client: ApiClient) -> str:
    if client.expires_at is None:
        return _("The key does not expire.")
    return _("The key expires at %(moment)s.") % {"moment": client.expiry_moment}
