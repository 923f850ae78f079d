"""The call in hand: the number an agent last looked a caller up by, kept in their
session, so that the forms they open for a customer it found (new ticket, complaint,
contact) start with the caller's number (DESIGN.md, agent desk: one-screen call
handling).

The number is the one the agent typed, so putting it in a form discloses nothing; a
customer's registered number is never put in a form this way. It is offered only for
the customers that lookup found, and for `CALL_KEPT` after it: the next caller's
lookup replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, MutableMapping
from typing import Any

SESSION_KEY = "intake.call_in_hand"
# Long enough for a call and its wrap-up, short enough not to meet the next caller.
CALL_KEPT = 30 * 60


def call_remember(
    session: MutableMapping[str, Any], number: str, customer_ids: Iterable[int]
) -> None:
    """Keep the number just looked up by phone, with the customers it found."""
    session[SESSION_KEY] = {
        "number": number,
        "customers": [int(pk) for pk in customer_ids],
        "at": int(time.time()),
    }


def call_number_for(session: MutableMapping[str, Any] | None, customer_id: int | None) -> str:
    """The number of the call in hand when its lookup found this customer, else ''."""
    call = session.get(SESSION_KEY) if session is not None and customer_id else None
    if not isinstance(call, dict) or time.time() - call.get("at", 0) > CALL_KEPT:
        return ""
    if int(customer_id) not in call.get("customers", ()):
        return ""
    return str(call.get("number", ""))
