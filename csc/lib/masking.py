"""Masking of personal data for display (DOMAIN.md R-2, IS-1).

Phone numbers keep the first three and last four digits (138****1234);
resident ID numbers keep the region code and the last four characters
(110105********1234), hiding the birth date and sequence.
"""

MASK = "*"


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 7:
        # Too short to keep both ends; show only the last two.
        return MASK * max(len(phone) - 2, 0) + phone[-2:]
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return MASK * (len(id_number) - 4) + id_number[-4:]
    return id_number[:6] + MASK * (len(id_number) - 10) + id_number[-4:]
