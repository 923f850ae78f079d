"""Every business order has a delivery deadline (DOMAIN.md K-5, S-3, S-12, P-5): each
business type has a default limit, the hall's 10-minute single transaction applies
on the walk-in channel only and the 20-day installation to fixed-line services only,
administrators type limits in days or hours, and the ticket page says why a ticket
has no deadline when it has none."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from intake.choices import Channel
from sla import services as sla_services
from sla.calendars import SHANGHAI
from sla.models import Clock
from tests.factories import (
    BusinessTicketFactory,
    CustomerFactory,
    UserFactory,
    business_type,
    make_ticket,
)
from worktickets import services
from worktickets.models import BusinessType, DeliveryLimit, Ticket
from worktickets.reference import delivery_limit_for, delivery_limits

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SERVICES = ("", "mobile", "fixed", "broadband")


def delivery_clock(ticket) -> Clock | None:
    return Clock.objects.filter(ticket=ticket, metric="business_delivery").first()


def order(code: str, channel: str, service_type: str = "", **fields):
    """A business order accepted at START, its clocks started as the ticket service does."""
    details = {"service_type": service_type} if service_type else {}
    ticket = BusinessTicketFactory(
        business_type=business_type(code), channel=channel, order_details=details, **fields
    )
    sla_services.clocks_start(ticket, services.ticket_facts(ticket), at=START)
    return ticket


def granted(ticket) -> datetime.timedelta:
    clock = delivery_clock(ticket)
    assert clock is not None, f"{ticket.business_type.code} via {ticket.channel}: no deadline"
    return clock.due_at - clock.started_at


# ---------------------------------------------------------------- every type has a limit


def test_every_business_type_has_a_limit_on_every_channel_for_every_service():
    types = list(BusinessType.objects.all())
    assert len(types) >= 24
    for kind in types:
        for channel in Channel.values:
            for service_type in SERVICES:
                limit = delivery_limit_for(kind.pk, channel, service_type)
                assert limit is not None, (kind.code, channel, service_type)
                assert limit.minutes > 0


def test_the_types_the_seeds_give_no_figure_for_ship_a_default_flagged_to_confirm():
    for code in (
        "ownership_transfer",
        "product_order_change",
        "international_roaming",
        "number_change",
        "account_closure",
        "suspension_keep_number",
        "prepaid_refund",
        "broadband_speed_change",
        "deposit_refund",
        "charge_alerts",
        "fixed_international_roaming",
    ):
        default = DeliveryLimit.objects.get(business_type__code=code, channel="", service_type="")
        assert default.is_assumption, code
        assert default.minutes == 48 * 60
        assert "confirm" in default.source.lower()


def test_every_business_order_starts_a_delivery_deadline_and_reaches_the_at_risk_list():
    for kind in BusinessType.objects.all():
        ticket = order(kind.code, "hotline")
        assert granted(ticket) > datetime.timedelta(0)
        ticket.refresh_from_db()
        assert ticket.sla_due_at == delivery_clock(ticket).due_at


# ---------------------------------------------------------------- S-3 and S-12 where they apply


def test_the_hall_single_transaction_limit_applies_on_the_walk_in_channel_only():
    """S-3: ≤10 minutes for a single transaction in the hall."""
    assert granted(order("sim_replacement", "walk_in")) == 10 * MINUTE
    assert granted(order("instant_activation", "walk_in")) == 10 * MINUTE
    for channel in ("hotline", "app", "account_manager", "online_chat"):
        assert granted(order("instant_activation", channel)) == 48 * HOUR, channel
        assert granted(order("password_management", channel)) == 48 * HOUR, channel


def test_the_fixed_network_installation_limit_applies_to_fixed_line_services_only():
    """S-12: fixed-network installation or relocation, 20 days at most."""
    assert granted(order("network_entry", "hotline", "fixed")) == 20 * DAY
    assert granted(order("relocation", "account_manager", "fixed")) == 20 * DAY
    # Ordered at the counter, a fixed line still takes its installation limit.
    assert granted(order("network_entry", "walk_in", "fixed")) == 20 * DAY
    # A mobile line is not installed: opened at the counter it is one transaction (S-3) ...
    assert granted(order("network_entry", "walk_in", "mobile")) == 10 * MINUTE
    # ... and elsewhere it takes the assumed default, never the 20 days.
    assert granted(order("network_entry", "app", "mobile")) == 48 * HOUR
    assert granted(order("network_entry", "hotline")) == 48 * HOUR
    assert granted(order("relocation", "hotline")) == 48 * HOUR


def test_an_order_created_through_the_service_gets_the_limit_of_its_channel_and_service(
    agent_user,
):
    with time_machine.travel(START, tick=False):
        counter = make_ticket(
            created_by=agent_user,
            kind="business",
            channel="walk_in",
            business_type=business_type("sim_replacement"),
        )
        fixed = make_ticket(
            created_by=agent_user,
            kind="business",
            channel="account_manager",
            business_type=business_type("network_entry"),
            order_details={"service_type": "fixed"},
        )

    assert counter.sla_due_at == START + 10 * MINUTE
    assert fixed.sla_due_at == START + 20 * DAY


def test_the_new_ticket_form_names_the_service_so_a_fixed_installation_gets_20_days(
    client, agent_user
):
    customer = CustomerFactory(payment_type="postpaid")
    client.force_login(agent_user)

    with time_machine.travel(START, tick=False):
        response = client.post(
            reverse("worktickets:ticket_new"),
            {
                "kind": "business",
                "channel": "account_manager",
                "customer": customer.pk,
                "business_type": business_type("network_entry").pk,
                "service_type": "fixed",
                "order_details": "地址：长安街 1 号",
                "subject": "固话装机",
                "priority": 2,
            },
        )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.order_details == {"地址": "长安街 1 号", "service_type": "fixed"}
    assert ticket.sla_due_at == START + 20 * DAY


# ---------------------------------------------------------------- the ticket page


def page(client, ticket) -> str:
    response = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_ticket_page_says_why_a_business_order_has_no_deadline(english, agent_user):
    DeliveryLimit.objects.filter(business_type__code="ownership_transfer").delete()
    ticket = order("ownership_transfer", "walk_in", team=agent_user.agent.team)
    assert delivery_clock(ticket) is None
    english.force_login(agent_user)

    body = page(english, ticket)

    reason = (
        "The business type “Transfer of ownership” sets no delivery limit "
        "for the channel “Walk-in hall”"
    )
    assert body.count(reason) == 2  # beside the next deadline and the delivery limit
    assert '<dd class="wt-due">—' not in body


def test_the_ticket_page_says_in_chinese_why_a_closed_ticket_has_no_deadline(client, agent_user):
    ticket = order("sim_replacement", "walk_in", team=agent_user.agent.team)
    ticket = services.business_review(
        ticket, by=agent_user, version=ticket.version, identity_verified=True
    )
    ticket = services.business_deliver(ticket, by=agent_user, version=ticket.version)
    assert ticket.sla_due_at is None
    client.force_login(agent_user)

    body = page(client, ticket)

    assert "不再计时" in body
    assert 'class="muted wt-no-deadline"></span>' not in body


def test_the_ticket_page_shows_the_limit_that_applies_and_flags_an_assumption(english, agent_user):
    counter = order("sim_replacement", "walk_in", team=agent_user.agent.team)
    assumed = order("ownership_transfer", "walk_in", team=agent_user.agent.team)
    english.force_login(agent_user)

    counter_page, assumed_page = page(english, counter), page(english, assumed)

    assert "10 minutes" in counter_page and "Walk-in hall" in counter_page
    assert "assumption, confirm" not in counter_page
    assert "2 days" in assumed_page and "assumption, confirm" in assumed_page


def test_orders_accepted_before_their_type_had_a_limit_get_a_deadline_from_now(english, agent_user):
    kind = business_type("ownership_transfer")
    kept = list(DeliveryLimit.objects.filter(business_type=kind))
    DeliveryLimit.objects.filter(business_type=kind).delete()
    waiting = order("ownership_transfer", "walk_in", team=agent_user.agent.team)
    DeliveryLimit.objects.bulk_create(kept)
    delivery_limits.changed()
    with_deadline = order("sim_replacement", "walk_in")
    english.force_login(agent_user)
    assert "accepted before its business type had a delivery limit" in page(english, waiting)

    later = START + 3 * DAY
    assert services.business_deadlines_start_missing(at=later) == 1

    clock = delivery_clock(waiting)
    assert (clock.started_at, clock.due_at) == (later, later + 48 * HOUR)
    waiting.refresh_from_db()
    assert waiting.sla_due_at == later + 48 * HOUR
    assert Clock.objects.filter(ticket=with_deadline).count() == 1
    out = io.StringIO()
    call_command("start_missing_deadlines", stdout=out)
    assert "of 0 business order(s)" in out.getvalue()


def test_the_clock_panel_explains_the_limit_in_days_not_minutes(english, agent_user):
    ticket = order("network_entry", "hotline", "fixed", team=agent_user.agent.team)
    english.force_login(agent_user)

    body = page(english, ticket)

    assert "20 days (the business type" in body
    assert "28800" not in body


def test_a_business_orders_page_costs_the_same_queries_as_any_ticket(
    client, agent_user, django_assert_num_queries
):
    from tests.worktickets.test_ticket_page import PAGE_QUERIES

    ticket = make_ticket(
        created_by=agent_user,
        kind="business",
        channel="walk_in",
        business_type=business_type("sim_replacement"),
    )
    client.force_login(agent_user)
    page(client, ticket)  # the first request loads what each process keeps

    with django_assert_num_queries(PAGE_QUERIES):
        page(client, ticket)


# ---------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def limit_form(kind: BusinessType, rows: list[dict]) -> dict:
    """The business type's change form with its delivery limits as `rows`."""
    data = {
        "code": kind.code,
        "name_zh": kind.name_zh,
        "name_en": kind.name_en,
        "requires_approval": "on" if kind.requires_approval else "",
        "source": kind.source,
        "is_active": "on",
        "sort_order": kind.sort_order,
        "eligibility-TOTAL_FORMS": 0,
        "eligibility-INITIAL_FORMS": 0,
        "delivery_limits-TOTAL_FORMS": len(rows),
        "delivery_limits-INITIAL_FORMS": 0,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"delivery_limits-{index}-{name}"] = value
    return data


def test_an_administrator_enters_limits_in_days_or_hours(admin_client):
    kind = business_type("deposit_refund")
    DeliveryLimit.objects.filter(business_type=kind).delete()
    url = reverse("admin:worktickets_businesstype_change", args=[kind.pk])

    response = admin_client.post(
        url,
        limit_form(
            kind,
            [
                {"limit": "2 days", "source": "确认于 2026-03"},
                {"channel": "walk_in", "limit": "36 hours"},
                {"service_type": "fixed", "limit": "1天12小时"},
            ],
        ),
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    saved = {
        (limit.channel, limit.service_type): limit.minutes
        for limit in DeliveryLimit.objects.filter(business_type=kind)
    }
    assert saved == {("", ""): 2 * 24 * 60, ("walk_in", ""): 36 * 60, ("", "fixed"): 36 * 60}
    shown = admin_client.get(url).content.decode()
    assert 'value="2 天"' in shown or 'value="2 days"' in shown


def test_the_admin_refuses_a_limit_without_a_unit_and_a_type_without_a_default(admin_client):
    kind = business_type("deposit_refund")
    DeliveryLimit.objects.filter(business_type=kind).delete()
    url = reverse("admin:worktickets_businesstype_change", args=[kind.pk])

    no_unit = admin_client.post(url, limit_form(kind, [{"limit": "36"}]))
    no_default = admin_client.post(
        url, limit_form(kind, [{"channel": "walk_in", "limit": "10 min"}])
    )

    assert no_unit.status_code == no_default.status_code == 200
    assert "36" in no_unit.content.decode()  # what was typed is kept
    assert "errorlist" in no_unit.content.decode()
    assert "errorlist" in no_default.content.decode()
    assert not DeliveryLimit.objects.filter(business_type=kind).exists()
