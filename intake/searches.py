"""Searches by phone or resident ID number: limited, recorded and watched (DOMAIN.md R-2).

An exact-number search answers "found" or "not found", so unlimited searches
rebuild a masked number by trying its hidden digits one guess at a time. So
every door that looks customers up by a number typed by someone (the intake
search, the desk's search, the caller panel, the complaint form, the API's
`?phone=` and `?q=`) goes through here:

- each person, and each API client, may make `CUSTOMER_SEARCH_LIMIT`
  (`CUSTOMER_SEARCH_CLIENT_LIMIT`) such searches per window of
  `CUSTOMER_SEARCH_WINDOW_SECONDS`; more are refused (429 in the API);
- each search is recorded in the access log with the number masked, naming
  the customers it found (or nobody);
- the first refusal in a window tells the holders of
  `intake.receive_security_alerts`, once per searcher and window.

Name searches reveal no number: they are neither counted nor recorded.
"""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from redis.exceptions import RedisError

from csc.lib.errors import TooManyRequests
from csc.lib.masking import mask_id_number, mask_phone
from csc.lib.phones import normalise_phone
from csc.lib.phrases import Phrase
from intake import selectors
from intake.calls import call_remember
from intake.choices import AccessAction, AccessVia
from intake.models import Customer, PersonalDataAccess
from intake.personal_data import recorded_path
from intake.selectors import CustomerSearch
from staffing.api_auth import api_client_of, count_in_window
from staffing.outbox import notify_many
from staffing.selectors import holders_of

log = logging.getLogger(__name__)

ALERT_PERM = "intake.receive_security_alerts"
ALERT_KIND = "security.search_burst"
# One search row names at most this many customers (a shared number finds a few).
RECORDED_PER_SEARCH = 20
MASKS = {"phone": mask_phone, "id_number": mask_id_number}


@dataclass(frozen=True)
class Searcher:
    """Who searches, through which door: counted per API client, else per person."""

    user: object
    via: str
    path: str
    api_client_id: int | None = None
    # A person's session on a page: a phone lookup there becomes the call in hand.
    session: object = field(default=None, compare=False, repr=False)

    @classmethod
    def for_page(cls, request) -> "Searcher":
        return cls(request.user, AccessVia.PAGE, request.path, session=request.session)

    @classmethod
    def for_api(cls, request) -> "Searcher":
        client = api_client_of(request)
        return cls(request.user, AccessVia.API, request.path, client.pk if client else None)

    @property
    def ident(self) -> str:
        if self.api_client_id is not None:
            return f"client-{self.api_client_id}"
        return f"user-{self.user.pk}"

    @property
    def limit(self) -> int:
        if self.api_client_id is not None:
            return settings.CUSTOMER_SEARCH_CLIENT_LIMIT
        return settings.CUSTOMER_SEARCH_LIMIT


class TooManySearches(TooManyRequests):
    """The searcher used up this window's searches by number (HTTP 429)."""

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            _(
                "Too many searches by phone or ID number. Wait %(minutes)d minutes and try "
                "again; searching by name still works."
            )
            % {"minutes": minutes},
            code="too_many_searches",
            retry_after=retry_after,
        )


def customers_search(searcher: Searcher, query: str) -> CustomerSearch:
    """The search box (full phone, full ID number or name prefix), limited and recorded."""
    search = selectors.customer_search(query)
    if search.is_exact:
        _count_search(searcher)
        _record_search(searcher, search.kind, search.number, search.customers)
    return search


def customers_by_phone(searcher: Searcher, phone: str) -> QuerySet[Customer]:
    """Customers reached at a typed phone number (a bad number is a ValidationError,
    neither counted nor recorded), limited and recorded."""
    customers = selectors.customer_find_by_phone(phone)
    _count_search(searcher)
    _record_search(searcher, "phone", normalise_phone(phone), customers)
    return customers


def customer_list_searched(searcher: Searcher, *, q: str = "", phone: str = "", **filters):
    """The API's customer list; a `phone` or a number in `q` is a search as above."""
    customers = None
    if phone:
        customers = customers_by_phone(searcher, phone)
    elif q:
        customers = customers_search(searcher, q).customers
    return selectors.customer_list(customers=customers, **filters)


def _count_search(searcher: Searcher) -> None:
    window_seconds = settings.CUSTOMER_SEARCH_WINDOW_SECONDS
    now = time.time()
    window = int(now // window_seconds)
    key = f"customer-search:{searcher.ident}:{window}"
    try:
        if count_in_window(key, window_seconds) <= searcher.limit:
            return
        first_refusal = cache.add(f"{key}:alerted", 1, window_seconds + 1)
    except RedisError:
        # The counters live in Redis; while it is unreachable the desk keeps
        # working (unlimited). Every search is still recorded.
        log.warning("search limit not checked: the cache is unreachable")
        return
    if first_refusal:
        _alert_burst(searcher, window)
    raise TooManySearches(retry_after=int((window + 1) * window_seconds - now) + 1)


def _alert_burst(searcher: Searcher, window: int) -> None:
    who = getattr(searcher.user, "display_name", "") or str(searcher.user)
    minutes = settings.CUSTOMER_SEARCH_WINDOW_SECONDS // 60
    notify_many(
        holders_of(ALERT_PERM),
        kind=ALERT_KIND,
        title=Phrase(gettext_noop("Burst of searches by number: %(who)s"), who=who),
        body=Phrase(
            gettext_noop(
                "%(who)s made more than %(limit)d searches by phone or ID number within "
                "%(minutes)d minutes. Further searches are refused until the window ends. "
                "Check the access log for what was searched."
            ),
            who=who,
            limit=searcher.limit,
            minutes=minutes,
        ),
        link=f"{reverse('intake:access_log')}?user={searcher.user.pk}",
        dedupe_key=f"search-burst:{searcher.ident}:{window}",
    )


@transaction.atomic
def _record_search(searcher: Searcher, kind: str, number: str, customers) -> int:
    """One access row per customer found, or one naming nobody; the term masked."""
    found = list(customers.order_by().values_list("pk", flat=True)[:RECORDED_PER_SEARCH])
    row = {
        "user": searcher.user,
        "via": searcher.via,
        "path": recorded_path(searcher.path),
        "action": AccessAction.SEARCH,
        "term": MASKS[kind](number),
    }
    rows = [PersonalDataAccess(customer_id=pk, **row) for pk in found] or [
        PersonalDataAccess(**row)
    ]
    PersonalDataAccess.objects.bulk_create(rows)
    if kind == "phone" and searcher.session is not None:
        call_remember(searcher.session, number, found)
    return len(rows)
