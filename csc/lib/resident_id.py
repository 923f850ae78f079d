"""18-digit resident identity card numbers (GB 11643-1999)."""

import datetime
import re
import unicodedata

_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"


class InvalidResidentId(ValueError):
    pass


def check_code(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


def normalise_resident_id(raw: str) -> str:
    """Return the upper-cased number, or raise InvalidResidentId with the reason."""
    # NFKC turns full-width digits and letters (as Chinese input methods type them) into ASCII.
    number = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").upper()
    if not _SHAPE.match(number):
        raise InvalidResidentId("shape")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId("birth_date") from None
    if birth.year < 1900 or birth > datetime.date.today():
        raise InvalidResidentId("birth_date")
    if check_code(number[:17]) != number[17]:
        raise InvalidResidentId("checksum")
    return number
