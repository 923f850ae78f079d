"""Personal numbers never reach the logs (DOMAIN.md R-2, IS-1).

`PersonalDataScrubber` is a logging filter installed on every handler
(settings.LOGGING, and the Celery worker's own handlers): it masks mainland
phone numbers, fixed lines and resident ID numbers in a record's message and
in the text of its exception, as they are masked on pages (138****1234,
110105********1234). Names cannot be recognised in free text, so code must
not log message bodies at all: it logs ids.
"""

import logging
import re

from csc.lib.masking import mask_id_number, mask_phone

# Not part of a longer run of digits or letters (ticket numbers, hashes, timestamps).
_BEFORE = r"(?<![0-9A-Za-z])"
_AFTER = r"(?![0-9A-Za-z])"
_RESIDENT_ID = re.compile(_BEFORE + r"\d{17}[\dXx]" + _AFTER)
_MOBILE = re.compile(_BEFORE + r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + r"(?!\d)")
_FIXED_LINE = re.compile(_BEFORE + r"0\d{2,3}[\s-]?\d{7,8}" + r"(?!\d)")


def _masked_number(match: re.Match) -> str:
    digits = re.sub(r"[^\d]", "", match.group())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return mask_phone(digits)


def scrub(text: str) -> str:
    """`text` with every phone and resident ID number in it masked."""
    if not text:
        return text
    text = _RESIDENT_ID.sub(lambda m: mask_id_number(m.group()), text)
    text = _MOBILE.sub(_masked_number, text)
    return _FIXED_LINE.sub(_masked_number, text)


class PersonalDataScrubber(logging.Filter):
    """Masks personal numbers in each record before any handler formats it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_scrubber(logger: logging.Logger) -> None:
    """Put the scrubber on each of `logger`'s handlers that lacks one (for handlers
    made outside settings.LOGGING, such as the Celery worker's)."""
    for handler in logger.handlers:
        if not any(isinstance(f, PersonalDataScrubber) for f in handler.filters):
            handler.addFilter(PersonalDataScrubber())
