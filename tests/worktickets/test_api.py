import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import (
    CustomerFactory,
    TicketFactory,
    business_type,
    make_api_client,
    make_ticket,
)
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_agent(agent_user):
    api = APIClient()
    api.force_login(agent_user)
    return api


def new_ticket_body(team, **extra):
    return {
        "kind": "inquiry",
        "channel": "hotline",
        "subject": "流量查询",
        "team": team.pk,
        **extra,
    }


def test_integration_creates_a_ticket(cti):
    customer = CustomerFactory()
    response = cti.post(
        "/api/v1/tickets/", new_ticket_body(cti.team, customer=customer.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("T")
    assert body["status"] == "new"
    assert body["customer"]["phone"] == customer.phone[:3] + "****" + customer.phone[-4:]
    assert body["allowed_actions"][:2] == ["accept", "reply"]
    assert body["timeline"][0]["kind"] == "created"


def test_an_agent_opening_a_ticket_through_the_api_holds_it_unless_told_otherwise(
    as_agent, agent_user, hotline_team, cti
):
    kept = as_agent.post("/api/v1/tickets/", new_ticket_body(hotline_team), format="json")
    queued = as_agent.post(
        "/api/v1/tickets/", new_ticket_body(hotline_team, to_team_queue=True), format="json"
    )
    pushed = cti.post("/api/v1/tickets/", new_ticket_body(cti.team), format="json")

    assert (kept.status_code, queued.status_code, pushed.status_code) == (201, 201, 201)
    assert kept.json()["assignee"]["id"] == agent_user.pk
    assert queued.json()["assignee"] is None
    assert pushed.json()["assignee"] is None  # an integration is nobody's queue


def test_bad_input_gets_field_messages_not_500(cti):
    response = cti.post(
        "/api/v1/tickets/", {"kind": "complaint", "channel": "pigeon", "team": cti.team.pk}
    )
    assert response.status_code == 400
    errors = response.json()
    assert {"kind", "channel", "subject"} <= set(errors)
    response = cti.post(
        "/api/v1/tickets/",
        new_ticket_body(cti.team, kind="business", business_type="ownership_transfer"),
        format="json",
    )
    assert response.status_code == 400
    assert "customer" in response.json()


def test_ineligible_business_order_is_refused_with_the_channels_that_can_do_it(cti):
    customer = CustomerFactory(payment_type="postpaid")
    response = cti.post(
        "/api/v1/tickets/",
        new_ticket_body(
            cti.team, kind="business", business_type="ownership_transfer", customer=customer.pk
        ),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_eligible_for_channel"
    assert response.json()["eligible_channels"] == ["walk_in"]


def test_scopes_are_required(hotline_team):
    _, key = make_api_client("reader", ["tickets:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/tickets/").status_code == 200
    response = api.post("/api/v1/tickets/", new_ticket_body(hotline_team), format="json")
    assert response.status_code == 403
    assert "tickets:write" in response.json()["detail"]


def test_idempotent_create_replays_the_first_response(cti):
    body = new_ticket_body(cti.team)
    first = cti.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    again = cti.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    other = cti.post(
        "/api/v1/tickets/",
        {**body, "subject": "另一件事"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="call-42",
    )
    assert other.status_code == 422
    assert Ticket.objects.count() == 1


def test_failed_create_does_not_burn_the_idempotency_key(cti):
    bad = cti.post(
        "/api/v1/tickets/", {"kind": "inquiry"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert bad.status_code == 400
    good = cti.post(
        "/api/v1/tickets/", new_ticket_body(cti.team), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert good.status_code == 201


def test_actions_walk_a_business_order_and_refuse_illegal_and_stale_ones(cti, lead_user):
    customer = CustomerFactory(payment_type="postpaid")
    created = cti.post(
        "/api/v1/tickets/",
        new_ticket_body(
            cti.team,
            kind="business",
            channel="walk_in",
            business_type="ownership_transfer",
            customer=customer.pk,
        ),
        format="json",
    ).json()
    url = f"/api/v1/tickets/{created['id']}"
    early = cti.post(f"{url}/deliver/", {"version": 1}, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "illegal_transition"
    reviewed = cti.post(f"{url}/review/", {"version": 1, "identity_verified": True}, format="json")
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "reviewed"
    stale = cti.post(f"{url}/reject/", {"version": 1, "reason": "x"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    lead = APIClient()
    lead.force_login(lead_user)
    approved = lead.post(f"{url}/approve/", {"version": 2}, format="json")
    assert approved.status_code == 200, approved.json()
    delivered = cti.post(f"{url}/deliver/", {"version": 3, "note": "已过户"}, format="json")
    assert delivered.json()["status"] == "delivered"
    closed = cti.post(f"{url}/close/", {"version": 4}, format="json")
    assert closed.json()["status"] == "closed"
    assert [e["kind"] for e in closed.json()["timeline"]].count("status_changed") == 4


def test_agent_cannot_approve(as_agent, agent_user):
    ticket = make_ticket(
        created_by=agent_user,
        kind="business",
        channel="walk_in",
        business_type=business_type("ownership_transfer"),
    )
    url = f"/api/v1/tickets/{ticket.pk}"
    as_agent.post(f"{url}/review/", {"version": 1, "identity_verified": True}, format="json")
    response = as_agent.post(f"{url}/approve/", {"version": 2}, format="json")
    assert response.status_code == 403


def test_patch_needs_the_current_version(as_agent, agent_user):
    ticket = make_ticket(created_by=agent_user)
    url = f"/api/v1/tickets/{ticket.pk}/"
    assert as_agent.patch(url, {"subject": "x"}, format="json").status_code == 400
    ok = as_agent.patch(url, {"subject": "宽带断线", "version": 1}, format="json")
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = as_agent.patch(url, {"priority": 4, "version": 1}, format="json")
    assert stale.status_code == 409


def test_agent_sees_only_their_teams_tickets_or_their_own(as_agent, agent_user, outsider_user):
    mine = make_ticket(created_by=agent_user)
    theirs = make_ticket(created_by=outsider_user)
    owned_elsewhere = make_ticket(
        created_by=outsider_user, first_contact_agent=agent_user, subject="我首问的"
    )
    ids = {t["id"] for t in as_agent.get("/api/v1/tickets/").json()["results"]}
    assert ids == {mine.pk, owned_elsewhere.pk}
    assert as_agent.get(f"/api/v1/tickets/{theirs.pk}/").status_code == 404


def test_list_filters_and_due_ordering(cti, agent_user, other_team):
    now = timezone.now()
    soon = TicketFactory(team=cti.team, sla_due_at=now + datetime.timedelta(minutes=5))
    later = TicketFactory(team=cti.team, sla_due_at=now + datetime.timedelta(hours=5))
    overdue = TicketFactory(team=cti.team, sla_due_at=now - datetime.timedelta(minutes=1))
    no_clock = TicketFactory(
        team=other_team,
        kind="business",
        status="accepted",
        business_type=business_type("sim_replacement"),
    )
    ordered = cti.get("/api/v1/tickets/?ordering=due").json()["results"]
    assert [t["id"] for t in ordered] == [overdue.pk, soon.pk, later.pk, no_clock.pk]
    assert [t["id"] for t in cti.get("/api/v1/tickets/?overdue=true").json()["results"]] == [
        overdue.pk
    ]
    by_team = cti.get(f"/api/v1/tickets/?team={other_team.pk}").json()["results"]
    assert [t["id"] for t in by_team] == [no_clock.pk]
    assert len(cti.get("/api/v1/tickets/?kind=business").json()["results"]) == 1
    after = (now - datetime.timedelta(minutes=1)).isoformat()
    assert len(cti.get("/api/v1/tickets/", {"created_after": after}).json()["results"]) == 4
    assert cti.get("/api/v1/tickets/?status=bogus").status_code == 400


def test_cursor_pagination_walks_every_ticket_once(cti):
    TicketFactory.create_batch(7, team=cti.team)
    seen, url = [], "/api/v1/tickets/?page_size=3"
    while url:
        page = cti.get(url).json()
        seen += [t["id"] for t in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def count_list_queries(api, path):
    api.get(path)  # warm up: the first call of a minute also stamps the client's last use
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_the_tickets(cti, as_agent, agent_user):
    TicketFactory.create_batch(10, team=cti.team, assignee=agent_user)
    cti_small = count_list_queries(cti, "/api/v1/tickets/?page_size=200")
    agent_small = count_list_queries(as_agent, "/api/v1/tickets/?page_size=200")
    TicketFactory.create_batch(90, team=cti.team, assignee=agent_user)
    assert count_list_queries(cti, "/api/v1/tickets/?page_size=200") == cti_small
    assert count_list_queries(as_agent, "/api/v1/tickets/?page_size=200") == agent_small


# ---------------------------------------------------------------- concurrency (PostgreSQL)


def run_concurrently(*callables):
    results = [None] * len(callables)
    barrier = threading.Barrier(len(callables))

    def runner(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_writers_one_wins_the_other_gets_409(agent_user, lead_user):
    ticket = make_ticket(created_by=agent_user)

    def write_as(user, subject):
        def call():
            api = APIClient()
            api.force_login(user)
            return api.patch(
                f"/api/v1/tickets/{ticket.pk}/", {"subject": subject, "version": 1}, format="json"
            ).status_code

        return call

    codes = run_concurrently(write_as(agent_user, "甲的修改"), write_as(lead_user, "乙的修改"))
    assert sorted(codes) == [200, 409]
    ticket.refresh_from_db()
    assert ticket.version == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_replays_of_one_idempotency_key_create_one_ticket(hotline_team):
    _, key = make_api_client("chat", ["tickets:write", "tickets:read"])
    body = new_ticket_body(hotline_team)

    def post():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = api.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="dup")
        return response.status_code, response.json()["number"]

    results = run_concurrently(post, post, post)
    assert {r[0] for r in results} == {201}
    assert len({r[1] for r in results}) == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creations_get_distinct_consecutive_numbers(agent_user):
    results = run_concurrently(*[lambda: make_ticket(created_by=agent_user).number] * 6)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(int(n[-6:]) for n in results) == [1, 2, 3, 4, 5, 6]
