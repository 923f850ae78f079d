"""Expected refusals stay one line in the log.

Django logs every 4xx answer on `django.request` as a warning, and for a
PermissionDenied or a BadRequest raised in a view it attaches the exception: under
`make run` each 403 (a page a role does not cover, an htmx action someone may not
take) printed a whole traceback. A refusal is the access rules working, not a fault:
the line (status and path) stays, the traceback goes. Errors keep theirs.
"""

import logging

from django.core.exceptions import BadRequest, PermissionDenied

EXPECTED_REFUSALS = (PermissionDenied, BadRequest)


class ExpectedRefusalFilter(logging.Filter):
    """For `django.request`: drop the traceback of an expected refusal, keep the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, EXPECTED_REFUSALS):
            record.exc_info = None
            record.exc_text = None
        return True
