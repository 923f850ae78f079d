"""Time limits as people type them: "2 days", "36 hours", "1 day 12 hours", "10 min",
"2天", "36小时", "10分钟"; and back, in the largest whole unit.

A day here is 24 hours: the limits these describe run on a 24×7 calendar.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTES_PER_UNIT = {"day": 24 * 60, "hour": 60, "minute": 1}

_UNIT_WORDS = {
    "day": ("d", "day", "days", "天", "日"),
    "hour": ("h", "hr", "hrs", "hour", "hours", "小时", "个小时", "时"),
    "minute": ("m", "min", "mins", "minute", "minutes", "分钟", "分"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
# Longest words first, so "hours" is not read as "h" + "ours".
_WORDS = "|".join(sorted((re.escape(w) for w in _UNIT_OF), key=len, reverse=True))
_PART = re.compile(rf"(\d+(?:[.,]\d+)?)\s*({_WORDS})(?![a-z])", re.IGNORECASE)
_JOINERS = re.compile(r"[\s,，、]+|\band\b|又|零", re.IGNORECASE)


class DurationTextError(ValueError):
    """The text is not a time limit; `str()` is a message for the person who typed it."""


def parse_duration_text(text: str) -> int:
    """Whole minutes in `text`; raises DurationTextError with the reason."""
    text = (text or "").strip()
    if not text:
        raise DurationTextError(_("Give the time limit, e.g. “2 days” or “36 hours”."))
    total = Decimal(0)
    position = 0
    for match in _PART.finditer(text):
        if _JOINERS.sub("", text[position : match.start()]):
            break
        try:
            amount = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            break
        total += amount * MINUTES_PER_UNIT[_UNIT_OF[match.group(2).lower()]]
        position = match.end()
    if position == 0 or _JOINERS.sub("", text[position:]):
        raise DurationTextError(
            _("Write the limit as a number and a unit, e.g. “2 days”, “36 hours” or “10 minutes”.")
        )
    if total != total.to_integral_value() or total < 1:
        raise DurationTextError(_("The limit must be a whole number of minutes, at least 1."))
    return int(total)


def format_minutes(minutes: int) -> str:
    """The limit in the largest unit it is a whole number of: "2 days", "36 hours"."""
    if minutes and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
