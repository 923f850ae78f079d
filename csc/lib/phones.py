"""Mainland China phone numbers: validation and normalisation.

A number is stored as its digits only, without the +86 country code, so that
"138 0013 8000", "+86-13800138000" and "13800138000" are one customer.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# 3-digit area codes (010 Beijing, 02x) have 8-digit local numbers;
# 4-digit area codes have 7- or 8-digit ones. Local numbers never start with 0 or 1.
_FIXED_LINE = re.compile(r"^(?:0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7})$", re.ASCII)


class InvalidPhoneNumber(ValueError):
    pass


def normalise_phone(raw: str) -> str:
    """Return the number's canonical digits, or raise InvalidPhoneNumber."""
    # NFKC turns full-width digits and signs (as Chinese input methods type them) into ASCII.
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidPhoneNumber(raw)
    if _MOBILE.match(digits) or _FIXED_LINE.match(digits):
        return digits
    # A fixed-line number given without its leading trunk zero.
    if _FIXED_LINE.match("0" + digits):
        return "0" + digits
    raise InvalidPhoneNumber(raw)


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone))
