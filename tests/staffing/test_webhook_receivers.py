"""Where webhooks may go: public addresses, and the networks an administrator
allows for on-premise receivers; never loopback, private, link-local, metadata
or multicast addresses, checked when subscribing and again, after resolving the
name, before every POST, which then goes to the address that was checked."""

import ipaddress
import os
import socket
import subprocess
import sys
import threading

import pytest

from staffing import webhooks
from staffing.models import OutboxMessage, WebhookAttempt, WebhookDelivery
from staffing.outbox import outbox_flush
from staffing.webhooks import address_standing, webhook_subscription_create
from tests.factories import make_api_client
from tests.staffing.test_admin import admin_client
from tests.staffing.test_webhooks import ALL_WEBHOOK_SCOPES, crm, emit_created, receiver

pytestmark = pytest.mark.django_db

# Fixtures shared with test_admin (a signed-in superuser) and test_webhooks (an
# API client with the webhook scopes, a receiver on loopback).
__all__ = ["admin_client", "crm", "receiver"]

PUBLIC = "93.184.216.34"


def subscribe(api, url: str):
    return api.post("/api/v1/webhooks/", {"url": url, "events": ["ticket.created"]}, format="json")


# ---------------------------------------------------------------- which addresses


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "0.0.0.0",
        "::",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "100.64.0.1",  # carrier-grade NAT
        "169.254.169.254",  # cloud metadata
        "fe80::1",
        "fc00::1",
        "fec0::1",  # site-local
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    ],
)
def test_loopback_private_link_local_and_special_addresses_are_refused(address):
    assert address_standing(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address):
    assert address_standing(ipaddress.ip_address(address)) is True


def test_allowed_networks_let_on_premise_receivers_in_but_never_the_metadata_service(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16", "169.254.0.0/16", "224.0.0.0/4"]

    assert address_standing(ipaddress.ip_address("10.20.1.5")) is False  # allowed, not public
    assert address_standing(ipaddress.ip_address("::ffff:10.20.1.5")) is False
    assert address_standing(ipaddress.ip_address("10.21.1.5")) is None
    assert address_standing(ipaddress.ip_address("169.254.169.254")) is None
    assert address_standing(ipaddress.ip_address("224.0.0.1")) is None


# ---------------------------------------------------------------- at subscription


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/hooks",
        "http://[::1]/hooks",
        "http://0.0.0.0/hooks",
        "http://10.0.0.8/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[fe80::1]/hooks",
        "http://intranet.example.com/hooks",
        "http://mixed.example.com/hooks",
        "https://metadata.example.com/hooks",
    ],
)
def test_a_subscription_to_an_internal_address_is_refused_naming_the_url(crm, dns, url):
    dns["intranet.example.com"] = ["10.0.0.8"]
    dns["mixed.example.com"] = [PUBLIC, "127.0.0.1"]
    dns["metadata.example.com"] = ["169.254.169.254"]

    response = subscribe(crm, url)

    assert response.status_code == 400, response.json()
    assert "url" in response.json()
    assert not WebhookDelivery.objects.exists()
    assert crm.get("/api/v1/webhooks/").json()["results"] == []


def test_the_refusal_explains_itself(crm):
    response = crm.post(
        "/api/v1/webhooks/",
        {"url": "http://localhost/hooks", "events": ["ticket.created"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["url"] == [
        "Webhooks may not be sent to localhost: it is, or resolves to, a loopback, "
        "private, link-local or reserved address."
    ]


def test_a_subscription_to_a_public_or_not_yet_resolvable_host_is_accepted(crm, dns):
    dns["crm.example.com"] = [PUBLIC]

    assert subscribe(crm, "https://crm.example.com/hooks").status_code == 201
    # Not in DNS yet: accepted, and checked before every delivery.
    assert subscribe(crm, "https://new-crm.example.com/hooks").status_code == 201


def test_an_allowed_on_premise_receiver_may_be_subscribed(crm, dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    dns["crm.corp.example.com"] = ["10.20.3.4"]

    assert subscribe(crm, "http://crm.corp.example.com/hooks").status_code == 201
    assert subscribe(crm, "http://10.20.3.5/hooks").status_code == 201
    assert subscribe(crm, "http://10.30.3.5/hooks").status_code == 400


def test_changing_a_subscription_to_an_internal_address_is_refused(crm, dns):
    dns["crm.example.com"] = [PUBLIC]
    path = f"/api/v1/webhooks/{subscribe(crm, 'https://crm.example.com/hooks').json()['id']}/"

    response = crm.patch(path, {"url": "http://127.0.0.1:6379/"}, format="json")

    assert response.status_code == 400 and "url" in response.json()
    assert crm.get(path).json()["url"] == "https://crm.example.com/hooks"


def test_the_admin_refuses_an_internal_url_with_a_form_error(admin_client, dns):
    dns["crm.example.com"] = [PUBLIC]
    api_client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    subscription, _secret = webhook_subscription_create(
        api_client, url="https://crm.example.com/hooks", events=["ticket.created"]
    )

    response = admin_client.post(
        f"/admin/staffing/webhooksubscription/{subscription.pk}/change/",
        {"url": "http://169.254.169.254/latest/", "events": ["ticket.created"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    subscription.refresh_from_db()
    assert subscription.url == "https://crm.example.com/hooks"


# ---------------------------------------------------------------- at delivery


def test_a_name_that_resolves_elsewhere_at_delivery_is_not_posted_to(receiver, dns):
    # Public when subscribed; by the time of delivery it points at the receiver
    # on loopback (DNS rebinding), which nobody allowed.
    host = "hooks.example.com"
    dns[host] = [PUBLIC]
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    port = receiver.url.split(":")[2].split("/")[0]
    webhook_subscription_create(
        client, url=f"http://{host}:{port}/hooks", events=["ticket.created"]
    )
    dns[host] = ["127.0.0.1"]

    emit_created()
    assert outbox_flush() == 0

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code is None
    assert attempt.error == f"not sent: {host} resolves to an address webhooks may not go to"
    assert OutboxMessage.objects.get(channel="webhook").status == "pending"


def test_the_post_goes_to_the_checked_address_with_the_urls_host_name(receiver, dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    host = "crm.corp.example.com"
    dns[host] = ["127.0.0.1"]
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    port = receiver.url.split(":")[2].split("/")[0]
    webhook_subscription_create(
        client, url=f"http://{host}:{port}/hooks?tenant=7", events=["ticket.created"]
    )
    lookups = []
    resolve = webhooks.getaddrinfo

    def counting(*args, **kwargs):
        lookups.append(args[0])
        return resolve(*args, **kwargs)

    webhooks.getaddrinfo = counting
    try:
        emit_created()
        assert outbox_flush() == 1
    finally:
        webhooks.getaddrinfo = resolve

    [received] = receiver.requests
    assert received.headers["Host"] == f"{host}:{port}"
    assert lookups == [host]  # resolved once, and that answer was used


def test_an_https_post_is_pinned_yet_presents_the_host_name_for_tls(dns, monkeypatch):
    dns["secure.example.com"] = [PUBLIC]
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(
        client, url="https://secure.example.com/hooks", events=["ticket.created"]
    )
    # A TCP listener stands in for the receiver: it reads the TLS ClientHello.
    listener = socket.create_server(("127.0.0.1", 0))
    connected_to, hello = [], []

    def create_connection(address, timeout=None, source_address=None):
        connected_to.append(address)
        return socket.create_connection(listener.getsockname(), 5)

    def peer():
        conn, _ = listener.accept()
        with conn:
            hello.append(conn.recv(4096))

    monkeypatch.setattr(webhooks, "create_connection", create_connection)
    thread = threading.Thread(target=peer)
    thread.start()
    emit_created()
    assert outbox_flush() == 0
    thread.join(timeout=5)
    listener.close()

    assert connected_to == [(PUBLIC, 443)]
    assert b"secure.example.com" in hello[0]  # the server name (SNI)
    assert WebhookAttempt.objects.get().response_code is None


def test_an_on_premise_receivers_answer_is_not_kept(receiver, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(client, url=receiver.url, events=["ticket.created"])
    receiver.statuses.append(500)

    emit_created()
    outbox_flush()

    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code == 500
    assert attempt.response_excerpt == ""
    assert WebhookDelivery.objects.get().response_excerpt == ""


def test_a_public_receivers_answer_is_kept_only_in_part(receiver, monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    monkeypatch.setattr(webhooks, "address_standing", lambda address: True)
    monkeypatch.setattr(webhooks, "EXCERPT_CHARS", 5)
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(client, url=receiver.url, events=["ticket.created"])

    emit_created()
    outbox_flush()

    assert WebhookAttempt.objects.get().response_excerpt == "answe"


# ---------------------------------------------------------------- the setting


def test_a_malformed_allowed_network_stops_the_settings_from_loading():
    env = {**os.environ, "WEBHOOK_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"}

    result = subprocess.run(
        [sys.executable, "-c", "import csc.settings"], env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "WEBHOOK_ALLOWED_NETWORKS: 'intranet' is not an address or a network." in result.stderr
