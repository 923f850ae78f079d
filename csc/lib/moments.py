"""Moments that come from outside (API input and filters).

Python takes any year from 1 to 9999 and any UTC offset under 24 hours;
PostgreSQL refuses offsets beyond ±15:59 and Asia/Shanghai renders years
before 1901 with a seconds offset (+08:05:43) that is not RFC 3339. A moment
outside the years 1901–9998 or with an offset no place uses (beyond −12:00
and +14:00) is bad input, refused like any malformed date.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

EARLIEST_YEAR = 1901
LATEST_YEAR = 9998
WIDEST_OFFSETS = (datetime.timedelta(hours=-12), datetime.timedelta(hours=14))


def validate_moment(value: datetime.datetime | None) -> None:
    """Raise ValidationError for a moment the database or the API cannot carry."""
    if value is None:
        return
    offset = value.utcoffset()
    in_years = EARLIEST_YEAR <= value.year <= LATEST_YEAR
    if not in_years or (
        offset is not None and not WIDEST_OFFSETS[0] <= offset <= WIDEST_OFFSETS[1]
    ):
        # Django's own "Enter a valid date/time." (already translated).
        raise ValidationError(forms.DateTimeField.default_error_messages["invalid"], code="invalid")
