"""Which address sign-in throttling counts: the proxy-appended one, never one
the client wrote itself."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from csc.lib.addresses import client_address


def _request(forwarded_for: str | None = None, remote: str = "10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/login/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's
        (1, None, "10.0.0.2"),  # not through the proxy
        (1, "", "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # a made-up entry before the real one
        (1, " 2001:db8::7 ", "2001:db8::7"),
        (1, "not-an-address", "10.0.0.2"),
        (2, "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies, each appends
        (2, "198.51.100.7", "10.0.0.2"),  # fewer entries than proxies
    ],
)
def test_the_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_address(_request(forwarded_for)) == expected


def test_behind_the_tls_proxy_one_proxy_is_trusted_by_default():
    env = {**os.environ, "BEHIND_TLS_PROXY": "1"}
    env.pop("TRUSTED_PROXY_COUNT", None)
    result = subprocess.run(
        [sys.executable, "-c", "import csc.settings as s; print(s.TRUSTED_PROXY_COUNT)"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip() == "1"
