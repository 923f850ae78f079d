"""The address a request came from, as sign-in throttling counts it.

Behind TRUSTED_PROXY_COUNT reverse proxies (BEHIND_TLS_PROXY sets one), every
request reaches Django from a proxy, so REMOTE_ADDR is the same for everyone.
Each proxy appends the address it was reached from to X-Forwarded-For, so the
entry that many places from the end was written by the outermost trusted
proxy: the real client. Entries further left were sent by the client and are
never believed.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return remote  # did not come through the proxies
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
